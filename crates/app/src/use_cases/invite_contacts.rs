//! Invite contacts: eligibility → credentials → invitation → outbox email,
//! each chunk written in one transaction.

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use portico_domain::credentials::{self, GeneratedPassword};
use portico_domain::{
    Actor, Candidate, ContactId, EmailAddress, Invitation, InvitationId, InvitationMode, InviteMode, InvitePlan,
    IssueError, MerchantId, NewInvitation, OutboxMessageId, PasswordHash, SkipReason, Username, Verdict, assess,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::invitation_email::{self, Addressee};
use crate::{
    BoxError, CandidateRecord, Clock, InvitationRepository, InvitationWrite, LoginRepository, Merchant,
    MerchantRepository, OutboxEmail, PasswordHasher, RepositoryError, Selection, TemplateRenderer, TokenSource,
};

/// How many contacts one transaction handles.
pub const CHUNK_SIZE: u32 = 500;

/// What staff asked for.
#[derive(Clone, Debug)]
pub struct InviteContactsCommand {
    /// The merchant.
    pub merchant: MerchantId,
    /// Who asked.
    pub actor: Actor,
    /// Whom to invite.
    pub selection: Selection,
    /// Mode, patterns, recipient.
    pub plan: InvitePlan,
}

/// One invited contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitedContact {
    /// The contact.
    pub contact_id: ContactId,
    /// The new invitation.
    pub invitation_id: InvitationId,
    /// Where its email goes.
    pub recipient: EmailAddress,
}

/// The outcome of a send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InviteReport {
    /// Invited contacts.
    pub invited: Vec<InvitedContact>,
    /// Skipped contacts with the reason.
    pub skipped: Vec<(ContactId, SkipReason)>,
}

/// Why a send did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InviteContactsError {
    /// No such merchant.
    #[error("the merchant does not exist")]
    MerchantNotFound,
    /// The portal is disabled in settings: nothing is sent.
    #[error("the customer portal is disabled in settings; no invitation was sent")]
    PortalDisabled,
    /// An infrastructure failure.
    #[error("inviting contacts failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for InviteContactsError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// A chunk's planned writes and skips, before storage.
#[derive(Clone, Debug, Default)]
pub struct PlannedChunk {
    /// Invitations with events and emails.
    pub writes: Vec<InvitationWrite>,
    /// Skipped contacts.
    pub skipped: Vec<(ContactId, SkipReason)>,
}

/// The ports the use case needs.
#[derive(Clone)]
pub struct InviteContacts {
    /// Merchants and settings.
    pub merchants: Arc<dyn MerchantRepository>,
    /// Invitations.
    pub invitations: Arc<dyn InvitationRepository>,
    /// Logins (usernames in use).
    pub logins: Arc<dyn LoginRepository>,
    /// Email rendering.
    pub renderer: Arc<dyn TemplateRenderer>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub tokens: Arc<dyn TokenSource>,
    /// The portal's public base URL, without a trailing slash.
    pub public_url: String,
}

impl std::fmt::Debug for InviteContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteContacts").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

impl InviteContacts {
    /// Invites a selection now, chunk by chunk.
    ///
    /// # Errors
    /// [`InviteContactsError`]: unknown merchant, portal disabled, or an
    /// infrastructure failure (chunks already written stay written).
    pub async fn execute(&self, cmd: InviteContactsCommand) -> Result<InviteReport, InviteContactsError> {
        let merchant = self.merchant(cmd.merchant).await?;
        let mut report = InviteReport::default();
        let mut after = None;
        loop {
            let candidates = self.invitations.candidates(merchant.id, &cmd.selection, after, CHUNK_SIZE).await?;
            let Some(last) = candidates.last() else { break };
            after = Some(last.contact.id);
            let full = candidates.len() == CHUNK_SIZE as usize;
            let chunk = self.write_chunk(&merchant, cmd.actor, &cmd.plan, candidates).await?;
            report.invited.extend(chunk.writes.iter().map(|w| InvitedContact {
                contact_id: w.invitation.contact_id(),
                invitation_id: w.invitation.id(),
                recipient: w.invitation.recipient().clone(),
            }));
            report.skipped.extend(chunk.skipped);
            if !full {
                break;
            }
        }
        Ok(report)
    }

