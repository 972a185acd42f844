//! Follow invitations and batches: the list by status, one invitation with
//! its audit trail, and a batch's progress. Reads only.

use std::sync::Arc;

use portico_domain::{BatchId, InvitationEvent, InvitationId, InvitationStatus, MerchantId};

use crate::{
    Batch, BatchRepository, BoxError, Clock, InvitationReader, InvitationSummary, Page, PageRequest, RepositoryError,
};

/// Why a lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackInvitationsError {
    /// No such invitation or batch for this merchant.
    #[error("not found")]
    NotFound,
    /// A page size outside 1–500.
    #[error("the page size must be between 1 and {max}", max = PageRequest::MAX_LIMIT)]
    PageSize,
    /// An infrastructure failure.
    #[error("reading invitations failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for TrackInvitationsError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the use case needs.
#[derive(Clone)]
pub struct TrackInvitations {
    /// Invitations.
    pub invitations: Arc<dyn InvitationReader>,
    /// Batches.
    pub batches: Arc<dyn BatchRepository>,
    /// Time (pending versus expired).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TrackInvitations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackInvitations").finish_non_exhaustive()
    }
}

impl TrackInvitations {
    /// A page of invitations, newest first, optionally of one status now.
    ///
    /// # Errors
    /// `PageSize`, or a storage failure.
    pub async fn list(
        &self,
        merchant: MerchantId,
        status: Option<InvitationStatus>,
        page: PageRequest,
    ) -> Result<Page<InvitationSummary>, TrackInvitationsError> {
        if page.limit == 0 || page.limit > PageRequest::MAX_LIMIT {
            return Err(TrackInvitationsError::PageSize);
        }
        Ok(self.invitations.list(merchant, status, page, self.clock.now()).await?)
    }

    /// One invitation's audit trail, oldest first.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn events(
        &self,
        merchant: MerchantId,
        id: InvitationId,
    ) -> Result<Vec<InvitationEvent>, TrackInvitationsError> {
        if self.invitations.find(merchant, id).await?.is_none() {
            return Err(TrackInvitationsError::NotFound);
        }
        Ok(self.invitations.events(merchant, id).await?)
    }

    /// A batch with its progress.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn batch(&self, merchant: MerchantId, id: BatchId) -> Result<Batch, TrackInvitationsError> {
        self.batches.get(merchant, id).await?.ok_or(TrackInvitationsError::NotFound)
    }
}
