//! Fixtures shared by the use-case tests: a merchant, candidates, and the
//! mocked ports of the batch worker (which runs `InviteContacts` on each
//! chunk) with deterministic time and randomness.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::sync::{Arc, Mutex};

use chrono::{TimeDelta, TimeZone, Utc};
use portico_app::use_cases::invite_contacts::InviteContacts;
use portico_app::use_cases::run_invitation_batches::RunInvitationBatches;
use portico_app::*;
use portico_domain::*;
use uuid::Uuid;

pub const MERCHANT: MerchantId = MerchantId::from_uuid(Uuid::from_u128(0xAA));

pub fn merchant(enabled: bool) -> Merchant {
    Merchant {
        id: MERCHANT,
        name: "Maple Street Bakery".into(),
        settings: PortalSettings { portal_enabled: enabled, ..PortalSettings::default() },
    }
}

pub fn candidate(n: u128, email: &str, phone: Option<&str>, standing: ContactStanding) -> CandidateRecord {
    let customer_id = CustomerId::from_uuid(Uuid::from_u128(1_000 + n));
    CandidateRecord {
        customer: Customer {
            id: customer_id,
            merchant_id: MERCHANT,
            erp_id: ErpId::parse(&format!("ERP-{n}")).unwrap(),
            customer_number: Some(CustomerNumber::parse(&format!("C{n}")).unwrap()),
            name: format!("Customer {n}"),
            currency: Currency::USD,
            collection_priority: None,
        },
        contact: Contact {
            id: ContactId::from_uuid(Uuid::from_u128(n)),
            customer_id,
            first_name: "Ann".into(),
            last_name: format!("Lee{n}"),
            email: ContactEmail::from_raw(email),
            phone: phone.map(|p| PhoneNumber::parse(p).unwrap()),
            primary: true,
        },
        standing,
    }
}

/// What the mock renderer makes of an email: its link or credentials.
fn render(content: &EmailContent) -> RenderedEmail {
    let body = match content {
        EmailContent::InvitationLink(c) => format!("link {}", c.invitation_url),
        EmailContent::InvitationCredentials(c) => format!("user {} pass {}", c.username, c.password),
        other => format!("{:?}", other.kind()),
    };
    RenderedEmail { subject: "Welcome".into(), html: body.clone(), text: body }
}

pub struct Mocks {
    pub merchants: MockMerchantRepository,
    pub invitations: MockInvitationReader,
    pub batches: MockBatchRepository,
    pub logins: MockLoginRepository,
    pub renderer: MockTemplateRenderer,
    pub hasher: MockPasswordHasher,
    pub waker: MockOutboxWaker,
}

impl Mocks {
    pub fn new(merchant: Merchant) -> Self {
        let mut merchants = MockMerchantRepository::new();
        merchants.expect_get().returning(move |_| Ok(Some(merchant.clone())));
        let mut renderer = MockTemplateRenderer::new();
        renderer.expect_render().returning(|_, content| Ok(render(content)));
        renderer.expect_render_all().returning(|_, contents| Ok(contents.iter().map(render).collect()));
        let mut waker = MockOutboxWaker::new();
        waker.expect_wake().returning(|| ());
        Self {
            merchants,
            invitations: MockInvitationReader::new(),
            batches: MockBatchRepository::new(),
            logins: MockLoginRepository::new(),
            renderer,
            hasher: MockPasswordHasher::new(),
            waker,
        }
    }

    /// The worker claims `batch` (once), and nothing after it.
    pub fn claims(&mut self, batch: Batch) {
        let mut once = Some(batch);
        self.batches.expect_claim().returning(move |_, _| Ok(once.take()));
    }

    /// Every chunk the worker writes, in order.
    pub fn record_chunks(&mut self) -> Arc<Mutex<Vec<BatchChunk>>> {
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&chunks);
        self.batches.expect_record_chunk().returning(move |_, chunk, _| {
            sink.lock().unwrap().push(chunk.clone());
            Ok(())
        });
        chunks
    }

    /// The batch worker on these mocks: the loop production runs.
    pub fn build(self) -> RunInvitationBatches {
        let clock = clock_at(t0());
        RunInvitationBatches {
            batches: Arc::new(self.batches),
            merchants: Arc::new(self.merchants),
            invitations: Arc::new(self.invitations),
            planner: planner(self.logins, self.renderer, self.hasher),
            clock,
            lease: TimeDelta::seconds(60),
            waker: Arc::new(self.waker),
        }
    }
}

