//! Small glue between the adapters and ports they do not implement directly:
//! API keys on the storage's staff repository, the health check on the
//! database, and the template editor on the mail adapter's validation.

use std::sync::Arc;

use async_trait::async_trait;
use portico_app::{
    ApiKeyRepository, BoxError, HealthCheck, MailCommon, MailKind, MerchantRepository, NewApiKey, PortalSettings,
    RenderedEmail, RepositoryError, StaffPrincipal, TemplateEditor, TemplateProblem, TemplateSource,
};
use portico_domain::TokenHash;
use portico_mail::{HandlebarsRenderer, Problem, TemplateSourceErrors, sample_common};
use portico_storage::{ApiKey, SeaOrmStaffRepository, StaffUser};

use crate::template_defaults::default_source;

/// API keys stored by the storage adapter's staff repository; each key gets
/// its own staff user, named by the key's label.
#[derive(Debug)]
pub struct StaffApiKeys(pub Arc<SeaOrmStaffRepository>);

#[async_trait]
impl ApiKeyRepository for StaffApiKeys {
    async fn create(&self, key: &NewApiKey) -> Result<(), RepositoryError> {
        let p = &key.principal;
        let user = StaffUser {
            id: p.staff_user_id,
            merchant_id: p.merchant_id,
            // Staff emails are unique per merchant; a key-only user has none.
            email: format!("api-key-{}@staff.invalid", key.id),
            name: key.name.clone(),
            role: p.role,
            created_at: key.created_at,
        };
        self.0.create_staff(&user).await?;
        let stored = ApiKey {
            id: key.id,
            merchant_id: p.merchant_id,
            staff_user_id: p.staff_user_id,
            role: p.role,
            created_at: key.created_at,
        };
        self.0.create_api_key(&stored, &key.hash.to_hex()).await
    }

    async fn find_by_hash(&self, hash: &TokenHash) -> Result<Option<StaffPrincipal>, RepositoryError> {
        Ok(self.0.find_api_key_by_hash(&hash.to_hex()).await?.map(|k| StaffPrincipal {
            merchant_id: k.merchant_id,
            staff_user_id: k.staff_user_id,
            role: k.role,
        }))
    }
}

/// `/healthz`: the database answers a query.
pub struct DatabaseHealth(pub Arc<dyn MerchantRepository>);

impl std::fmt::Debug for DatabaseHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseHealth")
    }
}

#[async_trait]
impl HealthCheck for DatabaseHealth {
    async fn check(&self) -> Result<(), BoxError> {
        self.0.list().await.map(drop).map_err(Into::into)
    }
}

/// The template editor on the mail adapter's merge-tag compiler.
#[derive(Debug)]
pub struct MailTemplateEditor(pub Arc<HandlebarsRenderer>);

fn problem(kind: MailKind, errors: &TemplateSourceErrors) -> TemplateProblem {
    let first = errors.0.first();
    let (tag, allowed) = errors
        .0
        .iter()
        .find_map(|e| match &e.problem {
            Problem::UnknownTag { tag, allowed } => {
                Some((Some(tag.clone()), allowed.iter().map(|t| (*t).to_owned()).collect()))
            }
            _ => None,
        })
        .unwrap_or_else(|| (None, portico_mail::merge_tags(kind).iter().map(|t| t.name.to_owned()).collect()));
    TemplateProblem {
        part: first.map_or_else(|| "template".to_owned(), |e| e.part.to_string()),
        message: errors.to_string(),
        tag,
        allowed,
    }
}

impl TemplateEditor for MailTemplateEditor {
    fn default_source(&self, kind: MailKind) -> TemplateSource {
        default_source(kind)
    }

    fn validate(&self, kind: MailKind, source: &TemplateSource) -> Result<(), TemplateProblem> {
        self.0.validate(kind, source).map_err(|e| problem(kind, &e))
    }

    fn preview(
        &self,
        kind: MailKind,
        source: &TemplateSource,
        settings: &PortalSettings,
    ) -> Result<RenderedEmail, TemplateProblem> {
        let common = MailCommon {
            merchant_name: settings.brand_name.clone(),
            brand_color: settings.brand_color.clone(),
            ..sample_common()
        };
        self.0.preview(kind, Some(source), &common).map_err(|e| problem(kind, &e))
    }
}
