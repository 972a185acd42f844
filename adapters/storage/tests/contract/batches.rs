//! Bulk batches: one live batch per spec, leases, atomic chunks.

use portico_app::{
    Batch, BatchChunk, BatchProgress, BatchRepository, BatchSpec, BatchState, InvitationReader, InvitationWriter,
    OutboxQueue, RepositoryError, Selection,
};
use portico_domain::{
    Actor, BatchId, ContactId, InviteMode, InvitePlan, MerchantId, PasswordPattern, SkipReason, UsernamePattern,
};
use portico_storage::Database;
use uuid::Uuid;

use crate::support::{at, issue, merchant, seed, t0};

contract!(
    pressing_invite_all_twice_returns_the_running_batch,
    a_batch_is_claimed_written_in_chunks_and_completed,
    a_worker_that_lost_its_lease_writes_nothing,
    a_batch_of_thousands_of_selected_contacts_is_deduplicated_too,
    a_chunk_that_fails_midway_leaves_neither_rows_nor_progress,
);

pub fn batch(merchant: MerchantId, mode: &str) -> Batch {
    let mode = match mode {
        "link" => InviteMode::Link,
        _ => InviteMode::Credentials { username: UsernamePattern::Email, password: PasswordPattern::CustomerNumber },
    };
    let plan = InvitePlan { mode, ..InvitePlan::default() };
    Batch {
        id: BatchId::from_uuid(Uuid::now_v7()),
        merchant_id: merchant,
        spec: BatchSpec { selection: Selection::All, plan, actor: Actor::System },
        state: BatchState::Queued,
        progress: BatchProgress::default(),
        cursor: None,
        error: None,
        lease: None,
        created_at: t0(),
    }
}

async fn pressing_invite_all_twice_returns_the_running_batch(db: Database) {
    let repo = db.batches();
    let m = merchant(&db, "A").await;
    let first = batch(m, "link");
    let (created, new) = repo.create_or_get_running(&first).await.unwrap();
    assert!(new);
    assert_eq!(created, first);
    let (again, new) = repo.create_or_get_running(&batch(m, "link")).await.unwrap();
    assert!(!new);
    assert_eq!(again.id, first.id);
    let (other, new) = repo.create_or_get_running(&batch(m, "credentials")).await.unwrap();
    assert!(new);
    assert_ne!(other.id, first.id);
    repo.fail(m, first.id, "smtp refused").await.unwrap();
    let failed = repo.get(m, first.id).await.unwrap().unwrap();
    assert_eq!((failed.state, failed.error.as_deref()), (BatchState::Failed, Some("smtp refused")));
    let (after_failure, new) = repo.create_or_get_running(&batch(m, "link")).await.unwrap();
    assert!(new, "a failed batch does not block a new one");
    assert_ne!(after_failure.id, first.id);
}

async fn a_batch_is_claimed_written_in_chunks_and_completed(db: Database) {
    let repo = db.batches();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 4).await;
    let queued = batch(m, "link");
    repo.create_or_get_running(&queued).await.unwrap();
    let claimed = repo.claim(t0(), at(60)).await.unwrap().unwrap();
    assert_eq!((claimed.id, claimed.state), (queued.id, BatchState::Running));
    assert!(claimed.lease.is_some());
    assert_eq!(repo.claim(t0(), at(60)).await.unwrap(), None, "a leased batch is not claimed twice");

    let chunk = BatchChunk {
        writes: vec![issue(m, people[0].0, people[0].1, 1, t0()), issue(m, people[1].0, people[1].1, 2, t0())],
        skipped: vec![(people[2].1, SkipReason::MissingEmail)],
        cursor: Some(people[2].1),
        done: false,
    };
    repo.record_chunk(&claimed, &chunk, at(120)).await.unwrap();
    let last = BatchChunk {
        writes: vec![],
        skipped: vec![(people[3].1, SkipReason::HasLogin)],
        cursor: Some(people[3].1),
        done: true,
    };
    repo.record_chunk(&claimed, &last, at(180)).await.unwrap();
    let done = repo.get(m, claimed.id).await.unwrap().unwrap();
    assert_eq!(done.state, BatchState::Completed);
    assert_eq!(
        done.progress,
        BatchProgress {
            total: 4,
            invited: 2,
            skipped: vec![(SkipReason::MissingEmail, 1), (SkipReason::HasLogin, 1)],
            failed: 0,
            emails_sent: 0,
        }
    );
    // Progress counts the batch's invitations whose email has left.
    let outbox = db.outbox();
    let due = outbox.claim(10, at(200), at(260)).await.unwrap();
    assert_eq!(due.len(), 2);
    outbox.mark_sent(&[due[0].email.id], due[0].lease, at(201)).await.unwrap();
    assert_eq!(repo.get(m, claimed.id).await.unwrap().unwrap().progress.emails_sent, 1);
    assert_eq!(done.cursor, Some(people[3].1));
    assert!(db.invitations().find(m, chunk.writes[0].invitation.id()).await.unwrap().is_some());
}

