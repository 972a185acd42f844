//! A contact's response to an invitation link, against mocked ports: viewing
//! changes nothing; accepting creates or links a login atomically.

mod support;

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use portico_app::use_cases::respond_to_invitation::{
    AcceptWith, CompletionForm, LinkProblem, RespondToInvitation, RespondToInvitationError,
};
use portico_app::*;
use portico_domain::*;
use support::*;

struct Ports {
    invitations: MockInvitationReader,
    writer: MockInvitationWriter,
    logins: MockLoginRepository,
    acceptance: MockAcceptanceRepository,
    customers: MockCustomerRepository,
    enabled: bool,
    at: chrono::DateTime<chrono::Utc>,
}

impl Ports {
    fn with(invitation: Invitation) -> Self {
        let mut invitations = MockInvitationReader::new();
        invitations.expect_find_by_token().returning(move |hash| {
            let known = invitation.token_hash() == Some(*hash) || invitation.retired_tokens().contains(hash);
            Ok(known.then(|| invitation.clone()))
        });
        let mut customers = MockCustomerRepository::new();
        customers.expect_find().returning(|_, _| Ok(Some(detail(1, "ann1@example.com"))));
        Self {
            invitations,
            writer: MockInvitationWriter::new(),
            logins: MockLoginRepository::new(),
            acceptance: MockAcceptanceRepository::new(),
            customers,
            enabled: true,
            at: t0() + TimeDelta::hours(1),
        }
    }

    fn build(self) -> RespondToInvitation {
        RespondToInvitation {
            merchants: merchants(self.enabled),
            invitations: Arc::new(self.invitations),
            writer: Arc::new(self.writer),
            customers: Arc::new(self.customers),
            logins: Arc::new(self.logins),
            acceptance: Arc::new(self.acceptance),
            hasher: Arc::new(echo_hasher()),
            clock: clock_at(self.at),
            tokens: counting_tokens(),
        }
    }
}

fn link_invitation() -> Invitation {
    invitation(InvitationMode::Link, "Ann1@Example.com")
}

fn no_login(ports: &mut Ports) {
    ports.logins.expect_find_by_username().returning(|_, _| Ok(None));
}

#[tokio::test]
async fn viewing_a_link_shows_the_invitation_and_writes_nothing() {
    let mut ports = Ports::with(link_invitation());
    no_login(&mut ports);
    // No update or accept expectation: any write would fail the test.
    let page = ports.build().view(&link(1)).await.unwrap();
    assert_eq!(page.form, CompletionForm::ChoosePassword);
    assert_eq!(page.customer_name, "Customer 1");
    assert_eq!(page.contact_name, "Ann Lee1");
}

#[tokio::test]
async fn each_broken_link_says_what_is_wrong() {
    let mut replaced = link_invitation();
    let at = t0() + TimeDelta::days(1);
    replaced
        .resend(
            SecretToken::from_bytes([2; 32]),
            InvitationLifetime::default(),
            ResendPolicy::UNLIMITED,
            None,
            Actor::System,
            at,
        )
        .unwrap();
    let problem = |r: Result<_, RespondToInvitationError>| match r {
        Err(RespondToInvitationError::Link(p)) => p,
        other => panic!("expected a link problem, got {other:?}"),
    };
    assert_eq!(problem(Ports::with(replaced).build().view(&link(1)).await), LinkProblem::Replaced);
    let mut late = Ports::with(link_invitation());
    late.at = t0() + TimeDelta::days(15);
    assert_eq!(problem(late.build().view(&link(1)).await), LinkProblem::Expired);
    assert_eq!(problem(Ports::with(link_invitation()).build().view(&link(9)).await), LinkProblem::Invalid);
    assert_eq!(problem(Ports::with(link_invitation()).build().view("not-a-token").await), LinkProblem::Invalid);
}

#[tokio::test]
async fn accepting_with_a_good_password_creates_the_login_atomically() {
    let mut ports = Ports::with(link_invitation());
    no_login(&mut ports);
    let saved = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&saved);
    ports.acceptance.expect_accept().times(1).returning(move |_, write, login| {
        let AcceptedLogin::New(login) = login else { panic!("a new login expected, got {login:?}") };
        *sink.lock().unwrap() = Some((write.clone(), login.clone()));
        Ok(())
    });

    let accepted = ports.build().accept(&link(1), AcceptWith::NewPassword("tulip-harbor-1987".into())).await.unwrap();

    let (write, login) = saved.lock().unwrap().clone().unwrap();
    assert_eq!(accepted.login_id, login.id);
    assert_eq!(write.event.to, InvitationStatus::Accepted);
    assert_eq!(write.event.actor, Actor::Contact(write.invitation.contact_id()));
    assert_eq!(login.username.as_str(), "ann1@example.com");
    assert_eq!(login.password_hash.as_phc(), "$argon2id$of-tulip-harbor-1987");
    assert_eq!(login.customers, [write.invitation.customer_id()]);
    assert!(!login.must_change_password);
}

