//! Reading an invitation, and rebuilding one from what storage keeps.

use chrono::{DateTime, Utc};

use super::{Invitation, InvitationMode, InvitationRecord, InvitationState};
use crate::{ContactId, CustomerId, EmailAddress, InvitationId, MerchantId, TokenHash};

impl Invitation {
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
