//! The attempt limiter under a flood of distinct keys: the memory 1,000,000
//! keys leave behind (the limiter tracks at most its capacity, so this stays
//! flat however many keys arrive) and attempts per second. Prints figures;
//! fails only when the memory exceeds the stated bound.

use std::time::{Duration, Instant};

use portico_http::AttemptLimiter;

/// Distinct keys sent.
const KEYS: usize = 1_000_000;
/// What the limiter's memory must stay under with the default capacity.
const BOUND_MIB: f64 = 16.0;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let keys: Vec<String> =
        (0..KEYS).map(|n| format!("client:198.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)).collect();
    let before = rss_kib();
    let limiter = AttemptLimiter::new(30, Duration::from_secs(900), AttemptLimiter::DEFAULT_CAPACITY);
    let start = Instant::now();
    for key in &keys {
        limiter.allow(key);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let after = rss_kib();
    println!(
        "limiter: {KEYS} distinct keys in {elapsed:.3} s = {:.0} attempts/s; {} keys tracked (capacity {})",
        KEYS as f64 / elapsed,
        limiter.len(),
        limiter.capacity()
    );
    let start = Instant::now();
    for _ in 0..KEYS {
        limiter.allow("one busy key");
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("limiter: one key, {KEYS} attempts in {elapsed:.3} s = {:.0} attempts/s", KEYS as f64 / elapsed);
    if let (Some(before), Some(after)) = (before, after) {
        let grown = after.saturating_sub(before) as f64 / 1024.0;
        println!("limiter: memory for {KEYS} distinct keys: {grown:.1} MiB (bound {BOUND_MIB:.0} MiB)");
        assert!(grown <= BOUND_MIB, "the limiter grew by {grown:.1} MiB, over its {BOUND_MIB} MiB bound");
    }
}
