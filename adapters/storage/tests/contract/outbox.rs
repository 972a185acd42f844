//! The outbox: claiming with leases, completion under the lease, retries.

use portico_app::{DeliveryStatus, MailKind, MerchantRepository, OutboxEmail, OutboxQueue, RepositoryError};
use portico_storage::Database;
use sea_orm::ConnectionTrait;

use crate::support::{at, email, merchant, t0};

contract!(
    claimed_emails_are_handed_out_once_and_cleared_when_sent,
    a_failed_attempt_is_retried_at_its_time_and_a_final_failure_is_kept,
    an_expired_lease_is_reclaimed_and_the_old_lease_can_no_longer_complete,
    a_released_email_is_due_again_at_once,
    sending_many_records_only_the_emails_still_under_the_lease,
    an_email_failed_for_good_loses_its_body_and_keeps_recipient_kind_and_error,
    an_unreadable_row_fails_with_its_reason_and_the_others_are_claimed,
    invitation_emails_wait_while_their_merchants_portal_is_off,
    a_renewed_lease_keeps_the_email_from_other_claimers_until_it_ends,
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

async fn an_email_failed_for_good_loses_its_body_and_keeps_recipient_kind_and_error(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let e = email(m, None);
    outbox.enqueue(std::slice::from_ref(&e)).await.unwrap();
    let claim = outbox.claim(1, t0(), at(60)).await.unwrap().remove(0);
    outbox.mark_failed(e.id, claim.lease, "421 later", Some(at(10))).await.unwrap();
    assert_eq!(outbox.body(e.id).await.unwrap(), Some((e.html.clone(), e.text.clone())), "kept for the retry");
    let retry = outbox.claim(1, at(10), at(70)).await.unwrap().remove(0);
    outbox.mark_failed(e.id, retry.lease, "550 no such user", None).await.unwrap();
    assert_eq!(outbox.body(e.id).await.unwrap(), Some((String::new(), String::new())), "the secret link is gone");
    assert_eq!(outbox.status(e.id).await.unwrap(), Some(DeliveryStatus::Failed { error: "550 no such user".into() }));
    let row = row_of(&db, "to_address, kind", e.id).await;
    assert_eq!(row.try_get::<String>("", "to_address").unwrap(), e.to.as_str());
    assert_eq!(row.try_get::<String>("", "kind").unwrap(), "invitation_link");
}

async fn an_unreadable_row_fails_with_its_reason_and_the_others_are_claimed(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let emails: Vec<_> = (0..3).map(|_| email(m, None)).collect();
    outbox.enqueue(&emails).await.unwrap();
    let conn = db.connection();
    let corrupt = sea_orm::Statement::from_sql_and_values(
        conn.get_database_backend(),
        if db.is_postgres() {
            "UPDATE outbox SET kind = 'fax' WHERE id = $1"
        } else {
            "UPDATE outbox SET kind = 'fax' WHERE id = ?"
        },
        [emails[1].id.as_uuid().into()],
    );
    assert_eq!(conn.execute_raw(corrupt).await.unwrap().rows_affected(), 1);

    let claimed = outbox.claim(10, t0(), at(60)).await.unwrap();

    assert_eq!(claimed.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[0].id, emails[2].id]);
    let status = outbox.status(emails[1].id).await.unwrap();
    assert!(matches!(&status, Some(DeliveryStatus::Failed { error }) if error.contains("fax")), "{status:?}");
    let row = row_of(&db, "status, last_error, html", emails[1].id).await;
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "failed");
    let error: String = row.try_get("", "last_error").unwrap();
    assert!(error.contains("kind") && error.contains("fax"), "{error}");
    assert_eq!(row.try_get::<String>("", "html").unwrap(), "");
    let later = outbox.claim(10, at(61), at(120)).await.unwrap();
    assert!(later.iter().all(|c| c.email.id != emails[1].id), "never handed out again");
}

async fn invitation_emails_wait_while_their_merchants_portal_is_off(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let mut settings = db.merchants().get(m).await.unwrap().unwrap().settings;
    settings.portal_enabled = false;
    db.merchants().update_settings(m, &settings).await.unwrap();
    let invitation = email(m, None);
    let reset = OutboxEmail { kind: MailKind::PasswordReset, ..email(m, None) };
    outbox.enqueue(&[invitation.clone(), reset.clone()]).await.unwrap();

    let claimed = outbox.claim(10, t0(), at(60)).await.unwrap();
    assert_eq!(claimed.iter().map(|c| c.email.id).collect::<Vec<_>>(), [reset.id], "the invitation is held");
    assert!(matches!(outbox.status(invitation.id).await.unwrap(), Some(DeliveryStatus::Queued { attempts: 0, .. })));

    settings.portal_enabled = true;
    db.merchants().update_settings(m, &settings).await.unwrap();
    let claimed = outbox.claim(10, at(1), at(61)).await.unwrap();
    assert_eq!(claimed.iter().map(|c| c.email.id).collect::<Vec<_>>(), [invitation.id], "released by the setting");
}

async fn a_renewed_lease_keeps_the_email_from_other_claimers_until_it_ends(db: Database) {
    let outbox = db.outbox();
    let m = merchant(&db, "A").await;
    let emails: Vec<_> = (0..2).map(|_| email(m, None)).collect();
    outbox.enqueue(&emails).await.unwrap();
    let claim = outbox.claim(10, t0(), at(60)).await.unwrap();
    let lease = claim[0].lease;

    let renewed = outbox.renew(&[emails[0].id], lease, at(120)).await.unwrap();

    assert_eq!(renewed, [emails[0].id]);
    let other = outbox.claim(10, at(90), at(150)).await.unwrap();
    assert_eq!(other.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[1].id], "only the unrenewed one");
    assert!(outbox.renew(&[emails[1].id], lease, at(200)).await.unwrap().is_empty(), "taken over: not ours");
    assert!(outbox.renew(&[], lease, at(200)).await.unwrap().is_empty());
    let after = outbox.claim(10, at(121), at(181)).await.unwrap();
    assert_eq!(after.iter().map(|c| c.email.id).collect::<Vec<_>>(), [emails[0].id], "claimable once it ends");
}

/// Some columns of one outbox row, read with raw SQL.
async fn row_of(db: &Database, columns: &str, id: portico_domain::OutboxMessageId) -> sea_orm::QueryResult {
    let conn = db.connection();
    let placeholder = if db.is_postgres() { "$1" } else { "?" };
    let sql = format!("SELECT {columns} FROM outbox WHERE id = {placeholder}");
    let statement = sea_orm::Statement::from_sql_and_values(conn.get_database_backend(), sql, [id.as_uuid().into()]);
    conn.query_one_raw(statement).await.unwrap().expect("the row exists")
}