#[tokio::test]
async fn a_weak_password_is_refused_and_nothing_is_written() {
    let mut ports = Ports::with(link_invitation());
    no_login(&mut ports);
    ports.acceptance.expect_accept().times(0);
    let result = ports.build().accept(&link(1), AcceptWith::NewPassword("ann1-example".into())).await;
    assert!(matches!(result, Err(RespondToInvitationError::WeakPassword(PasswordPolicyError::Personal))));
}

fn existing_login() -> Login {
    Login {
        id: LoginId::from_uuid(uuid::Uuid::from_u128(0x77)),
        merchant_id: MERCHANT,
        username: Username::parse("ann1@example.com").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$of-old-secret-pass".into()),
        must_change_password: false,
        customers: vec![CustomerId::from_uuid(uuid::Uuid::from_u128(4_242))],
    }
}

#[tokio::test]
async fn an_email_with_a_login_links_the_new_customer_after_signing_in() {
    let mut ports = Ports::with(link_invitation());
    ports.logins.expect_find_by_username().returning(|_, _| Ok(Some(existing_login())));
    let saved = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&saved);
    ports.acceptance.expect_accept().times(1).returning(move |_, _, login| {
        *sink.lock().unwrap() = Some(login.clone());
        Ok(())
    });
    let service = ports.build();
    assert_eq!(service.view(&link(1)).await.unwrap().form, CompletionForm::SignInToLink);

    let wrong = service.accept(&link(1), AcceptWith::ExistingLogin("guess-guess-guess".into())).await;
    assert!(matches!(wrong, Err(RespondToInvitationError::WrongCredentials)));
    service.accept(&link(1), AcceptWith::ExistingLogin("old-secret-pass".into())).await.unwrap();

    // Only the link is written: the login's other customers and password hash are not rewritten.
    let login = saved.lock().unwrap().clone().unwrap();
    assert_eq!(login, AcceptedLogin::Existing(existing_login().id), "the new customer is linked to the existing login");
}

#[tokio::test]
async fn credentials_mode_checks_the_emailed_password_and_replaces_it() {
    let mode = InvitationMode::Credentials {
        username: Username::parse("c1").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$of-Xy7Qm2Lp9a".into()),
    };
    let mut ports = Ports::with(invitation(mode, "ann1@example.com"));
    no_login(&mut ports);
    let saved = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&saved);
    ports.acceptance.expect_accept().times(1).returning(move |_, _, login| {
        let AcceptedLogin::New(login) = login else { panic!("a new login expected, got {login:?}") };
        *sink.lock().unwrap() = Some(login.clone());
        Ok(())
    });
    let service = ports.build();
    let creds = |password: &str| AcceptWith::Credentials {
        username: " C1 ".into(),
        password: password.into(),
        new_password: "tulip-harbor-1987".into(),
    };

    let wrong = service.accept(&link(1), creds("not-it")).await;
    assert!(matches!(wrong, Err(RespondToInvitationError::WrongCredentials)));
    let form = service.accept(&link(1), AcceptWith::NewPassword("tulip-harbor-1987".into())).await;
    assert!(matches!(form, Err(RespondToInvitationError::WrongForm)));
    service.accept(&link(1), creds("Xy7Qm2Lp9a")).await.unwrap();

    let login = saved.lock().unwrap().clone().unwrap();
    assert_eq!(login.username.as_str(), "c1");
    assert_eq!(login.password_hash.as_phc(), "$argon2id$of-tulip-harbor-1987");
}

#[tokio::test]
async fn declining_records_the_declined_event() {
    let mut ports = Ports::with(link_invitation());
    ports
        .writer
        .expect_update()
        .withf(|_, w| w.event.kind == EventKind::Declined && w.email.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    let declined = ports.build().decline(&link(1)).await.unwrap();
    assert_eq!(declined.status(t0()), InvitationStatus::Declined);
}

#[tokio::test]
async fn nothing_happens_while_the_portal_is_disabled() {
    let mut ports = Ports::with(link_invitation());
    ports.enabled = false;
    let result = ports.build().decline(&link(1)).await;
    assert!(matches!(result, Err(RespondToInvitationError::PortalDisabled)));
}
