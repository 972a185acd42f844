//! Resend, revoke, resend-all-expired and request-a-new-link against mocked ports.

mod support;

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use portico_app::use_cases::follow_up_invitations::{FollowUpError, FollowUpInvitations};
use portico_app::*;
use portico_domain::*;
use support::*;

struct Ports {
    invitations: MockInvitationReader,
    writer: MockInvitationWriter,
    customers: MockCustomerRepository,
    at: chrono::DateTime<chrono::Utc>,
    policy: ResendPolicy,
    hasher: MockPasswordHasher,
}

impl Ports {
    fn new() -> Self {
        let mut customers = MockCustomerRepository::new();
        customers.expect_find().returning(|_, _| Ok(Some(detail(1, "ann.lee@customer.example"))));
        Self {
            invitations: MockInvitationReader::new(),
            writer: MockInvitationWriter::new(),
            customers,
            at: t0() + TimeDelta::days(20),
            policy: ResendPolicy::default(),
            hasher: echo_hasher(),
        }
    }

    fn knowing(mut self, invitation: &Invitation) -> Self {
        let by_id = invitation.clone();
        self.invitations.expect_find().returning(move |_, _| Ok(Some(by_id.clone())));
        let by_token = invitation.clone();
        self.invitations.expect_find_by_token().returning(move |hash| {
            Ok((by_token.token_hash() == Some(*hash) || by_token.retired_tokens().contains(hash))
                .then(|| by_token.clone()))
        });
        self
    }

    fn capture_updates(&mut self) -> Arc<Mutex<Vec<InvitationWrite>>> {
        let writes = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&writes);
        self.writer.expect_update().returning(move |_, w| {
            sink.lock().unwrap().push(w.clone());
            Ok(())
        });
        writes
    }

    fn build(self) -> FollowUpInvitations {
        let mut renderer = MockTemplateRenderer::new();
        renderer.expect_render().returning(|_, content| {
            let text = match content {
                EmailContent::InvitationLink(c) => c.invitation_url.clone(),
                EmailContent::InvitationCredentials(c) => format!("{} {}", c.invitation_url, c.password),
                other => format!("{:?}", other.kind()),
            };
            Ok(RenderedEmail { subject: "Your invitation".into(), html: text.clone(), text })
        });
        FollowUpInvitations {
            merchants: merchants(true),
            invitations: Arc::new(self.invitations),
            writer: Arc::new(self.writer),
            customers: Arc::new(self.customers),
            renderer: Arc::new(renderer),
            hasher: Arc::new(self.hasher),
            clock: clock_at(self.at),
            tokens: counting_tokens(),
            policy: self.policy,
            public_url: "https://portal.example/".into(),
        }
    }
}

const STAFF: Actor = Actor::Staff(StaffUserId::from_uuid(uuid::Uuid::nil()));

fn emailed_token(write: &InvitationWrite) -> SecretToken {
    let text = &write.email.as_ref().unwrap().text;
    let link = text.split_whitespace().next().unwrap();
    SecretToken::parse(link.rsplit('/').next().unwrap()).unwrap()
}

#[tokio::test]
async fn resending_emails_a_new_link_and_retires_the_old_one() {
    let original = invitation(InvitationMode::Link, "ann1@example.com");
    let mut ports = Ports::new().knowing(&original);
    let writes = ports.capture_updates();
    let at = ports.at;

    let resent = ports.build().resend(MERCHANT, STAFF, original.id()).await.unwrap();

    let writes = writes.lock().unwrap();
    assert_eq!(writes.len(), 1);
    let write = &writes[0];
    assert_eq!((write.event.kind, write.event.from), (EventKind::Resent, Some(InvitationStatus::Expired)));
    assert_eq!(write.email.as_ref().unwrap().to.as_str(), "ann1@example.com", "staff resends keep the recipient");
    let new_token = emailed_token(write);
    assert!(resent.check_token(&new_token, at).is_ok());
    assert_eq!(resent.check_token(&SecretToken::from_bytes([1; 32]), at), Err(TransitionError::Replaced));
}

#[tokio::test]
async fn a_credentials_resend_sends_a_new_password_and_stores_only_its_hash() {
    let mode = InvitationMode::Credentials {
        username: Username::parse("c1").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$of-old".into()),
    };
    let original = invitation(mode, "ann1@example.com");
    let mut ports = Ports::new().knowing(&original);
    let writes = ports.capture_updates();

    let resent = ports.build().resend(MERCHANT, STAFF, original.id()).await.unwrap();

    let text = writes.lock().unwrap()[0].email.as_ref().unwrap().text.clone();
    let password = text.split_whitespace().nth(1).unwrap().to_owned();
    assert_eq!(password.len(), 10);
    let InvitationMode::Credentials { password_hash, .. } = resent.mode() else { panic!("credentials expected") };
    assert_eq!(password_hash.as_phc(), format!("$argon2id$of-{password}"));
}

#[tokio::test]
async fn resending_is_refused_when_accepted_or_too_soon() {
    let mut accepted = invitation(InvitationMode::Link, "ann1@example.com");
    accepted.accept(&SecretToken::from_bytes([1; 32]), Actor::System, t0()).unwrap();
    let result = Ports::new().knowing(&accepted).build().resend(MERCHANT, STAFF, accepted.id()).await;
    assert!(matches!(result, Err(FollowUpError::WrongStatus(InvitationStatus::Accepted))));

    let fresh = invitation(InvitationMode::Link, "ann1@example.com");
    let mut soon = Ports::new().knowing(&fresh);
    soon.at = t0() + TimeDelta::seconds(30);
    let result = soon.build().resend(MERCHANT, STAFF, fresh.id()).await;
    assert!(matches!(result, Err(FollowUpError::TooSoon(300))));
}

