//! Periodic clean-up the server runs in the background: idempotency keys
//! past their retention are deleted, so the table holds one day of keys, not
//! every key ever sent.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use portico_app::{Clock, ErrorChain, IdempotencyRepository};

/// How often expired idempotency keys are deleted.
pub(crate) const IDEMPOTENCY_SWEEP: Duration = Duration::from_secs(3600);

/// Deletes expired idempotency keys now and every `every` until `stop`.
pub(crate) async fn sweep_idempotency_keys(
    keys: Arc<dyn IdempotencyRepository>,
    clock: Arc<dyn Clock>,
    every: Duration,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => match keys.purge_expired(clock.now()).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "deleted expired idempotency keys"),
                Err(e) => tracing::warn!(
                    error = %ErrorChain(&e),
                    "deleting expired idempotency keys failed; trying again at the next sweep"
                ),
            },
        }
    }
}
