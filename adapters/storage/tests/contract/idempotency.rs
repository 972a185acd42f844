//! Idempotency keys: claimed once, answered once, replayed after.

use chrono::TimeDelta;
use portico_app::{IdempotencyClaim, IdempotencyRepository};
use portico_storage::Database;

use crate::support::{at, t0};

contract!(a_key_is_started_once_then_replayed, keys_are_scoped_and_fingerprinted, stale_and_abandoned_keys_start_again);

async fn a_key_is_started_once_then_replayed(db: Database) {
    let keys = db.idempotency();
    assert_eq!(keys.claim("scope", "k1", "fp", t0()).await.unwrap(), IdempotencyClaim::Started);
    assert_eq!(keys.claim("scope", "k1", "fp", at(1)).await.unwrap(), IdempotencyClaim::InProgress);
    keys.complete("scope", "k1", 202, br#"{"batch_id":"x"}"#).await.unwrap();
    assert_eq!(
        keys.claim("scope", "k1", "fp", at(2)).await.unwrap(),
        IdempotencyClaim::Replay { status: 202, body: br#"{"batch_id":"x"}"#.to_vec() }
    );
}

async fn keys_are_scoped_and_fingerprinted(db: Database) {
    let keys = db.idempotency();
    assert_eq!(keys.claim("a", "k", "fp1", t0()).await.unwrap(), IdempotencyClaim::Started);
    assert_eq!(keys.claim("b", "k", "fp1", t0()).await.unwrap(), IdempotencyClaim::Started, "another caller");
    assert_eq!(keys.claim("a", "k", "fp2", t0()).await.unwrap(), IdempotencyClaim::Mismatch);
}

async fn stale_and_abandoned_keys_start_again(db: Database) {
    let keys = db.idempotency();
    keys.claim("s", "abandoned", "fp", t0()).await.unwrap();
    keys.abandon("s", "abandoned").await.unwrap();
    assert_eq!(keys.claim("s", "abandoned", "fp", at(1)).await.unwrap(), IdempotencyClaim::Started);

    keys.claim("s", "stuck", "fp", t0()).await.unwrap();
    let later = t0() + TimeDelta::minutes(11);
    assert_eq!(keys.claim("s", "stuck", "fp", later).await.unwrap(), IdempotencyClaim::Started);

    keys.claim("s", "old", "fp", t0()).await.unwrap();
    keys.complete("s", "old", 200, b"{}").await.unwrap();
    let next_day = t0() + TimeDelta::hours(25);
    assert_eq!(keys.claim("s", "old", "other", next_day).await.unwrap(), IdempotencyClaim::Started);
}
