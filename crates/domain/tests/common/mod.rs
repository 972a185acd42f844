//! Shared property-test settings: 1,000 cases by default, more with
//! `PROPTEST_CASES=N`.

use proptest::test_runner::Config;

pub fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    Config { cases, ..Config::default() }
}
