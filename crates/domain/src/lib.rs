//! # portico-domain
//!
//! Portico's pure rules, usable on their own: the customer directory's value
//! types, the invitation state machine, credential patterns, eligibility,
//! staff roles, and payments (card and bank account data, allocations). No
//! I/O, no async runtime, no database, web or mail crate. The crate never
//! reads the clock or a global RNG: every transition takes `now`, and
//! randomness comes from the RNG you pass in.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use portico_domain::*;
//! use uuid::Uuid;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
//! let id = |n: u128| Uuid::from_u128(n);
//! let new = NewInvitation {
//!     id: InvitationId::from_uuid(id(1)),
//!     merchant_id: MerchantId::from_uuid(id(2)),
//!     customer_id: CustomerId::from_uuid(id(3)),
//!     contact_id: ContactId::from_uuid(id(4)),
//!     recipient: EmailAddress::parse("ann@example.com").unwrap(),
//!     mode: InvitationMode::Link,
//!     lifetime: InvitationLifetime::days(14).unwrap(),
//!     override_declined: false,
//! };
//! // Tokens come from your CSPRNG; this one is fixed for the example.
//! let token = SecretToken::from_bytes([42; 32]);
//! let issued = Invitation::issue(new, ContactStanding::default(), token, Actor::System, now).unwrap();
//! let (mut invitation, link_token) = (issued.invitation, issued.token);
//! assert_eq!(invitation.status(now), InvitationStatus::Pending);
//!
//! // Status is a function of time: no sweeper needed.
//! let later = now + chrono::TimeDelta::days(15);
//! assert_eq!(invitation.status(later), InvitationStatus::Expired);
//! assert_eq!(invitation.accept(&link_token, Actor::System, later), Err(TransitionError::Expired));
//!
//! // Accepting in time works once; accepted is terminal.
//! let event = invitation.accept(&link_token, Actor::System, now).unwrap();
//! assert_eq!(event.to, InvitationStatus::Accepted);
//! assert!(invitation.accept(&link_token, Actor::System, now).is_err());
//! ```
#![deny(missing_docs)]

pub mod credentials;
mod customer;
mod eligibility;
mod email;
mod ids;
mod invitation;
mod login;
mod money;
mod password_policy;
pub mod payment;
mod phone;
mod roles;
mod token;

pub use credentials::{MissingField, PasswordLength, PasswordPattern, UsernamePattern};
pub use customer::{CollectionPriority, Contact, ContactEmail, Customer, CustomerNumber, ErpId, IdentifierError};
pub use eligibility::{Candidate, InviteMode, InvitePlan, Recipient, SkipReason, Verdict, assess};
pub use email::{EmailAddress, EmailError};
pub use ids::{
    BatchId, ContactId, CustomerId, DocumentId, InvitationId, LoginId, MerchantId, OutboxMessageId, PaymentId,
    PaymentMethodId, RefundId, StaffUserId,
};
pub use invitation::{
    Actor, ContactStanding, EventKind, Invitation, InvitationEvent, InvitationLifetime, InvitationMode,
    InvitationRecord, InvitationState, InvitationStatus, IssueError, Issued, LifetimeError, NewInvitation, Reissue,
    ResendPolicy, Resent, TransitionError,
};
pub use login::{Login, PasswordHash, Username, UsernameError};
pub use money::{Currency, Money, MoneyError};
pub use password_policy::{ChosenPassword, PasswordPolicyError};
pub use payment::{
    Allocation, Allocations, BankAccountDetails, CardBrand, CardDetails, CardExpiry, IdempotencyKey, InvoiceAmount,
    OpenInvoice, PaymentEventKind, PaymentMethodKind, PaymentOutcome, PaymentStatus,
};
pub use phone::{PhoneError, PhoneNumber};
pub use roles::{Permission, Role};
pub use token::{SecretToken, TokenFormatError, TokenHash};

// The README's example is compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
