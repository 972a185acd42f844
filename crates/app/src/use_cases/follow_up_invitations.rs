//! Following up on invitations: staff resend or revoke one, resend every
//! expired one; a contact on an expired-link page asks for a fresh link,
//! which goes to the email on file only.

use std::sync::Arc;

use portico_domain::credentials::{self, GeneratedPassword};
use portico_domain::{
    Actor, ContactEmail, Invitation, InvitationId, InvitationMode, InvitationStatus, MerchantId, OutboxMessageId,
    PasswordLength, Reissue, ResendPolicy, SecretToken, TransitionError,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::invitation_email::{self, Addressee};
use crate::{
    BoxError, Clock, CustomerRepository, InvitationReader, InvitationWrite, InvitationWriter, Merchant,
    MerchantRepository, OutboxEmail, PageRequest, PasswordHasher, PortalDisabled, RepositoryError, TemplateRenderer,
    TokenSource,
};

/// Why a follow-up was refused.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    /// No such invitation for this merchant.
    #[error("no such invitation")]
    NotFound,
    /// The portal is disabled: nothing is sent.
    #[error("the customer portal is disabled in settings; nothing was sent")]
    PortalDisabled,
    /// Not possible in the invitation's status.
    #[error("the invitation is {0}")]
    WrongStatus(InvitationStatus),
    /// Someone else changed the invitation meanwhile (accepted it, resent it).
    #[error("the invitation changed meanwhile; reload it")]
    Changed,
    /// Sent too recently (the per-contact rate limit).
    #[error("the invitation was sent less than {0} seconds ago")]
    TooSoon(i64),
    /// An infrastructure failure.
    #[error("following up on the invitation failed")]
    Unexpected(#[source] BoxError),
}

impl From<PortalDisabled> for FollowUpError {
    fn from(_: PortalDisabled) -> Self {
        Self::PortalDisabled
    }
}

impl From<RepositoryError> for FollowUpError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the use cases need.
#[derive(Clone)]
pub struct FollowUpInvitations {
    /// Merchants.
    pub merchants: Arc<dyn MerchantRepository>,
    /// Invitations, read.
    pub invitations: Arc<dyn InvitationReader>,
    /// Invitations, written (resends, revokes).
    pub writer: Arc<dyn InvitationWriter>,
    /// Customers and contacts (names, the email on file).
    pub customers: Arc<dyn CustomerRepository>,
    /// Email rendering.
    pub renderer: Arc<dyn TemplateRenderer>,
    /// Hashing a fresh password in credentials mode.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub tokens: Arc<dyn TokenSource>,
    /// The per-contact resend limit.
    pub policy: ResendPolicy,
    /// The portal's public base URL.
    pub public_url: String,
}

impl std::fmt::Debug for FollowUpInvitations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowUpInvitations").field("policy", &self.policy).finish_non_exhaustive()
    }
}

type Result<T> = std::result::Result<T, FollowUpError>;

impl FollowUpInvitations {
    /// Resends one invitation with a new link (and, in credentials mode, a new
    /// random password); every earlier link stops working.
    ///
    /// # Errors
    /// [`FollowUpError`].
    pub async fn resend(&self, merchant: MerchantId, actor: Actor, id: InvitationId) -> Result<Invitation> {
        let merchant = self.enabled_merchant(merchant).await?;
        let invitation = self.invitations.find(merchant.id, id).await?.ok_or(FollowUpError::NotFound)?;
        self.reissue(&merchant, invitation, actor, None).await
    }

    /// Revokes one invitation; its link stops working at once.
    ///
    /// # Errors
    /// [`FollowUpError`].
    pub async fn revoke(&self, merchant: MerchantId, actor: Actor, id: InvitationId) -> Result<Invitation> {
        let mut invitation = self.invitations.find(merchant, id).await?.ok_or(FollowUpError::NotFound)?;
        let event = invitation.revoke(actor, self.clock.now()).map_err(refused)?;
        let write = InvitationWrite { invitation: invitation.clone(), event, email: None };
        // An accept (or resend) that won the race leaves a stale state behind: 409, not 500.
        self.writer.update(merchant, &write).await.map_err(changed)?;
        Ok(invitation)
    }

