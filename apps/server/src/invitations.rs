//! The invitation side of the wiring: the use cases behind the invitation
//! API, the portal pages and the batch worker.

use std::sync::Arc;

use chrono::TimeDelta;
use portico_app::OutboxWaker;
use portico_app::use_cases::follow_up_invitations::FollowUpInvitations;
use portico_app::use_cases::invite_contacts::InviteContacts;
use portico_app::use_cases::preview_invitations::PreviewInvitations;
use portico_app::use_cases::respond_to_invitation::RespondToInvitation;
use portico_app::use_cases::run_invitation_batches::RunInvitationBatches;
use portico_app::use_cases::start_invitation_batch::StartInvitationBatch;
use portico_app::use_cases::track_invitations::TrackInvitations;
use portico_domain::ResendPolicy;
use portico_http::TrustedProxies;
use portico_http::portal::PortalServices;

use crate::wiring::Wiring;

/// How long a batch worker's claim lasts without a written chunk.
const BATCH_LEASE: TimeDelta = TimeDelta::seconds(60);

impl Wiring {
    /// Planning invitations, chunk by chunk.
    #[must_use]
    pub fn invite_contacts(&self, public_url: &str) -> InviteContacts {
        InviteContacts {
            logins: self.db.logins(),
            renderer: self.renderer.clone(),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            tokens: self.tokens.clone(),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Starting a bulk send.
    #[must_use]
    pub fn start_batch(&self) -> StartInvitationBatch {
        StartInvitationBatch {
            merchants: self.merchants.clone(),
            batches: self.db.batches(),
            clock: self.clock.clone(),
            tokens: self.tokens.clone(),
        }
    }

    /// Previewing a send.
    #[must_use]
    pub fn preview(&self) -> PreviewInvitations {
        PreviewInvitations { invitations: self.db.invitations(), logins: self.db.logins() }
    }

    /// Reading invitations and batches.
    #[must_use]
    pub fn track(&self) -> TrackInvitations {
        TrackInvitations { invitations: self.db.invitations(), batches: self.db.batches(), clock: self.clock.clone() }
    }

    /// Resend, revoke, a fresh link.
    #[must_use]
    pub fn follow_up(&self, public_url: &str) -> FollowUpInvitations {
        FollowUpInvitations {
            merchants: self.merchants.clone(),
            invitations: self.db.invitations(),
            writer: self.db.invitations(),
            customers: self.customers.clone(),
            renderer: self.renderer.clone(),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            tokens: self.tokens.clone(),
            policy: ResendPolicy::default(),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The use cases behind the portal pages; `trusted_proxies` may name the client.
    #[must_use]
    pub fn portal_services(&self, public_url: &str, trusted_proxies: &TrustedProxies) -> PortalServices {
        PortalServices {
            respond: RespondToInvitation {
                merchants: self.merchants.clone(),
                invitations: self.db.invitations(),
                writer: self.db.invitations(),
                customers: self.customers.clone(),
                logins: self.db.logins(),
                acceptance: self.db.acceptance(),
                hasher: self.hasher.clone(),
                clock: self.clock.clone(),
                tokens: self.tokens.clone(),
            },
            follow_up: self.follow_up(public_url),
            tokens: self.tokens.clone(),
            secure_cookies: public_url.starts_with("https://"),
            trusted_proxies: trusted_proxies.clone(),
        }
    }

    /// The batch worker: every invitation is sent through it; `waker` hears
    /// of every chunk that queued emails.
    #[must_use]
    pub fn batch_worker(&self, public_url: &str, waker: Arc<dyn OutboxWaker>) -> RunInvitationBatches {
        RunInvitationBatches {
            batches: self.db.batches(),
            merchants: self.merchants.clone(),
            invitations: self.db.invitations(),
            planner: self.invite_contacts(public_url),
            clock: self.clock.clone(),
            lease: BATCH_LEASE,
            waker,
        }
    }
}
