//! Every conversion between sea-orm models and domain or port types. Nothing
//! else in the crate knows how a domain value is laid out in a row.

pub(crate) mod batch_spec;
mod directory;
mod invitations;
mod payments;
mod work;

pub(crate) use directory::*;
pub(crate) use invitations::*;
pub(crate) use payments::*;
pub(crate) use work::*;

use portico_app::RepositoryError;

use crate::error::corrupt;

/// Stored names of invitation statuses.
pub(crate) fn status_from_str(
    table: &'static str,
    s: &str,
) -> Result<portico_domain::InvitationStatus, RepositoryError> {
    use portico_domain::InvitationStatus as S;
    Ok(match s {
        "pending" => S::Pending,
        "accepted" => S::Accepted,
        "declined" => S::Declined,
        "expired" => S::Expired,
        "revoked" => S::Revoked,
        other => return Err(corrupt(table, "status", other)),
    })
}

/// A stored counter as `u64` (negative values are corrupt).
pub(crate) fn count(table: &'static str, column: &'static str, n: i64) -> Result<u64, RepositoryError> {
    u64::try_from(n).map_err(|e| corrupt(table, column, e))
}
