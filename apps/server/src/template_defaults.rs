//! The built-in templates in merge-tag form, as the editor shows them before
//! a merchant changes anything.

use portico_app::{MailKind, TemplateSource};

/// Subject, the paragraph of what happened, and the call to action (HTML, text).
const fn parts(kind: MailKind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        MailKind::InvitationLink => (
            "[MerchantName] invites you to its customer portal",
            "[MerchantName] invites you to its customer portal, where you can see the open invoices, estimates and orders of [CustomerName] and pay them online.",
            "<p><a href=\"[InvitationLink]\">Accept the invitation</a> and choose your password. The link works once and expires on [ExpiresAt].</p>",
            "Accept the invitation and choose your password. The link works once and expires on [ExpiresAt]:\n[InvitationLink]",
        ),
        MailKind::InvitationFollowUp => (
            "Reminder: your invitation to the [MerchantName] portal",
            "A reminder: [MerchantName] invited you to its customer portal, where you can see and pay the invoices of [CustomerName] online.",
            "<p><a href=\"[InvitationLink]\">Accept the invitation</a> before [ExpiresAt].</p>",
            "Accept the invitation before [ExpiresAt]:\n[InvitationLink]",
        ),
        MailKind::InvitationCredentials => (
            "Your [MerchantName] customer portal account",
            "[MerchantName] opened a customer portal account where you can see and pay the invoices of [CustomerName] online.",
            "<p>Username: [Username]<br>Password: [Password]</p><p><a href=\"[InvitationLink]\">Sign in</a> before [ExpiresAt]; you will choose a new password first.</p>",
            "Username: [Username]\nPassword: [Password]\n\nSign in before [ExpiresAt]; you will choose a new password first:\n[InvitationLink]",
        ),
        MailKind::PasswordReset => (
            "Reset your [MerchantName] portal password",
            "Someone asked to reset your password for the [MerchantName] portal. If it was not you, ignore this email.",
            "<p><a href=\"[ResetLink]\">Choose a new password</a>. The link expires on [ExpiresAt].</p>",
            "Choose a new password (the link expires on [ExpiresAt]):\n[ResetLink]",
        ),
        MailKind::PaymentReminder => (
            "[CustomerName]: [Total] past due to [MerchantName]",
            "These invoices of [CustomerName] are past due, [Total] in all.",
            "[InvoiceList]\n[PaymentButtons]",
            "[InvoiceList]\n[PaymentButtons]",
        ),
        MailKind::PaymentConfirmationRequest => (
            "Confirm your payment of [Total] to [MerchantName]",
            "Please confirm the payment of [Total] with [PaymentMethod] for these invoices.",
            "[InvoiceList]\n[ConfirmButton]\n<p>The link expires on [ExpiresAt].</p>",
            "[InvoiceList]\n[ConfirmButton]\nThe link expires on [ExpiresAt].",
        ),
        MailKind::PaymentReceipt => (
            "Receipt: [Amount] paid to [MerchantName]",
            "Thank you: [MerchantName] received [Amount] from [CustomerName] by [PaymentMethod] (reference [Reference]).",
            "[InvoiceList]",
            "[InvoiceList]",
        ),
        MailKind::DocumentLink => (
            "[MerchantName] sent you [DocumentKind] [DocumentNumber]",
            "[MerchantName] sent [CustomerName] [DocumentKind] [DocumentNumber].",
            "<p><a href=\"[DocumentLink]\">Open [DocumentKind] [DocumentNumber]</a></p>",
            "Open it here:\n[DocumentLink]",
        ),
        MailKind::PaymentFailed => (
            "Your payment of [Amount] to [MerchantName] did not go through",
            "The bank returned your payment of [Amount] by [PaymentMethod] (reference [Reference]): [FailureReason]. These invoices of [CustomerName] are open again.",
            "[InvoiceList]",
            "[InvoiceList]",
        ),
    }
}

/// The built-in template of a kind in merge-tag form.
#[must_use]
pub fn default_source(kind: MailKind) -> TemplateSource {
    let (subject, what, action_html, action_text) = parts(kind);
    TemplateSource {
        subject: subject.to_owned(),
        html: format!(
            "<p>Hello [ContactName],</p>\n<p>{what}</p>\n{action_html}\n<p>Your portal: [CustomerPortalLink]</p>"
        ),
        text: format!("Hello [ContactName],\n\n{what}\n\n{action_text}\n\nYour portal: [CustomerPortalLink]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_compiles_with_the_mail_adapters_merge_tags() {
        for kind in MailKind::ALL {
            let source = default_source(kind);
            if let Err(e) = portico_mail::compile_source(kind, &source) {
                panic!("{}: {e}", kind.as_str());
            }
        }
    }
}
