//! Who can be invited, and why the others are skipped: one pure function over
//! the candidates, the chosen mode and recipient, and the usernames in use.

use std::collections::HashSet;

use crate::credentials::{self, CredentialSource, MissingField, PasswordPattern, UsernamePattern};
use crate::{Contact, ContactEmail, ContactId, ContactStanding, Customer, EmailAddress, Username};

/// Why a contact was not invited. The `snake_case` names are the public API's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// No email on file (and none given by staff).
    MissingEmail,
    /// The chosen pattern needs a phone number.
    MissingPhone,
    /// The chosen pattern needs a customer number.
    MissingCustomerNumber,
    /// The contact already has a login.
    HasLogin,
    /// The contact already has an open invitation (or was listed twice).
    AlreadyInvited,
    /// The contact declined an earlier invitation.
    Declined,
    /// The generated username belongs to someone else.
    UsernameTaken,
    /// The email on file is not a valid address.
    InvalidEmail,
}

impl SkipReason {
    /// Every reason, in report order.
    pub const ALL: [Self; 8] = [
        Self::MissingEmail,
        Self::MissingPhone,
        Self::MissingCustomerNumber,
        Self::HasLogin,
        Self::AlreadyInvited,
        Self::Declined,
        Self::UsernameTaken,
        Self::InvalidEmail,
    ];

    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::MissingEmail => "missing_email",
            Self::MissingPhone => "missing_phone",
            Self::MissingCustomerNumber => "missing_customer_number",
            Self::HasLogin => "has_login",
            Self::AlreadyInvited => "already_invited",
            Self::Declined => "declined",
            Self::UsernameTaken => "username_taken",
            Self::InvalidEmail => "invalid_email",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Link (default) or credentials with the chosen patterns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum InviteMode {
    /// A registration link.
    #[default]
    Link,
    /// A generated username and password.
    Credentials {
        /// Where the username comes from.
        username: UsernamePattern,
        /// Where the password comes from.
        password: PasswordPattern,
    },
}

/// Where the invitation email goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Recipient {
    /// The contact's own email.
    #[default]
    ContactEmail,
    /// Another address staff typed (to try the experience on themselves).
    Other(EmailAddress),
}

/// The choices staff made for a send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvitePlan {
    /// Link or credentials.
    pub mode: InviteMode,
    /// Where emails go.
    pub recipient: Recipient,
    /// Invite contacts who declined before.
    pub override_declined: bool,
}

/// One contact to consider, with its customer and standing.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The contact's customer.
    pub customer: &'a Customer,
    /// The contact.
    pub contact: &'a Contact,
    /// Login and invitation facts.
    pub standing: ContactStanding,
}

impl Candidate<'_> {
    /// The data credential patterns draw from.
    #[must_use]
    pub fn credential_source(&self) -> CredentialSource<'_> {
        CredentialSource {
            email: self.contact.email.valid(),
            phone: self.contact.phone.as_ref(),
            customer_number: self.customer.customer_number.as_ref(),
            erp_id: &self.customer.erp_id,
        }
    }
}

/// The outcome for one contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Invite, sending to `recipient`; `username` in credentials mode.
    Invite {
        /// Where the email goes.
        recipient: EmailAddress,
        /// The username to create, in credentials mode.
        username: Option<Username>,
    },
    /// Skip, for this reason.
    Skip(SkipReason),
}

/// Decides, for each candidate in order, whether it is invited and, if not,
/// why. `username_taken` says whether a username already belongs to a login
/// or a pending invitation of the merchant; usernames handed out earlier in
/// the same call count as taken too, so a send never assigns one twice.
pub fn assess(
    candidates: &[Candidate<'_>],
    plan: &InvitePlan,
    username_taken: &dyn Fn(&Username) -> bool,
) -> Vec<(ContactId, Verdict)> {
    let mut seen: HashSet<ContactId> = HashSet::with_capacity(candidates.len());
    let mut assigned: HashSet<Username> = HashSet::new();
    candidates
        .iter()
        .map(|c| {
            let verdict = if seen.insert(c.contact.id) {
                assess_one(c, plan, username_taken, &mut assigned)
            } else {
                Verdict::Skip(SkipReason::AlreadyInvited)
            };
            (c.contact.id, verdict)
        })
        .collect()
}

fn assess_one(
    c: &Candidate<'_>,
    plan: &InvitePlan,
    username_taken: &dyn Fn(&Username) -> bool,
    assigned: &mut HashSet<Username>,
) -> Verdict {
    if c.standing.has_login {
        return Verdict::Skip(SkipReason::HasLogin);
    }
    if c.standing.open_invitation {
        return Verdict::Skip(SkipReason::AlreadyInvited);
    }
    if c.standing.declined && !plan.override_declined {
        return Verdict::Skip(SkipReason::Declined);
    }
    let recipient = match (&plan.recipient, &c.contact.email) {
        (Recipient::Other(email), _) | (Recipient::ContactEmail, ContactEmail::Valid(email)) => email.clone(),
        (Recipient::ContactEmail, ContactEmail::Missing) => return Verdict::Skip(SkipReason::MissingEmail),
        (Recipient::ContactEmail, ContactEmail::Invalid { .. }) => return Verdict::Skip(SkipReason::InvalidEmail),
    };
    let username = match plan.mode {
        InviteMode::Link => None,
        InviteMode::Credentials { username, password } => match credentials_for(c, username, password) {
            Ok(name) if username_taken(&name) || !assigned.insert(name.clone()) => {
                return Verdict::Skip(SkipReason::UsernameTaken);
            }
            Ok(name) => Some(name),
            Err(missing) => return Verdict::Skip(skip_for_missing(missing, &c.contact.email)),
        },
    };
    Verdict::Invite { recipient, username }
}

fn credentials_for(
    c: &Candidate<'_>,
    username: UsernamePattern,
    password: PasswordPattern,
) -> Result<Username, MissingField> {
    let source = c.credential_source();
    let name = credentials::username(username, &source)?;
    credentials::requirement(password, &source)?;
    Ok(name)
}

fn skip_for_missing(missing: MissingField, email: &ContactEmail) -> SkipReason {
    match (missing, email) {
        // An invalid email is a different fix for staff than a missing one.
        (MissingField::Email, ContactEmail::Invalid { .. }) => SkipReason::InvalidEmail,
        (m, _) => m.as_skip_reason(),
    }
}

#[cfg(test)]
mod tests;
