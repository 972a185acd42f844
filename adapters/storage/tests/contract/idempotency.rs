//! Idempotency keys: claimed once, answered once, replayed after; a claim
//! completes only its own row; expired keys are purged.

use chrono::TimeDelta;
use portico_app::{ClaimedKey, IdempotencyClaim, IdempotencyRepository};
use portico_storage::Database;

use crate::support::{at, t0};

contract!(
    a_key_is_started_once_then_replayed,
    keys_are_scoped_and_fingerprinted,
    stale_and_abandoned_keys_start_again,
    a_claim_that_lost_its_key_cannot_answer_for_the_new_claim,
    the_sweep_deletes_only_keys_past_the_retention,
);

async fn started(keys: &dyn IdempotencyRepository, scope: &str, key: &str, fp: &str, secs: i64) -> ClaimedKey {
    match keys.claim(scope, key, fp, at(secs)).await.unwrap() {
        IdempotencyClaim::Started(claimed) => claimed,
        other => panic!("{scope}/{key} was not started: {other:?}"),
    }
}

async fn a_key_is_started_once_then_replayed(db: Database) {
    let keys = db.idempotency();
    let claimed = started(&*keys, "scope", "k1", "fp", 0).await;
    assert_eq!((claimed.scope.as_str(), claimed.key.as_str()), ("scope", "k1"));
    assert_eq!(keys.claim("scope", "k1", "fp", at(1)).await.unwrap(), IdempotencyClaim::InProgress);
    keys.complete(&claimed, 202, br#"{"batch_id":"x"}"#).await.unwrap();
    assert_eq!(
        keys.claim("scope", "k1", "fp", at(2)).await.unwrap(),
        IdempotencyClaim::Replay { status: 202, body: br#"{"batch_id":"x"}"#.to_vec() }
    );
}

async fn keys_are_scoped_and_fingerprinted(db: Database) {
    let keys = db.idempotency();
    started(&*keys, "a", "k", "fp1", 0).await;
    started(&*keys, "b", "k", "fp1", 0).await;
    assert_eq!(keys.claim("a", "k", "fp2", t0()).await.unwrap(), IdempotencyClaim::Mismatch);
}

async fn stale_and_abandoned_keys_start_again(db: Database) {
    let keys = db.idempotency();
    let abandoned = started(&*keys, "s", "abandoned", "fp", 0).await;
    keys.abandon(&abandoned).await.unwrap();
    started(&*keys, "s", "abandoned", "fp", 1).await;

    started(&*keys, "s", "stuck", "fp", 0).await;
    started(&*keys, "s", "stuck", "fp", TimeDelta::minutes(11).num_seconds()).await;

    let old = started(&*keys, "s", "old", "fp", 0).await;
    keys.complete(&old, 200, b"{}").await.unwrap();
    started(&*keys, "s", "old", "other", TimeDelta::hours(25).num_seconds()).await;
}

async fn a_claim_that_lost_its_key_cannot_answer_for_the_new_claim(db: Database) {
    let keys = db.idempotency();
    let first = started(&*keys, "s", "k", "fp", 0).await;
    // The first request hangs past the stale limit; a retry takes the key over.
    let second = started(&*keys, "s", "k", "fp", TimeDelta::minutes(11).num_seconds()).await;
    assert_ne!(first.claim, second.claim);

    keys.complete(&first, 500, b"late").await.unwrap();
    keys.abandon(&first).await.unwrap();
    assert_eq!(keys.claim("s", "k", "fp", at(700)).await.unwrap(), IdempotencyClaim::InProgress, "still the second's");

    keys.complete(&second, 202, b"{}").await.unwrap();
    assert_eq!(
        keys.claim("s", "k", "fp", at(701)).await.unwrap(),
        IdempotencyClaim::Replay { status: 202, body: b"{}".to_vec() }
    );
}

async fn the_sweep_deletes_only_keys_past_the_retention(db: Database) {
    let keys = db.idempotency();
    let old = started(&*keys, "s", "old", "fp", 0).await;
    keys.complete(&old, 200, b"{}").await.unwrap();
    started(&*keys, "s", "unanswered", "fp", 60).await;
    let recent = started(&*keys, "s", "recent", "fp", TimeDelta::hours(20).num_seconds()).await;
    keys.complete(&recent, 201, b"{}").await.unwrap();

    let day = TimeDelta::hours(24).num_seconds();
    assert_eq!(keys.purge_expired(at(day + 30)).await.unwrap(), 1, "only the first is a day old");
    assert_eq!(keys.purge_expired(at(day + 120)).await.unwrap(), 1);
    assert_eq!(keys.purge_expired(at(day + 120)).await.unwrap(), 0);
    assert_eq!(
        keys.claim("s", "recent", "fp", at(day + 120)).await.unwrap(),
        IdempotencyClaim::Replay { status: 201, body: b"{}".to_vec() },
        "a recent key stays"
    );
}
