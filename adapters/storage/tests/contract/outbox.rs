//! The outbox: claiming with leases, completion under the lease, retries.

use portico_app::{DeliveryStatus, OutboxQueue, RepositoryError};
use portico_storage::Database;

use crate::support::{at, email, merchant, t0};

contract!(
    claimed_emails_are_handed_out_once_and_cleared_when_sent,
    a_failed_attempt_is_retried_at_its_time_and_a_final_failure_is_kept,
    an_expired_lease_is_reclaimed_and_the_old_lease_can_no_longer_complete,
    a_released_email_is_due_again_at_once,
    sending_many_records_only_the_emails_still_under_the_lease,
);

async fn claimed_emails_are_handed_out_once_and_cleared_when_sent(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let emails: Vec<_> = (0..3).map(|_| email(m, None)).collect();
    outbox.enqueue(&emails).await.unwrap();

    let first = outbox.claim(2, t0(), at(60)).await.unwrap();
    assert_eq!(first.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[0].id, emails[1].id], "oldest first");
    assert_eq!(first[0].email, emails[0]);
    let second = outbox.claim(2, t0(), at(60)).await.unwrap();
    assert_eq!(second.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[2].id]);
    assert!(outbox.claim(2, t0(), at(60)).await.unwrap().is_empty());

    assert_eq!(first[0].lease_until, at(60), "the claim carries the end of its lease");
    let claimed = &first[0];
    assert_eq!(outbox.mark_sent(&[claimed.email.id], claimed.lease, at(5)).await.unwrap(), [claimed.email.id]);
    assert_eq!(outbox.status(claimed.email.id).await.unwrap(), Some(DeliveryStatus::Sent { at: at(5) }));
    assert_eq!(outbox.body(claimed.email.id).await.unwrap(), Some((String::new(), String::new())));
    assert!(outbox.mark_sent(&[claimed.email.id], claimed.lease, at(6)).await.unwrap().is_empty(), "recorded once");
    // Sent rows are never claimed again, even after every lease expired.
    let later = outbox.claim(10, at(120), at(180)).await.unwrap();
    assert_eq!(later.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[1].id, emails[2].id]);
}

async fn a_failed_attempt_is_retried_at_its_time_and_a_final_failure_is_kept(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let e = email(m, None);
    outbox.enqueue(std::slice::from_ref(&e)).await.unwrap();
    let claim = outbox.claim(1, t0(), at(60)).await.unwrap().remove(0);
    outbox.mark_failed(e.id, claim.lease, "421 try later", Some(at(300))).await.unwrap();
    assert_eq!(
        outbox.status(e.id).await.unwrap(),
        Some(DeliveryStatus::Queued { attempts: 1, last_error: Some("421 try later".into()) })
    );
    assert!(outbox.claim(1, at(10), at(70)).await.unwrap().is_empty(), "not due before its retry time");
    let retry = outbox.claim(1, at(300), at(360)).await.unwrap().remove(0);
    assert_eq!(retry.attempts, 1);
    outbox.mark_failed(e.id, retry.lease, "550 no such user", None).await.unwrap();
    assert_eq!(outbox.status(e.id).await.unwrap(), Some(DeliveryStatus::Failed { error: "550 no such user".into() }));
    assert!(outbox.claim(1, at(10_000), at(10_060)).await.unwrap().is_empty(), "failed rows stay, unclaimed");
}

async fn an_expired_lease_is_reclaimed_and_the_old_lease_can_no_longer_complete(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let e = email(m, None);
    outbox.enqueue(std::slice::from_ref(&e)).await.unwrap();
    let old = outbox.claim(1, t0(), at(60)).await.unwrap().remove(0);
    assert!(outbox.claim(1, at(30), at(90)).await.unwrap().is_empty(), "leased until 60");
    let new = outbox.claim(1, at(61), at(121)).await.unwrap().remove(0);
    assert_eq!(new.email.id, e.id);
    assert_ne!(new.lease, old.lease);
    assert!(outbox.mark_sent(&[e.id], old.lease, at(62)).await.unwrap().is_empty());
    assert!(matches!(outbox.mark_failed(e.id, old.lease, "x", None).await, Err(RepositoryError::LeaseLost)));
    assert!(matches!(outbox.release(e.id, old.lease).await, Err(RepositoryError::LeaseLost)));
    assert_eq!(outbox.mark_sent(&[e.id], new.lease, at(63)).await.unwrap(), [e.id]);
}

async fn a_released_email_is_due_again_at_once(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let e = email(m, None);
    outbox.enqueue(std::slice::from_ref(&e)).await.unwrap();
    let claim = outbox.claim(1, t0(), at(600)).await.unwrap().remove(0);
    outbox.release(e.id, claim.lease).await.unwrap();
    let again = outbox.claim(1, at(1), at(601)).await.unwrap();
    assert_eq!(again.iter().map(|c| (c.email.id, c.attempts)).collect::<Vec<_>>(), [(e.id, 0)]);
}

async fn sending_many_records_only_the_emails_still_under_the_lease(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let emails: Vec<_> = (0..4).map(|_| email(m, None)).collect();
    outbox.enqueue(&emails).await.unwrap();
    let claimed = outbox.claim(3, t0(), at(60)).await.unwrap();
    let lease = claimed[0].lease;
    outbox.mark_sent(&[emails[0].id], lease, at(1)).await.unwrap();
    // Already sent, sent now, sent now, never claimed (no lease).
    let ids: Vec<_> = emails.iter().map(|e| e.id).collect();
    let recorded = outbox.mark_sent(&ids, lease, at(5)).await.unwrap();
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert!(recorded.contains(&ids[1]) && recorded.contains(&ids[2]));
    for id in &ids[1..3] {
        assert_eq!(outbox.status(*id).await.unwrap(), Some(DeliveryStatus::Sent { at: at(5) }));
        assert_eq!(outbox.body(*id).await.unwrap(), Some((String::new(), String::new())));
    }
    assert_eq!(outbox.status(ids[0]).await.unwrap(), Some(DeliveryStatus::Sent { at: at(1) }), "unchanged");
    assert_eq!(outbox.claim(10, t0(), at(60)).await.unwrap().iter().map(|c| c.email.id).collect::<Vec<_>>(), [ids[3]]);
    assert!(outbox.mark_sent(&[], lease, at(6)).await.unwrap().is_empty());
}
