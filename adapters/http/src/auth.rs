//! Bearer API keys: the security scheme, and the permission check every
//! operation makes before it acts.

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use portico_app::StaffPrincipal;
use portico_app::use_cases::authenticate_staff::AuthenticateStaffError;
use portico_domain::Permission;

use crate::error::ApiError;
use crate::idempotency::Authenticated;
use crate::services::ApiServices;

/// A staff member's API key: `Authorization: Bearer ptk_...`.
#[derive(Debug, SecurityScheme)]
#[oai(ty = "bearer", key_name = "Authorization", checker = "check_api_key")]
pub struct StaffAuth(pub StaffPrincipal);

async fn check_api_key(request: &Request, bearer: Bearer) -> poem::Result<StaffPrincipal> {
    // The idempotency middleware checked this request's key already.
    if let Some(Authenticated(principal)) = request.extensions().get::<Authenticated>() {
        return Ok(principal.clone());
    }
    let Some(services) = request.data::<Arc<ApiServices>>() else {
        return Err(ApiError::unexpected(
            "authenticating",
            &std::io::Error::other("the API services are not installed"),
        )
        .into());
    };
    match services.authenticate.execute(&bearer.token).await {
        Ok(principal) => Ok(principal),
        Err(e @ (AuthenticateStaffError::Malformed | AuthenticateStaffError::UnknownKey)) => {
            Err(ApiError::unauthorized("invalid_api_key", e.to_string()).into())
        }
        Err(AuthenticateStaffError::Unexpected(e)) => Err(ApiError::unexpected("checking an API key", &*e).into()),
    }
}

impl StaffAuth {
    /// The principal when its role grants `permission`.
    ///
    /// # Errors
    /// 403 naming the missing permission.
    pub fn require(&self, permission: Permission) -> Result<&StaffPrincipal, ApiError> {
        if self.0.role.allows(permission) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(
                "forbidden",
                format!("the role {} lacks the permission {}", self.0.role.as_str(), permission.as_str()),
            ))
        }
    }
}
