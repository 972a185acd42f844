//! Staff's template editor: list the kinds, read one (override or default),
//! save after validation, return to the default, and preview.

use std::sync::Arc;

use portico_domain::MerchantId;

use crate::{
    BoxError, MailKind, MerchantRepository, RenderedEmail, RepositoryError, TemplateEditor, TemplateProblem,
    TemplateSource, TemplateStore,
};

/// A kind's template as staff see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateView {
    /// The kind.
    pub kind: MailKind,
    /// Whether the merchant changed it from the default.
    pub customized: bool,
    /// The template in merge-tag form.
    pub source: TemplateSource,
}

/// Why the editor cannot do it.
#[derive(Debug, thiserror::Error)]
pub enum EditTemplatesError {
    /// The template does not validate; names the bad tag and the allowed ones.
    #[error(transparent)]
    Invalid(TemplateProblem),
    /// The caller's merchant does not exist (any more).
    #[error("the merchant does not exist")]
    MerchantNotFound,
    /// An infrastructure failure.
    #[error("the template could not be loaded or saved")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for EditTemplatesError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct EditTemplates {
    /// Overrides.
    pub store: Arc<dyn TemplateStore>,
    /// Validation, defaults and previews.
    pub editor: Arc<dyn TemplateEditor>,
    /// Merchants (branding for previews).
    pub merchants: Arc<dyn MerchantRepository>,
}

impl std::fmt::Debug for EditTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditTemplates").finish_non_exhaustive()
    }
}

impl EditTemplates {
    /// Every kind, as the merchant has it.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn list(&self, merchant: MerchantId) -> Result<Vec<TemplateView>, EditTemplatesError> {
        let mut views = Vec::with_capacity(MailKind::ALL.len());
        for kind in MailKind::ALL {
            views.push(self.get(merchant, kind).await?);
        }
        Ok(views)
    }

    /// One kind: the override, else the default.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn get(&self, merchant: MerchantId, kind: MailKind) -> Result<TemplateView, EditTemplatesError> {
        Ok(match self.store.get(merchant, kind).await? {
            Some(source) => TemplateView { kind, customized: true, source },
            None => TemplateView { kind, customized: false, source: self.editor.default_source(kind) },
        })
    }

    /// Validates and saves an override.
    ///
    /// # Errors
    /// `Invalid` naming the bad tag; a storage failure.
    pub async fn put(
        &self,
        merchant: MerchantId,
        kind: MailKind,
        source: TemplateSource,
    ) -> Result<TemplateView, EditTemplatesError> {
        self.editor.validate(kind, &source).map_err(EditTemplatesError::Invalid)?;
        self.store.put(merchant, kind, &source).await?;
        Ok(TemplateView { kind, customized: true, source })
    }

    /// Returns a kind to its default; answers the default.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn reset(&self, merchant: MerchantId, kind: MailKind) -> Result<TemplateView, EditTemplatesError> {
        self.store.delete(merchant, kind).await?;
        Ok(TemplateView { kind, customized: false, source: self.editor.default_source(kind) })
    }

    /// Renders a template with sample data; `None` previews the stored one.
    ///
    /// # Errors
    /// `Invalid` when it does not validate; `MerchantNotFound`; a storage failure.
    pub async fn preview(
        &self,
        merchant: MerchantId,
        kind: MailKind,
        source: Option<TemplateSource>,
    ) -> Result<RenderedEmail, EditTemplatesError> {
        let found = self.merchants.get(merchant).await?.ok_or(EditTemplatesError::MerchantNotFound)?;
        let source = match source {
            Some(source) => source,
            None => self.get(merchant, kind).await?.source,
        };
        self.editor.preview(kind, &source, &found.settings).map_err(EditTemplatesError::Invalid)
    }
}
