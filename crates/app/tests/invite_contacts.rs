//! InviteContacts against mocked ports: eligibility → credentials →
//! invitation → outbox email.

mod support;

use std::sync::{Arc, Mutex};

use portico_app::use_cases::invite_contacts::{InviteContactsCommand, InviteContactsError};
use portico_app::*;
use portico_domain::*;
use support::{MERCHANT, Mocks, candidate, merchant};
use uuid::Uuid;

fn command(plan: InvitePlan) -> InviteContactsCommand {
    InviteContactsCommand {
        merchant: MERCHANT,
        actor: Actor::Staff(StaffUserId::from_uuid(Uuid::nil())),
        selection: Selection::All,
        plan,
    }
}

#[tokio::test]
async fn nothing_is_sent_while_the_portal_is_disabled() {
    let mut mocks = Mocks::new(merchant(false));
    mocks.invitations.expect_candidates().times(0);
    mocks.invitations.expect_insert().times(0);
    let result = mocks.build().execute(command(InvitePlan::default())).await;
    assert!(matches!(result, Err(InviteContactsError::PortalDisabled)));
}

#[tokio::test]
async fn link_mode_invites_the_eligible_and_reports_the_rest_with_reasons() {
    let mut mocks = Mocks::new(merchant(true));
    let rows = vec![
        candidate(1, "ann1@example.com", None, ContactStanding::default()),
        candidate(2, "ann2@example.com", None, ContactStanding { has_login: true, ..ContactStanding::default() }),
        candidate(3, "", None, ContactStanding::default()),
        candidate(4, "x@y", None, ContactStanding::default()),
    ];
    mocks.invitations.expect_candidates().times(1).returning(move |_, _, _, _| Ok(rows.clone()));
    let written = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&written);
    mocks.invitations.expect_insert().times(1).returning(move |_, writes| {
        sink.lock().unwrap().extend_from_slice(writes);
        Ok(())
    });

    let report = mocks.build().execute(command(InvitePlan::default())).await.unwrap();

    assert_eq!(report.invited.len(), 1);
    assert_eq!(report.invited[0].recipient.as_str(), "ann1@example.com");
    let reasons: Vec<SkipReason> = report.skipped.iter().map(|(_, r)| *r).collect();
    assert_eq!(reasons, [SkipReason::HasLogin, SkipReason::MissingEmail, SkipReason::InvalidEmail]);
    let written = written.lock().unwrap();
    let write = &written[0];
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
    let written = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&written);
    mocks.invitations.expect_insert().returning(move |_, writes| {
        sink.lock().unwrap().extend_from_slice(writes);
        Ok(())
    });
    let plan = InvitePlan {
        mode: InviteMode::Credentials { username: UsernamePattern::CustomerNumber, password: PasswordPattern::Phone },
        ..InvitePlan::default()
    };

    let report = mocks.build().execute(command(plan)).await.unwrap();

    assert_eq!(report.invited.len(), 1);
    assert_eq!(
        report.skipped,
        [
            (ContactId::from_uuid(Uuid::from_u128(2)), SkipReason::MissingPhone),
            (ContactId::from_uuid(Uuid::from_u128(3)), SkipReason::UsernameTaken),
        ]
    );
    let written = written.lock().unwrap();
    assert_eq!(written[0].email.as_ref().unwrap().text, "user c1 pass 4472929028");
    let InvitationMode::Credentials { username, password_hash } = written[0].invitation.mode() else {
        panic!("credentials mode expected");
    };
    assert_eq!(username.as_str(), "c1");
    assert_eq!(password_hash.as_phc(), "$argon2id$of-4472929028");
}

#[tokio::test]
async fn a_concurrent_invite_of_the_same_contact_is_reported_not_failed() {
    let mut mocks = Mocks::new(merchant(true));
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
    let inserts = Arc::new(Mutex::new(0));
    let count = Arc::clone(&inserts);
    mocks.invitations.expect_insert().returning(move |_, writes| {
        let mut n = count.lock().unwrap();
        *n += 1;
        if *n == 1 {
            assert_eq!(writes.len(), 1);
            Err(RepositoryError::Conflict { constraint: "invitations_one_open_per_contact".into() })
        } else {
            assert!(writes.is_empty());
            Ok(())
        }
    });

    let report = mocks.build().execute(command(InvitePlan::default())).await.unwrap();

    assert!(report.invited.is_empty());
    assert_eq!(report.skipped, [(ContactId::from_uuid(Uuid::from_u128(1)), SkipReason::AlreadyInvited)]);
}

#[tokio::test]
async fn a_storage_failure_is_unexpected_not_an_empty_report() {
    let mut mocks = Mocks::new(merchant(true));
    mocks
        .invitations
        .expect_candidates()
        .returning(|_, _, _, _| Err(RepositoryError::unexpected(std::io::Error::other("connection reset"))));
    let result = mocks.build().execute(command(InvitePlan::default())).await;
    assert!(matches!(result, Err(InviteContactsError::Unexpected(_))));
}
