//! Editing templates: the defaults, validation of merge tags, and previews.

use crate::{MailKind, PortalSettings, RenderedEmail, TemplateSource};

/// Why a template cannot be saved or previewed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {message}")]
pub struct TemplateProblem {
    /// `subject`, `html` or `text`.
    pub part: String,
    /// What is wrong, in words.
    pub message: String,
    /// The offending merge tag, when one is to blame.
    pub tag: Option<String>,
    /// The merge tags this kind allows.
    pub allowed: Vec<String>,
}

/// Checks and previews merge-tag templates. Pure: no I/O.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TemplateEditor: Send + Sync {
    /// The built-in template of a kind, in merge-tag form.
    fn default_source(&self, kind: MailKind) -> TemplateSource;

    /// Whether a template compiles and uses only the tags its kind allows.
    ///
    /// # Errors
    /// A [`TemplateProblem`] naming the bad tag and the allowed ones.
    fn validate(&self, kind: MailKind, source: &TemplateSource) -> Result<(), TemplateProblem>;

    /// Renders a template with sample data and the merchant's branding.
    ///
    /// # Errors
    /// A [`TemplateProblem`] when it does not validate or render.
    fn preview(
        &self,
        kind: MailKind,
        source: &TemplateSource,
        settings: &PortalSettings,
    ) -> Result<RenderedEmail, TemplateProblem>;
}
