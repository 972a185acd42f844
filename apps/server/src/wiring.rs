//! Builds the adapters once and hands out the use cases, for the server and
//! the command line alike.

use std::sync::Arc;

use anyhow::Context;
use portico_app::use_cases::authenticate_staff::AuthenticateStaff;
use portico_app::use_cases::create_api_key::CreateApiKey;
use portico_app::use_cases::edit_templates::EditTemplates;
use portico_app::use_cases::get_customer::GetCustomer;
use portico_app::use_cases::import_customers::ImportCustomers;
use portico_app::use_cases::import_invoices::ImportInvoices;
use portico_app::use_cases::list_customers::ListCustomers;
use portico_app::use_cases::manage_settings::ManageSettings;
use portico_app::use_cases::upsert_customer::UpsertCustomer;
use portico_app::{ApiKeyRepository, Clock, CustomerRepository, MerchantRepository, PasswordHasher, TokenSource};
use portico_crypto::{Argon2PasswordHasher, OsTokenSource, SystemClock};
use portico_http::ApiServices;
use portico_mail::HandlebarsRenderer;
use portico_payments::GatewaySpec;
use portico_storage::Database;

use crate::adapters::MailTemplateEditor;
use crate::config::{Config, redact_url};

/// The adapters, built once.
#[derive(Clone)]
pub struct Wiring {
    /// The database.
    pub db: Database,
    /// Customers.
    pub customers: Arc<dyn CustomerRepository>,
    /// Merchants.
    pub merchants: Arc<dyn MerchantRepository>,
    /// API keys.
    pub keys: Arc<dyn ApiKeyRepository>,
    /// The email renderer (defaults and overrides).
    pub renderer: Arc<HandlebarsRenderer>,
    /// Password hashing, one for the process: it bounds argon2id to one hash
    /// per core, which only holds if every use case shares it.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub tokens: Arc<dyn TokenSource>,
    /// The payment gateway (`PORTICO_PAYMENTS`), built on `clock` and `tokens`.
    pub payments: GatewaySpec,
}

impl std::fmt::Debug for Wiring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wiring").finish_non_exhaustive()
    }
}

impl Wiring {
    /// Connects to the database, migrates it, and builds the adapters.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let url = redact_url(&config.database_url);
        let tokens: Arc<dyn TokenSource> = Arc::new(OsTokenSource);
        let db = portico_storage::connect(&config.database_url, tokens.clone())
            .await
            .with_context(|| format!("connecting to the database {url}"))?;
        portico_storage::migrate(&db).await.with_context(|| format!("migrating the database {url}"))?;
        let renderer = Arc::new(HandlebarsRenderer::new(db.templates()).context("loading the email templates")?);
        let payments = GatewaySpec::parse(&config.payments).context("PORTICO_PAYMENTS")?;
        Ok(Self {
            customers: db.customers(),
            merchants: db.merchants(),
            keys: db.staff(),
            renderer,
            hasher: Arc::new(Argon2PasswordHasher::new()),
            clock: Arc::new(SystemClock),
            tokens,
            payments,
            db,
        })
    }

    /// The customer import.
    #[must_use]
    pub fn import_customers(&self) -> ImportCustomers {
        ImportCustomers { customers: self.customers.clone(), clock: self.clock.clone() }
    }

    /// The invoice import.
    #[must_use]
    pub fn import_invoices(&self) -> ImportInvoices {
        ImportInvoices { customers: self.customers.clone(), clock: self.clock.clone() }
    }

    /// API key creation.
    #[must_use]
    pub fn create_api_key(&self) -> CreateApiKey {
        CreateApiKey {
            keys: self.keys.clone(),
            merchants: self.merchants.clone(),
            tokens: self.tokens.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Everything the HTTP API calls; links point at `public_url`.
    #[must_use]
    pub fn api_services(&self, public_url: &str) -> ApiServices {
        ApiServices {
            authenticate: AuthenticateStaff { keys: self.keys.clone() },
            import_customers: self.import_customers(),
            import_invoices: self.import_invoices(),
            list_customers: ListCustomers { customers: self.customers.clone(), clock: self.clock.clone() },
            get_customer: GetCustomer { customers: self.customers.clone() },
            upsert_customer: UpsertCustomer { customers: self.customers.clone(), clock: self.clock.clone() },
            settings: ManageSettings { merchants: self.merchants.clone() },
            templates: EditTemplates {
                store: self.db.templates(),
                editor: Arc::new(MailTemplateEditor(self.renderer.clone())),
                merchants: self.merchants.clone(),
            },
            start_batch: self.start_batch(),
            preview: self.preview(),
            track: self.track(),
            follow_up: self.follow_up(public_url),
            payments: self.payment_services(),
            idempotency: self.db.idempotency(),
            clock: self.clock.clone(),
            health: self.db.health(),
        }
    }
}
