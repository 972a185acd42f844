//! Concurrent writers and claimers. On PostgreSQL they really race (several
//! pooled connections, `SKIP LOCKED`); on SQLite the one connection
//! serialises them, and the same guarantees must hold.

use std::collections::HashSet;
use std::sync::Arc;

use portico_app::{InvitationReader, InvitationWrite, InvitationWriter, OutboxQueue, RepositoryError};
use portico_domain::{Actor, EventKind, InvitationLifetime, ResendPolicy};
use portico_storage::Database;
use tokio::sync::Barrier;

use crate::support::{at, email, issue, merchant, seed, t0, token};

contract!(
    two_concurrent_claimers_never_receive_the_same_email,
    two_concurrent_writers_cannot_both_open_an_invitation_for_a_contact,
    two_concurrent_accepts_of_one_invitation_record_one_transition,
);

async fn two_concurrent_claimers_never_receive_the_same_email(db: Database) {
    let m = merchant(&db, "A").await;
    let emails: Vec<_> = (0..1_000).map(|_| email(m, None)).collect();
    db.outbox().enqueue(&emails).await.unwrap();
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (outbox, start) = (db.outbox(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut mine = Vec::new();
                loop {
                    let batch = outbox.claim(25, t0(), at(600)).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    for c in batch {
                        outbox.mark_sent(&[c.email.id], c.lease, at(1)).await.unwrap();
                        mine.push(c.email.id);
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 1_000, "every email delivered");
    assert_eq!(distinct.len(), 1_000, "no email claimed twice");
}

async fn two_concurrent_writers_cannot_both_open_an_invitation_for_a_contact(db: Database) {
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 20).await;
    let start = Arc::new(Barrier::new(2 * people.len()));
    let mut tasks = Vec::new();
    for (i, (customer, contact)) in people.iter().copied().enumerate() {
        for writer in 0..2_u32 {
            let (repo, start) = (db.invitations(), start.clone());
            let write = issue(m, customer, contact, (i as u32) * 2 + writer, t0());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                repo.insert(m, &[write]).await
            }));
        }
    }
    let (mut ok, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(RepositoryError::Conflict { constraint }) if constraint == "invitations_one_open_per_contact" => {
                conflicts += 1;
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((ok, conflicts), (20, 20));
    let open = db.invitations().candidates(m, &portico_app::Selection::All, None, 100).await.unwrap();
    assert!(open.iter().all(|c| c.standing.open_invitation));
}

async fn two_concurrent_accepts_of_one_invitation_record_one_transition(db: Database) {
    let m = merchant(&db, "A").await;
    let (customer, contact) = seed(&db, m, "c", 1).await[0];
    let issued = issue(m, customer, contact, 1, t0());
    db.invitations().insert(m, std::slice::from_ref(&issued)).await.unwrap();
    let stale = issued.invitation.clone();

    let start = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (repo, start, mut invitation) = (db.invitations(), start.clone(), issued.invitation.clone());
            tokio::spawn(async move {
                let event = invitation.accept(&token(1), Actor::Contact(contact), at(10)).unwrap();
                start.wait().await;
                repo.update(m, &InvitationWrite { invitation, event, email: None }).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(
        |o| matches!(o, Err(RepositoryError::Conflict { constraint }) if constraint == "invitations_current_state")
    ));

    // A resend prepared from the copy read before the acceptance is refused too.
    let mut old = stale;
    let resent =
        old.resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, Actor::System, at(20));
    let write = InvitationWrite { invitation: old, event: resent.unwrap().event, email: Some(email(m, None)) };
    assert!(matches!(db.invitations().update(m, &write).await, Err(RepositoryError::Conflict { .. })));
    let kinds: Vec<EventKind> =
        db.invitations().events(m, issued.invitation.id()).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Issued, EventKind::Accepted]);
    assert_eq!(db.outbox().status(write.email.unwrap().id).await.unwrap(), None, "the refused email was not queued");
}
