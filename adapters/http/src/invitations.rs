//! Invitations: start a bulk send (a batch), preview it, follow batches and
//! invitations, resend, revoke, resend every expired one.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use portico_app::use_cases::follow_up_invitations::FollowUpError;
use portico_app::use_cases::preview_invitations::PreviewInvitationsError;
use portico_app::use_cases::start_invitation_batch::{StartInvitationBatchCommand, StartInvitationBatchError};
use portico_app::use_cases::track_invitations::TrackInvitationsError;
use portico_app::{PageRequest, Selection};
use portico_domain::{Actor, BatchId, InvitationId, InvitationStatus, Permission};

use crate::auth::StaffAuth;
use crate::error::ApiError;
use crate::invitation_dto::{
    BatchDto, BatchStartedDto, EventDto, InvitationDto, InvitationPageDto, InvitationPreviewDto, InviteBody,
    ResentCountDto, StatusDto,
};
use crate::services::ApiServices;

/// Rows a preview lists (its counts cover the whole selection).
const PREVIEW_ROWS: usize = 200;

/// Invitations and batches.
#[derive(Debug)]
pub struct InvitationsApi {
    /// The use cases.
    pub services: Arc<ApiServices>,
}

/// The answer to a bulk send.
#[derive(Debug, ApiResponse)]
pub enum StartedResponse {
    /// Queued; follow it at `GET /invitation-batches/{id}`.
    #[oai(status = 202)]
    Accepted(Json<BatchStartedDto>),
}

fn staff(auth: &StaffAuth) -> Actor {
    Actor::Staff(auth.0.staff_user_id)
}

/// A send to more than one contact is a bulk email.
fn require_for(auth: &StaffAuth, selection: &Selection) -> Result<(), ApiError> {
    auth.require(Permission::SendPortalInvitation)?;
    let bulk = match selection {
        Selection::All => true,
        Selection::Customers(ids) => ids.len() > 1,
        Selection::Contacts(ids) => ids.len() > 1,
    };
    if bulk {
        auth.require(Permission::BulkEmailContacts)?;
    }
    Ok(())
}

fn follow_up_error(error: FollowUpError) -> ApiError {
    match error {
        FollowUpError::NotFound => ApiError::not_found("invitation_not_found", "no such invitation"),
        FollowUpError::PortalDisabled => ApiError::conflict("portal_disabled", error.to_string()),
        FollowUpError::WrongStatus(status) => {
            ApiError::conflict("invalid_status", format!("the invitation is {status}; this is not possible now"))
        }
        FollowUpError::Changed => ApiError::conflict("invitation_changed", error.to_string()),
        FollowUpError::TooSoon(_) => ApiError::too_many_requests("resend_too_soon", error.to_string()),
        FollowUpError::Unexpected(e) => ApiError::unexpected("following up on an invitation", &*e),
    }
}

fn track_error(error: TrackInvitationsError, what: &str) -> ApiError {
    match error {
        TrackInvitationsError::NotFound => ApiError::not_found(&format!("{what}_not_found"), format!("no such {what}")),
        TrackInvitationsError::PageSize => ApiError::unprocessable("invalid_page", error.to_string()),
        TrackInvitationsError::Unexpected(e) => ApiError::unexpected("reading invitations", &*e),
    }
}

#[OpenApi(prefix_path = "/")]
impl InvitationsApi {
    /// Invites one, some or all contacts in the background. Asking again
    /// while an identical batch is queued or running returns that batch.
    #[oai(path = "/invitations", method = "post", operation_id = "start_invitations")]
    async fn start(&self, auth: StaffAuth, body: Json<InviteBody>) -> Result<StartedResponse, ApiError> {
        let (selection, plan) = body.0.parse()?;
        require_for(&auth, &selection)?;
        let cmd = StartInvitationBatchCommand { merchant: auth.0.merchant_id, actor: staff(&auth), selection, plan };
        let (batch, created) = self.services.start_batch.execute(cmd).await.map_err(|e| match e {
            StartInvitationBatchError::MerchantNotFound => {
                ApiError::not_found("merchant_not_found", "the merchant does not exist")
            }
            StartInvitationBatchError::PortalDisabled => ApiError::conflict("portal_disabled", e.to_string()),
            StartInvitationBatchError::EmptySelection => ApiError::unprocessable("empty_selection", e.to_string()),
            StartInvitationBatchError::Unexpected(e) => ApiError::unexpected("starting invitations", &*e),
        })?;
        Ok(StartedResponse::Accepted(Json(BatchStartedDto { batch_id: batch.id.as_uuid(), created })))
    }

