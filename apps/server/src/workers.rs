//! The background workers of the composed server: the batch worker, which
//! writes invitations chunk by chunk; the outbox dispatcher, which delivers
//! every email; the settlement worker, which settles pending payments; and
//! the sweep of expired idempotency keys. All run in-process and stop with
//! the server.

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use portico_app::ErrorChain;
use portico_app::use_cases::run_invitation_batches::RunInvitationBatches;
use std::sync::Arc;

use portico_mail::{Dispatcher, DispatcherConfig, MailTransport};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::payments::run_settlement;
use crate::sweeps::{IDEMPOTENCY_SWEEP, sweep_idempotency_keys};
use crate::wiring::Wiring;

/// How often an idle batch worker looks for a batch.
const BATCH_POLL: Duration = Duration::from_millis(500);

/// The running workers.
#[derive(Debug)]
pub(crate) struct Workers {
    batches: JoinHandle<()>,
    settlement: JoinHandle<()>,
    dispatcher: JoinHandle<()>,
    sweeps: JoinHandle<()>,
}

impl Workers {
    /// Starts the workers; they stop once `stop` turns true.
    pub(crate) fn start(
        wiring: &Wiring,
        public_url: &str,
        transport: Arc<dyn MailTransport>,
        dispatch: DispatcherConfig,
        stop: &watch::Receiver<bool>,
    ) -> Self {
        // On a stop the dispatcher finishes or releases the emails it holds.
        let dispatcher = Dispatcher::new(wiring.db.outbox(), transport, wiring.clock.clone(), dispatch);
        // Each chunk a batch writes wakes the dispatcher, so its emails leave at once.
        let worker = wiring.batch_worker(public_url, Arc::new(dispatcher.clone()));
        let batches = tokio::spawn(run_batches(worker, stopped(stop.clone())));
        let settlement = tokio::spawn(run_settlement(wiring.settlement_worker(public_url), stopped(stop.clone())));
        let sweeps = tokio::spawn(sweep_idempotency_keys(
            wiring.db.idempotency(),
            wiring.clock.clone(),
            IDEMPOTENCY_SWEEP,
            stopped(stop.clone()),
        ));
        let stop = stopped(stop.clone());
        let dispatcher = tokio::spawn(async move { dispatcher.run(stop).await });
        Self { batches, settlement, dispatcher, sweeps }
    }

    /// Waits for each to finish its current work and stop.
    pub(crate) async fn join(self) -> anyhow::Result<()> {
        self.batches.await.context("the batch worker panicked")?;
        self.settlement.await.context("the settlement worker panicked")?;
        self.dispatcher.await.context("the outbox dispatcher panicked")?;
        self.sweeps.await.context("the idempotency sweep panicked")?;
        Ok(())
    }
}

/// Resolves once a stop is asked.
pub(crate) async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        // The sender is gone only when the application is dropped without a stop.
        std::future::pending::<()>().await;
    }
}

/// Works batches until `stop` resolves. A batch in progress when the stop
/// comes is left with its lease; it resumes after its last written chunk
/// once the lease ends, here or on another instance.
pub async fn run_batches(worker: RunInvitationBatches, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let busy = tokio::select! {
            () = &mut stop => return,
            result = worker.run_once() => match result {
                Ok(found) => found.is_some(),
                Err(e) => {
                    tracing::warn!(
                        error = %ErrorChain(&e),
                        "an invitation batch stopped early; it resumes when its lease ends"
                    );
                    false
                }
            },
        };
        if busy {
            continue;
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(BATCH_POLL) => {}
        }
    }
}
