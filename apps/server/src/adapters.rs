//! Glue between an adapter and a port it does not implement directly: the
//! template editor on the mail adapter's merge-tag validation.

use std::sync::Arc;

use portico_app::{
    MailCommon, MailKind, PortalSettings, RenderedEmail, TemplateEditor, TemplateProblem, TemplateSource,
};
use portico_mail::{HandlebarsRenderer, Problem, TemplateSourceErrors, sample_common};

use crate::template_defaults::default_source;

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