    /// What a send would do: who gets what at which address, who is skipped
    /// and why. Sends nothing.
    #[oai(path = "/invitations/preview", method = "post", operation_id = "preview_invitations")]
    async fn preview(&self, auth: StaffAuth, body: Json<InviteBody>) -> Result<Json<InvitationPreviewDto>, ApiError> {
        let (selection, plan) = body.0.parse()?;
        let merchant = auth.require(Permission::SendPortalInvitation)?.merchant_id;
        let preview =
            self.services.preview.execute(merchant, &selection, &plan, PREVIEW_ROWS).await.map_err(|e| match e {
                PreviewInvitationsError::Unexpected(e) => ApiError::unexpected("previewing invitations", &*e),
            })?;
        Ok(Json(preview.into()))
    }

    /// A batch and its progress.
    #[oai(path = "/invitation-batches/:id", method = "get", operation_id = "get_invitation_batch")]
    async fn batch(&self, auth: StaffAuth, id: Path<uuid::Uuid>) -> Result<Json<BatchDto>, ApiError> {
        let merchant = auth.require(Permission::ViewCustomers)?.merchant_id;
        let batch =
            self.services.track.batch(merchant, BatchId::from_uuid(id.0)).await.map_err(|e| track_error(e, "batch"))?;
        Ok(Json(batch.into()))
    }

    /// Invitations, newest first, optionally of one status.
    #[oai(path = "/invitations", method = "get", operation_id = "list_invitations")]
    async fn list(
        &self,
        auth: StaffAuth,
        status: Query<Option<StatusDto>>,
        #[oai(default)] offset: Query<u64>,
        #[oai(default = "default_limit")] limit: Query<u64>,
    ) -> Result<Json<InvitationPageDto>, ApiError> {
        let merchant = auth.require(Permission::ViewCustomers)?.merchant_id;
        let status = status.0.map(InvitationStatus::from);
        let page = PageRequest { offset: offset.0, limit: limit.0 };
        let page = self.services.track.list(merchant, status, page).await.map_err(|e| track_error(e, "invitation"))?;
        Ok(Json(InvitationPageDto { total: page.total, items: page.items.into_iter().map(Into::into).collect() }))
    }

    /// An invitation's audit trail: who moved it from what to what, and when.
    #[oai(path = "/invitations/:id/events", method = "get", operation_id = "list_invitation_events")]
    async fn events(&self, auth: StaffAuth, id: Path<uuid::Uuid>) -> Result<Json<Vec<EventDto>>, ApiError> {
        let merchant = auth.require(Permission::ViewCustomers)?.merchant_id;
        let events = self
            .services
            .track
            .events(merchant, InvitationId::from_uuid(id.0))
            .await
            .map_err(|e| track_error(e, "invitation"))?;
        Ok(Json(events.into_iter().map(Into::into).collect()))
    }

    /// Sends a pending or expired invitation again with a new link; every
    /// earlier link stops working. Rate-limited per contact.
    #[oai(path = "/invitations/:id/resend", method = "post", operation_id = "resend_invitation")]
    async fn resend(&self, auth: StaffAuth, id: Path<uuid::Uuid>) -> Result<Json<InvitationDto>, ApiError> {
        let merchant = auth.require(Permission::SendPortalInvitation)?.merchant_id;
        let invitation = self
            .services
            .follow_up
            .resend(merchant, staff(&auth), InvitationId::from_uuid(id.0))
            .await
            .map_err(follow_up_error)?;
        Ok(Json(InvitationDto::new(&invitation, InvitationStatus::Pending, None)))
    }

    /// Revokes a pending or expired invitation; its link stops working.
    #[oai(path = "/invitations/:id/revoke", method = "post", operation_id = "revoke_invitation")]
    async fn revoke(&self, auth: StaffAuth, id: Path<uuid::Uuid>) -> Result<Json<InvitationDto>, ApiError> {
        let merchant = auth.require(Permission::SendPortalInvitation)?.merchant_id;
        let invitation = self
            .services
            .follow_up
            .revoke(merchant, staff(&auth), InvitationId::from_uuid(id.0))
            .await
            .map_err(follow_up_error)?;
        Ok(Json(InvitationDto::new(&invitation, InvitationStatus::Revoked, None)))
    }

    /// Resends every expired invitation.
    #[oai(path = "/invitations/resend-expired", method = "post", operation_id = "resend_expired_invitations")]
    async fn resend_expired(&self, auth: StaffAuth) -> Result<Json<ResentCountDto>, ApiError> {
        auth.require(Permission::SendPortalInvitation)?;
        let merchant = auth.require(Permission::BulkEmailContacts)?.merchant_id;
        let resent =
            self.services.follow_up.resend_all_expired(merchant, staff(&auth)).await.map_err(follow_up_error)?;
        Ok(Json(ResentCountDto { resent }))
    }
}

fn default_limit() -> u64 {
    50
}
