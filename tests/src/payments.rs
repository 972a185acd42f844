//! Payments: one helper per staff payment endpoint, a customer of the
//! sample data with open invoices to pay, and paying through the pay use
//! case with an explicit scope (as the portal and inbox links do).

use portico_app::use_cases::pay_invoices::{BankForm, CardForm, MethodChoice, PayInvoicesError, PayOutcome, PayScope};
use portico_app::{InvoiceSelection, PaymentRepository};
use portico_domain::payment::{InvoiceAmount, OpenInvoice};
use portico_domain::{Actor, ContactId, CustomerId, IdempotencyKey, MerchantId, PaymentStatus};
use serde_json::Value;

use crate::{Answer, SAMPLE_CUSTOMERS, SAMPLE_INVOICES, TestApp, eventually};

/// A customer of the sample data with at least two open invoices and a
/// primary contact with a deliverable (ASCII) email.
#[derive(Debug, Clone)]
pub struct Payer {
    /// The merchant.
    pub merchant: MerchantId,
    /// The customer.
    pub customer: CustomerId,
    /// Its primary contact.
    pub contact: ContactId,
    /// The contact's email.
    pub email: String,
    /// Its open invoices, by due date.
    pub invoices: Vec<OpenInvoice>,
}

/// A new card, as typed.
#[must_use]
pub fn card(number: &str, save: bool) -> MethodChoice {
    MethodChoice::Card {
        form: CardForm { number: number.into(), exp_month: "12".into(), exp_year: "2034".into(), cvc: "123".into() },
        save,
    }
}

/// A new checking account at the sandbox's test bank, as typed.
#[must_use]
pub fn bank(account: &str, save: bool) -> MethodChoice {
    let form = BankForm {
        routing_number: "110000000".into(),
        account_number: account.into(),
        account_type: "checking".into(),
        holder_name: "Ann Lee".into(),
    };
    MethodChoice::Bank { form, save }
}

impl TestApp {
    /// `GET /api/v1/payments?query`.
    pub async fn payments(&self, query: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/payments?{query}"), None).await
    }

    /// `GET /api/v1/payments/:id`.
    pub async fn payment(&self, id: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/payments/{id}"), None).await
    }

    /// `POST /api/v1/payments/:id/refund`, as `key`.
    pub async fn refund(&self, key: &str, id: &str, body: &Value) -> Answer {
        let auth = format!("Bearer {key}");
        let bytes = serde_json::to_vec(body).expect("JSON");
        let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
        self.send("POST", &format!("/api/v1/payments/{id}/refund"), &headers, Some(&bytes)).await
    }

    /// Imports the sample customers and invoices; payers of the result,
    /// customers with two or more open invoices, the first `n`.
    ///
    /// # Panics
    /// When the sample holds fewer.
    pub async fn sample_payers(&self, n: usize) -> Vec<Payer> {
        self.import_customers(&self.admin_key, SAMPLE_CUSTOMERS).await.expect_status(200);
        self.import_invoices(&self.admin_key, SAMPLE_INVOICES).await.expect_status(200);
        let wiring = self.app.wiring();
        let merchant = wiring.merchants.list().await.expect("merchants")[0].id;
        let listed = self.list_customers("sort=balance&limit=500").await.expect_status(200);
        let mut payers = Vec::new();
        for row in listed["items"].as_array().cloned().unwrap_or_default() {
            let customer: CustomerId = row["id"].as_str().and_then(|s| s.parse().ok()).expect("an id");
            let Some(detail) = wiring.customers.find(merchant, customer).await.expect("a customer") else { continue };
            let Some(contact) = detail.contacts.iter().find(|c| c.primary) else { continue };
            let Some(email) = contact.email.valid().map(|e| e.as_str().to_owned()).filter(|e| e.is_ascii()) else {
                continue;
            };
            let invoices =
                wiring.db.payments().open_invoices(merchant, customer, &InvoiceSelection::All).await.expect("invoices");
            if invoices.len() >= 2 && invoices.iter().all(|i| i.balance.currency().code() == "USD") {
                payers.push(Payer { merchant, customer, contact: contact.id, email, invoices });
                if payers.len() == n {
                    return payers;
                }
            }
        }
        panic!("the sample has fewer than {n} customers to pay with");
    }

    /// Pays `invoices` (each with an amount, or `None` for its balance) for
    /// `payer`, as its contact, with the idempotency key `key`.
    pub async fn pay(
        &self,
        payer: &Payer,
        invoices: &[(usize, Option<i64>)],
        method: MethodChoice,
        key: &str,
    ) -> Result<PayOutcome, PayInvoicesError> {
        let scope = PayScope {
            merchant: payer.merchant,
            customer: payer.customer,
            actor: Actor::Contact(payer.contact),
            invoices: invoices
                .iter()
                .map(|(i, amount)| InvoiceAmount {
                    invoice: payer.invoices[*i].id,
                    amount: amount.map(|m| portico_domain::Money::from_minor(m, payer.invoices[*i].balance.currency())),
                })
                .collect(),
            method,
            idempotency_key: IdempotencyKey::parse(key).expect("a key"),
        };
        self.app.wiring().pay_invoices(self.app.public_url()).execute(&scope).await
    }

    /// The open balances of the payer's invoices now, in minor units (0 once paid).
    pub async fn balances(&self, payer: &Payer) -> Vec<i64> {
        let open = self
            .app
            .wiring()
            .db
            .payments()
            .open_invoices(payer.merchant, payer.customer, &InvoiceSelection::All)
            .await
            .expect("invoices");
        payer
            .invoices
            .iter()
            .map(|i| open.iter().find(|o| o.id == i.id).map_or(0, |o| o.balance.minor_units()))
            .collect()
    }

    /// Waits until the staff API shows payment `id` in `status`; its JSON.
    pub async fn payment_in(&self, id: &str, status: PaymentStatus) -> Value {
        eventually(&format!("payment {id} is {}", status.as_str()), || async {
            let detail = self.payment(id).await.expect_status(200);
            if detail["payment"]["status"] == status.as_str() { Ok(detail) } else { Err(detail.to_string()) }
        })
        .await
    }
}
