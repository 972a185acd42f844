//! Outbox rows, batches and templates.

use chrono::{DateTime, Utc};
use portico_app::{
    Batch, BatchProgress, BatchSpec, BatchState, DeliveryStatus, MailKind, OutboxEmail, RepositoryError, TemplateSource,
};
use portico_domain::{BatchId, ContactId, EmailAddress, InvitationId, MerchantId, OutboxMessageId, SkipReason};

use super::count;
use crate::entity::{invitation_batches, outbox, templates};
use crate::error::corrupt;

/// Row statuses of the outbox.
pub(crate) const QUEUED: &str = "queued";
pub(crate) const SENT: &str = "sent";
pub(crate) const FAILED: &str = "failed";

pub(crate) fn outbox_to_model(e: &OutboxEmail, next_attempt_at: Option<DateTime<Utc>>) -> outbox::Model {
    outbox::Model {
        id: e.id.as_uuid(),
        merchant_id: e.merchant_id.as_uuid(),
        invitation_id: e.invitation_id.map(|i| i.as_uuid()),
        kind: e.kind.as_str().to_owned(),
        to_address: e.to.as_str().to_owned(),
        to_name: e.to_name.clone(),
        subject: e.subject.clone(),
        html: e.html.clone(),
        text: e.text.clone(),
        status: QUEUED.to_owned(),
        attempts: 0,
        next_attempt_at,
        lease_id: None,
        locked_until: None,
        last_error: None,
        sent_at: None,
    }
}

pub(crate) fn outbox_from_model(m: &outbox::Model) -> Result<OutboxEmail, RepositoryError> {
    const T: &str = "outbox";
    Ok(OutboxEmail {
        id: OutboxMessageId::from_uuid(m.id),
        merchant_id: MerchantId::from_uuid(m.merchant_id),
        kind: MailKind::parse(&m.kind).ok_or_else(|| corrupt(T, "kind", &m.kind))?,
        to: EmailAddress::parse(&m.to_address).map_err(|e| corrupt(T, "to_address", e))?,
        to_name: m.to_name.clone(),
        subject: m.subject.clone(),
        html: m.html.clone(),
        text: m.text.clone(),
        invitation_id: m.invitation_id.map(InvitationId::from_uuid),
    })
}

pub(crate) fn delivery_from_model(m: &outbox::Model) -> Result<DeliveryStatus, RepositoryError> {
    const T: &str = "outbox";
    match m.status.as_str() {
        QUEUED => Ok(DeliveryStatus::Queued {
            attempts: u32::try_from(m.attempts).map_err(|e| corrupt(T, "attempts", e))?,
            last_error: m.last_error.clone(),
        }),
        SENT => Ok(DeliveryStatus::Sent { at: m.sent_at.ok_or_else(|| corrupt(T, "sent_at", "missing"))? }),
        FAILED => Ok(DeliveryStatus::Failed { error: m.last_error.clone().unwrap_or_default() }),
        other => Err(corrupt(T, "status", other)),
    }
}

pub(crate) const fn batch_state_str(s: BatchState) -> &'static str {
    match s {
        BatchState::Queued => "queued",
        BatchState::Running => "running",
        BatchState::Completed => "completed",
        BatchState::Failed => "failed",
    }
}

fn batch_state_from_str(s: &str) -> Result<BatchState, RepositoryError> {
    Ok(match s {
        "queued" => BatchState::Queued,
        "running" => BatchState::Running,
        "completed" => BatchState::Completed,
        "failed" => BatchState::Failed,
        other => return Err(corrupt("invitation_batches", "state", other)),
    })
}

/// The stored form of a spec (JSON with sorted keys, so equal specs are equal
/// text) and its SHA-256 hex, which the one-live-batch-per-spec index holds
/// (a selection of many ids is too long for a btree entry).
pub(crate) fn spec_key(spec: &BatchSpec) -> Result<(String, String), RepositoryError> {
    use sha2::{Digest, Sha256};
    let json = super::batch_spec::encode(spec).map_err(RepositoryError::unexpected)?;
    let hash = hex::encode(Sha256::digest(json.as_bytes()));
    Ok((json, hash))
}

