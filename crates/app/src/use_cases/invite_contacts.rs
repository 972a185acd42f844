//! Invite contacts, one chunk at a time: eligibility → credentials →
//! invitation → outbox email. The batch worker writes each planned chunk in
//! one transaction.

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use portico_domain::credentials::{self, GeneratedPassword};
use portico_domain::{
    Actor, Candidate, ContactId, Invitation, InvitationId, InvitationMode, InviteMode, InvitePlan, IssueError,
    MerchantId, NewInvitation, OutboxMessageId, PasswordHash, SkipReason, Username, Verdict, assess,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::invitation_email::{self, Addressee};
use crate::{
    BoxError, CandidateRecord, Clock, InvitationWrite, LoginRepository, Merchant, OutboxEmail, PasswordHasher,
    RepositoryError, TemplateRenderer, TokenSource,
};

/// How many contacts one transaction handles.
pub const CHUNK_SIZE: u32 = 500;

/// Why a chunk could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum InviteContactsError {
    /// An infrastructure failure (rendering, hashing, loading usernames).
    #[error("planning the invitations failed")]
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

/// Plans the invitations of one chunk of contacts; the batch worker
/// ([`RunInvitationBatches`](super::run_invitation_batches::RunInvitationBatches))
/// reads the chunks, calls this, and writes the result.
#[derive(Clone)]
pub struct InviteContacts {
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
