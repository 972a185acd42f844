//! Use cases: one module each, named `verb_noun`.

pub mod authenticate_staff;
pub mod create_api_key;
pub mod csv_table;
mod customer_fields;
pub mod edit_templates;
pub mod follow_up_invitations;
pub mod get_customer;
pub mod import_customers;
pub mod import_invoices;
pub mod invitation_email;
pub mod invite_contacts;
pub mod list_customers;
pub mod manage_payment_methods;
pub mod manage_settings;
pub mod pay_invoices;
pub mod payment_notices;
pub mod preview_invitations;
pub mod record_charge;
pub mod refund_payment;
pub mod respond_to_invitation;
pub mod run_invitation_batches;
pub mod settle_payments;
pub mod start_invitation_batch;
pub mod track_invitations;
pub mod track_payments;
pub mod upsert_customer;
