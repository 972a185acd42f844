//! The use cases behind the admin API, handed to every operation. The
//! sub-APIs depend on this module, never on the crate root.

use std::sync::Arc;

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

use crate::payments::PaymentServices;

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
