//! Start a bulk invitation: the request becomes a queued batch that workers
//! carry out in the background. Pressing "invite all" again while it runs
//! returns the running batch.

use std::sync::Arc;

use portico_domain::{Actor, BatchId, InvitePlan, MerchantId};

use crate::{
    Batch, BatchProgress, BatchRepository, BatchSpec, BatchState, BoxError, Clock, MerchantRepository, PortalDisabled,
    RepositoryError, Selection, TokenSource,
};

/// What staff asked for.
#[derive(Clone, Debug)]
pub struct StartInvitationBatchCommand {
    /// The merchant.
    pub merchant: MerchantId,
    /// Who asked.
    pub actor: Actor,
    /// Whom to invite.
    pub selection: Selection,
    /// Mode, patterns, recipient.
    pub plan: InvitePlan,
}

/// Why no batch was started.
#[derive(Debug, thiserror::Error)]
pub enum StartInvitationBatchError {
    /// No such merchant.
    #[error("the merchant does not exist")]
    MerchantNotFound,
    /// The portal is disabled in settings.
    #[error("the customer portal is disabled in settings; no invitation was sent")]
    PortalDisabled,
    /// An explicit selection with nobody in it.
    #[error("the selection is empty")]
    EmptySelection,
    /// An infrastructure failure.
    #[error("starting the batch failed")]
    Unexpected(#[source] BoxError),
}

impl From<PortalDisabled> for StartInvitationBatchError {
    fn from(_: PortalDisabled) -> Self {
        Self::PortalDisabled
    }
}

impl From<RepositoryError> for StartInvitationBatchError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the use case needs.
#[derive(Clone)]
pub struct StartInvitationBatch {
    /// Merchants and settings.
    pub merchants: Arc<dyn MerchantRepository>,
    /// Batches.
    pub batches: Arc<dyn BatchRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub tokens: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for StartInvitationBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartInvitationBatch").finish_non_exhaustive()
    }
}

impl StartInvitationBatch {
    /// Queues the batch, or returns the one already queued or running for the
    /// same request. The flag says whether the batch is new.
    ///
    /// # Errors
    /// [`StartInvitationBatchError`].
    pub async fn execute(&self, cmd: StartInvitationBatchCommand) -> Result<(Batch, bool), StartInvitationBatchError> {
        let merchant = self.merchants.get(cmd.merchant).await?.ok_or(StartInvitationBatchError::MerchantNotFound)?;
        merchant.ensure_portal_enabled()?;
        if cmd.selection.is_empty() {
            return Err(StartInvitationBatchError::EmptySelection);
        }
        let spec = BatchSpec { selection: cmd.selection, plan: cmd.plan, actor: cmd.actor };
        let batch = Batch {
            id: BatchId::from_uuid(self.tokens.uuid()),
            merchant_id: merchant.id,
            spec,
            state: BatchState::Queued,
            progress: BatchProgress::default(),
            cursor: None,
            error: None,
            lease: None,
            created_at: self.clock.now(),
        };
        Ok(self.batches.create_or_get_running(&batch).await?)
    }
}