    /// Loads the merchant and refuses when its portal is disabled.
    ///
    /// # Errors
    /// `MerchantNotFound`, `PortalDisabled`, or a storage failure.
    pub async fn merchant(&self, id: MerchantId) -> Result<Merchant, InviteContactsError> {
        let merchant = self.merchants.get(id).await?.ok_or(InviteContactsError::MerchantNotFound)?;
        if !merchant.settings.portal_enabled {
            return Err(InviteContactsError::PortalDisabled);
        }
        Ok(merchant)
    }

    /// Plans and inserts one chunk. When a concurrent writer invited one of
    /// the contacts first (the database refuses a second open invitation),
    /// the chunk is re-read and planned again, so that contact is reported as
    /// `already_invited` instead of failing the chunk.
    async fn write_chunk(
        &self,
        merchant: &Merchant,
        actor: Actor,
        plan: &InvitePlan,
        candidates: Vec<CandidateRecord>,
    ) -> Result<PlannedChunk, InviteContactsError> {
        let ids: Vec<ContactId> = candidates.iter().map(|c| c.contact.id).collect();
        let chunk = self.plan_chunk(merchant, actor, plan, &candidates).await?;
        match self.invitations.insert(merchant.id, &chunk.writes).await {
            Ok(()) => Ok(chunk),
            Err(RepositoryError::Conflict { .. }) => {
                let fresh =
                    self.invitations.candidates(merchant.id, &Selection::Contacts(ids), None, CHUNK_SIZE).await?;
                let chunk = self.plan_chunk(merchant, actor, plan, &fresh).await?;
                self.invitations.insert(merchant.id, &chunk.writes).await?;
                Ok(chunk)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Decides and prepares one chunk without writing it: eligibility,
    /// credentials (hashed, several at once), invitations, and rendered
    /// emails (the chunk's templates loaded once).
    ///
    /// # Errors
    /// On a failure of rendering, hashing or loading usernames.
    pub async fn plan_chunk(
        &self,
        merchant: &Merchant,
        actor: Actor,
        plan: &InvitePlan,
        candidates: &[CandidateRecord],
    ) -> Result<PlannedChunk, InviteContactsError> {
        let now = self.clock.now();
        let taken = self.taken_usernames(merchant.id, plan, candidates).await?;
        let views: Vec<Candidate<'_>> = candidates
            .iter()
            .map(|c| Candidate { customer: &c.customer, contact: &c.contact, standing: c.standing })
            .collect();
        let verdicts = assess(&views, plan, &|u: &Username| taken.contains(u));
        let mut rng = ChaCha20Rng::from_seed(self.tokens.seed());
        let mut chunk = PlannedChunk::default();
        // Who is invited, and with which first password.
        let mut invitees = Vec::new();
        for (candidate, (contact_id, verdict)) in views.iter().zip(verdicts) {
            let (recipient, username) = match verdict {
                Verdict::Skip(reason) => {
                    chunk.skipped.push((contact_id, reason));
                    continue;
                }
                Verdict::Invite { recipient, username } => (recipient, username),
            };
            let credentials = match (plan.mode, username) {
                (InviteMode::Credentials { password, .. }, Some(username)) => {
                    let secret = credentials::password(password, &candidate.credential_source(), &mut rng)
                        .map_err(|m| InviteContactsError::Unexpected(m.into()))?;
                    Some((username, secret))
                }
                _ => None,
            };
            invitees.push((candidate, contact_id, recipient, credentials));
        }
        let mut hashes = self.hash_all(invitees.iter().filter_map(|i| i.3.as_ref().map(|(_, s)| s))).await?.into_iter();
        // The invitations and their emails' content.
        let mut issued_all = Vec::with_capacity(invitees.len());
        let mut contents = Vec::with_capacity(invitees.len());
        for (candidate, contact_id, recipient, credentials) in invitees {
            let (mode, password) = match credentials {
                Some((username, secret)) => {
                    let password_hash = hashes.next().ok_or_else(|| unexpected("a password hash is missing"))?;
                    (InvitationMode::Credentials { username, password_hash }, Some(secret))
                }
                None => (InvitationMode::Link, None),
            };
            let new = NewInvitation {
                id: InvitationId::from_uuid(self.tokens.uuid()),
                merchant_id: merchant.id,
                customer_id: candidate.customer.id,
                contact_id,
                recipient,
                mode,
                lifetime: merchant.settings.invitation_lifetime(),
                override_declined: plan.override_declined,
            };
            let issued = match Invitation::issue(new, candidate.standing, self.tokens.token(), actor, now) {
                Ok(issued) => issued,
                Err(e) => {
                    chunk.skipped.push((contact_id, skip_reason_for(e)));
                    continue;
                }
            };
            let to_name = candidate.contact.display_name();
            let to = Addressee { customer_name: &candidate.customer.name, contact_name: &to_name };
            contents.push(invitation_email::content(
                merchant,
                &self.public_url,
                to,
                &issued.invitation,
                &issued.token,
                password.as_ref(),
                now,
            ));
            let email_id = OutboxMessageId::from_uuid(self.tokens.uuid());
            issued_all.push((issued, to_name, email_id));
        }
        let rendered =
            self.renderer.render_all(merchant.id, &contents).await.map_err(InviteContactsError::Unexpected)?;
        if rendered.len() != contents.len() {
            return Err(unexpected("the renderer returned a different number of emails"));
        }
        for (((issued, to_name, id), content), rendered) in issued_all.into_iter().zip(&contents).zip(rendered) {
            let email = OutboxEmail {
                id,
                merchant_id: merchant.id,
                kind: content.kind(),
                to: issued.invitation.recipient().clone(),
                to_name,
                subject: rendered.subject,
                html: rendered.html,
                text: rendered.text,
                invitation_id: Some(issued.invitation.id()),
            };
            chunk.writes.push(InvitationWrite {
                invitation: issued.invitation,
                event: issued.event,
                email: Some(email),
            });
        }
        Ok(chunk)
    }

    /// Hashes the passwords, one per core at a time (argon2id is the slow
    /// part of credentials mode), in order.
    async fn hash_all<'a>(
        &self,
        secrets: impl Iterator<Item = &'a GeneratedPassword>,
    ) -> Result<Vec<PasswordHash>, InviteContactsError> {
        let at_once = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        // The futures are made first (none runs before it is polled), so the
        // stream holds no closure over borrowed data.
        let hashes: Vec<_> = secrets.map(|secret| self.hasher.hash(secret.expose())).collect();
        stream::iter(hashes).buffered(at_once).try_collect().await.map_err(InviteContactsError::Unexpected)
    }

    async fn taken_usernames(
        &self,
        merchant: MerchantId,
        plan: &InvitePlan,
        candidates: &[CandidateRecord],
    ) -> Result<HashSet<Username>, InviteContactsError> {
        let InviteMode::Credentials { username: pattern, .. } = plan.mode else {
            return Ok(HashSet::new());
        };
        let wanted: Vec<Username> = candidates
            .iter()
            .filter_map(|c| {
                let view = Candidate { customer: &c.customer, contact: &c.contact, standing: c.standing };
                credentials::username(pattern, &view.credential_source()).ok()
            })
            .collect();
        if wanted.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(self.logins.taken(merchant, &wanted).await?)
    }
}

fn unexpected(message: &str) -> InviteContactsError {
    InviteContactsError::Unexpected(message.into())
}

const fn skip_reason_for(error: IssueError) -> SkipReason {
    match error {
        IssueError::HasLogin => SkipReason::HasLogin,
        IssueError::AlreadyInvited => SkipReason::AlreadyInvited,
        IssueError::Declined => SkipReason::Declined,
    }
}
