//! Merchants and their portal settings.

use async_trait::async_trait;
use portico_domain::{InvitationLifetime, MerchantId};

use crate::RepositoryError;

/// A merchant's portal settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalSettings {
    /// No invitation goes out while this is off.
    pub portal_enabled: bool,
    /// How long invitation links live, in days (1–365).
    pub invitation_lifetime_days: u32,
    /// Name shown in emails and pages.
    pub brand_name: String,
    /// Accent colour as `#rrggbb`.
    pub brand_color: String,
}

impl PortalSettings {
    /// The invitation lifetime as a domain value (falls back to the default
    /// for an out-of-range stored value).
    #[must_use]
    pub fn invitation_lifetime(&self) -> InvitationLifetime {
        InvitationLifetime::days(self.invitation_lifetime_days).unwrap_or_default()
    }
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            portal_enabled: true,
            invitation_lifetime_days: 14,
            brand_name: "Portico".to_owned(),
            brand_color: "#2563eb".to_owned(),
        }
    }
}

/// A merchant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merchant {
    /// Id.
    pub id: MerchantId,
    /// Legal or trading name.
    pub name: String,
    /// Portal settings.
    pub settings: PortalSettings,
}

/// The merchant's portal is switched off: no invitation goes out and no link
/// works until it is on again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the customer portal is disabled in settings")]
pub struct PortalDisabled;

impl Merchant {
    /// The one check every invitation path makes before it sends or accepts.
    ///
    /// # Errors
    /// [`PortalDisabled`] while the portal is off in the settings.
    pub const fn ensure_portal_enabled(&self) -> Result<(), PortalDisabled> {
        if self.settings.portal_enabled { Ok(()) } else { Err(PortalDisabled) }
    }
}

/// Stores merchants.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MerchantRepository: Send + Sync {
    /// Creates a merchant.
    ///
    /// # Errors
    /// `Conflict` when the id exists.
    async fn create(&self, merchant: &Merchant) -> Result<(), RepositoryError>;

    /// A merchant by id.
    ///
    /// # Errors
    /// On a storage failure.
    async fn get(&self, id: MerchantId) -> Result<Option<Merchant>, RepositoryError>;

    /// Every merchant, oldest first.
    ///
    /// # Errors
    /// On a storage failure.
    async fn list(&self) -> Result<Vec<Merchant>, RepositoryError>;

    /// Replaces a merchant's settings; `false` when the merchant does not exist.
    ///
    /// # Errors
    /// On a storage failure.
    async fn update_settings(&self, id: MerchantId, settings: &PortalSettings) -> Result<bool, RepositoryError>;
}
