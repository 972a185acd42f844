//! A faithful in-memory `OutboxQueue`: leases, due times, attempts and
//! errors behave as the port's contract says.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{ClaimedEmail, DeliveryStatus, OutboxEmail, OutboxQueue, RepositoryError};
use portico_domain::OutboxMessageId;
use uuid::Uuid;

#[derive(Debug)]
enum State {
    Queued,
    Sent(DateTime<Utc>),
    Failed(String),
}

#[derive(Debug)]
struct Row {
    email: OutboxEmail,
    state: State,
    attempts: u32,
    last_error: Option<String>,
    due: DateTime<Utc>,
    lease: Option<(Uuid, DateTime<Utc>)>,
}

#[derive(Debug, Default)]
struct Rows {
    rows: Vec<Row>,
    next_lease: u128,
    claimed: usize,
    claims: usize,
    /// Calls of `mark_sent` still to fail, as if storage were down.
    failing_marks: usize,
    /// Whether `renew` fails, as if storage were down.
    failing_renewals: bool,
}

/// Rows in a vector, oldest first.
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    inner: Mutex<Rows>,
}

impl MemoryOutbox {
    fn row(rows: &mut Rows, id: OutboxMessageId, lease: Uuid) -> Result<&mut Row, RepositoryError> {
        let row = rows.rows.iter_mut().find(|r| r.email.id == id).ok_or(RepositoryError::LeaseLost)?;
        match row.lease {
            Some((held, _)) if held == lease => Ok(row),
            _ => Err(RepositoryError::LeaseLost),
        }
    }

    /// Queues emails, due at once.
    pub fn enqueue(&self, emails: &[OutboxEmail]) {
        let mut rows = self.inner.lock().unwrap();
        let due = DateTime::<Utc>::MIN_UTC;
        rows.rows.extend(emails.iter().map(|email| Row {
            email: email.clone(),
            state: State::Queued,
            attempts: 0,
            last_error: None,
            due,
            lease: None,
        }));
    }

    /// Delivery status of one email.
    pub fn status(&self, id: OutboxMessageId) -> Option<DeliveryStatus> {
        let rows = self.inner.lock().unwrap();
        rows.rows.iter().find(|r| r.email.id == id).map(status_of)
    }

    /// Statuses of every row, oldest first.
    pub fn statuses(&self) -> Vec<(OutboxMessageId, DeliveryStatus)> {
        let rows = self.inner.lock().unwrap();
        rows.rows.iter().map(|r| (r.email.id, status_of(r))).collect()
    }

    /// Rows in each state: (queued, sent, failed).
    pub fn counts(&self) -> (usize, usize, usize) {
        let rows = self.inner.lock().unwrap();
        rows.rows.iter().fold((0, 0, 0), |(q, s, f), r| match r.state {
            State::Queued => (q + 1, s, f),
            State::Sent(_) => (q, s + 1, f),
            State::Failed(_) => (q, s, f + 1),
        })
    }

    /// The next `n` calls of `mark_sent` fail as a storage outage would.
    pub fn fail_mark_sent(&self, n: usize) {
        self.inner.lock().unwrap().failing_marks = n;
    }

    /// Every `renew` fails from now on, as a storage outage would.
    pub fn fail_renewals(&self) {
        self.inner.lock().unwrap().failing_renewals = true;
    }

    /// Calls of `claim` so far, empty ones included.
    pub fn claims(&self) -> usize {
        self.inner.lock().unwrap().claims
    }

    /// Rows handed out by `claim` so far.
    pub fn claimed(&self) -> usize {
        self.inner.lock().unwrap().claimed
    }

    /// The body kept for a row (cleared once sent).
    pub fn body(&self, id: OutboxMessageId) -> Option<(String, String)> {
        let rows = self.inner.lock().unwrap();
        rows.rows.iter().find(|r| r.email.id == id).map(|r| (r.email.html.clone(), r.email.text.clone()))
    }
}

fn status_of(row: &Row) -> DeliveryStatus {
    match &row.state {
        State::Queued => DeliveryStatus::Queued { attempts: row.attempts, last_error: row.last_error.clone() },
        State::Sent(at) => DeliveryStatus::Sent { at: *at },
        State::Failed(error) => DeliveryStatus::Failed { error: error.clone() },
    }
}

#[async_trait]
impl OutboxQueue for MemoryOutbox {
    async fn claim(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEmail>, RepositoryError> {
        let mut guard = self.inner.lock().unwrap();
        let rows = &mut *guard;
        let mut due: Vec<usize> = (0..rows.rows.len())
            .filter(|&i| {
                let r = &rows.rows[i];
                matches!(r.state, State::Queued) && r.due <= now && r.lease.is_none_or(|(_, until)| until <= now)
            })
            .collect();
        due.sort_by_key(|&i| rows.rows[i].due); // stable: insertion order among equals
        let mut claimed = Vec::new();
        for i in due.into_iter().take(limit as usize) {
            rows.next_lease += 1;
            let lease = Uuid::from_u128(rows.next_lease);
            let row = &mut rows.rows[i];
            row.lease = Some((lease, lease_until));
            claimed.push(ClaimedEmail { email: row.email.clone(), attempts: row.attempts, lease, lease_until });
        }
        rows.claimed += claimed.len();
        rows.claims += 1;
        Ok(claimed)
    }

    async fn renew(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        let mut rows = self.inner.lock().unwrap();
        if rows.failing_renewals {
            return Err(RepositoryError::unexpected(std::io::Error::other("storage is down")));
        }
        let mut renewed = Vec::new();
        for &id in ids {
            let Ok(row) = Self::row(&mut rows, id, lease) else { continue };
            if matches!(row.state, State::Queued) {
                row.lease = Some((lease, until));
                renewed.push(id);
            }
        }
        Ok(renewed)
    }

    async fn mark_sent(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        let mut rows = self.inner.lock().unwrap();
        if rows.failing_marks > 0 {
            rows.failing_marks -= 1;
            return Err(RepositoryError::unexpected(std::io::Error::other("storage is down")));
        }
        let mut recorded = Vec::new();
        for &id in ids {
            let Ok(row) = Self::row(&mut rows, id, lease) else { continue };
            if !matches!(row.state, State::Queued) {
                continue;
            }
            row.state = State::Sent(at);
            row.lease = None;
            row.email.html.clear();
            row.email.text.clear();
            recorded.push(id);
        }
        Ok(recorded)
    }

    async fn mark_failed(
        &self,
        id: OutboxMessageId,
        lease: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError> {
        let mut rows = self.inner.lock().unwrap();
        let row = Self::row(&mut rows, id, lease)?;
        row.attempts += 1;
        row.last_error = Some(error.to_owned());
        row.lease = None;
        match retry_at {
            Some(at) => row.due = at,
            None => {
                row.state = State::Failed(error.to_owned());
                row.email.html.clear();
                row.email.text.clear();
            }
        }
        Ok(())
    }

    async fn release(&self, id: OutboxMessageId, lease: Uuid) -> Result<(), RepositoryError> {
        let mut rows = self.inner.lock().unwrap();
        let row = Self::row(&mut rows, id, lease)?;
        row.lease = None;
        Ok(())
    }
}