async fn a_worker_that_lost_its_lease_writes_nothing(db: Database) {
    let repo = db.batches();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 1).await;
    repo.create_or_get_running(&batch(m, "link")).await.unwrap();
    let stale = repo.claim(t0(), at(60)).await.unwrap().unwrap();
    let fresh = repo.claim(at(61), at(121)).await.unwrap().expect("an expired lease is reclaimed");
    assert_eq!(fresh.id, stale.id);
    assert_ne!(fresh.lease, stale.lease);

    let write = issue(m, people[0].0, people[0].1, 1, t0());
    let chunk = BatchChunk { writes: vec![write.clone()], skipped: vec![], cursor: Some(people[0].1), done: false };
    assert!(matches!(repo.record_chunk(&stale, &chunk, at(180)).await, Err(RepositoryError::LeaseLost)));
    assert_eq!(db.invitations().find(m, write.invitation.id()).await.unwrap(), None);
    assert_eq!(repo.get(m, stale.id).await.unwrap().unwrap().progress, BatchProgress::default());
    repo.record_chunk(&fresh, &chunk, at(180)).await.unwrap();
    assert_eq!(repo.get(m, fresh.id).await.unwrap().unwrap().progress.invited, 1);
}

async fn a_batch_of_thousands_of_selected_contacts_is_deduplicated_too(db: Database) {
    let repo = db.batches();
    let m = merchant(&db, "A").await;
    let ids: Vec<ContactId> = (0..5_000).map(|_| ContactId::from_uuid(Uuid::now_v7())).collect();
    let mut big = batch(m, "link");
    big.spec.selection = Selection::Contacts(ids);
    let (_, new) = repo.create_or_get_running(&big).await.unwrap();
    assert!(new);
    let mut again = batch(m, "link");
    again.spec = big.spec.clone();
    let (existing, new) = repo.create_or_get_running(&again).await.unwrap();
    assert!(!new);
    assert_eq!(existing.spec, big.spec);
}

async fn a_chunk_that_fails_midway_leaves_neither_rows_nor_progress(db: Database) {
    let repo = db.batches();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 2).await;
    db.invitations().insert(m, &[issue(m, people[1].0, people[1].1, 1, t0())]).await.unwrap();
    repo.create_or_get_running(&batch(m, "link")).await.unwrap();
    let claimed = repo.claim(t0(), at(60)).await.unwrap().unwrap();

    let first = issue(m, people[0].0, people[0].1, 2, t0());
    let clash = issue(m, people[1].0, people[1].1, 3, t0());
    let chunk =
        BatchChunk { writes: vec![first.clone(), clash], skipped: vec![], cursor: Some(people[1].1), done: true };
    assert!(matches!(repo.record_chunk(&claimed, &chunk, at(120)).await, Err(RepositoryError::Conflict { .. })));
    assert_eq!(db.invitations().find(m, first.invitation.id()).await.unwrap(), None);
    let after = repo.get(m, claimed.id).await.unwrap().unwrap();
    assert_eq!((after.state, after.cursor, after.progress), (BatchState::Running, None, BatchProgress::default()));
}
