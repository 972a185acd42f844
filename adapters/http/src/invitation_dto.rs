//! The JSON shapes of the invitation API, mapped to the app's types here.

use std::collections::BTreeMap;

use poem_openapi::{Enum, Object};
use portico_app::use_cases::preview_invitations::Preview;
use portico_app::{Batch, BatchState, DeliveryStatus, InvitationSummary, Selection};
use portico_domain::{
    ContactId, CustomerId, EmailAddress, InvitationEvent, InvitationMode, InvitationStatus, InviteMode, InvitePlan,
    PasswordLength, PasswordPattern, Recipient, UsernamePattern,
};

use crate::error::ApiError;

/// Link (default) or credentials.
#[derive(Debug, Clone, Copy, Default, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ModeDto {
    /// A single-use registration link.
    #[default]
    Link,
    /// A generated username and password.
    Credentials,
}

/// Where a username comes from.
#[derive(Debug, Clone, Copy, Default, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UsernameFromDto {
    /// The contact's email.
    #[default]
    Email,
    /// The customer number.
    CustomerNumber,
    /// The contact's phone.
    Phone,
    /// The ERP id.
    ErpId,
}

/// Where a password comes from.
#[derive(Debug, Clone, Copy, Default, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PasswordFromDto {
    /// Random alphanumeric.
    #[default]
    Random,
    /// The customer number (weak; changed at first sign-in).
    CustomerNumber,
    /// The contact's phone (weak; changed at first sign-in).
    Phone,
}

/// Whom to invite, and how. Give exactly one of `all`, `customer_ids`, `contact_ids`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct InviteBody {
    /// Every customer's primary contact without a login or an open invitation.
    pub all: Option<bool>,
    /// The primary contacts of these customers (at most 10,000; use `all` for more).
    #[oai(validator(max_items = 10000))]
    pub customer_ids: Option<Vec<uuid::Uuid>>,
    /// These contacts (at most 10,000; use `all` for more).
    #[oai(validator(max_items = 10000))]
    pub contact_ids: Option<Vec<uuid::Uuid>>,
    /// `link` (default) or `credentials`.
    #[oai(default)]
    pub mode: ModeDto,
    /// Credentials mode: where the username comes from (default `email`).
    #[oai(default)]
    pub username_from: UsernameFromDto,
    /// Credentials mode: where the password comes from (default `random`).
    #[oai(default)]
    pub password_from: PasswordFromDto,
    /// Credentials mode, random passwords: 6–64 characters (default 10).
    pub password_length: Option<u32>,
    /// Another address to send every email to (to try the experience on
    /// yourself); the contact's own email when absent.
    #[oai(validator(max_length = 320))]
    pub recipient: Option<String>,
    /// Invite contacts who declined before.
    #[oai(default)]
    pub override_declined: bool,
}

impl InviteBody {
    /// The selection and plan, or a 422 naming the problem.
    pub fn parse(&self) -> Result<(Selection, InvitePlan), ApiError> {
        let selection = match (&self.all, &self.customer_ids, &self.contact_ids) {
            (Some(true), None, None) => Selection::All,
            (None, Some(ids), None) => Selection::Customers(ids.iter().copied().map(CustomerId::from_uuid).collect()),
            (None, None, Some(ids)) => Selection::Contacts(ids.iter().copied().map(ContactId::from_uuid).collect()),
            _ => {
                return Err(ApiError::unprocessable(
                    "invalid_target",
                    "give exactly one of `all: true`, `customer_ids` or `contact_ids`",
                ));
            }
        };
        let length = match self.password_length {
            Some(l) => {
                PasswordLength::new(l).map_err(|e| ApiError::unprocessable("invalid_password_length", e.to_string()))?
            }
            None => PasswordLength::default(),
        };
        let mode = match self.mode {
            ModeDto::Link => InviteMode::Link,
            ModeDto::Credentials => InviteMode::Credentials {
                username: match self.username_from {
                    UsernameFromDto::Email => UsernamePattern::Email,
                    UsernameFromDto::CustomerNumber => UsernamePattern::CustomerNumber,
                    UsernameFromDto::Phone => UsernamePattern::Phone,
                    UsernameFromDto::ErpId => UsernamePattern::ErpId,
                },
                password: match self.password_from {
                    PasswordFromDto::Random => PasswordPattern::Random(length),
                    PasswordFromDto::CustomerNumber => PasswordPattern::CustomerNumber,
                    PasswordFromDto::Phone => PasswordPattern::Phone,
                },
            },
        };
        let recipient = match &self.recipient {
            None => Recipient::ContactEmail,
            Some(raw) => Recipient::Other(
                EmailAddress::parse(raw)
                    .map_err(|e| ApiError::unprocessable("invalid_recipient", format!("recipient: {e}")))?,
            ),
        };
        Ok((selection, InvitePlan { mode, recipient, override_declined: self.override_declined }))
    }
}

