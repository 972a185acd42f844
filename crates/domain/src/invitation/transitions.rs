//! The state machine: issuing, checking a link, and each transition. Every
//! transition takes `now` and returns the event to record, or a
//! [`TransitionError`] that leaves the invitation untouched.

use chrono::{DateTime, Utc};

use super::{
    Actor, ContactStanding, EventKind, Invitation, InvitationEvent, InvitationLifetime, InvitationMode,
    InvitationState, InvitationStatus, IssueError, Issued, NewInvitation, Reissue, ResendPolicy, Resent,
    TransitionError,
};
use crate::{PasswordHash, SecretToken};

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
        let from = self.can_reissue(reissue.policy, now)?;
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

    /// Whether a resend would be allowed now, without changing anything: so
    /// a caller can refuse before it does costly work for the resend (hash a
    /// new password). Answers the status the resend would start from.
    ///
    /// # Errors
    /// As [`resend`](Self::resend): `NotAllowed` unless pending or expired,
    /// `TooSoon` inside the policy's minimum interval.
    pub fn can_reissue(&self, policy: ResendPolicy, now: DateTime<Utc>) -> Result<InvitationStatus, TransitionError> {
        let from = self.require(EventKind::Resent, &[InvitationStatus::Pending, InvitationStatus::Expired], now)?;
        policy.check(self.last_sent_at, now)?;
        Ok(from)
    }

    /// Whether `token` is the one working link of this invitation (not a
    /// retired one), whatever the invitation's status.
    #[must_use]
    pub fn is_current_token(&self, token: &SecretToken) -> bool {
        self.token_hash().is_some_and(|h| h.matches(token))
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
}
