//! The embedded default: a SQLite file set up for a server.

use portico_app::MerchantRepository;
use portico_storage::{StorageError, connect, default_sqlite_url, migrate};
use uuid::Uuid;

use crate::support::ids;

#[tokio::test]
async fn a_file_url_creates_its_directory_and_runs_in_wal_mode() {
    let dir = std::env::temp_dir().join(format!("portico-test-{}", Uuid::now_v7().simple()));
    let file = dir.join("nested").join("portico.db");
    let db = connect(&format!("sqlite://{}?mode=rwc", file.display()), ids()).await.unwrap();
    migrate(&db).await.unwrap();
    assert_eq!(db.merchants().list().await.unwrap().len(), 1);
    assert!(file.exists());
    // The write-ahead log sits next to the database while it is open.
    assert!(dir.join("nested").join("portico.db-wal").exists());
    db.close().await.unwrap();

    // Reopening keeps the data and runs no migration twice.
    let db = connect(&format!("sqlite://{}?mode=rwc", file.display()), ids()).await.unwrap();
    migrate(&db).await.unwrap();
    assert_eq!(db.merchants().list().await.unwrap().len(), 1);
    db.close().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_default_url_is_a_file_under_portico_data() {
    assert_eq!(default_sqlite_url(), "sqlite://portico-data/portico.db?mode=rwc");
}

#[tokio::test]
async fn an_unknown_scheme_is_refused_by_name() {
    match connect("mysql://localhost/x", ids()).await {
        Err(StorageError::Scheme(scheme)) => assert_eq!(scheme, "mysql"),
        other => panic!("expected a scheme error, got {other:?}"),
    }
}