/// A started (or already running) batch.
#[derive(Debug, Object)]
pub struct BatchStartedDto {
    /// The batch to follow at `GET /invitation-batches/{id}`.
    pub batch_id: uuid::Uuid,
    /// `false` when an identical batch was already queued or running.
    pub created: bool,
}

/// A batch and its progress.
#[derive(Debug, Object)]
pub struct BatchDto {
    /// Id.
    pub id: uuid::Uuid,
    /// `queued`, `running`, `completed` or `failed`.
    pub state: String,
    /// Contacts considered so far.
    pub total: u64,
    /// Invitations written (each with its email queued).
    pub invited: u64,
    /// Skipped contacts by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Contacts that failed.
    pub failed: u64,
    /// Invitations whose email has left.
    pub emails_sent: u64,
    /// Why the batch failed, if it did.
    pub error: Option<String>,
    /// When it was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Batch> for BatchDto {
    fn from(b: Batch) -> Self {
        let state = match b.state {
            BatchState::Queued => "queued",
            BatchState::Running => "running",
            BatchState::Completed => "completed",
            BatchState::Failed => "failed",
        };
        Self {
            id: b.id.as_uuid(),
            state: state.to_owned(),
            total: b.progress.total,
            invited: b.progress.invited,
            skipped: b.progress.skipped.iter().map(|(r, n)| (r.as_str().to_owned(), *n)).collect(),
            failed: b.progress.failed,
            emails_sent: b.progress.emails_sent,
            error: b.error,
            created_at: b.created_at,
        }
    }
}

/// One row of a preview.
#[derive(Debug, Object)]
pub struct InvitationPreviewRowDto {
    /// The contact.
    pub contact_id: uuid::Uuid,
    /// The contact's name.
    pub contact_name: String,
    /// The customer's name.
    pub customer_name: String,
    /// Where the email would go (absent when skipped).
    pub recipient: Option<String>,
    /// The username, in credentials mode.
    pub username: Option<String>,
    /// Why the contact would be skipped.
    pub skip_reason: Option<String>,
}

/// What a send would do.
#[derive(Debug, Object)]
pub struct InvitationPreviewDto {
    /// Contacts considered.
    pub total: u64,
    /// Contacts that would be invited.
    pub invited: u64,
    /// Skipped contacts by reason.
    pub skipped: BTreeMap<String, u64>,
    /// The first rows.
    pub rows: Vec<InvitationPreviewRowDto>,
}

impl From<Preview> for InvitationPreviewDto {
    fn from(p: Preview) -> Self {
        Self {
            total: p.total,
            invited: p.invited,
            skipped: p.skipped.iter().map(|(r, n)| (r.as_str().to_owned(), *n)).collect(),
            rows: p
                .rows
                .into_iter()
                .map(|r| {
                    let (recipient, username, skip_reason) = match r.outcome {
                        Ok(invite) => (Some(invite.recipient), invite.username, None),
                        Err(reason) => (None, None, Some(reason.as_str().to_owned())),
                    };
                    InvitationPreviewRowDto {
                        contact_id: r.contact_id.as_uuid(),
                        contact_name: r.contact_name,
                        customer_name: r.customer_name,
                        recipient,
                        username,
                        skip_reason,
                    }
                })
                .collect(),
        }
    }
}

/// An invitation's status filter.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum StatusDto {
    /// Sent and valid.
    Pending,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// Past its expiry.
    Expired,
    /// Revoked by staff.
    Revoked,
}