#[tokio::test]
async fn revoking_kills_the_link_and_sends_nothing() {
    let original = invitation(InvitationMode::Link, "ann1@example.com");
    let mut ports = Ports::new().knowing(&original);
    let writes = ports.capture_updates();
    let revoked = ports.build().revoke(MERCHANT, STAFF, original.id()).await.unwrap();
    assert_eq!(revoked.status(t0()), InvitationStatus::Revoked);
    let writes = writes.lock().unwrap();
    assert!(writes[0].email.is_none());
    assert_eq!(writes[0].event.actor, STAFF);
}

#[tokio::test]
async fn a_new_link_goes_to_the_email_on_file_never_elsewhere() {
    // Staff first sent the invitation to their own address to try it.
    let original = invitation(InvitationMode::Link, "staff.tester@merchant.example");
    let mut ports = Ports::new().knowing(&original);
    let writes = ports.capture_updates();
    let service = ports.build();

    service.request_new_link(&link(1)).await.unwrap();
    service.request_new_link("garbage").await.unwrap();
    service.request_new_link(&link(42)).await.unwrap();

    let writes = writes.lock().unwrap();
    assert_eq!(writes.len(), 1, "only the real expired link causes a send");
    assert_eq!(writes[0].email.as_ref().unwrap().to.as_str(), "ann.lee@customer.example");
    assert_eq!(writes[0].event.actor, Actor::Contact(original.contact_id()));
}

#[tokio::test]
async fn resend_all_expired_resends_each_and_skips_the_rate_limited() {
    let expired = invitation(InvitationMode::Link, "ann1@example.com");
    let mut ports = Ports::new().knowing(&expired);
    let pages = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&pages);
    ports.invitations.expect_list().returning(move |_, status, page, _| {
        assert_eq!(status, Some(InvitationStatus::Expired));
        let mut n = counter.lock().unwrap();
        *n += 1;
        // Two expired invitations on the first read; the resent one leaves the list.
        let items = match (*n, page.offset) {
            (1, 0) => vec![expired.clone(), expired.clone()],
            _ => vec![],
        };
        let items: Vec<InvitationSummary> = items
            .into_iter()
            .map(|invitation| InvitationSummary { invitation, status: InvitationStatus::Expired, delivery: None })
            .collect();
        Ok(Page { total: items.len() as u64, items })
    });
    let writes = ports.capture_updates();

    let resent = ports.build().resend_all_expired(MERCHANT, STAFF).await.unwrap();

    assert_eq!(resent, 2);
    assert_eq!(writes.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_resend_racing_another_change_reports_it_changed() {
    let original = invitation(InvitationMode::Link, "ann1@example.com");
    let mut ports = Ports::new().knowing(&original);
    ports
        .writer
        .expect_update()
        .returning(|_, _| Err(RepositoryError::Conflict { constraint: "invitations_current_state".into() }));
    let result = ports.build().resend(MERCHANT, STAFF, original.id()).await;
    assert!(matches!(result, Err(FollowUpError::Changed)));
}

#[tokio::test]
async fn a_revoke_racing_an_accept_reports_it_changed_not_a_failure() {
    let original = invitation(InvitationMode::Link, "ann1@example.com");
    let mut ports = Ports::new().knowing(&original);
    // The contact accepted between the read and the write: storage refuses the stale state.
    ports
        .writer
        .expect_update()
        .returning(|_, _| Err(RepositoryError::Conflict { constraint: "invitations_current_state".into() }));
    let result = ports.build().revoke(MERCHANT, STAFF, original.id()).await;
    assert!(matches!(result, Err(FollowUpError::Changed)), "{result:?}");
}

#[tokio::test]
async fn a_retired_link_asks_for_nothing() {
    let mut resent = invitation(InvitationMode::Link, "ann1@example.com");
    let later = t0() + TimeDelta::days(20);
    resent
        .resend(
            SecretToken::from_bytes([2; 32]),
            InvitationLifetime::default(),
            ResendPolicy::default(),
            None,
            STAFF,
            later,
        )
        .unwrap();
    let mut ports = Ports::new().knowing(&resent);
    ports.at = later + TimeDelta::days(20);
    let writes = ports.capture_updates();

    // The first link was replaced: asking with it is answered, and does nothing.
    ports.build().request_new_link(&link(1)).await.unwrap();

    assert!(writes.lock().unwrap().is_empty(), "a retired link caused a send");
}

#[tokio::test]
async fn a_refused_resend_costs_no_password_hash() {
    let mode = InvitationMode::Credentials {
        username: Username::parse("c1").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$of-old".into()),
    };
    let fresh = invitation(mode, "ann1@example.com");
    let mut ports = Ports::new().knowing(&fresh);
    // Inside the resend limit, and a hasher that must not be called.
    ports.at = t0() + TimeDelta::seconds(30);
    ports.hasher = MockPasswordHasher::new();
    ports.hasher.expect_hash().times(0);
    let writes = ports.capture_updates();
    let service = ports.build();

    service.request_new_link(&link(1)).await.unwrap();
    let staff = service.resend(MERCHANT, STAFF, fresh.id()).await;

    assert!(matches!(staff, Err(FollowUpError::TooSoon(_))), "{staff:?}");
    assert!(writes.lock().unwrap().is_empty());
}
