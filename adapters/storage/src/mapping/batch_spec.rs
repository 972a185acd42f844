//! How a batch's request is written down, so any worker (after a restart, on
//! another instance) can carry it on: JSON with sorted keys, so equal
//! requests are equal text and share one hash.

use portico_app::{BatchSpec, Selection};
use portico_domain::{Actor, ContactId, CustomerId, EmailAddress, InviteMode, InvitePlan, Recipient};
use serde::{Deserialize, Serialize};

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

/// The stored document: two objects, each with sorted keys.
#[derive(Serialize, Deserialize)]
struct SpecDoc {
    plan: serde_json::Value,
    selection: serde_json::Value,
}

/// A stored spec that does not decode: written by an incompatible version.
#[derive(Debug, thiserror::Error)]
#[error("the batch's stored request cannot be read: {0}")]
pub(crate) struct SpecError(#[from] serde_json::Error);

/// The stored text of a spec.
pub(crate) fn encode(spec: &BatchSpec) -> Result<String, SpecError> {
    let selection = match &spec.selection {
        Selection::Contacts(ids) => SelectionDoc::Contacts { ids: ids.clone() },
        Selection::Customers(ids) => SelectionDoc::Customers { ids: ids.clone() },
        Selection::All => SelectionDoc::All,
    };
    let recipient = match &spec.plan.recipient {
        Recipient::ContactEmail => None,
        Recipient::Other(email) => Some(email.clone()),
    };
    let plan =
        PlanDoc { mode: spec.plan.mode, recipient, override_declined: spec.plan.override_declined, actor: spec.actor };
    // Through `Value`, whose maps are sorted, so the text does not depend on field order.
    let doc = SpecDoc { plan: serde_json::to_value(plan)?, selection: serde_json::to_value(selection)? };
    Ok(serde_json::to_string(&doc)?)
}

/// A spec from its stored text.
pub(crate) fn decode(text: &str) -> Result<BatchSpec, SpecError> {
    let doc: SpecDoc = serde_json::from_str(text)?;
    let selection = match serde_json::from_value(doc.selection)? {
        SelectionDoc::Contacts { ids } => Selection::Contacts(ids),
        SelectionDoc::Customers { ids } => Selection::Customers(ids),
        SelectionDoc::All => Selection::All,
    };
    let plan: PlanDoc = serde_json::from_value(doc.plan)?;
    let recipient = plan.recipient.map_or(Recipient::ContactEmail, Recipient::Other);
    Ok(BatchSpec {
        selection,
        plan: InvitePlan { mode: plan.mode, recipient, override_declined: plan.override_declined },
        actor: plan.actor,
    })
}

#[cfg(test)]
mod tests {
    use portico_domain::{PasswordPattern, StaffUserId, UsernamePattern};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_spec_round_trips() {
        let spec = BatchSpec {
            selection: Selection::Customers(vec![CustomerId::from_uuid(Uuid::from_u128(5))]),
            plan: InvitePlan {
                mode: InviteMode::Credentials {
                    username: UsernamePattern::Phone,
                    password: PasswordPattern::CustomerNumber,
                },
                recipient: Recipient::Other(EmailAddress::parse("me@merchant.example").unwrap()),
                override_declined: true,
            },
            actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(9))),
        };
        assert_eq!(decode(&encode(&spec).unwrap()).unwrap(), spec);
    }

    #[test]
    fn the_stored_text_is_the_one_earlier_versions_wrote() {
        let spec = BatchSpec { selection: Selection::All, plan: InvitePlan::default(), actor: Actor::System };
        assert_eq!(
            encode(&spec).unwrap(),
            r#"{"plan":{"actor":{"type":"system"},"mode":{"mode":"link"},"override_declined":false,"recipient":null},"selection":{"type":"all"}}"#
        );
    }

    #[test]
    fn a_foreign_spec_is_an_error_not_a_panic() {
        assert!(decode(r#"{"plan":{"mode":3},"selection":"all"}"#).is_err());
        assert!(decode("not json").is_err());
    }
}
