//! Use cases: one module each, named `verb_noun`.

pub mod batch_spec;
pub mod follow_up_invitations;
pub mod invitation_email;
pub mod invite_contacts;
pub mod respond_to_invitation;
pub mod run_invitation_batches;
pub mod start_invitation_batch;
