//! The HTTP adapter on mocked ports: error shapes that need no database.

use std::sync::Arc;

use poem::test::TestClient;
use portico_app::use_cases::authenticate_staff::AuthenticateStaff;
use portico_app::use_cases::edit_templates::EditTemplates;
use portico_app::use_cases::get_customer::GetCustomer;
use portico_app::use_cases::import_customers::ImportCustomers;
use portico_app::use_cases::import_invoices::ImportInvoices;
use portico_app::use_cases::list_customers::ListCustomers;
use portico_app::use_cases::manage_settings::ManageSettings;
use portico_app::use_cases::upsert_customer::UpsertCustomer;
use portico_app::{
    MockApiKeyRepository, MockClock, MockCustomerRepository, MockHealthCheck, MockMerchantRepository,
    MockTemplateEditor, MockTemplateStore, RepositoryError, StaffPrincipal,
};
use portico_domain::{MerchantId, Role, StaffUserId};
use portico_http::ApiServices;
use uuid::Uuid;

const KEY: &str = "ptk_1111111111111111111111111111111111111111111111111111111111111111";

fn services(customers: MockCustomerRepository, healthy: bool) -> ApiServices {
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find_by_hash().returning(|_| {
        Ok(Some(StaffPrincipal {
            merchant_id: MerchantId::from_uuid(Uuid::from_u128(1)),
            staff_user_id: StaffUserId::from_uuid(Uuid::from_u128(2)),
            role: Role::Admin,
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
        health: Arc::new(health),
    }
}

#[tokio::test]
async fn a_storage_failure_is_a_fixed_500_that_reveals_nothing() {
    let mut customers = MockCustomerRepository::new();
    customers.expect_list().returning(|_, _, _, _, _| Err(RepositoryError::unexpected("secret table t_x broke")));
    let client = TestClient::new(portico_http::routes(services(customers, true), "http://localhost"));

    let answer = client.get("/api/v1/customers").header("authorization", format!("Bearer {KEY}")).send().await;

    answer.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":\"internal\"") && !body.contains("t_x"), "{body}");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    let client =
        TestClient::new(portico_http::routes(services(MockCustomerRepository::new(), true), "http://localhost"));
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
    let client =
        TestClient::new(portico_http::routes(services(MockCustomerRepository::new(), false), "http://localhost"));

    let answer = client.get("/healthz").send().await;

    answer.assert_status(poem::http::StatusCode::SERVICE_UNAVAILABLE);
    let body = answer.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":\"unavailable\""), "{body}");
}
