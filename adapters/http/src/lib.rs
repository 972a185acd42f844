//! # portico-http
//!
//! Portico's HTTP adapter: the JSON admin API under `/api/v1/` (bearer API
//! keys, a permission check per operation), its OpenAPI document at
//! `/api/openapi.json`, Swagger UI at `/api/docs`, and `GET /healthz`. Every
//! error answers `{ "code": "...", "message": "..." }`; a caller's mistake is
//! a 4xx, never a 500.

mod auth;
mod client_address;
mod customers;
mod dto;
pub mod error;
mod idempotency;
mod invitation_dto;
mod invitations;
mod limiter;
mod payload;
mod payment_dto;
mod payments;
pub mod portal;
mod services;
mod settings;
mod templates;

use std::sync::Arc;

use poem::middleware::{CatchPanic, Tracing};
use poem::web::Json as PoemJson;
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler};
use poem_openapi::OpenApiService;
use portico_app::ErrorChain;

pub use auth::StaffAuth;
pub use client_address::{TrustedProxies, TrustedProxiesError, client_address, client_key};
pub use customers::CustomersApi;
pub use invitations::InvitationsApi;
pub use limiter::AttemptLimiter;
pub use payload::{BodyLimit, CSV_LIMIT, JSON_LIMIT};
pub use payments::{PaymentServices, PaymentsApi};
pub use services::ApiServices;
pub use settings::SettingsApi;
pub use templates::TemplatesApi;

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
                authenticate: services.authenticate.clone(),
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
            tracing::warn!(error = %ErrorChain(&*e), "health check failed");
            error::ApiError::unavailable("the database does not answer").into_response()
        }
    }
}
