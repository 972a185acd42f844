//! A merchant's portal settings: read them, and replace them after checking
//! each value.

use std::sync::Arc;

use portico_domain::{InvitationLifetime, MerchantId};

use super::csv_table::{FieldError, text};
use crate::{BoxError, MerchantRepository, PortalSettings, RepositoryError};

/// Why the settings cannot be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ManageSettingsError {
    /// The caller's merchant does not exist (any more).
    #[error("the merchant does not exist")]
    MerchantNotFound,
    /// A value breaks a rule; the message names the field.
    #[error("{0}")]
    Invalid(FieldError),
    /// An infrastructure failure.
    #[error("the settings could not be loaded or saved")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for ManageSettingsError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct ManageSettings {
    /// Merchants.
    pub merchants: Arc<dyn MerchantRepository>,
}

impl std::fmt::Debug for ManageSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManageSettings").finish_non_exhaustive()
    }
}

impl ManageSettings {
    /// The merchant's settings.
    ///
    /// # Errors
    /// [`ManageSettingsError`].
    pub async fn get(&self, merchant: MerchantId) -> Result<PortalSettings, ManageSettingsError> {
        let found = self.merchants.get(merchant).await?.ok_or(ManageSettingsError::MerchantNotFound)?;
        Ok(found.settings)
    }

    /// Replaces the merchant's settings; answers them as stored.
    ///
    /// # Errors
    /// [`ManageSettingsError`]: a value out of range names its field.
    pub async fn update(
        &self,
        merchant: MerchantId,
        settings: PortalSettings,
    ) -> Result<PortalSettings, ManageSettingsError> {
        let settings = check(settings).map_err(ManageSettingsError::Invalid)?;
        if !self.merchants.update_settings(merchant, &settings).await? {
            return Err(ManageSettingsError::MerchantNotFound);
        }
        Ok(settings)
    }
}

fn check(settings: PortalSettings) -> Result<PortalSettings, FieldError> {
    InvitationLifetime::days(settings.invitation_lifetime_days)
        .map_err(|e| FieldError::new("invitation_lifetime_days", e.to_string()))?;
    let brand_name = text("brand_name", &settings.brand_name, 100, true)?;
    let color = settings.brand_color.trim();
    let valid_color =
        color.len() == 7 && color.starts_with('#') && color.bytes().skip(1).all(|b| b.is_ascii_hexdigit());
    if !valid_color {
        return Err(FieldError::new("brand_color", format!("{color:?} is not a colour as #rrggbb")));
    }
    Ok(PortalSettings { brand_name, brand_color: color.to_ascii_lowercase(), ..settings })
}
