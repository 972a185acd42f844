//! A starting point per kind for the template editor, in merge-tag form: the
//! same wording as the defaults, so editing starts from something that works.

use portico_app::{MailKind, TemplateSource};

/// The editable starting template of a kind (it always validates).
#[must_use]
pub fn starter_source(kind: MailKind) -> TemplateSource {
    let (subject, paragraphs, action) = match kind {
        MailKind::InvitationCredentials => (
            "Your [MerchantName] customer portal account",
            "[MerchantName] has opened a customer portal for [CustomerName]. There you can see your open invoices, \
             estimates and orders, and pay online.\n\nUsername: [Username]\nPassword: [Password]\n\nYou will choose a \
             new password when you first sign in. This invitation expires on [ExpiresAt].",
            "Open the invitation: [InvitationLink]",
        ),
        MailKind::InvitationLink => (
            "[MerchantName] invites you to its customer portal",
            "[MerchantName] invites you to its customer portal for [CustomerName]. There you can see your open \
             invoices, estimates and orders, and pay online.\n\nAccept the invitation and choose your password. The \
             link works once and expires on [ExpiresAt].",
            "Accept the invitation: [InvitationLink]",
        ),
        MailKind::InvitationFollowUp => (
            "Reminder: your invitation to the [MerchantName] portal",
            "A reminder: [MerchantName] invited you to its customer portal for [CustomerName], and the invitation is \
             still waiting for you. The link works once and expires on [ExpiresAt].",
            "Accept the invitation: [InvitationLink]",
        ),
        MailKind::PasswordReset => (
            "Reset your [MerchantName] portal password",
            "Someone asked to reset the password of your [MerchantName] customer portal account. The link works once \
             and expires on [ExpiresAt]. If you did not ask for this, ignore this email.",
            "Choose a new password: [ResetLink]",
        ),
        MailKind::PaymentReminder => (
            "[CustomerName]: [Total] past due to [MerchantName]",
            "These invoices of [CustomerName] are past due:\n\n[InvoiceList]\n\nTotal due: [Total]",
            "[PaymentButtons]",
        ),
        MailKind::PaymentConfirmationRequest => (
            "Confirm your payment of [Total] to [MerchantName]",
            "Please confirm this payment for [CustomerName]:\n\n[InvoiceList]\n\nTotal: [Total], paid with \
             [PaymentMethod]. The link expires on [ExpiresAt].",
            "[ConfirmButton]",
        ),
        MailKind::PaymentReceipt => (
            "Receipt: [Amount] paid to [MerchantName]",
            "Thank you: we received [Amount] from [CustomerName], paid with [PaymentMethod].\n\n[InvoiceList]\n\n\
             Payment reference: [Reference]",
            "Your payment history: [CustomerPortalLink]",
        ),
        MailKind::PaymentFailed => (
            "Your payment of [Amount] to [MerchantName] did not go through",
            "Your payment of [Amount] for [CustomerName], made with [PaymentMethod], was returned by the bank: \
             [FailureReason]. These invoices are open again:\n\n[InvoiceList]\n\nPayment reference: [Reference]",
            "Pay them again in the portal: [CustomerPortalLink]",
        ),
        MailKind::DocumentLink => (
            "[MerchantName] sent you [DocumentKind] [DocumentNumber]",
            "[MerchantName] sent [CustomerName] [DocumentKind] [DocumentNumber].",
            "Open it: [DocumentLink]",
        ),
    };
    let text = format!("Hello [ContactName],\n\n{paragraphs}\n\n{action}\n");
    let html =
        text.trim_end()
            .split("\n\n")
            .map(|p| {
                if p.starts_with("[InvoiceList]") {
                    p.to_owned()
                } else {
                    format!("<p>{}</p>", p.replace('\n', "<br>"))
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    TemplateSource { subject: subject.to_owned(), html: format!("{html}\n"), text }
}
