//! The invitation aggregate and its state machine (DESIGN §3).
//!
//! Stored states are [`InvitationState`]; the status a person sees is a
//! function of the state and the instant asked about ([`Invitation::status`]),
//! so an open invitation becomes `expired` by itself and no sweeper is needed.
//! Every transition takes `now` and returns the event to record or a
//! [`TransitionError`]; a failed transition leaves the aggregate untouched.

mod events;
mod lifetime;
#[cfg(test)]
mod tests;

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

impl Invitation {
    /// Issues an invitation: `pending` until `now + lifetime`.
    ///
    /// # Errors
    /// An [`IssueError`] when the contact has a login, an open invitation, or
    /// declined before (unless `override_declined`).
    pub fn issue(
        new: NewInvitation,
        standing: ContactStanding,
        token: SecretToken,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Issued, IssueError> {
        if standing.has_login {
            return Err(IssueError::HasLogin);
        }
        if standing.open_invitation {
            return Err(IssueError::AlreadyInvited);
        }
        if standing.declined && !new.override_declined {
            return Err(IssueError::Declined);
        }
        let invitation = Self {
            id: new.id,
            merchant_id: new.merchant_id,
            customer_id: new.customer_id,
            contact_id: new.contact_id,
            recipient: new.recipient,
            mode: new.mode,
            state: InvitationState::Open {
                token_hash: token.hash(),
                issued_at: now,
                expires_at: new.lifetime.after(now),
            },
            retired_tokens: Vec::new(),
            created_at: now,
            last_sent_at: now,
            send_count: 1,
        };
        let event = InvitationEvent::new(new.id, EventKind::Issued, None, InvitationStatus::Pending, actor, now);
        Ok(Issued { invitation, event, token })
    }

    /// Rebuilds an invitation from storage.
    #[must_use]
    pub fn from_record(r: InvitationRecord) -> Self {
        Self {
            id: r.id,
            merchant_id: r.merchant_id,
            customer_id: r.customer_id,
            contact_id: r.contact_id,
            recipient: r.recipient,
            mode: r.mode,
            state: r.state,
            retired_tokens: r.retired_tokens,
            created_at: r.created_at,
            last_sent_at: r.last_sent_at,
            send_count: r.send_count,
        }
    }

    /// The stored fields.
    #[must_use]
    pub fn to_record(&self) -> InvitationRecord {
        InvitationRecord {
            id: self.id,
            merchant_id: self.merchant_id,
            customer_id: self.customer_id,
            contact_id: self.contact_id,
            recipient: self.recipient.clone(),
            mode: self.mode.clone(),
            state: self.state.clone(),
            retired_tokens: self.retired_tokens.clone(),
            created_at: self.created_at,
            last_sent_at: self.last_sent_at,
            send_count: self.send_count,
        }
    }

    /// The status at an instant.
    #[must_use]
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        match &self.state {
            InvitationState::Open { expires_at, .. } if now >= *expires_at => InvitationStatus::Expired,
            InvitationState::Open { .. } => InvitationStatus::Pending,
            InvitationState::Accepted { .. } => InvitationStatus::Accepted,
            InvitationState::Declined { .. } => InvitationStatus::Declined,
            InvitationState::Revoked { .. } => InvitationStatus::Revoked,
        }
    }

    /// Checks a link's token without changing anything: what the landing page
    /// shows on GET.
    ///
    /// # Errors
    /// Why the link does not work: [`TransitionError::Expired`],
    /// [`TransitionError::Replaced`], [`TransitionError::WrongToken`], or
    /// `NotAllowed` with the terminal status (used or revoked).
    pub fn check_token(&self, token: &SecretToken, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.check_token_for(EventKind::Accepted, token, now)
    }

    fn check_token_for(
        &self,
        action: EventKind,
        token: &SecretToken,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        match &self.state {
            InvitationState::Open { token_hash, expires_at, .. } => {
                if token_hash.matches(token) {
                    if now >= *expires_at { Err(TransitionError::Expired) } else { Ok(()) }
                } else if self.retired_tokens.iter().any(|h| h.matches(token)) {
                    Err(TransitionError::Replaced)
                } else {
                    Err(TransitionError::WrongToken)
                }
            }
            _ if !self.owns_token(token) => Err(TransitionError::WrongToken),
            _ => Err(TransitionError::NotAllowed { action, status: self.status(now) }),
        }
    }

    fn owns_token(&self, token: &SecretToken) -> bool {
        self.retired_tokens.iter().any(|h| h.matches(token))
    }