impl From<StatusDto> for InvitationStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Pending => Self::Pending,
            StatusDto::Accepted => Self::Accepted,
            StatusDto::Declined => Self::Declined,
            StatusDto::Expired => Self::Expired,
            StatusDto::Revoked => Self::Revoked,
        }
    }
}

/// An invitation.
#[derive(Debug, Object)]
pub struct InvitationDto {
    /// Id.
    pub id: uuid::Uuid,
    /// The invited contact.
    pub contact_id: uuid::Uuid,
    /// The contact's customer.
    pub customer_id: uuid::Uuid,
    /// Where its emails go.
    pub recipient: String,
    /// `pending`, `accepted`, `declined`, `expired` or `revoked`, now.
    pub status: String,
    /// `link` or `credentials`.
    pub mode: String,
    /// The username, in credentials mode.
    pub username: Option<String>,
    /// Emails sent (1 + resends).
    pub send_count: u32,
    /// First sent.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last sent.
    pub last_sent_at: chrono::DateTime<chrono::Utc>,
    /// When the current link expires (open invitations).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Delivery of the latest email: `queued`, `sent` or `failed`.
    pub delivery: Option<String>,
    /// Why the latest email failed, or the last transient error.
    pub delivery_error: Option<String>,
}

impl InvitationDto {
    /// The DTO of an invitation at a status.
    pub fn new(
        invitation: &portico_domain::Invitation,
        status: InvitationStatus,
        delivery: Option<&DeliveryStatus>,
    ) -> Self {
        let (mode, username) = match invitation.mode() {
            InvitationMode::Link => ("link", None),
            InvitationMode::Credentials { username, .. } => ("credentials", Some(username.to_string())),
        };
        let (delivery, delivery_error) = match delivery {
            None => (None, None),
            Some(DeliveryStatus::Queued { last_error, .. }) => (Some("queued"), last_error.clone()),
            Some(DeliveryStatus::Sent { .. }) => (Some("sent"), None),
            Some(DeliveryStatus::Failed { error }) => (Some("failed"), Some(error.clone())),
        };
        Self {
            id: invitation.id().as_uuid(),
            contact_id: invitation.contact_id().as_uuid(),
            customer_id: invitation.customer_id().as_uuid(),
            recipient: invitation.recipient().to_string(),
            status: status.as_str().to_owned(),
            mode: mode.to_owned(),
            username,
            send_count: invitation.send_count(),
            created_at: invitation.created_at(),
            last_sent_at: invitation.last_sent_at(),
            expires_at: invitation.expires_at(),
            delivery: delivery.map(str::to_owned),
            delivery_error,
        }
    }
}

impl From<InvitationSummary> for InvitationDto {
    fn from(s: InvitationSummary) -> Self {
        Self::new(&s.invitation, s.status, s.delivery.as_ref())
    }
}

/// A page of invitations.
#[derive(Debug, Object)]
pub struct InvitationPageDto {
    /// This page.
    pub items: Vec<InvitationDto>,
    /// Matching invitations over all pages.
    pub total: u64,
}

/// One entry of an audit trail.
#[derive(Debug, Object)]
pub struct EventDto {
    /// `issued`, `resent`, `accepted`, `declined` or `revoked`.
    pub kind: String,
    /// Status before.
    pub from: Option<String>,
    /// Status after.
    pub to: String,
    /// `staff`, `contact` or `system`.
    pub actor: String,
    /// The staff member or contact id.
    pub actor_id: Option<uuid::Uuid>,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<InvitationEvent> for EventDto {
    fn from(e: InvitationEvent) -> Self {
        let (actor, actor_id) = match e.actor {
            portico_domain::Actor::Staff(id) => ("staff", Some(id.as_uuid())),
            portico_domain::Actor::Contact(id) => ("contact", Some(id.as_uuid())),
            portico_domain::Actor::System => ("system", None),
        };
        Self {
            kind: e.kind.as_str().to_owned(),
            from: e.from.map(|s| s.as_str().to_owned()),
            to: e.to.as_str().to_owned(),
            actor: actor.to_owned(),
            actor_id,
            at: e.at,
        }
    }
}

/// How many invitations a bulk resend sent.
#[derive(Debug, Object)]
pub struct ResentCountDto {
    /// Invitations resent.
    pub resent: u64,
}
