//! The leases of one claim, kept alive while its emails are being sent: a
//! dispatcher sends an email only while its lease has some time left, and
//! renews the leases of every email not yet recorded, so a slow server never
//! lets another dispatcher claim (and send) the same email.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use portico_app::{ClaimedEmail, OutboxQueue};
use portico_domain::OutboxMessageId;
use uuid::Uuid;

/// One email's lease as this dispatcher knows it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    lease: Uuid,
    until: DateTime<Utc>,
}

/// The emails of a claim not yet finished, with their leases.
#[derive(Debug, Default)]
pub(super) struct Held {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Unfinished emails: not yet recorded, failed or given back.
    pending: HashMap<OutboxMessageId, Entry>,
    /// Emails whose lease another claim took: never sent under this one.
    lost: HashSet<OutboxMessageId>,
}

impl Held {
    pub(super) fn new(claimed: &[ClaimedEmail]) -> Self {
        let pending = claimed.iter().map(|c| (c.email.id, Entry { lease: c.lease, until: c.lease_until })).collect();
        Self { state: Mutex::new(State { pending, lost: HashSet::new() }) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the sets half-updated in a way that matters.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `id` may be sent at `now`: still this claim's, with at least
    /// `margin` left on its lease (the longest a send may take).
    pub(super) fn may_send(&self, id: OutboxMessageId, now: DateTime<Utc>, margin: Duration) -> bool {
        let state = self.lock();
        let Some(entry) = state.pending.get(&id) else { return false };
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
        !state.lost.contains(&id) && entry.until.signed_duration_since(now) >= margin
    }

    /// Whether this claim lost `id` to another.
    pub(super) fn lost(&self, id: OutboxMessageId) -> bool {
        self.lock().lost.contains(&id)
    }

    /// The lease `id` was claimed with.
    pub(super) fn lease(&self, id: OutboxMessageId) -> Option<Uuid> {
        self.lock().pending.get(&id).map(|e| e.lease)
    }

    /// `id` needs its lease no more (recorded, failed, given back, skipped).
    pub(super) fn finish(&self, id: OutboxMessageId) {
        let mut state = self.lock();
        state.pending.remove(&id);
        state.lost.remove(&id);
    }

    /// Extends the lease of every unfinished email to `until`; an email
    /// another claim took is marked lost. A storage failure changes nothing
    /// (the leases run on, and sends stop once too little of them is left).
    pub(super) async fn renew(&self, outbox: &dyn OutboxQueue, until: DateTime<Utc>) {
        let mut by_lease: HashMap<Uuid, Vec<OutboxMessageId>> = HashMap::new();
        {
            let state = self.lock();
            for (&id, entry) in state.pending.iter().filter(|(id, _)| !state.lost.contains(id)) {
                by_lease.entry(entry.lease).or_default().push(id);
            }
        }
        for (lease, ids) in by_lease {
            match outbox.renew(&ids, lease, until).await {
                Ok(renewed) => {
                    let renewed: HashSet<OutboxMessageId> = renewed.into_iter().collect();
                    let mut state = self.lock();
                    for id in ids {
                        if renewed.contains(&id) {
                            if let Some(entry) = state.pending.get_mut(&id) {
                                entry.until = until;
                            }
                        } else if state.pending.contains_key(&id) {
                            state.lost.insert(id);
                        }
                    }
                }
                Err(error) => tracing::warn!(
                    count = ids.len(),
                    error = &error as &dyn std::error::Error,
                    "renewing outbox leases failed; sends stop before the leases end"
                ),
            }
        }
    }
}
