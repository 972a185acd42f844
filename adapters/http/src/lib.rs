//! # portico-http
//!
//! Portico's HTTP adapter: the JSON admin API under `/api/v1/` (bearer API
//! keys, a permission check per operation), its OpenAPI document at
//! `/api/openapi.json`, Swagger UI at `/api/docs`, and `GET /healthz`. Every
//! error answers `{ "code": "...", "message": "..." }`; a caller's mistake is
//! a 4xx, never a 500.

mod auth;
mod customers;
mod dto;
pub mod error;
mod idempotency;
mod invitation_dto;
mod invitations;
mod payload;
mod payment_dto;
mod payments;
pub mod portal;
mod settings;
mod templates;

use std::sync::Arc;

use poem::middleware::{CatchPanic, Tracing};
use poem::web::Json as PoemJson;
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler};
use poem_openapi::OpenApiService;
use portico_app::use_cases::authenticate_staff::AuthenticateStaff;
use portico_app::use_cases::edit_templates::EditTemplates;
use portico_app::use_cases::follow_up_invitations::FollowUpInvitations;
use portico_app::use_cases::get_customer::GetCustomer;
use portico_app::use_cases::import_customers::ImportCustomers;
use portico_app::use_cases::import_invoices::ImportInvoices;
use portico_app::use_cases::list_customers::ListCustomers;
use portico_app::use_cases::manage_settings::ManageSettings;
use portico_app::use_cases::preview_invitations::PreviewInvitations;
use portico_app::use_cases::start_invitation_batch::StartInvitationBatch;
use portico_app::use_cases::track_invitations::TrackInvitations;
use portico_app::use_cases::upsert_customer::UpsertCustomer;
use portico_app::{Clock, HealthCheck, IdempotencyRepository};

pub use auth::StaffAuth;
pub use customers::CustomersApi;
pub use invitations::InvitationsApi;
pub use payload::{BodyLimit, CSV_LIMIT, JSON_LIMIT};
pub use payments::{PaymentServices, PaymentsApi};
pub use settings::SettingsApi;
pub use templates::TemplatesApi;

/// The use cases the API calls.
pub struct ApiServices {
    /// API keys.
    pub authenticate: AuthenticateStaff,
    /// CSV import of customers.
    pub import_customers: ImportCustomers,
    /// CSV import of invoices.
    pub import_invoices: ImportInvoices,
    /// The customer list.
    pub list_customers: ListCustomers,
    /// One customer.
    pub get_customer: GetCustomer,
    /// JSON upsert of one customer.
    pub upsert_customer: UpsertCustomer,
    /// Portal settings.
    pub settings: ManageSettings,
    /// Email templates.
    pub templates: EditTemplates,
    /// Starting bulk invitations.
    pub start_batch: StartInvitationBatch,
    /// Previewing a send.
    pub preview: PreviewInvitations,
    /// Invitations and batches, read.
    pub track: TrackInvitations,
    /// Resend, revoke, resend all expired.
    pub follow_up: FollowUpInvitations,
    /// Payments: read and refund.
    pub payments: PaymentServices,
    /// Idempotency keys of the API's POSTs.
    pub idempotency: Arc<dyn IdempotencyRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The health check behind `/healthz`.
    pub health: Arc<dyn HealthCheck>,
}

impl std::fmt::Debug for ApiServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiServices").finish_non_exhaustive()
    }
}

/// The OpenAPI service of the admin API, served under `/api/v1`.
#[must_use]
pub fn api_service(
    services: &Arc<ApiServices>,
    public_url: &str,
) -> OpenApiService<(CustomersApi, InvitationsApi, TemplatesApi, SettingsApi, PaymentsApi), ()> {
    let apis = (
        CustomersApi { services: services.clone() },
        InvitationsApi { services: services.clone() },
        TemplatesApi { services: services.clone() },
        SettingsApi { services: services.clone() },
        PaymentsApi { services: services.clone() },
    );
    OpenApiService::new(apis, "Portico admin API", env!("CARGO_PKG_VERSION"))
        .server(format!("{}/api/v1", public_url.trim_end_matches('/')))
}

/// Every route of the server: the API, its documents, the portal pages and
/// the health check.
pub fn routes(
    services: ApiServices,
    portal: portal::PortalServices,
    public_url: &str,
) -> impl Endpoint<Output = Response> + use<> {
    let services = Arc::new(services);
    let api = api_service(&services, public_url);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .at("/healthz", get(healthz))
        .nest(
            "/api/v1",
            api.with(idempotency::Idempotent {
                repository: Arc::clone(&services.idempotency),
                clock: Arc::clone(&services.clock),
            }),
        )
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .nest("/portal", portal::routes(portal))
        .data(services)
        .with(BodyLimit)
        .with(CatchPanic::new())
        .catch_all_error(error::to_json_error)
        .with(Tracing)
        .map_to_response()
}

#[handler]
async fn healthz(services: poem::web::Data<&Arc<ApiServices>>) -> Response {
    match services.health.check().await {
        Ok(()) => PoemJson(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            error::ApiError::unavailable("the database does not answer").into_response()
        }
    }
}
