//! Preview a send before it happens: who would get what at which address,
//! and who would be skipped and why. Reads only.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use portico_domain::credentials;
use portico_domain::{Candidate, ContactId, InviteMode, InvitePlan, MerchantId, SkipReason, Username, Verdict, assess};

use super::invite_contacts::CHUNK_SIZE;
use crate::{BoxError, InvitationReader, LoginRepository, RepositoryError, Selection};

/// One row of the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewRow {
    /// The contact.
    pub contact_id: ContactId,
    /// The contact's name.
    pub contact_name: String,
    /// The customer's name.
    pub customer_name: String,
    /// Where the email would go, or why the contact is skipped.
    pub outcome: Result<PreviewInvite, SkipReason>,
}

/// What an invited contact would get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewInvite {
    /// The address.
    pub recipient: String,
    /// The username, in credentials mode.
    pub username: Option<String>,
}

/// The whole preview: counts over the selection, and its first rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    /// Contacts considered.
    pub total: u64,
    /// Contacts that would be invited.
    pub invited: u64,
    /// Skipped contacts, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first rows, in contact order.
    pub rows: Vec<PreviewRow>,
}

/// Why a preview failed.
#[derive(Debug, thiserror::Error)]
pub enum PreviewInvitationsError {
    /// An infrastructure failure.
    #[error("previewing the invitations failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for PreviewInvitationsError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the use case needs.
#[derive(Clone)]
pub struct PreviewInvitations {
    /// Candidates.
    pub invitations: Arc<dyn InvitationReader>,
    /// Usernames in use.
    pub logins: Arc<dyn LoginRepository>,
}

impl std::fmt::Debug for PreviewInvitations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewInvitations").finish_non_exhaustive()
    }
}

impl PreviewInvitations {
    /// Counts the whole selection and lists its first `max_rows` contacts.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn execute(
        &self,
        merchant: MerchantId,
        selection: &Selection,
        plan: &InvitePlan,
        max_rows: usize,
    ) -> Result<Preview, PreviewInvitationsError> {
        let mut preview = Preview::default();
        let mut after = None;
        // Usernames handed out across chunks count as taken for later chunks.
        let mut assigned: HashSet<Username> = HashSet::new();
        loop {
            let candidates = self.invitations.candidates(merchant, selection, after, CHUNK_SIZE).await?;
            let Some(last) = candidates.last() else { break };
            after = Some(last.contact.id);
            let views: Vec<Candidate<'_>> = candidates
                .iter()
                .map(|c| Candidate { customer: &c.customer, contact: &c.contact, standing: c.standing })
                .collect();
            let taken = self.taken(merchant, plan, &views).await?;
            let verdicts = assess(&views, plan, &|u: &Username| taken.contains(u) || assigned.contains(u));
            for (view, (contact_id, verdict)) in views.iter().zip(verdicts) {
                preview.total += 1;
                let outcome = match verdict {
                    Verdict::Invite { recipient, username } => {
                        preview.invited += 1;
                        if let Some(name) = &username {
                            assigned.insert(name.clone());
                        }
                        Ok(PreviewInvite {
                            recipient: recipient.to_string(),
                            username: username.map(|u| u.to_string()),
                        })
                    }
                    Verdict::Skip(reason) => {
                        *preview.skipped.entry(reason).or_default() += 1;
                        Err(reason)
                    }
                };
                if preview.rows.len() < max_rows {
                    preview.rows.push(PreviewRow {
                        contact_id,
                        contact_name: view.contact.display_name(),
                        customer_name: view.customer.name.clone(),
                        outcome,
                    });
                }
            }
            if candidates.len() < CHUNK_SIZE as usize {
                break;
            }
        }
        Ok(preview)
    }

    async fn taken(
        &self,
        merchant: MerchantId,
        plan: &InvitePlan,
        views: &[Candidate<'_>],
    ) -> Result<HashSet<Username>, PreviewInvitationsError> {
        let InviteMode::Credentials { username, .. } = plan.mode else { return Ok(HashSet::new()) };
        let wanted: Vec<Username> =
            views.iter().filter_map(|v| credentials::username(username, &v.credential_source()).ok()).collect();
        if wanted.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(self.logins.taken(merchant, &wanted).await?)
    }
}