    /// Resends every expired invitation of the merchant; returns how many.
    /// Those inside the rate limit or changed meanwhile are left alone.
    ///
    /// # Errors
    /// `PortalDisabled`, or a storage failure (those already resent stay so).
    pub async fn resend_all_expired(&self, merchant: MerchantId, actor: Actor) -> Result<u64> {
        let merchant = self.enabled_merchant(merchant).await?;
        let mut resent = 0;
        let mut skipped = 0;
        loop {
            // Resent invitations leave the expired list, so page past the skipped ones only.
            let page = PageRequest { offset: skipped, limit: 200 };
            let expired =
                self.invitations.list(merchant.id, Some(InvitationStatus::Expired), page, self.clock.now()).await?;
            if expired.items.is_empty() {
                return Ok(resent);
            }
            for summary in expired.items {
                match self.reissue(&merchant, summary.invitation, actor, None).await {
                    Ok(_) => resent += 1,
                    Err(
                        FollowUpError::TooSoon(_)
                        | FollowUpError::WrongStatus(_)
                        | FollowUpError::NotFound
                        | FollowUpError::Changed,
                    ) => {
                        skipped += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// A contact's request for a fresh link from the expired (or replaced)
    /// link page. Whatever the link, the answer is the same, so it reveals
    /// nothing; a fresh link goes out only for an open invitation, within the
    /// rate limit, to the contact's email on file.
    ///
    /// # Errors
    /// Only on an infrastructure failure.
    pub async fn request_new_link(&self, raw_token: &str) -> Result<()> {
        let Ok(token) = SecretToken::parse(raw_token) else { return Ok(()) };
        let Some(invitation) = self.invitations.find_by_token(&token.hash()).await? else { return Ok(()) };
        // Only the newest link may ask: a retired one (replaced, used) triggers nothing.
        if !invitation.is_current_token(&token) {
            return Ok(());
        }
        let Ok(merchant) = self.enabled_merchant(invitation.merchant_id()).await else { return Ok(()) };
        // Status and the per-contact limit first: nothing costly for a refusal.
        if invitation.can_reissue(self.policy, self.clock.now()).is_err() {
            return Ok(());
        }
        let detail = self.customers.find(merchant.id, invitation.customer_id()).await?;
        let on_file =
            detail.and_then(|d| d.contacts.into_iter().find(|c| c.id == invitation.contact_id())).and_then(|c| match c
                .email
            {
                ContactEmail::Valid(email) => Some(email),
                _ => None,
            });
        let Some(on_file) = on_file else { return Ok(()) };
        let actor = Actor::Contact(invitation.contact_id());
        match self.reissue(&merchant, invitation, actor, Some(on_file)).await {
            Ok(_)
            | Err(
                FollowUpError::TooSoon(_)
                | FollowUpError::WrongStatus(_)
                | FollowUpError::NotFound
                | FollowUpError::Changed,
            ) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn enabled_merchant(&self, id: MerchantId) -> Result<Merchant> {
        let merchant = self.merchants.get(id).await?.ok_or(FollowUpError::NotFound)?;
        merchant.ensure_portal_enabled()?;
        Ok(merchant)
    }

    async fn reissue(
        &self,
        merchant: &Merchant,
        mut invitation: Invitation,
        actor: Actor,
        recipient: Option<portico_domain::EmailAddress>,
    ) -> Result<Invitation> {
        let now = self.clock.now();
        // Refused before any work: the password hash below is the slow part.
        invitation.can_reissue(self.policy, now).map_err(refused)?;
        let detail =
            self.customers.find(merchant.id, invitation.customer_id()).await?.ok_or(FollowUpError::NotFound)?;
        let contact =
            detail.contacts.iter().find(|c| c.id == invitation.contact_id()).ok_or(FollowUpError::NotFound)?;
        let password = match invitation.mode() {
            InvitationMode::Credentials { .. } => Some(self.fresh_password()),
            InvitationMode::Link => None,
        };
        let new_password = match &password {
            Some(p) => Some(self.hasher.hash(p.expose()).await.map_err(FollowUpError::Unexpected)?),
            None => None,
        };
        let reissue = Reissue {
            token: self.tokens.token(),
            lifetime: merchant.settings.invitation_lifetime(),
            policy: self.policy,
            new_password,
            recipient,
        };
        let resent = invitation.reissue(reissue, actor, now).map_err(refused)?;
        let to = Addressee { customer_name: &detail.customer.name, contact_name: &contact.display_name() };
        let content = invitation_email::content(
            merchant,
            &self.public_url,
            to,
            &invitation,
            &resent.token,
            password.as_ref(),
            now,
        );
        let rendered = self.renderer.render(merchant.id, &content).await.map_err(FollowUpError::Unexpected)?;
        let email = OutboxEmail {
            id: OutboxMessageId::from_uuid(self.tokens.uuid()),
            merchant_id: merchant.id,
            kind: content.kind(),
            to: invitation.recipient().clone(),
            to_name: contact.display_name(),
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            invitation_id: Some(invitation.id()),
        };
        let write = InvitationWrite { invitation: invitation.clone(), event: resent.event, email: Some(email) };
        self.writer.update(merchant.id, &write).await.map_err(changed)?;
        Ok(invitation)
    }

    /// A resent credentials invitation carries a new random password: the old
    /// one is only stored hashed, and a derived one would be the same weak value.
    fn fresh_password(&self) -> GeneratedPassword {
        credentials::random_password(PasswordLength::default(), &mut ChaCha20Rng::from_seed(self.tokens.seed()))
    }
}

/// A conflicting update means the invitation moved on since it was read.
fn changed(error: RepositoryError) -> FollowUpError {
    match error {
        RepositoryError::Conflict { .. } => FollowUpError::Changed,
        other => other.into(),
    }
}

fn refused(error: TransitionError) -> FollowUpError {
    match error {
        TransitionError::NotAllowed { status, .. } => FollowUpError::WrongStatus(status),
        TransitionError::TooSoon { min_interval_secs } => FollowUpError::TooSoon(min_interval_secs),
        other => FollowUpError::Unexpected(other.into()),
    }
}
