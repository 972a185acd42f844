//! The email an invitation sends, built the same way on first issue and on
//! every resend.

use chrono::{DateTime, Utc};
use portico_domain::credentials::GeneratedPassword;
use portico_domain::{Invitation, InvitationMode, SecretToken};

use crate::{EmailContent, InvitationCredentialsContext, InvitationLinkContext, MailCommon, Merchant};

/// Who the email is about.
#[derive(Clone, Copy, Debug)]
pub struct Addressee<'a> {
    /// The customer's name.
    pub customer_name: &'a str,
    /// The contact's name.
    pub contact_name: &'a str,
}

/// The link a token opens.
#[must_use]
pub fn invitation_url(public_url: &str, token: &SecretToken) -> String {
    format!("{}/portal/invitations/{}", public_url.trim_end_matches('/'), token.expose())
}

/// The email content: credentials when a password was generated, else the link.
#[must_use]
pub fn content(
    merchant: &Merchant,
    public_url: &str,
    to: Addressee<'_>,
    invitation: &Invitation,
    token: &SecretToken,
    password: Option<&GeneratedPassword>,
    now: DateTime<Utc>,
) -> EmailContent {
    let common = MailCommon {
        merchant_name: merchant.settings.brand_name.clone(),
        brand_color: merchant.settings.brand_color.clone(),
        contact_name: to.contact_name.to_owned(),
        customer_name: to.customer_name.to_owned(),
        portal_url: format!("{}/portal/", public_url.trim_end_matches('/')),
    };
    let invitation_url = invitation_url(public_url, token);
    let expires_at = invitation.expires_at().unwrap_or(now).format("%B %-d, %Y").to_string();
    match (invitation.mode(), password) {
        (InvitationMode::Credentials { username, .. }, Some(password)) => {
            EmailContent::InvitationCredentials(InvitationCredentialsContext {
                common,
                invitation_url,
                username: username.to_string(),
                password: password.expose().to_owned(),
                expires_at,
            })
        }
        _ => EmailContent::InvitationLink(InvitationLinkContext { common, invitation_url, expires_at }),
    }
}