/// A running batch of `plan` over every customer, claimed under lease 1.
pub fn batch_of(plan: InvitePlan, cursor: Option<ContactId>) -> Batch {
    Batch {
        id: BatchId::from_uuid(Uuid::from_u128(77)),
        merchant_id: MERCHANT,
        spec: BatchSpec { selection: Selection::All, plan, actor: Actor::Staff(StaffUserId::from_uuid(Uuid::nil())) },
        state: BatchState::Running,
        progress: BatchProgress::default(),
        cursor,
        error: None,
        lease: Some(Uuid::from_u128(1)),
        created_at: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap(),
    }
}

/// The chunk planner with deterministic time and randomness.
fn planner(logins: MockLoginRepository, renderer: MockTemplateRenderer, hasher: MockPasswordHasher) -> InviteContacts {
    let mut tokens = MockTokenSource::new();
    let counter = Arc::new(Mutex::new(0_u128));
    let c1 = Arc::clone(&counter);
    tokens.expect_token().returning(move || {
        let mut n = c1.lock().unwrap();
        *n += 1;
        SecretToken::from_bytes([u8::try_from(*n % 256).unwrap(); 32])
    });
    tokens.expect_seed().returning(|| [9; 32]);
    tokens.expect_uuid().returning(move || {
        let mut n = counter.lock().unwrap();
        *n += 1;
        Uuid::from_u128(0x1_0000 + *n)
    });
    InviteContacts {
        logins: Arc::new(logins),
        renderer: Arc::new(renderer),
        hasher: Arc::new(hasher),
        clock: clock_at(t0()),
        tokens: Arc::new(tokens),
        public_url: "https://portal.example".into(),
    }
}

/// The instant every test starts at.
pub fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A clock stuck at an instant.
pub fn clock_at(at: chrono::DateTime<Utc>) -> Arc<dyn Clock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(move || at);
    Arc::new(clock)
}

/// Randomness that counts: token n is n repeated, uuids count up.
pub fn counting_tokens() -> Arc<dyn TokenSource> {
    let mut tokens = MockTokenSource::new();
    let counter = Arc::new(Mutex::new(100_u8));
    let c1 = Arc::clone(&counter);
    tokens.expect_token().returning(move || {
        let mut n = c1.lock().unwrap();
        *n = n.wrapping_add(1);
        SecretToken::from_bytes([*n; 32])
    });
    tokens.expect_seed().returning(|| [3; 32]);
    let ids = Arc::new(Mutex::new(0_u128));
    tokens.expect_uuid().returning(move || {
        let mut n = ids.lock().unwrap();
        *n += 1;
        Uuid::from_u128(0x9_0000 + *n)
    });
    Arc::new(tokens)
}

/// The customer of [`candidate`] `n` with that one contact.
pub fn detail(n: u128, email: &str) -> CustomerDetail {
    let c = candidate(n, email, Some("(447) 292-9028"), ContactStanding::default());
    CustomerDetail { customer: c.customer, contacts: vec![c.contact] }
}

/// An invitation of candidate 1 issued at [`t0`] with token `[1; 32]`.
pub fn invitation(mode: InvitationMode, recipient: &str) -> Invitation {
    let c = candidate(1, recipient, None, ContactStanding::default());
    let new = NewInvitation {
        id: InvitationId::from_uuid(Uuid::from_u128(0x11)),
        merchant_id: MERCHANT,
        customer_id: c.customer.id,
        contact_id: c.contact.id,
        recipient: EmailAddress::parse(recipient).unwrap(),
        mode,
        lifetime: InvitationLifetime::days(14).unwrap(),
        override_declined: false,
    };
    Invitation::issue(new, ContactStanding::default(), SecretToken::from_bytes([1; 32]), Actor::System, t0())
        .unwrap()
        .invitation
}

/// The link form of token `[n; 32]`.
pub fn link(n: u8) -> String {
    SecretToken::from_bytes([n; 32]).expose()
}

/// A hasher whose hash of `p` is `$argon2id$of-p`.
pub fn echo_hasher() -> MockPasswordHasher {
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().returning(|pw| Ok(PasswordHash::from_phc(format!("$argon2id$of-{pw}"))));
    hasher.expect_verify().returning(|pw, hash| Ok(hash.as_phc() == format!("$argon2id$of-{pw}")));
    hasher
}

/// A merchant repository that knows one merchant.
pub fn merchants(enabled: bool) -> Arc<dyn MerchantRepository> {
    let mut merchants = MockMerchantRepository::new();
    merchants.expect_get().returning(move |_| Ok(Some(merchant(enabled))));
    Arc::new(merchants)
}
