//! The template editor: list, read, save, reset and preview email templates.

use std::sync::Arc;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use portico_app::use_cases::edit_templates::{EditTemplatesError, TemplateView};
use portico_app::{MailKind, RenderedEmail, TemplateSource};
use portico_domain::{MerchantId, Permission};

use crate::auth::StaffAuth;
use crate::error::ApiError;
use crate::services::ApiServices;

/// Email templates.
#[derive(Debug)]
pub struct TemplatesApi {
    /// The use cases.
    pub services: Arc<ApiServices>,
}

/// A template as staff see it.
#[derive(Debug, Object)]
pub struct TemplateDto {
    /// The kind, such as `invitation_link`.
    pub kind: String,
    /// Whether it differs from the built-in default.
    pub customized: bool,
    /// Subject with merge tags such as `[CustomerName]`.
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text body.
    pub text: String,
}

/// A template to save.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct TemplateBody {
    /// Subject (one line).
    #[oai(validator(max_length = 500))]
    pub subject: String,
    /// HTML body.
    #[oai(validator(max_length = 200000))]
    pub html: String,
    /// Plain-text body.
    #[oai(validator(max_length = 200000))]
    pub text: String,
}

/// A template to preview; parts left out come from the saved template.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct PreviewBody {
    /// Subject.
    #[oai(validator(max_length = 500))]
    pub subject: Option<String>,
    /// HTML body.
    #[oai(validator(max_length = 200000))]
    pub html: Option<String>,
    /// Plain-text body.
    #[oai(validator(max_length = 200000))]
    pub text: Option<String>,
}

/// A rendered preview.
#[derive(Debug, Object)]
pub struct TemplatePreviewDto {
    /// Subject.
    pub subject: String,
    /// HTML.
    pub html: String,
    /// Plain text.
    pub text: String,
}

fn view_dto(view: TemplateView) -> TemplateDto {
    TemplateDto {
        kind: view.kind.as_str().to_owned(),
        customized: view.customized,
        subject: view.source.subject,
        html: view.source.html,
        text: view.source.text,
    }
}

fn kind(name: &str) -> Result<MailKind, ApiError> {
    MailKind::parse(name).ok_or_else(|| {
        let kinds: Vec<&str> = MailKind::ALL.iter().map(MailKind::as_str).collect();
        ApiError::not_found("unknown_template_kind", format!("no template kind {name:?}; kinds: {}", kinds.join(", ")))
    })
}

fn map_error(error: EditTemplatesError) -> ApiError {
    match error {
        EditTemplatesError::Invalid(problem) => {
            // The message names the part and, for an unknown tag, the allowed ones.
            let mut message = problem.message.clone();
            if problem.tag.is_none() && !problem.allowed.is_empty() {
                let allowed: Vec<String> = problem.allowed.iter().map(|t| format!("[{t}]")).collect();
                message.push_str(&format!("; allowed merge tags: {}", allowed.join(", ")));
            }
            ApiError::unprocessable("invalid_template", message)
        }
        EditTemplatesError::MerchantNotFound => {
            ApiError::not_found("merchant_not_found", "the merchant does not exist")
        }
        EditTemplatesError::Unexpected(e) => ApiError::unexpected("editing templates", &*e),
    }
}

impl TemplatesApi {
    fn merchant(auth: &StaffAuth) -> Result<MerchantId, ApiError> {
        Ok(auth.require(Permission::ManageTemplates)?.merchant_id)
    }
}

#[OpenApi(prefix_path = "/")]
impl TemplatesApi {
    /// Every email kind with its current template.
    #[oai(path = "/templates", method = "get", operation_id = "list_templates")]
    async fn list(&self, auth: StaffAuth) -> Result<Json<Vec<TemplateDto>>, ApiError> {
        let views = self.services.templates.list(Self::merchant(&auth)?).await.map_err(map_error)?;
        Ok(Json(views.into_iter().map(view_dto).collect()))
    }

    /// One kind's template: the merchant's own, else the default.
    #[oai(path = "/templates/:kind", method = "get", operation_id = "get_template")]
    async fn get(&self, auth: StaffAuth, kind: Path<String>) -> Result<Json<TemplateDto>, ApiError> {
        let merchant = Self::merchant(&auth)?;
        let view = self.services.templates.get(merchant, self::kind(&kind.0)?).await.map_err(map_error)?;
        Ok(Json(view_dto(view)))
    }

    /// Saves a template; an unknown merge tag is refused, naming the allowed ones.
    #[oai(path = "/templates/:kind", method = "put", operation_id = "put_template")]
    async fn put(
        &self,
        auth: StaffAuth,
        kind: Path<String>,
        body: Json<TemplateBody>,
    ) -> Result<Json<TemplateDto>, ApiError> {
        let merchant = Self::merchant(&auth)?;
        let source = TemplateSource { subject: body.0.subject, html: body.0.html, text: body.0.text };
        let view = self.services.templates.put(merchant, self::kind(&kind.0)?, source).await.map_err(map_error)?;
        Ok(Json(view_dto(view)))
    }

    /// Returns a kind to its built-in default.
    #[oai(path = "/templates/:kind", method = "delete", operation_id = "reset_template")]
    async fn reset(&self, auth: StaffAuth, kind: Path<String>) -> Result<Json<TemplateDto>, ApiError> {
        let merchant = Self::merchant(&auth)?;
        let view = self.services.templates.reset(merchant, self::kind(&kind.0)?).await.map_err(map_error)?;
        Ok(Json(view_dto(view)))
    }

    /// Renders a template with sample data without saving it.
    #[oai(path = "/templates/:kind/preview", method = "post", operation_id = "preview_template")]
    async fn preview(
        &self,
        auth: StaffAuth,
        kind: Path<String>,
        body: Json<PreviewBody>,
    ) -> Result<Json<TemplatePreviewDto>, ApiError> {
        let merchant = Self::merchant(&auth)?;
        let kind = self::kind(&kind.0)?;
        let body = body.0;
        let source = if body.subject.is_none() && body.html.is_none() && body.text.is_none() {
            None
        } else {
            let saved = self.services.templates.get(merchant, kind).await.map_err(map_error)?.source;
            Some(TemplateSource {
                subject: body.subject.unwrap_or(saved.subject),
                html: body.html.unwrap_or(saved.html),
                text: body.text.unwrap_or(saved.text),
            })
        };
        let RenderedEmail { subject, html, text } =
            self.services.templates.preview(merchant, kind, source).await.map_err(map_error)?;
        Ok(Json(TemplatePreviewDto { subject, html, text }))
    }
}
