//! The HTTP adapter on mocked ports: error shapes that need no database.

use std::sync::Arc;

use poem::test::TestClient;
use portico_app::use_cases::authenticate_staff::AuthenticateStaff;
use portico_app::use_cases::edit_templates::EditTemplates;
use portico_app::use_cases::follow_up_invitations::FollowUpInvitations;
use portico_app::use_cases::get_customer::GetCustomer;
use portico_app::use_cases::import_customers::ImportCustomers;
use portico_app::use_cases::import_invoices::ImportInvoices;
use portico_app::use_cases::list_customers::ListCustomers;
use portico_app::use_cases::manage_settings::ManageSettings;
use portico_app::use_cases::preview_invitations::PreviewInvitations;
use portico_app::use_cases::refund_payment::RefundPayment;
use portico_app::use_cases::respond_to_invitation::RespondToInvitation;
use portico_app::use_cases::start_invitation_batch::StartInvitationBatch;
use portico_app::use_cases::track_invitations::TrackInvitations;
use portico_app::use_cases::track_payments::TrackPayments;
use portico_app::use_cases::upsert_customer::UpsertCustomer;
use portico_app::{
    MockAcceptanceRepository, MockApiKeyRepository, MockBatchRepository, MockClock, MockCustomerRepository,
    MockHealthCheck, MockIdempotencyRepository, MockInvitationReader, MockInvitationWriter, MockLoginRepository,
    MockMerchantRepository, MockPasswordHasher, MockPaymentGateway, MockPaymentReader, MockRefundRepository,
    MockTemplateEditor, MockTemplateRenderer, MockTemplateStore, MockTokenSource, RepositoryError, StaffPrincipal,
};
use portico_domain::{MerchantId, ResendPolicy, Role, StaffUserId};
use portico_http::portal::PortalServices;
use portico_http::{ApiServices, PaymentServices};
use uuid::Uuid;

const KEY: &str = "ptk_1111111111111111111111111111111111111111111111111111111111111111";

fn services(customers: MockCustomerRepository, healthy: bool) -> ApiServices {
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find_by_hash().returning(|_| {
        Ok(Some(StaffPrincipal {
            merchant_id: MerchantId::from_uuid(Uuid::from_u128(1)),
            staff_user_id: StaffUserId::from_uuid(Uuid::from_u128(2)),
            role: Role::Admin,
            api_key_id: Uuid::from_u128(3),
        }))
    });
    let mut clock = MockClock::new();
    clock.expect_now().returning(chrono::DateTime::default);
    let mut health = MockHealthCheck::new();
    health.expect_check().returning(move || if healthy { Ok(()) } else { Err("database down".into()) });
    let customers: Arc<MockCustomerRepository> = Arc::new(customers);
    let clock = Arc::new(clock);
    let merchants = Arc::new(MockMerchantRepository::new());
    ApiServices {
        authenticate: AuthenticateStaff { keys: Arc::new(keys) },
        import_customers: ImportCustomers { customers: customers.clone(), clock: clock.clone() },
        import_invoices: ImportInvoices { customers: customers.clone(), clock: clock.clone() },
        list_customers: ListCustomers { customers: customers.clone(), clock: clock.clone() },
        get_customer: GetCustomer { customers: customers.clone() },
        upsert_customer: UpsertCustomer { customers, clock },
        settings: ManageSettings { merchants: merchants.clone() },
        templates: EditTemplates {
            store: Arc::new(MockTemplateStore::new()),
            editor: Arc::new(MockTemplateEditor::new()),
            merchants,
        },
        start_batch: StartInvitationBatch {
            merchants: unused_merchants(),
            batches: Arc::new(MockBatchRepository::new()),
            clock: clock_at_epoch(),
            tokens: Arc::new(MockTokenSource::new()),
        },
        preview: PreviewInvitations {
            invitations: Arc::new(MockInvitationReader::new()),
            logins: Arc::new(MockLoginRepository::new()),
        },
        track: TrackInvitations {
            invitations: Arc::new(MockInvitationReader::new()),
            batches: Arc::new(MockBatchRepository::new()),
            clock: clock_at_epoch(),
        },
        follow_up: follow_up(),
        payments: payments(),
        idempotency: Arc::new(MockIdempotencyRepository::new()),
        clock: clock_at_epoch(),
        health: Arc::new(health),
    }
}

// The invitation use cases below are never reached by these tests: their
// mocks have no expectations, so any call would fail the test.

fn unused_merchants() -> Arc<MockMerchantRepository> {
    Arc::new(MockMerchantRepository::new())
}

fn clock_at_epoch() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(chrono::DateTime::default);
    Arc::new(clock)
}

