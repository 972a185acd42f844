//! How long an invitation link lives, and how often it may be resent.

use chrono::{DateTime, TimeDelta, Utc};

use super::TransitionError;

/// A lifetime outside 1 hour – 365 days.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an invitation lives from 1 hour to 365 days, not {0} seconds")]
pub struct LifetimeError(pub i64);

/// How long each invitation token lives (1 hour to 365 days; 14 days by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvitationLifetime(TimeDelta);

impl InvitationLifetime {
    /// A lifetime in whole days.
    ///
    /// # Errors
    /// [`LifetimeError`] outside 1 hour – 365 days.
    pub fn days(days: u32) -> Result<Self, LifetimeError> {
        Self::seconds(i64::from(days) * 86_400)
    }

    /// A lifetime in seconds.
    ///
    /// # Errors
    /// [`LifetimeError`] outside 1 hour – 365 days.
    pub fn seconds(seconds: i64) -> Result<Self, LifetimeError> {
        if (3_600..=365 * 86_400).contains(&seconds) {
            Ok(Self(TimeDelta::seconds(seconds)))
        } else {
            Err(LifetimeError(seconds))
        }
    }

    /// The lifetime.
    #[must_use]
    pub const fn as_delta(&self) -> TimeDelta {
        self.0
    }

    /// When a token issued at `now` expires. Saturates instead of overflowing.
    #[must_use]
    pub fn after(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_add_signed(self.0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

impl Default for InvitationLifetime {
    fn default() -> Self {
        Self(TimeDelta::days(14))
    }
}

/// The per-contact resend rate limit: a minimum interval between two sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResendPolicy {
    min_interval: TimeDelta,
}

impl ResendPolicy {
    /// No limit (a resend may follow at once).
    pub const UNLIMITED: Self = Self { min_interval: TimeDelta::zero() };

    /// At most one send per `seconds`.
    #[must_use]
    pub fn min_interval_secs(seconds: u32) -> Self {
        Self { min_interval: TimeDelta::seconds(i64::from(seconds)) }
    }

    pub(super) fn check(&self, last_sent_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), TransitionError> {
        match last_sent_at.checked_add_signed(self.min_interval) {
            Some(allowed) if now < allowed => {
                Err(TransitionError::TooSoon { min_interval_secs: self.min_interval.num_seconds() })
            }
            _ => Ok(()),
        }
    }
}

impl Default for ResendPolicy {
    /// One resend per contact every 5 minutes.
    fn default() -> Self {
        Self::min_interval_secs(300)
    }
}
