//! The emails payments send: a receipt when the money arrives, a notice
//! when a bank debit comes back. They go to the contact who paid, or the
//! customer's primary contact, and are queued with the outcome they report.

use std::sync::Arc;

use portico_domain::{Contact, OutboxMessageId};

use crate::{
    BoxError, CustomerRepository, EmailContent, InvoiceLine, MailCommon, MerchantRepository, OutboxEmail,
    PaymentFailedContext, PaymentFailure, PaymentReceiptContext, PaymentRecord, TemplateRenderer, TokenSource,
};

/// Builds payment emails.
#[derive(Clone)]
pub struct PaymentNotices {
    /// Merchants (brand).
    pub merchants: Arc<dyn MerchantRepository>,
    /// Customers and contacts (names, addresses).
    pub customers: Arc<dyn CustomerRepository>,
    /// Email rendering.
    pub renderer: Arc<dyn TemplateRenderer>,
    /// Outbox ids.
    pub tokens: Arc<dyn TokenSource>,
    /// The portal's public base URL.
    pub public_url: String,
}

impl std::fmt::Debug for PaymentNotices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentNotices").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

/// The invoices of a payment as email lines: number, due date, amount paid.
fn lines(payment: &PaymentRecord) -> Vec<InvoiceLine> {
    payment
        .allocations
        .iter()
        .map(|a| InvoiceLine {
            number: a.number.clone(),
            due_date: a.due_date.map(|d| d.format("%B %-d, %Y").to_string()).unwrap_or_default(),
            balance: a.amount.to_string(),
        })
        .collect()
}

impl PaymentNotices {
    /// The receipt of a payment whose money arrived, or `None` when no
    /// contact has a valid email address.
    ///
    /// # Errors
    /// On a storage or rendering failure.
    pub async fn receipt(&self, payment: &PaymentRecord) -> Result<Option<OutboxEmail>, BoxError> {
        let Some((common, contact)) = self.addressee(payment).await? else { return Ok(None) };
        let content = EmailContent::PaymentReceipt(PaymentReceiptContext {
            common,
            invoices: lines(payment),
            amount: payment.amount.to_string(),
            method: payment.method.describe(),
            reference: payment.gateway_reference.clone().unwrap_or_else(|| payment.id.to_string()),
        });
        self.email(payment, &contact, &content).await
    }

    /// The notice of a payment that failed after it was made.
    ///
    /// # Errors
    /// On a storage or rendering failure.
    pub async fn failure(
        &self,
        payment: &PaymentRecord,
        failure: PaymentFailure,
    ) -> Result<Option<OutboxEmail>, BoxError> {
        let Some((common, contact)) = self.addressee(payment).await? else { return Ok(None) };
        let content = EmailContent::PaymentFailed(PaymentFailedContext {
            common,
            invoices: lines(payment),
            amount: payment.amount.to_string(),
            method: payment.method.describe(),
            reason: failure.reason(),
            reference: payment.gateway_reference.clone().unwrap_or_else(|| payment.id.to_string()),
        });
        self.email(payment, &contact, &content).await
    }

    async fn addressee(&self, payment: &PaymentRecord) -> Result<Option<(MailCommon, Contact)>, BoxError> {
        let Some(merchant) = self.merchants.get(payment.merchant_id).await? else { return Ok(None) };
        let Some(detail) = self.customers.find(payment.merchant_id, payment.customer_id).await? else {
            return Ok(None);
        };
        let payer = payment.payer.and_then(|id| detail.contacts.iter().find(|c| c.id == id));
        let primary = detail.contacts.iter().find(|c| c.primary);
        let Some(contact) = payer.or(primary).filter(|c| c.email.valid().is_some()).cloned() else {
            return Ok(None);
        };
        let common = MailCommon {
            merchant_name: merchant.settings.brand_name.clone(),
            brand_color: merchant.settings.brand_color.clone(),
            contact_name: contact.display_name(),
            customer_name: detail.customer.name.clone(),
            portal_url: format!("{}/portal/", self.public_url.trim_end_matches('/')),
        };
        Ok(Some((common, contact)))
    }

    async fn email(
        &self,
        payment: &PaymentRecord,
        contact: &Contact,
        content: &EmailContent,
    ) -> Result<Option<OutboxEmail>, BoxError> {
        let Some(to) = contact.email.valid().cloned() else { return Ok(None) };
        let rendered = self.renderer.render(payment.merchant_id, content).await?;
        Ok(Some(OutboxEmail {
            id: OutboxMessageId::from_uuid(self.tokens.uuid()),
            merchant_id: payment.merchant_id,
            kind: content.kind(),
            to,
            to_name: contact.display_name(),
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            invitation_id: None,
        }))
    }
}