fn follow_up() -> FollowUpInvitations {
    FollowUpInvitations {
        merchants: unused_merchants(),
        invitations: Arc::new(MockInvitationReader::new()),
        writer: Arc::new(MockInvitationWriter::new()),
        customers: Arc::new(MockCustomerRepository::new()),
        renderer: Arc::new(MockTemplateRenderer::new()),
        hasher: Arc::new(MockPasswordHasher::new()),
        clock: clock_at_epoch(),
        tokens: Arc::new(MockTokenSource::new()),
        policy: ResendPolicy::default(),
        public_url: "http://localhost".into(),
    }
}

/// Payments whose reader knows none: every id is unknown.
fn payments() -> PaymentServices {
    let mut reader = MockPaymentReader::new();
    reader.expect_find().returning(|_, _| Ok(None));
    let reader = Arc::new(reader);
    PaymentServices {
        track: TrackPayments { reader: reader.clone() },
        refund: RefundPayment {
            reader,
            refunds: Arc::new(MockRefundRepository::new()),
            gateway: Arc::new(MockPaymentGateway::new()),
            clock: clock_at_epoch(),
            tokens: Arc::new(MockTokenSource::new()),
        },
    }
}

fn portal() -> PortalServices {
    PortalServices {
        respond: RespondToInvitation {
            merchants: unused_merchants(),
            invitations: Arc::new(MockInvitationReader::new()),
            writer: Arc::new(MockInvitationWriter::new()),
            customers: Arc::new(MockCustomerRepository::new()),
            logins: Arc::new(MockLoginRepository::new()),
            acceptance: Arc::new(MockAcceptanceRepository::new()),
            hasher: Arc::new(MockPasswordHasher::new()),
            clock: clock_at_epoch(),
            tokens: Arc::new(MockTokenSource::new()),
        },
        follow_up: follow_up(),
        tokens: Arc::new(MockTokenSource::new()),
        secure_cookies: false,
        trusted_proxies: portico_http::TrustedProxies::default(),
    }
}

#[tokio::test]
async fn a_storage_failure_is_a_fixed_500_that_reveals_nothing() {
    let mut customers = MockCustomerRepository::new();
    customers.expect_list().returning(|_, _, _, _, _| Err(RepositoryError::unexpected("secret table t_x broke")));
    let client = TestClient::new(portico_http::routes(services(customers, true), portal(), "http://localhost"));

    let answer = client.get("/api/v1/customers").header("authorization", format!("Bearer {KEY}")).send().await;

    answer.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":\"internal\"") && !body.contains("t_x"), "{body}");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    let client = TestClient::new(portico_http::routes(
        services(MockCustomerRepository::new(), true),
        portal(),
        "http://localhost",
    ));
    let big = vec![b' '; portico_http::JSON_LIMIT + 10];
    let stream = poem::Body::from_async_read(std::io::Cursor::new(big));

    let answer = client
        .put("/api/v1/settings")
        .header("authorization", format!("Bearer {KEY}"))
        .content_type("application/json")
        .body(stream)
        .send()
        .await;

    assert!(answer.0.status().is_client_error(), "{}", answer.0.status());
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":"), "{body}");
}

#[tokio::test]
async fn health_is_503_when_the_database_does_not_answer() {
    let client = TestClient::new(portico_http::routes(
        services(MockCustomerRepository::new(), false),
        portal(),
        "http://localhost",
    ));

    let answer = client.get("/healthz").send().await;

    answer.assert_status(poem::http::StatusCode::SERVICE_UNAVAILABLE);
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":\"unavailable\""), "{body}");
}

#[tokio::test]
async fn an_unknown_or_malformed_payment_id_is_the_same_404_and_a_bad_date_a_400() {
    let client = TestClient::new(portico_http::routes(
        services(MockCustomerRepository::new(), true),
        portal(),
        "http://localhost",
    ));
    let auth = format!("Bearer {KEY}");
    for path in ["/api/v1/payments/0190a1b2-0000-7000-8000-000000000001", "/api/v1/payments/not-a-uuid"] {
        let answer = client.get(path).header("authorization", &auth).send().await;
        answer.assert_status(poem::http::StatusCode::NOT_FOUND);
        let body = answer.0.into_body().into_string().await.unwrap();
        assert!(body.contains("\"code\":\"payment_not_found\""), "{path}: {body}");
    }
    let refund = client
        .post("/api/v1/payments/0190a1b2-0000-7000-8000-000000000001/refund")
        .header("authorization", &auth)
        .content_type("application/json")
        .body("{}")
        .send()
        .await;
    refund.assert_status(poem::http::StatusCode::NOT_FOUND);
    let answer = client.get("/api/v1/payments?from=yesterday").header("authorization", &auth).send().await;
    answer.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("invalid_parameter") && body.contains("from"), "{body}");
}
