//! The invitation aggregate and its state machine (ARCHITECTURE.md, "The
//! invitation state machine"); the transitions are in `transitions`.
//!
//! Stored states are [`InvitationState`]; the status a person sees is a
//! function of the state and the instant asked about ([`Invitation::status`]),
//! so an open invitation becomes `expired` by itself and no sweeper is needed.
//! Every transition takes `now` and returns the event to record or a
//! [`TransitionError`]; a failed transition leaves the aggregate untouched.

mod accessors;
mod events;
mod lifetime;
#[cfg(test)]
mod tests;
mod transitions;

use chrono::{DateTime, Utc};

pub use events::{Actor, EventKind, InvitationEvent};
pub use lifetime::{InvitationLifetime, LifetimeError, ResendPolicy};

use crate::{
    ContactId, CustomerId, EmailAddress, InvitationId, MerchantId, PasswordHash, SecretToken, TokenHash, Username,
};

/// The status a person sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent and still valid.
    Pending,
    /// The contact accepted: terminal.
    Accepted,
    /// The contact declined.
    Declined,
    /// Sent, and its expiry time has passed; can be resent.
    Expired,
    /// Withdrawn by staff.
    Revoked,
}

impl InvitationStatus {
    /// The lower-case name used in the API and storage.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl std::fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the invited person gets in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvitationMode {
    /// A single-use registration link; the person chooses a password.
    Link,
    /// A username and a generated password were emailed; the password must be
    /// changed at first sign-in.
    Credentials {
        /// The generated username.
        username: Username,
        /// The argon2id hash of the generated password.
        password_hash: PasswordHash,
    },
}

/// What storage keeps of an invitation's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvitationState {
    /// Sent; pending until `expires_at`, expired after.
    Open {
        /// Hash of the only token that works.
        token_hash: TokenHash,
        /// When that token was issued.
        issued_at: DateTime<Utc>,
        /// When it stops working.
        expires_at: DateTime<Utc>,
    },
    /// Accepted (terminal).
    Accepted {
        /// When.
        at: DateTime<Utc>,
    },
    /// Declined by the contact.
    Declined {
        /// When.
        at: DateTime<Utc>,
    },
    /// Revoked by staff.
    Revoked {
        /// When.
        at: DateTime<Utc>,
    },
}

/// A transition that cannot happen. The aggregate is unchanged when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action is not allowed in the current status.
    #[error("cannot {action} an invitation that is {status}")]
    NotAllowed {
        /// What was attempted.
        action: EventKind,
        /// The status at that instant.
        status: InvitationStatus,
    },
    /// The link's token has expired.
    #[error("this invitation link has expired")]
    Expired,
    /// A newer link was sent; this one no longer works.
    #[error("a newer invitation link replaced this one")]
    Replaced,
    /// The token was never issued for this invitation.
    #[error("the link does not belong to this invitation")]
    WrongToken,
    /// Resent too recently.
    #[error("the invitation was sent less than {min_interval_secs} seconds ago")]
    TooSoon {
        /// The policy's minimum interval.
        min_interval_secs: i64,
    },
    /// Signing in with credentials on a link-mode invitation, or the reverse.
    #[error("this invitation is not in {0} mode")]
    WrongMode(&'static str),
}

/// Why an invitation cannot be issued to a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The contact already has a login.
    #[error("the contact already has a portal login")]
    HasLogin,
    /// The contact has an open (pending or expired) invitation: resend it instead.
    #[error("the contact already has an open invitation; resend it instead")]
    AlreadyInvited,
    /// The contact declined, and no override was given.
    #[error("the contact declined an earlier invitation")]
    Declined,
}

/// What the rules need to know about a contact before issuing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContactStanding {
    /// The contact's email already has a login that reaches this customer.
    pub has_login: bool,
    /// The contact has an invitation in the `Open` state (pending or expired).
    pub open_invitation: bool,
    /// The contact's latest invitation was declined.
    pub declined: bool,
}

/// Everything needed to issue an invitation, besides the token and time.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    /// The id to give it.
    pub id: InvitationId,
    /// The merchant.
    pub merchant_id: MerchantId,
    /// The contact's customer.
    pub customer_id: CustomerId,
    /// The invited contact.
    pub contact_id: ContactId,
    /// The address the email goes to: the contact's own or one staff typed.
    pub recipient: EmailAddress,
    /// Link or credentials.
    pub mode: InvitationMode,
    /// How long each token lives.
    pub lifetime: InvitationLifetime,
    /// Issue even though the contact declined before.
    pub override_declined: bool,
}

/// A freshly issued invitation, its event, and the plain token, handed out
/// exactly once for the email.
#[derive(Debug)]
pub struct Issued {
    /// The aggregate to store.
    pub invitation: Invitation,
    /// The audit event to store with it.
    pub event: InvitationEvent,
    /// The plain token for the email; storage never sees it.
    pub token: SecretToken,
}

/// A resent invitation's event and its new plain token.
#[derive(Debug)]
pub struct Resent {
    /// The audit event.
    pub event: InvitationEvent,
    /// The new plain token for the email.
    pub token: SecretToken,
}

/// Everything a resend may change.
#[derive(Debug)]
pub struct Reissue {
    /// The new token.
    pub token: SecretToken,
    /// Its lifetime.
    pub lifetime: InvitationLifetime,
    /// The per-contact rate limit.
    pub policy: ResendPolicy,
    /// In credentials mode, the hash of the newly generated password.
    pub new_password: Option<PasswordHash>,
    /// Another address to send to, if any.
    pub recipient: Option<EmailAddress>,
}

/// An invitation of one contact to the portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    id: InvitationId,
    merchant_id: MerchantId,
    customer_id: CustomerId,
    contact_id: ContactId,
    recipient: EmailAddress,
    mode: InvitationMode,
    state: InvitationState,
    retired_tokens: Vec<TokenHash>,
    created_at: DateTime<Utc>,
    last_sent_at: DateTime<Utc>,
    send_count: u32,
}

/// The stored fields of an invitation, for adapters that rebuild one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationRecord {
    /// Id.
    pub id: InvitationId,
    /// Merchant.
    pub merchant_id: MerchantId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Contact.
    pub contact_id: ContactId,
    /// Recipient address.
    pub recipient: EmailAddress,
    /// Mode.
    pub mode: InvitationMode,
    /// Stored state.
    pub state: InvitationState,
    /// Hashes of every earlier token of this invitation.
    pub retired_tokens: Vec<TokenHash>,
    /// First issue.
    pub created_at: DateTime<Utc>,
    /// Latest issue or resend.
    pub last_sent_at: DateTime<Utc>,
    /// How many emails were issued (1 + resends).
    pub send_count: u32,
}
