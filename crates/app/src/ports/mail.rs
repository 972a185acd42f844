//! Email kinds, their typed contexts, rendering and merchant overrides.

use async_trait::async_trait;
use portico_domain::MerchantId;
use serde::Serialize;

use crate::{BoxError, RepositoryError};

/// Every kind of email Portico sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Invitation carrying a username and a generated password.
    InvitationCredentials,
    /// Invitation carrying a registration link.
    InvitationLink,
    /// A reminder about a pending invitation.
    InvitationFollowUp,
    /// A password-reset link.
    PasswordReset,
    /// Overdue invoices with pay buttons.
    PaymentReminder,
    /// "Confirm this payment" after a pay button was pressed.
    PaymentConfirmationRequest,
    /// A receipt.
    PaymentReceipt,
    /// A link to one estimate or order.
    DocumentLink,
    /// A bank debit came back: the invoices are open again.
    PaymentFailed,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [Self; 9] = [
        Self::InvitationCredentials,
        Self::InvitationLink,
        Self::InvitationFollowUp,
        Self::PasswordReset,
        Self::PaymentReminder,
        Self::PaymentConfirmationRequest,
        Self::PaymentReceipt,
        Self::DocumentLink,
        Self::PaymentFailed,
    ];

    /// Whether it is an invitation email (held while the merchant's portal is off).
    #[must_use]
    pub const fn is_invitation(&self) -> bool {
        matches!(self, Self::InvitationCredentials | Self::InvitationLink | Self::InvitationFollowUp)
    }

    /// The `snake_case` name used in URLs and storage.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::InvitationCredentials => "invitation_credentials",
            Self::InvitationLink => "invitation_link",
            Self::InvitationFollowUp => "invitation_follow_up",
            Self::PasswordReset => "password_reset",
            Self::PaymentReminder => "payment_reminder",
            Self::PaymentConfirmationRequest => "payment_confirmation_request",
            Self::PaymentReceipt => "payment_receipt",
            Self::DocumentLink => "document_link",
            Self::PaymentFailed => "payment_failed",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Values common to every email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MailCommon {
    /// The merchant's name.
    pub merchant_name: String,
    /// The merchant's accent colour, `#rrggbb`.
    pub brand_color: String,
    /// The recipient's name.
    pub contact_name: String,
    /// The customer's name.
    pub customer_name: String,
    /// The portal's sign-in page.
    pub portal_url: String,
}

/// An invitation with a registration link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvitationLinkContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The single-use link.
    pub invitation_url: String,
    /// When it expires, human-readable.
    pub expires_at: String,
}

/// An invitation with credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvitationCredentialsContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The link to the invitation page.
    pub invitation_url: String,
    /// The username.
    pub username: String,
    /// The first password (changed at first sign-in).
    pub password: String,
    /// When the invitation expires, human-readable.
    pub expires_at: String,
}

/// A password-reset email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordResetContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The single-use reset link.
    pub reset_url: String,
    /// When it expires, human-readable.
    pub expires_at: String,
}

/// One invoice line in a payment email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    /// Invoice number.
    pub number: String,
    /// Due date, human-readable.
    pub due_date: String,
    /// Balance, formatted with currency.
    pub balance: String,
}

/// A payment reminder with pay buttons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentReminderContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The overdue invoices.
    pub invoices: Vec<InvoiceLine>,
    /// Their total, formatted.
    pub total: String,
    /// "Pay with saved method" link (opens a page; pays only on POST).
    pub pay_url: String,
}

/// A payment confirmation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentConfirmationContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The invoices to pay.
    pub invoices: Vec<InvoiceLine>,
    /// Their total, formatted.
    pub total: String,
    /// The saved method, such as "Visa •••• 4242".
    pub method: String,
    /// The confirmation link (opens a page; pays only on POST).
    pub confirm_url: String,
    /// When the link expires, human-readable.
    pub expires_at: String,
}

/// A payment receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentReceiptContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The invoices paid.
    pub invoices: Vec<InvoiceLine>,
    /// Amount paid, formatted.
    pub amount: String,
    /// The method used.
    pub method: String,
    /// The gateway's reference.
    pub reference: String,
}

