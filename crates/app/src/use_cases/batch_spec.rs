//! How a bulk request is written into a batch, so any worker (after a
//! restart, on another instance) can carry it on.

use portico_domain::{Actor, ContactId, CustomerId, EmailAddress, InviteMode, InvitePlan, Recipient};
use serde::{Deserialize, Serialize};

use crate::{BatchSpec, Selection};

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum SelectionDoc {
    Contacts { ids: Vec<ContactId> },
    Customers { ids: Vec<CustomerId> },
    All,
}

#[derive(Serialize, Deserialize)]
struct PlanDoc {
    mode: InviteMode,
    recipient: Option<EmailAddress>,
    override_declined: bool,
    actor: Actor,
}

/// A batch spec that does not decode: written by an incompatible version.
#[derive(Debug, thiserror::Error)]
#[error("the batch's stored request cannot be read: {0}")]
pub struct SpecError(#[from] serde_json::Error);

/// Encodes a request.
///
/// # Errors
/// Never in practice: every field serialises.
pub fn encode(selection: &Selection, plan: &InvitePlan, actor: Actor) -> Result<BatchSpec, SpecError> {
    let selection = match selection {
        Selection::Contacts(ids) => SelectionDoc::Contacts { ids: ids.clone() },
        Selection::Customers(ids) => SelectionDoc::Customers { ids: ids.clone() },
        Selection::All => SelectionDoc::All,
    };
    let recipient = match &plan.recipient {
        Recipient::ContactEmail => None,
        Recipient::Other(email) => Some(email.clone()),
    };
    let plan = PlanDoc { mode: plan.mode, recipient, override_declined: plan.override_declined, actor };
    Ok(BatchSpec { plan: serde_json::to_value(plan)?, selection: serde_json::to_value(selection)? })
}

/// Decodes a stored request.
///
/// # Errors
/// [`SpecError`] when the stored JSON has another shape.
pub fn decode(spec: &BatchSpec) -> Result<(Selection, InvitePlan, Actor), SpecError> {
    let selection = match serde_json::from_value(spec.selection.clone())? {
        SelectionDoc::Contacts { ids } => Selection::Contacts(ids),
        SelectionDoc::Customers { ids } => Selection::Customers(ids),
        SelectionDoc::All => Selection::All,
    };
    let doc: PlanDoc = serde_json::from_value(spec.plan.clone())?;
    let recipient = doc.recipient.map_or(Recipient::ContactEmail, Recipient::Other);
    Ok((selection, InvitePlan { mode: doc.mode, recipient, override_declined: doc.override_declined }, doc.actor))
}

#[cfg(test)]
mod tests {
    use portico_domain::{PasswordPattern, StaffUserId, UsernamePattern};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_spec_round_trips() {
        let selection = Selection::Customers(vec![CustomerId::from_uuid(Uuid::from_u128(5))]);
        let plan = InvitePlan {
            mode: InviteMode::Credentials {
                username: UsernamePattern::Phone,
                password: PasswordPattern::CustomerNumber,
            },
            recipient: Recipient::Other(EmailAddress::parse("me@merchant.example").unwrap()),
            override_declined: true,
        };
        let actor = Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(9)));
        let spec = encode(&selection, &plan, actor).unwrap();
        assert_eq!(decode(&spec).unwrap(), (selection, plan, actor));
    }

    #[test]
    fn a_foreign_spec_is_an_error_not_a_panic() {
        let spec = BatchSpec { plan: serde_json::json!({"mode": 3}), selection: serde_json::json!("all") };
        assert!(decode(&spec).is_err());
    }
}
