//! [`HandlebarsRenderer`]: the `TemplateRenderer` port on Handlebars, with
//! merchant overrides from the `TemplateStore` port, their validation on save,
//! and previews with sample data.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use handlebars::{RenderError, TemplateError};
use portico_app::{
    BoxError, EmailContent, MailCommon, MailKind, RenderedEmail, RepositoryError, TemplateRenderer, TemplateSource,
    TemplateStore,
};
use portico_domain::MerchantId;

use crate::engine::{CompiledTemplate, Engine, context_of};
use crate::merge_tags::{TemplateSourceErrors, compile_source};
use crate::preview::sample_content;

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    /// A template failed, such as a strict-mode missing value.
    #[error("the {kind} template failed to render")]
    Template {
        /// The kind.
        kind: &'static str,
        /// The Handlebars error.
        #[source]
        source: RenderError,
    },
    /// A stored override no longer compiles (it was saved without validation).
    #[error("the merchant's {kind} template is invalid: {errors}")]
    InvalidOverride {
        /// The kind.
        kind: &'static str,
        /// What is wrong with it.
        errors: TemplateSourceErrors,
    },
    /// The override could not be loaded.
    #[error("loading the merchant's {kind} template failed")]
    Store {
        /// The kind.
        kind: &'static str,
        /// The storage error.
        #[source]
        source: RepositoryError,
    },
}

/// Why saving an override failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveTemplateError {
    /// The template has mistakes; each names its position.
    #[error("the template is invalid: {0}")]
    Invalid(#[from] TemplateSourceErrors),
    /// Storage failed.
    #[error("saving the template failed")]
    Store(#[source] RepositoryError),
}

#[derive(Debug)]
struct CachedOverride {
    source: TemplateSource,
    compiled: CompiledTemplate,
}

/// Renders emails: a merchant's override of the kind when stored, the default
/// otherwise. Overrides are compiled once and reused while their source is
/// unchanged (the store is still asked on every render, or once per
/// `render_all`, so an edit made by another instance is seen at once).
pub struct HandlebarsRenderer {
    engine: Engine,
    store: Arc<dyn TemplateStore>,
    cache: RwLock<HashMap<(MerchantId, MailKind), Arc<CachedOverride>>>,
}

impl std::fmt::Debug for HandlebarsRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlebarsRenderer").finish_non_exhaustive()
    }
}

impl HandlebarsRenderer {
    /// Registers every default template.
    ///
    /// # Errors
    /// When a default template does not compile (a build defect, caught by the tests).
    pub fn new(store: Arc<dyn TemplateStore>) -> Result<Self, TemplateError> {
        Ok(Self { engine: Engine::new()?, store, cache: RwLock::default() })
    }

    /// Renders one email (the port's method, with a typed error).
    ///
    /// # Errors
    /// See [`RenderFailure`].
    pub async fn render_email(
        &self,
        merchant: MerchantId,
        content: &EmailContent,
    ) -> Result<RenderedEmail, RenderFailure> {
        let kind = content.kind();
        let template = self.template(merchant, kind).await?;
        self.render_with(template.as_deref(), content)
    }

    /// Renders several emails of one merchant, in order, loading each kind's
    /// override once for the whole call.
    ///
    /// # Errors
    /// See [`RenderFailure`], for the first email that fails.
    pub async fn render_emails(
        &self,
        merchant: MerchantId,
        contents: &[EmailContent],
    ) -> Result<Vec<RenderedEmail>, RenderFailure> {
        let mut templates: Vec<(MailKind, Option<Arc<CachedOverride>>)> = Vec::new();
        let mut rendered = Vec::with_capacity(contents.len());
        for content in contents {
            let kind = content.kind();
            let known = templates.iter().find(|(k, _)| *k == kind).map(|(_, t)| t.clone());
            let template = match known {
                Some(template) => template,
                None => {
                    let template = self.template(merchant, kind).await?;
                    templates.push((kind, template.clone()));
                    template
                }
            };
            rendered.push(self.render_with(template.as_deref(), content)?);
        }
        Ok(rendered)
    }

