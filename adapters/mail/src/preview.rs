//! Sample data for previews and validation: one realistic context per kind.

use portico_app::{
    DocumentLinkContext, EmailContent, InvitationCredentialsContext, InvitationLinkContext, InvoiceLine, MailCommon,
    MailKind, PasswordResetContext, PaymentConfirmationContext, PaymentFailedContext, PaymentReceiptContext,
    PaymentReminderContext,
};

/// Sample common values (a fictitious merchant and contact).
#[must_use]
pub fn sample_common() -> MailCommon {
    MailCommon {
        merchant_name: "Northwind Supplies".to_owned(),
        brand_color: "#0f766e".to_owned(),
        contact_name: "Ann Lee".to_owned(),
        customer_name: "Acme Corp".to_owned(),
        portal_url: "https://portal.example.com/portal/".to_owned(),
    }
}

fn sample_invoices() -> Vec<InvoiceLine> {
    vec![
        InvoiceLine {
            number: "INV-1042".to_owned(),
            due_date: "October 3, 2026".to_owned(),
            balance: "$1,250.00".to_owned(),
        },
        InvoiceLine {
            number: "INV-1057".to_owned(),
            due_date: "October 17, 2026".to_owned(),
            balance: "$310.40".to_owned(),
        },
    ]
}

/// Sample content of a kind, with `common` as its common values.
#[must_use]
pub fn sample_content(kind: MailKind, common: MailCommon) -> EmailContent {
    const BASE: &str = "https://portal.example.com/portal";
    let expires_at = "December 7, 2026".to_owned();
    let link = |common| InvitationLinkContext {
        common,
        invitation_url: format!("{BASE}/invitations/3q2-sample-token"),
        expires_at: expires_at.clone(),
    };
    match kind {
        MailKind::InvitationLink => EmailContent::InvitationLink(link(common)),
        MailKind::InvitationFollowUp => EmailContent::InvitationFollowUp(link(common)),
        MailKind::InvitationCredentials => EmailContent::InvitationCredentials(InvitationCredentialsContext {
            common,
            invitation_url: format!("{BASE}/invitations/3q2-sample-token"),
            username: "ann.lee@acme.example".to_owned(),
            password: "q7TzR2mWx9".to_owned(),
            expires_at,
        }),
        MailKind::PasswordReset => EmailContent::PasswordReset(PasswordResetContext {
            common,
            reset_url: format!("{BASE}/reset/8fk-sample-token"),
            expires_at,
        }),
        MailKind::PaymentReminder => EmailContent::PaymentReminder(PaymentReminderContext {
            common,
            invoices: sample_invoices(),
            total: "$1,560.40".to_owned(),
            pay_url: format!("{BASE}/pay/k2d-sample-token"),
        }),
        MailKind::PaymentConfirmationRequest => EmailContent::PaymentConfirmationRequest(PaymentConfirmationContext {
            common,
            invoices: sample_invoices(),
            total: "$1,560.40".to_owned(),
            method: "Visa •••• 4242".to_owned(),
            confirm_url: format!("{BASE}/pay/confirm/p9x-sample-token"),
            expires_at,
        }),
        MailKind::PaymentReceipt => EmailContent::PaymentReceipt(PaymentReceiptContext {
            common,
            invoices: sample_invoices(),
            amount: "$1,560.40".to_owned(),
            method: "Visa •••• 4242".to_owned(),
            reference: "ch_3PZx81sample".to_owned(),
        }),
        MailKind::PaymentFailed => EmailContent::PaymentFailed(PaymentFailedContext {
            common,
            invoices: sample_invoices(),
            amount: "$1,560.40".to_owned(),
            method: "Sandbox Test Bank •••• 6789".to_owned(),
            reason: "insufficient funds (R01)".to_owned(),
            reference: "ch_3PZx81sample".to_owned(),
        }),
        MailKind::DocumentLink => EmailContent::DocumentLink(DocumentLinkContext {
            common,
            document_kind: "estimate".to_owned(),
            document_number: "EST-2207".to_owned(),
            document_url: format!("{BASE}/documents/estimate/EST-2207?sig=sample"),
        }),
    }
}