/// The skip counter column of a reason.
pub(crate) const fn skip_column(reason: SkipReason) -> &'static str {
    match reason {
        SkipReason::MissingEmail => "skipped_missing_email",
        SkipReason::MissingPhone => "skipped_missing_phone",
        SkipReason::MissingCustomerNumber => "skipped_missing_customer_number",
        SkipReason::HasLogin => "skipped_has_login",
        SkipReason::AlreadyInvited => "skipped_already_invited",
        SkipReason::Declined => "skipped_declined",
        SkipReason::UsernameTaken => "skipped_username_taken",
        SkipReason::InvalidEmail => "skipped_invalid_email",
    }
}

fn skip_count(m: &invitation_batches::Model, reason: SkipReason) -> i64 {
    match reason {
        SkipReason::MissingEmail => m.skipped_missing_email,
        SkipReason::MissingPhone => m.skipped_missing_phone,
        SkipReason::MissingCustomerNumber => m.skipped_missing_customer_number,
        SkipReason::HasLogin => m.skipped_has_login,
        SkipReason::AlreadyInvited => m.skipped_already_invited,
        SkipReason::Declined => m.skipped_declined,
        SkipReason::UsernameTaken => m.skipped_username_taken,
        SkipReason::InvalidEmail => m.skipped_invalid_email,
    }
}

pub(crate) fn batch_to_model(b: &Batch, (spec, spec_hash): (String, String)) -> invitation_batches::Model {
    let skipped = |r: SkipReason| {
        b.progress.skipped.iter().filter(|(s, _)| *s == r).map(|(_, n)| i64::try_from(*n).unwrap_or(i64::MAX)).sum()
    };
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    invitation_batches::Model {
        id: b.id.as_uuid(),
        merchant_id: b.merchant_id.as_uuid(),
        spec,
        spec_hash,
        state: batch_state_str(b.state).to_owned(),
        total: n(b.progress.total),
        invited: n(b.progress.invited),
        failed: n(b.progress.failed),
        skipped_missing_email: skipped(SkipReason::MissingEmail),
        skipped_missing_phone: skipped(SkipReason::MissingPhone),
        skipped_missing_customer_number: skipped(SkipReason::MissingCustomerNumber),
        skipped_has_login: skipped(SkipReason::HasLogin),
        skipped_already_invited: skipped(SkipReason::AlreadyInvited),
        skipped_declined: skipped(SkipReason::Declined),
        skipped_username_taken: skipped(SkipReason::UsernameTaken),
        skipped_invalid_email: skipped(SkipReason::InvalidEmail),
        cursor: b.cursor.map(|c| c.as_uuid()),
        error: b.error.clone(),
        lease_id: b.lease,
        lease_until: None,
        created_at: b.created_at,
    }
}

/// A batch from its row; skip counts are listed in report order, zeros left out.
pub(crate) fn batch_from_model(m: &invitation_batches::Model) -> Result<Batch, RepositoryError> {
    const T: &str = "invitation_batches";
    let mut skipped = Vec::new();
    for reason in SkipReason::ALL {
        let n = count(T, skip_column(reason), skip_count(m, reason))?;
        if n > 0 {
            skipped.push((reason, n));
        }
    }
    Ok(Batch {
        id: BatchId::from_uuid(m.id),
        merchant_id: MerchantId::from_uuid(m.merchant_id),
        spec: super::batch_spec::decode(&m.spec).map_err(|e| corrupt(T, "spec", e))?,
        state: batch_state_from_str(&m.state)?,
        progress: BatchProgress {
            total: count(T, "total", m.total)?,
            invited: count(T, "invited", m.invited)?,
            skipped,
            failed: count(T, "failed", m.failed)?,
            emails_sent: 0,
        },
        cursor: m.cursor.map(ContactId::from_uuid),
        error: m.error.clone(),
        lease: m.lease_id,
        created_at: m.created_at,
    })
}

pub(crate) fn template_from_model(m: templates::Model) -> TemplateSource {
    TemplateSource { subject: m.subject, html: m.html, text: m.text }
}

pub(crate) fn template_to_model(merchant: MerchantId, kind: MailKind, s: &TemplateSource) -> templates::Model {
    templates::Model {
        merchant_id: merchant.as_uuid(),
        kind: kind.as_str().to_owned(),
        subject: s.subject.clone(),
        html: s.html.clone(),
        text: s.text.clone(),
    }
}
