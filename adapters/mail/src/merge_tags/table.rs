//! The merge tags allowed in each kind's templates and what they expand to.

use portico_app::MailKind;

/// What a merge tag expands to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expansion {
    /// One value of the context, escaped in the HTML part.
    Field(&'static str),
    /// A block: Handlebars for the HTML part and for the text part. Not allowed in subjects.
    Block { html: &'static str, text: &'static str },
}

/// A merge tag staff may use, such as `[ContactName]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergeTag {
    /// The name between the brackets.
    pub name: &'static str,
    /// What it stands for, for the editor.
    pub description: &'static str,
    pub(super) expansion: Expansion,
}

impl MergeTag {
    /// Whether the tag may appear in a subject (blocks may not).
    #[must_use]
    pub const fn allowed_in_subject(&self) -> bool {
        matches!(self.expansion, Expansion::Field(_))
    }
}

const fn field(name: &'static str, description: &'static str, path: &'static str) -> MergeTag {
    MergeTag { name, description, expansion: Expansion::Field(path) }
}

const fn block(name: &'static str, description: &'static str, html: &'static str, text: &'static str) -> MergeTag {
    MergeTag { name, description, expansion: Expansion::Block { html, text } }
}

const COMMON: [MergeTag; 4] = [
    field("ContactName", "the recipient's name", "contact_name"),
    field("CustomerName", "the customer's name", "customer_name"),
    field("MerchantName", "your business name", "merchant_name"),
    field("CustomerPortalLink", "the portal's sign-in address", "portal_url"),
];
const INVITATION_LINK: MergeTag = field("InvitationLink", "the invitation's single-use link", "invitation_url");
const EXPIRES_AT: MergeTag = field("ExpiresAt", "when the link expires", "expires_at");
const INVOICE_LIST: MergeTag = block("InvoiceList", "the invoices as a table", "{{> invoices}}", "{{> invoices}}");
const TOTAL: MergeTag = field("Total", "the invoices' total", "total");
const PAYMENT_METHOD: MergeTag = field("PaymentMethod", "the saved payment method", "method");

const CREDENTIALS: [MergeTag; 4] = [
    INVITATION_LINK,
    field("Username", "the username", "username"),
    field("Password", "the first password", "password"),
    EXPIRES_AT,
];
const LINK: [MergeTag; 2] = [INVITATION_LINK, EXPIRES_AT];
const RESET: [MergeTag; 2] = [field("ResetLink", "the single-use reset link", "reset_url"), EXPIRES_AT];
const REMINDER: [MergeTag; 4] = [
    INVOICE_LIST,
    TOTAL,
    field("PayLink", "the pay-with-saved-method page", "pay_url"),
    block(
        "PaymentButtons",
        "the pay-with-saved-method button",
        r#"{{> button url=pay_url label="Pay with saved method"}}"#,
        "Pay with saved method: {{pay_url}}",
    ),
];
const CONFIRMATION: [MergeTag; 6] = [
    INVOICE_LIST,
    TOTAL,
    PAYMENT_METHOD,
    field("ConfirmLink", "the confirmation page", "confirm_url"),
    block(
        "ConfirmButton",
        "the confirm-payment button",
        r#"{{> button url=confirm_url label="Confirm the payment"}}"#,
        "Confirm the payment: {{confirm_url}}",
    ),
    EXPIRES_AT,
];
const RECEIPT: [MergeTag; 4] = [
    INVOICE_LIST,
    field("Amount", "the amount paid", "amount"),
    PAYMENT_METHOD,
    field("Reference", "the payment reference", "reference"),
];
const FAILED: [MergeTag; 5] = [
    INVOICE_LIST,
    field("Amount", "the amount that did not arrive", "amount"),
    PAYMENT_METHOD,
    field("FailureReason", "why the bank returned the payment", "reason"),
    field("Reference", "the payment reference", "reference"),
];
const DOCUMENT: [MergeTag; 3] = [
    field("DocumentLink", "the document's signed link", "document_url"),
    field("DocumentKind", "\"estimate\" or \"order\"", "document_kind"),
    field("DocumentNumber", "the document's number", "document_number"),
];

/// The merge tags allowed in templates of a kind.
#[must_use]
pub fn merge_tags(kind: MailKind) -> Vec<MergeTag> {
    let specific: &[MergeTag] = match kind {
        MailKind::InvitationCredentials => &CREDENTIALS,
        MailKind::InvitationLink | MailKind::InvitationFollowUp => &LINK,
        MailKind::PasswordReset => &RESET,
        MailKind::PaymentReminder => &REMINDER,
        MailKind::PaymentConfirmationRequest => &CONFIRMATION,
        MailKind::PaymentReceipt => &RECEIPT,
        MailKind::DocumentLink => &DOCUMENT,
        MailKind::PaymentFailed => &FAILED,
    };
    COMMON.iter().chain(specific).copied().collect()
}
