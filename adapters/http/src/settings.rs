//! The merchant's portal settings.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use portico_app::PortalSettings;
use portico_app::use_cases::manage_settings::ManageSettingsError;
use portico_domain::Permission;

use crate::auth::StaffAuth;
use crate::error::ApiError;
use crate::services::ApiServices;

/// Portal settings.
#[derive(Debug)]
pub struct SettingsApi {
    /// The use cases.
    pub services: Arc<ApiServices>,
}

/// The portal settings.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SettingsDto {
    /// No invitation goes out while this is off.
    pub portal_enabled: bool,
    /// How long invitation links live, 1–365 days.
    pub invitation_lifetime_days: u32,
    /// The name shown in emails and pages.
    #[oai(validator(max_length = 100))]
    pub brand_name: String,
    /// Accent colour as `#rrggbb`.
    #[oai(validator(max_length = 7))]
    pub brand_color: String,
}

impl From<PortalSettings> for SettingsDto {
    fn from(s: PortalSettings) -> Self {
        Self {
            portal_enabled: s.portal_enabled,
            invitation_lifetime_days: s.invitation_lifetime_days,
            brand_name: s.brand_name,
            brand_color: s.brand_color,
        }
    }
}

fn map_error(error: ManageSettingsError) -> ApiError {
    match error {
        ManageSettingsError::MerchantNotFound => {
            ApiError::not_found("merchant_not_found", "the merchant does not exist")
        }
        ManageSettingsError::Invalid(field) => ApiError::unprocessable("validation_failed", field.to_string()),
        ManageSettingsError::Unexpected(e) => ApiError::unexpected("managing settings", &*e),
    }
}

#[OpenApi(prefix_path = "/")]
impl SettingsApi {
    /// The merchant's portal settings.
    #[oai(path = "/settings", method = "get", operation_id = "get_settings")]
    async fn get(&self, auth: StaffAuth) -> Result<Json<SettingsDto>, ApiError> {
        let merchant = auth.require(Permission::ManageSettings)?.merchant_id;
        Ok(Json(self.services.settings.get(merchant).await.map_err(map_error)?.into()))
    }

    /// Replaces the portal settings.
    #[oai(path = "/settings", method = "put", operation_id = "put_settings")]
    async fn put(&self, auth: StaffAuth, body: Json<SettingsDto>) -> Result<Json<SettingsDto>, ApiError> {
        let merchant = auth.require(Permission::ManageSettings)?.merchant_id;
        let b = body.0;
        let settings = PortalSettings {
            portal_enabled: b.portal_enabled,
            invitation_lifetime_days: b.invitation_lifetime_days,
            brand_name: b.brand_name,
            brand_color: b.brand_color,
        };
        Ok(Json(self.services.settings.update(merchant, settings).await.map_err(map_error)?.into()))
    }
}