    /// Accepts with the newest, unexpired link token: `pending` → `accepted`.
    ///
    /// # Errors
    /// See [`check_token`](Self::check_token).
    pub fn accept(
        &mut self,
        token: &SecretToken,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<InvitationEvent, TransitionError> {
        self.check_token_for(EventKind::Accepted, token, now)?;
        Ok(self.close(EventKind::Accepted, InvitationState::Accepted { at: now }, actor, now))
    }

    /// Accepts by signing in with the emailed credentials (credentials mode);
    /// the caller has verified the password against the stored hash.
    ///
    /// # Errors
    /// `WrongMode` for a link-mode invitation; `NotAllowed` unless pending.
    pub fn accept_by_sign_in(&mut self, actor: Actor, now: DateTime<Utc>) -> Result<InvitationEvent, TransitionError> {
        if !matches!(self.mode, InvitationMode::Credentials { .. }) {
            return Err(TransitionError::WrongMode("credentials"));
        }
        self.require(EventKind::Accepted, &[InvitationStatus::Pending], now)?;
        Ok(self.close(EventKind::Accepted, InvitationState::Accepted { at: now }, actor, now))
    }

    /// Declines with the newest, unexpired link token: `pending` → `declined`.
    ///
    /// # Errors
    /// See [`check_token`](Self::check_token).
    pub fn decline(
        &mut self,
        token: &SecretToken,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<InvitationEvent, TransitionError> {
        self.check_token_for(EventKind::Declined, token, now)?;
        Ok(self.close(EventKind::Declined, InvitationState::Declined { at: now }, actor, now))
    }

    /// Revokes: `pending` or `expired` → `revoked`. Every token stops working.
    ///
    /// # Errors
    /// `NotAllowed` in any other status.
    pub fn revoke(&mut self, actor: Actor, now: DateTime<Utc>) -> Result<InvitationEvent, TransitionError> {
        self.require(EventKind::Revoked, &[InvitationStatus::Pending, InvitationStatus::Expired], now)?;
        Ok(self.close(EventKind::Revoked, InvitationState::Revoked { at: now }, actor, now))
    }

    /// Resends: `pending` or `expired` → `pending` with a new token and expiry;
    /// every earlier token stops working. In credentials mode a new password
    /// hash replaces the old one, since the emailed password is new too.
    ///
    /// # Errors
    /// `NotAllowed` unless pending or expired; `TooSoon` inside the policy's
    /// minimum interval since the last send.
    pub fn resend(
        &mut self,
        token: SecretToken,
        lifetime: InvitationLifetime,
        policy: ResendPolicy,
        new_password: Option<PasswordHash>,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Resent, TransitionError> {
        self.reissue(Reissue { token, lifetime, policy, new_password, recipient: None }, actor, now)
    }

    /// Resends with every option: as [`resend`](Self::resend), and to another
    /// address when `recipient` is given (a contact asking for a fresh link
    /// gets it at the email on file, whoever the first one went to).
    ///
    /// # Errors
    /// As [`resend`](Self::resend).
    pub fn reissue(&mut self, reissue: Reissue, actor: Actor, now: DateTime<Utc>) -> Result<Resent, TransitionError> {
        let from = self.require(EventKind::Resent, &[InvitationStatus::Pending, InvitationStatus::Expired], now)?;
        reissue.policy.check(self.last_sent_at, now)?;
        if let InvitationState::Open { token_hash, .. } = &self.state {
            self.retired_tokens.push(*token_hash);
        }
        if let (InvitationMode::Credentials { password_hash, .. }, Some(new)) = (&mut self.mode, reissue.new_password) {
            *password_hash = new;
        }
        if let Some(recipient) = reissue.recipient {
            self.recipient = recipient;
        }
        let token = reissue.token;
        self.state =
            InvitationState::Open { token_hash: token.hash(), issued_at: now, expires_at: reissue.lifetime.after(now) };
        self.last_sent_at = now;
        self.send_count = self.send_count.saturating_add(1);
        let event = InvitationEvent::new(self.id, EventKind::Resent, Some(from), InvitationStatus::Pending, actor, now);
        Ok(Resent { event, token })
    }

    fn require(
        &self,
        action: EventKind,
        allowed: &[InvitationStatus],
        now: DateTime<Utc>,
    ) -> Result<InvitationStatus, TransitionError> {
        let status = self.status(now);
        if allowed.contains(&status) { Ok(status) } else { Err(TransitionError::NotAllowed { action, status }) }
    }

    fn close(&mut self, kind: EventKind, to: InvitationState, actor: Actor, now: DateTime<Utc>) -> InvitationEvent {
        let from = self.status(now);
        if let InvitationState::Open { token_hash, .. } = &self.state {
            // Keep the hash so a used link says "used", not "unknown".
            self.retired_tokens.push(*token_hash);
        }
        self.state = to;
        InvitationEvent::new(self.id, kind, Some(from), self.status(now), actor, now)
    }

    /// Id.
    #[must_use]
    pub const fn id(&self) -> InvitationId {
        self.id
    }
    /// Merchant.
    #[must_use]
    pub const fn merchant_id(&self) -> MerchantId {
        self.merchant_id
    }
    /// The contact's customer.
    #[must_use]
    pub const fn customer_id(&self) -> CustomerId {
        self.customer_id
    }
    /// The invited contact.
    #[must_use]
    pub const fn contact_id(&self) -> ContactId {
        self.contact_id
    }
    /// Where the email goes.
    #[must_use]
    pub const fn recipient(&self) -> &EmailAddress {
        &self.recipient
    }
    /// Link or credentials.
    #[must_use]
    pub const fn mode(&self) -> &InvitationMode {
        &self.mode
    }
    /// The stored state.
    #[must_use]
    pub const fn state(&self) -> &InvitationState {
        &self.state
    }
    /// When the current token expires, while open.
    #[must_use]
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match &self.state {
            InvitationState::Open { expires_at, .. } => Some(*expires_at),
            _ => None,
        }
    }
    /// Hash of the only working token, while open.
    #[must_use]
    pub fn token_hash(&self) -> Option<TokenHash> {
        match &self.state {
            InvitationState::Open { token_hash, .. } => Some(*token_hash),
            _ => None,
        }
    }
    /// Hashes of earlier tokens.
    #[must_use]
    pub fn retired_tokens(&self) -> &[TokenHash] {
        &self.retired_tokens
    }
    /// When first issued.
    #[must_use]
    pub const fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When last issued or resent.
    #[must_use]
    pub const fn last_sent_at(&self) -> DateTime<Utc> {
        self.last_sent_at
    }
    /// Emails issued so far.
    #[must_use]
    pub const fn send_count(&self) -> u32 {
        self.send_count
    }
}
