//! Audit events: who moved an invitation from what to what, and when.

use chrono::{DateTime, Utc};

use super::InvitationStatus;
use crate::{ContactId, InvitationId, StaffUserId};

/// Who caused a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Actor {
    /// A member of the merchant's staff (console or API key).
    Staff(StaffUserId),
    /// The invited contact, from a portal page.
    Contact(ContactId),
    /// Portico itself (a batch, a scheduled resend).
    System,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// First sent.
    Issued,
    /// Sent again with a new token.
    Resent,
    /// Accepted by the contact.
    Accepted,
    /// Declined by the contact.
    Declined,
    /// Withdrawn by staff.
    Revoked,
}

impl EventKind {
    /// The lower-case name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Resent => "resent",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Revoked => "revoked",
        }
    }

    /// The verb, for error messages ("cannot accept ...").
    #[must_use]
    pub const fn verb(&self) -> &'static str {
        match self {
            Self::Issued => "issue",
            Self::Resent => "resend",
            Self::Accepted => "accept",
            Self::Declined => "decline",
            Self::Revoked => "revoke",
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.verb())
    }
}

/// One entry of an invitation's audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationEvent {
    /// The invitation.
    pub invitation_id: InvitationId,
    /// What happened.
    pub kind: EventKind,
    /// Status before (`None` when issued).
    pub from: Option<InvitationStatus>,
    /// Status after.
    pub to: InvitationStatus,
    /// Who did it.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
}

impl InvitationEvent {
    pub(super) const fn new(
        invitation_id: InvitationId,
        kind: EventKind,
        from: Option<InvitationStatus>,
        to: InvitationStatus,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Self {
        Self { invitation_id, kind, from, to, actor, at }
    }
}
