//! Background work of the server: bulk invitation batches. (The outbox
//! dispatcher is the mail adapter's own loop.)

use std::time::Duration;

use portico_app::use_cases::run_invitation_batches::RunInvitationBatches;
use portico_mail::Dispatcher;
use tokio::sync::watch;

/// How often an idle worker looks for a queued batch.
const POLL: Duration = Duration::from_secs(1);

/// Resolves once a stop is asked.
pub(crate) async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        // The sender is gone only when the application is dropped without a stop.
        std::future::pending::<()>().await;
    }
}

/// Claims and works batches until a stop. A stop drops the chunk in progress:
/// its transaction rolls back, and the batch resumes from its last recorded
/// chunk once its lease ends (here or on another instance).
pub(crate) async fn run_batches(runner: RunInvitationBatches, dispatcher: Dispatcher, stop: watch::Receiver<bool>) {
    loop {
        let outcome = tokio::select! {
            outcome = runner.run_once() => outcome,
            () = stopped(stop.clone()) => return,
        };
        match outcome {
            Ok(Some(batch)) => {
                tracing::info!(%batch, "invitation batch finished");
                dispatcher.wake();
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "an invitation batch failed; it will be retried"),
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            () = stopped(stop.clone()) => return,
        }
    }
}
