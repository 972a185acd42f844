//! Invitations, their tokens and audit events.

use chrono::{DateTime, Utc};
use portico_app::RepositoryError;
use portico_domain::{
    Actor, ContactId, CustomerId, EmailAddress, EventKind, Invitation, InvitationEvent, InvitationId, InvitationMode,
    InvitationRecord, InvitationState, MerchantId, PasswordHash, StaffUserId, TokenHash, Username,
};
use sea_orm::ActiveValue::{NotSet, Set};

use super::status_from_str;
use crate::entity::{invitation_events, invitation_tokens, invitations};
use crate::error::corrupt;

const T: &str = "invitations";

pub(crate) fn invitation_to_model(inv: &Invitation) -> invitations::Model {
    let (mode, username, password_hash) = match inv.mode() {
        InvitationMode::Link => ("link", None, None),
        InvitationMode::Credentials { username, password_hash } => {
            ("credentials", Some(username.as_str().to_owned()), Some(password_hash.as_phc().to_owned()))
        }
    };
    let (state, token_hash, issued_at, expires_at, closed_at) = match inv.state() {
        InvitationState::Open { token_hash, issued_at, expires_at } => {
            ("open", Some(token_hash.to_hex()), Some(*issued_at), Some(*expires_at), None)
        }
        InvitationState::Accepted { at } => ("accepted", None, None, None, Some(*at)),
        InvitationState::Declined { at } => ("declined", None, None, None, Some(*at)),
        InvitationState::Revoked { at } => ("revoked", None, None, None, Some(*at)),
    };
    invitations::Model {
        id: inv.id().as_uuid(),
        merchant_id: inv.merchant_id().as_uuid(),
        customer_id: inv.customer_id().as_uuid(),
        contact_id: inv.contact_id().as_uuid(),
        recipient: inv.recipient().as_str().to_owned(),
        mode: mode.to_owned(),
        username,
        password_hash,
        state: state.to_owned(),
        token_hash,
        issued_at,
        expires_at,
        closed_at,
        created_at: inv.created_at(),
        last_sent_at: inv.last_sent_at(),
        send_count: i32::try_from(inv.send_count()).unwrap_or(i32::MAX),
        batch_id: None,
    }
}

/// Every token hash the invitation ever issued, oldest first, with its position.
pub(crate) fn token_rows(inv: &Invitation) -> Vec<invitation_tokens::Model> {
    inv.retired_tokens()
        .iter()
        .copied()
        .chain(inv.token_hash())
        .enumerate()
        .map(|(i, h)| invitation_tokens::Model {
            token_hash: h.to_hex(),
            invitation_id: inv.id().as_uuid(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
        })
        .collect()
}

/// Rebuilds an invitation from its row and its token hashes (oldest first).
pub(crate) fn invitation_from_model(m: invitations::Model, tokens: &[String]) -> Result<Invitation, RepositoryError> {
    let hash = |s: &str| TokenHash::from_hex(s).map_err(|e| corrupt(T, "token_hash", e));
    let mode = match (m.mode.as_str(), m.username, m.password_hash) {
        ("link", _, _) => InvitationMode::Link,
        ("credentials", Some(u), Some(p)) => InvitationMode::Credentials {
            username: Username::parse(&u).map_err(|e| corrupt(T, "username", e))?,
            password_hash: PasswordHash::from_phc(p),
        },
        (other, _, _) => return Err(corrupt(T, "mode", other)),
    };
    let closed = |at: Option<DateTime<Utc>>| at.ok_or_else(|| corrupt(T, "closed_at", "missing"));
    let state = match m.state.as_str() {
        "open" => match (m.token_hash.as_deref(), m.issued_at, m.expires_at) {
            (Some(h), Some(issued_at), Some(expires_at)) => {
                InvitationState::Open { token_hash: hash(h)?, issued_at, expires_at }
            }
            _ => return Err(corrupt(T, "token_hash", "an open invitation lacks its token")),
        },
        "accepted" => InvitationState::Accepted { at: closed(m.closed_at)? },
        "declined" => InvitationState::Declined { at: closed(m.closed_at)? },
        "revoked" => InvitationState::Revoked { at: closed(m.closed_at)? },
        other => return Err(corrupt(T, "state", other)),
    };
    let retired = tokens
        .iter()
        .filter(|t| Some(t.as_str()) != m.token_hash.as_deref())
        .map(|t| hash(t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Invitation::from_record(InvitationRecord {
        id: InvitationId::from_uuid(m.id),
        merchant_id: MerchantId::from_uuid(m.merchant_id),
        customer_id: CustomerId::from_uuid(m.customer_id),
        contact_id: ContactId::from_uuid(m.contact_id),
        recipient: EmailAddress::parse(&m.recipient).map_err(|e| corrupt(T, "recipient", e))?,
        mode,
        state,
        retired_tokens: retired,
        created_at: m.created_at,
        last_sent_at: m.last_sent_at,
        send_count: u32::try_from(m.send_count).map_err(|e| corrupt(T, "send_count", e))?,
    }))
}

pub(crate) fn event_to_active(merchant: MerchantId, e: &InvitationEvent) -> invitation_events::ActiveModel {
    let (actor_type, actor_id) = match e.actor {
        Actor::Staff(id) => ("staff", Some(id.as_uuid())),
        Actor::Contact(id) => ("contact", Some(id.as_uuid())),
        Actor::System => ("system", None),
    };
    invitation_events::ActiveModel {
        id: NotSet,
        merchant_id: Set(merchant.as_uuid()),
        invitation_id: Set(e.invitation_id.as_uuid()),
        kind: Set(e.kind.as_str().to_owned()),
        from_status: Set(e.from.map(|s| s.as_str().to_owned())),
        to_status: Set(e.to.as_str().to_owned()),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        at: Set(e.at),
    }
}

pub(crate) fn event_from_model(m: invitation_events::Model) -> Result<InvitationEvent, RepositoryError> {
    const E: &str = "invitation_events";
    let kind = match m.kind.as_str() {
        "issued" => EventKind::Issued,
        "resent" => EventKind::Resent,
        "accepted" => EventKind::Accepted,
        "declined" => EventKind::Declined,
        "revoked" => EventKind::Revoked,
        other => return Err(corrupt(E, "kind", other)),
    };
    let actor = match (m.actor_type.as_str(), m.actor_id) {
        ("staff", Some(id)) => Actor::Staff(StaffUserId::from_uuid(id)),
        ("contact", Some(id)) => Actor::Contact(ContactId::from_uuid(id)),
        ("system", None) => Actor::System,
        (other, _) => return Err(corrupt(E, "actor_type", other)),
    };
    Ok(InvitationEvent {
        invitation_id: InvitationId::from_uuid(m.invitation_id),
        kind,
        from: m.from_status.as_deref().map(|s| status_from_str(E, s)).transpose()?,
        to: status_from_str(E, &m.to_status)?,
        actor,
        at: m.at,
    })
}

/// The stored form of a token hash.
pub(crate) fn token_key(hash: &TokenHash) -> String {
    hash.to_hex()
}