/// A payment that failed after it was made (an ACH debit returned).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentFailedContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// The invoices it was for, open again.
    pub invoices: Vec<InvoiceLine>,
    /// Its amount, formatted.
    pub amount: String,
    /// The method used.
    pub method: String,
    /// Why it failed, in words.
    pub reason: String,
    /// The gateway's reference.
    pub reference: String,
}

/// A link to one estimate or order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentLinkContext {
    /// Common values.
    #[serde(flatten)]
    pub common: MailCommon,
    /// "estimate" or "order".
    pub document_kind: String,
    /// The document's number.
    pub document_number: String,
    /// The signed link.
    pub document_url: String,
}

/// An email to render: its kind and typed values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailContent {
    /// See [`MailKind::InvitationLink`].
    InvitationLink(InvitationLinkContext),
    /// See [`MailKind::InvitationCredentials`].
    InvitationCredentials(InvitationCredentialsContext),
    /// See [`MailKind::InvitationFollowUp`].
    InvitationFollowUp(InvitationLinkContext),
    /// See [`MailKind::PasswordReset`].
    PasswordReset(PasswordResetContext),
    /// See [`MailKind::PaymentReminder`].
    PaymentReminder(PaymentReminderContext),
    /// See [`MailKind::PaymentConfirmationRequest`].
    PaymentConfirmationRequest(PaymentConfirmationContext),
    /// See [`MailKind::PaymentReceipt`].
    PaymentReceipt(PaymentReceiptContext),
    /// See [`MailKind::DocumentLink`].
    DocumentLink(DocumentLinkContext),
    /// See [`MailKind::PaymentFailed`].
    PaymentFailed(PaymentFailedContext),
}

impl EmailContent {
    /// The kind.
    #[must_use]
    pub const fn kind(&self) -> MailKind {
        match self {
            Self::InvitationLink(_) => MailKind::InvitationLink,
            Self::InvitationCredentials(_) => MailKind::InvitationCredentials,
            Self::InvitationFollowUp(_) => MailKind::InvitationFollowUp,
            Self::PasswordReset(_) => MailKind::PasswordReset,
            Self::PaymentReminder(_) => MailKind::PaymentReminder,
            Self::PaymentConfirmationRequest(_) => MailKind::PaymentConfirmationRequest,
            Self::PaymentReceipt(_) => MailKind::PaymentReceipt,
            Self::DocumentLink(_) => MailKind::DocumentLink,
            Self::PaymentFailed(_) => MailKind::PaymentFailed,
        }
    }
}

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    /// Subject (one line).
    pub subject: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
}

/// Renders emails with the merchant's override of a kind, or the default.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TemplateRenderer: Send + Sync {
    /// Renders one email.
    ///
    /// # Errors
    /// When the template fails (a strict-mode missing value) or the override
    /// cannot be loaded.
    async fn render(&self, merchant: MerchantId, content: &EmailContent) -> Result<RenderedEmail, BoxError>;

    /// Renders several emails of one merchant, in order, each with the
    /// templates as they stood when the call began (a bulk send renders a
    /// chunk at once, instead of looking up the override per email).
    ///
    /// # Errors
    /// As [`render`](Self::render), for the first email that fails.
    async fn render_all(
        &self,
        merchant: MerchantId,
        contents: &[EmailContent],
    ) -> Result<Vec<RenderedEmail>, BoxError> {
        let mut rendered = Vec::with_capacity(contents.len());
        for content in contents {
            rendered.push(self.render(merchant, content).await?);
        }
        Ok(rendered)
    }
}

/// A merchant's edited template of one kind, in merge-tag form as staff wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSource {
    /// Subject.
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text body.
    pub text: String,
}

/// Stores merchants' template overrides.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// The override of a kind, if any.
    ///
    /// # Errors
    /// On a storage failure.
    async fn get(&self, merchant: MerchantId, kind: MailKind) -> Result<Option<TemplateSource>, RepositoryError>;

    /// Saves an override (already validated).
    ///
    /// # Errors
    /// On a storage failure.
    async fn put(&self, merchant: MerchantId, kind: MailKind, source: &TemplateSource) -> Result<(), RepositoryError>;

    /// Removes an override; `false` when there was none.
    ///
    /// # Errors
    /// On a storage failure.
    async fn delete(&self, merchant: MerchantId, kind: MailKind) -> Result<bool, RepositoryError>;
}
