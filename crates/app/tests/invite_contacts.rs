//! InviteContacts, through the batch loop production runs, against mocked
//! ports: eligibility → credentials → invitation → outbox email.

mod support;

use std::sync::{Arc, Mutex};

use portico_app::use_cases::run_invitation_batches::RunInvitationBatchError;
use portico_app::*;
use portico_domain::*;
use support::{Mocks, batch_of, candidate, merchant};
use uuid::Uuid;

/// The invitations and skips of every chunk the batch wrote, in order.
fn written(chunks: &Mutex<Vec<BatchChunk>>) -> (Vec<InvitationWrite>, Vec<(ContactId, SkipReason)>) {
    let chunks = chunks.lock().unwrap();
    let writes = chunks.iter().flat_map(|c| c.writes.iter().cloned()).collect();
    let skipped = chunks.iter().flat_map(|c| c.skipped.iter().copied()).collect();
    (writes, skipped)
}

#[tokio::test]
async fn nothing_is_sent_while_the_portal_is_disabled() {
    let mut mocks = Mocks::new(merchant(false));
    mocks.claims(batch_of(InvitePlan::default(), None));
    mocks.invitations.expect_candidates().times(0);
    mocks.batches.expect_record_chunk().times(0);
    mocks.batches.expect_fail().times(1).returning(|_, _, _| Ok(()));
    mocks.build().run_once().await.unwrap();
}

#[tokio::test]
async fn link_mode_invites_the_eligible_and_reports_the_rest_with_reasons() {
    let mut mocks = Mocks::new(merchant(true));
    mocks.claims(batch_of(InvitePlan::default(), None));
    let rows = vec![
        candidate(1, "ann1@example.com", None, ContactStanding::default()),
        candidate(2, "ann2@example.com", None, ContactStanding { has_login: true, ..ContactStanding::default() }),
        candidate(3, "", None, ContactStanding::default()),
        candidate(4, "x@y", None, ContactStanding::default()),
    ];
    mocks.invitations.expect_candidates().times(1).returning(move |_, _, _, _| Ok(rows.clone()));
    let chunks = mocks.record_chunks();

    mocks.build().run_once().await.unwrap();

    let (writes, skipped) = written(&chunks);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].invitation.recipient().as_str(), "ann1@example.com");
    let reasons: Vec<SkipReason> = skipped.iter().map(|(_, r)| *r).collect();
    assert_eq!(reasons, [SkipReason::HasLogin, SkipReason::MissingEmail, SkipReason::InvalidEmail]);
    let write = &writes[0];
    let email = write.email.as_ref().unwrap();
    assert_eq!(email.kind, MailKind::InvitationLink);
    assert_eq!(email.invitation_id, Some(write.invitation.id()));
    assert!(email.text.starts_with("link https://portal.example/portal/invitations/"));
    let token = SecretToken::parse(email.text.rsplit('/').next().unwrap()).unwrap();
    assert!(write.invitation.token_hash().unwrap().matches(&token), "the emailed link carries the stored hash's token");
    assert_eq!(write.event.kind, EventKind::Issued);
}

#[tokio::test]
async fn credentials_mode_uses_the_patterns_and_hashes_each_password() {
    let mut mocks = Mocks::new(merchant(true));
    let plan = InvitePlan {
        mode: InviteMode::Credentials { username: UsernamePattern::CustomerNumber, password: PasswordPattern::Phone },
        ..InvitePlan::default()
    };
    mocks.claims(batch_of(plan, None));
    let rows = vec![
        candidate(1, "ann1@example.com", Some("(447) 292-9028"), ContactStanding::default()),
        candidate(2, "ann2@example.com", None, ContactStanding::default()),
        candidate(3, "ann3@example.com", Some("701-631-0642"), ContactStanding::default()),
    ];
    mocks.invitations.expect_candidates().returning(move |_, _, _, _| Ok(rows.clone()));
    mocks
        .logins
        .expect_taken()
        .times(1)
        .returning(|_, names| Ok(names.iter().filter(|n| n.as_str() == "c3").cloned().collect()));
    mocks.hasher.expect_hash().times(1).returning(|pw| Ok(PasswordHash::from_phc(format!("$argon2id$of-{pw}"))));
    let chunks = mocks.record_chunks();

    mocks.build().run_once().await.unwrap();

    let (writes, skipped) = written(&chunks);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        skipped,
        [
            (ContactId::from_uuid(Uuid::from_u128(2)), SkipReason::MissingPhone),
            (ContactId::from_uuid(Uuid::from_u128(3)), SkipReason::UsernameTaken),
        ]
    );
    assert_eq!(writes[0].email.as_ref().unwrap().text, "user c1 pass 4472929028");
    let InvitationMode::Credentials { username, password_hash } = writes[0].invitation.mode() else {
        panic!("credentials mode expected");
    };
    assert_eq!(username.as_str(), "c1");
    assert_eq!(password_hash.as_phc(), "$argon2id$of-4472929028");
}

#[tokio::test]
async fn a_concurrent_invite_of_the_same_contact_is_reported_not_failed() {
    let mut mocks = Mocks::new(merchant(true));
    mocks.claims(batch_of(InvitePlan::default(), None));
    let calls = Arc::new(Mutex::new(0));
    let seen = Arc::clone(&calls);
    mocks.invitations.expect_candidates().returning(move |_, _, _, _| {
        let mut n = seen.lock().unwrap();
        *n += 1;
        // The re-read after the conflict sees the other writer's invitation.
        let open = *n > 1;
        Ok(vec![candidate(
            1,
            "ann1@example.com",
            None,
            ContactStanding { open_invitation: open, ..ContactStanding::default() },
        )])
    });
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&recorded);
    mocks.batches.expect_record_chunk().returning(move |_, chunk, _| {
        let mut chunks = sink.lock().unwrap();
        if chunks.is_empty() {
            assert_eq!(chunk.writes.len(), 1);
            chunks.push(None);
            Err(RepositoryError::Conflict { constraint: "invitations_one_open_per_contact".into() })
        } else {
            assert!(chunk.writes.is_empty());
            chunks.push(Some(chunk.clone()));
            Ok(())
        }
    });

    mocks.build().run_once().await.unwrap();

    let chunks = recorded.lock().unwrap();
    let kept = chunks[1].as_ref().unwrap();
    assert!(kept.writes.is_empty());
    assert_eq!(kept.skipped, [(ContactId::from_uuid(Uuid::from_u128(1)), SkipReason::AlreadyInvited)]);
}

#[tokio::test]
async fn a_storage_failure_is_unexpected_not_an_empty_report() {
    let mut mocks = Mocks::new(merchant(true));
    mocks.claims(batch_of(InvitePlan::default(), None));
    mocks
        .invitations
        .expect_candidates()
        .returning(|_, _, _, _| Err(RepositoryError::unexpected(std::io::Error::other("connection reset"))));
    mocks.batches.expect_record_chunk().times(0);
    let result = mocks.build().run_once().await;
    assert!(matches!(result, Err(RunInvitationBatchError::Unexpected(_))));
}
