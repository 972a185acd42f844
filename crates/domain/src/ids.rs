//! Identifier newtypes. Each wraps a UUID (v7 when minted by Portico, so ids
//! sort by creation time) and cannot be confused with another kind of id.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID, such as one read back from storage.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

id_type!(
    /// A merchant: the business that bills its customers. Every row is scoped to one.
    MerchantId
);
id_type!(
    /// A customer account of a merchant.
    CustomerId
);
id_type!(
    /// A contact person of a customer.
    ContactId
);
id_type!(
    /// A portal login: a person's identity, which may reach several customers.
    LoginId
);
id_type!(
    /// An invitation of one contact to the portal.
    InvitationId
);
id_type!(
    /// A bulk invitation batch.
    BatchId
);
id_type!(
    /// A member of a merchant's staff.
    StaffUserId
);
id_type!(
    /// An email waiting in the transactional outbox.
    OutboxMessageId
);
id_type!(
    /// An invoice, estimate or order.
    DocumentId
);
id_type!(
    /// A payment of one or many invoices.
    PaymentId
);
id_type!(
    /// A customer's saved card or bank account.
    PaymentMethodId
);
id_type!(
    /// A refund of (part of) a payment.
    RefundId
);