    /// The merchant's compiled override of `kind`, or `None` for the default.
    async fn template(
        &self,
        merchant: MerchantId,
        kind: MailKind,
    ) -> Result<Option<Arc<CachedOverride>>, RenderFailure> {
        let stored = self
            .store
            .get(merchant, kind)
            .await
            .map_err(|source| RenderFailure::Store { kind: kind.as_str(), source })?;
        stored.map(|source| self.compiled(merchant, kind, source)).transpose()
    }

    fn render_with(
        &self,
        template: Option<&CachedOverride>,
        content: &EmailContent,
    ) -> Result<RenderedEmail, RenderFailure> {
        let kind = content.kind();
        let failed = |source| RenderFailure::Template { kind: kind.as_str(), source };
        let (_, ctx) = context_of(content).map_err(failed)?;
        match template {
            None => self.engine.render_default(kind, &ctx),
            Some(cached) => self.engine.render_compiled(&cached.compiled, &ctx),
        }
        .map_err(failed)
    }

    /// Checks a staff-edited template: merge tags, syntax, and a render with
    /// sample data.
    ///
    /// # Errors
    /// Every mistake with its position.
    pub fn validate(&self, kind: MailKind, source: &TemplateSource) -> Result<(), TemplateSourceErrors> {
        self.preview(kind, Some(source), &crate::preview::sample_common()).map(drop)
    }

    /// Renders a kind with sample data and `common` (the merchant's name and
    /// colour), using `source` when given and the default otherwise.
    ///
    /// # Errors
    /// The mistakes of `source`.
    pub fn preview(
        &self,
        kind: MailKind,
        source: Option<&TemplateSource>,
        common: &MailCommon,
    ) -> Result<RenderedEmail, TemplateSourceErrors> {
        let content = sample_content(kind, common.clone());
        let compiled = source.map(|s| compile_source(kind, s)).transpose()?;
        let render = || -> Result<RenderedEmail, RenderError> {
            let (_, ctx) = context_of(&content)?;
            match &compiled {
                None => self.engine.render_default(kind, &ctx),
                Some(compiled) => self.engine.render_compiled(&CompiledTemplate::new(compiled)?, &ctx),
            }
        };
        // Valid merge tags always compile and render; a failure here is a
        // defect of the tag table, reported rather than hidden.
        render().map_err(|e| render_problem(&e))
    }

    /// Validates and stores a merchant's override of a kind.
    ///
    /// # Errors
    /// [`SaveTemplateError::Invalid`] naming each mistake, or a storage failure.
    pub async fn save_override(
        &self,
        merchant: MerchantId,
        kind: MailKind,
        source: &TemplateSource,
    ) -> Result<(), SaveTemplateError> {
        self.validate(kind, source)?;
        self.store.put(merchant, kind, source).await.map_err(SaveTemplateError::Store)
    }

    fn compiled(
        &self,
        merchant: MerchantId,
        kind: MailKind,
        source: TemplateSource,
    ) -> Result<Arc<CachedOverride>, RenderFailure> {
        let key = (merchant, kind);
        if let Some(hit) = self.cache.read().ok().and_then(|c| c.get(&key).cloned())
            && hit.source == source
        {
            return Ok(hit);
        }
        let invalid = |errors| RenderFailure::InvalidOverride { kind: kind.as_str(), errors };
        let compiled = compile_source(kind, &source).map_err(invalid)?;
        let compiled = CompiledTemplate::new(&compiled).map_err(|e| invalid(render_problem(&RenderError::from(e))))?;
        let entry = Arc::new(CachedOverride { source, compiled });
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(key, Arc::clone(&entry));
        }
        Ok(entry)
    }
}

fn render_problem(error: &RenderError) -> TemplateSourceErrors {
    use crate::merge_tags::{Part, Problem, SourceError};
    let problem = Problem::Render(error.to_string());
    TemplateSourceErrors(vec![SourceError { part: Part::Html, line: 1, column: 1, problem }])
}

#[async_trait]
impl TemplateRenderer for HandlebarsRenderer {
    async fn render(&self, merchant: MerchantId, content: &EmailContent) -> Result<RenderedEmail, BoxError> {
        Ok(self.render_email(merchant, content).await?)
    }

    async fn render_all(
        &self,
        merchant: MerchantId,
        contents: &[EmailContent],
    ) -> Result<Vec<RenderedEmail>, BoxError> {
        Ok(self.render_emails(merchant, contents).await?)
    }
}
