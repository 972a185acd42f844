//! The `portico` binary against a fresh SQLite database per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portico-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn portico(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATABASE_URL", format!("sqlite://{}/portico.db?mode=rwc", dir.display()))
        .env("PORTICO_MAIL", format!("file://{}/mail", dir.display()))
        .env_remove("PORTICO_CONFIG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn import_reports_like_the_api_and_a_second_import_changes_nothing() {
    let dir = data_dir("import");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/customers.csv");

    let migrate = portico(&dir, &["migrate"]);
    let first = portico(&dir, &["import", "customers", file]);
    let second = portico(&dir, &["import", "customers", file]);

    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let first: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    let second: serde_json::Value = serde_json::from_str(&stdout(&second)).unwrap();
    assert_eq!(first["created"], 300);
    assert_eq!(first["rejected"][0]["line"], 459);
    assert_eq!((second["created"].clone(), second["updated"].clone()), (0.into(), 0.into()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn api_key_create_prints_the_key_alone_on_the_last_line() {
    let dir = data_dir("key");

    let created = portico(&dir, &["api-key", "create", "--role", "viewer"]);
    let bad_role = portico(&dir, &["api-key", "create", "--role", "owner"]);
    let bad_merchant = portico(&dir, &["api-key", "create", "--role", "admin", "--merchant", "not-an-id"]);

    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let out = stdout(&created);
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("ptk_") && last.len() == 68, "{out:?}");
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
    assert!(!bad_merchant.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let dir = data_dir("missing");

    let output = portico(&dir, &["import", "invoices", "/nonexistent/invoices.csv"]);

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("opening /nonexistent/invoices.csv"));
    let _ = std::fs::remove_dir_all(&dir);
}
