//! The Handlebars registries: the default templates of every kind and the
//! shared layout partials, registered once in strict mode, and rendering of
//! defaults and of compiled merchant overrides.
//!
//! Two registries: the HTML one escapes every value; the text one (also used
//! for subjects) does not, since plain text is not markup.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError, RenderErrorReason, Renderable,
    StringOutput, Template, TemplateError, no_escape,
};
use portico_app::{EmailContent, MailKind, RenderedEmail};

use crate::merge_tags::CompiledSource;

/// The default templates, compiled into the binary.
mod defaults {
    use portico_app::MailKind;

    pub const LAYOUT_HTML: &str = include_str!("../templates/layout.html.hbs");
    pub const LAYOUT_TEXT: &str = include_str!("../templates/layout.txt.hbs");
    pub const BUTTON_HTML: &str = include_str!("../templates/button.html.hbs");
    pub const INVOICES_HTML: &str = include_str!("../templates/invoices.html.hbs");
    pub const INVOICES_TEXT: &str = include_str!("../templates/invoices.txt.hbs");

    macro_rules! kind_files {
        ($name:literal) => {
            (
                include_str!(concat!("../templates/kinds/", $name, ".html.hbs")),
                include_str!(concat!("../templates/kinds/", $name, ".txt.hbs")),
            )
        };
    }

    /// Subject, HTML body and text body of a kind.
    pub const fn kind(kind: MailKind) -> (&'static str, &'static str, &'static str) {
        let (subject, (html, text)) = match kind {
            MailKind::InvitationCredentials => {
                ("Your {{merchant_name}} customer portal account", kind_files!("invitation_credentials"))
            }
            MailKind::InvitationLink => {
                ("{{merchant_name}} invites you to its customer portal", kind_files!("invitation_link"))
            }
            MailKind::InvitationFollowUp => {
                ("Reminder: your invitation to the {{merchant_name}} portal", kind_files!("invitation_follow_up"))
            }
            MailKind::PasswordReset => ("Reset your {{merchant_name}} portal password", kind_files!("password_reset")),
            MailKind::PaymentReminder => {
                ("{{customer_name}}: {{total}} past due to {{merchant_name}}", kind_files!("payment_reminder"))
            }
            MailKind::PaymentConfirmationRequest => {
                ("Confirm your payment of {{total}} to {{merchant_name}}", kind_files!("payment_confirmation_request"))
            }
            MailKind::PaymentReceipt => {
                ("Receipt: {{amount}} paid to {{merchant_name}}", kind_files!("payment_receipt"))
            }
            MailKind::DocumentLink => {
                ("{{merchant_name}} sent you {{document_kind}} {{document_number}}", kind_files!("document_link"))
            }
            MailKind::PaymentFailed => {
                ("Your payment of {{amount}} to {{merchant_name}} did not go through", kind_files!("payment_failed"))
            }
        };
        (subject, html, text)
    }
}

/// The accent colour used when a merchant's is not `#rrggbb`.
pub const DEFAULT_BRAND_COLOR: &str = "#2563eb";

/// A merchant override compiled once.
#[derive(Debug)]
pub(crate) struct CompiledTemplate {
    subject: Template,
    html: Template,
    text: Template,
}

impl CompiledTemplate {
    pub(crate) fn new(source: &CompiledSource) -> Result<Self, TemplateError> {
        Ok(Self {
            subject: Template::compile(&source.subject)?,
            html: Template::compile(&source.html)?,
            text: Template::compile(&source.text)?,
        })
    }
}

/// Both registries with every default registered.
#[derive(Debug)]
pub(crate) struct Engine {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
}

impl Engine {
    pub(crate) fn new() -> Result<Self, TemplateError> {
        let mut html = registry();
        let mut text = registry();
        text.register_escape_fn(no_escape);
        html.register_partial("layout", defaults::LAYOUT_HTML)?;
        html.register_partial("button", defaults::BUTTON_HTML)?;
        html.register_partial("invoices", defaults::INVOICES_HTML)?;
        text.register_partial("layout", defaults::LAYOUT_TEXT)?;
        text.register_partial("invoices", defaults::INVOICES_TEXT)?;
        for kind in MailKind::ALL {
            let (subject, html_body, text_body) = defaults::kind(kind);
            text.register_template_string(&subject_name(kind), subject)?;
            html.register_template_string(kind.as_str(), html_body)?;
            text.register_template_string(kind.as_str(), text_body)?;
        }
        Ok(Self { html, text })
    }

    pub(crate) fn render_default(&self, kind: MailKind, ctx: &Context) -> Result<RenderedEmail, RenderError> {
        Ok(RenderedEmail {
            subject: one_line(&self.text.render_with_context(&subject_name(kind), ctx)?),
            html: self.html.render_with_context(kind.as_str(), ctx)?,
            text: self.text.render_with_context(kind.as_str(), ctx)?,
        })
    }

    pub(crate) fn render_compiled(&self, tpl: &CompiledTemplate, ctx: &Context) -> Result<RenderedEmail, RenderError> {
        Ok(RenderedEmail {
            subject: one_line(&render_template(&self.text, &tpl.subject, ctx)?),
            html: render_template(&self.html, &tpl.html, ctx)?,
            text: render_template(&self.text, &tpl.text, ctx)?,
        })
    }
}

/// The render data of an email: its kind and its values, with the brand
/// colour forced to `#rrggbb` (it lands in `style` attributes, where HTML
/// escaping alone would not stop CSS injection).
pub(crate) fn context_of(content: &EmailContent) -> Result<(MailKind, Context), RenderError> {
    let value = match content {
        EmailContent::InvitationLink(c) | EmailContent::InvitationFollowUp(c) => serde_json::to_value(c),
        EmailContent::InvitationCredentials(c) => serde_json::to_value(c),
        EmailContent::PasswordReset(c) => serde_json::to_value(c),
        EmailContent::PaymentReminder(c) => serde_json::to_value(c),
        EmailContent::PaymentConfirmationRequest(c) => serde_json::to_value(c),
        EmailContent::PaymentReceipt(c) => serde_json::to_value(c),
        EmailContent::DocumentLink(c) => serde_json::to_value(c),
        EmailContent::PaymentFailed(c) => serde_json::to_value(c),
    };
    let mut value = value.map_err(RenderErrorReason::SerdeError)?;
    if let Some(color) = value.get_mut("brand_color")
        && !color.as_str().is_some_and(is_hex_color)
    {
        *color = DEFAULT_BRAND_COLOR.into();
    }
    Ok((content.kind(), Context::from(value)))
}

fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_prevent_indent(true);
    hb.register_helper("lbrace", Box::new(literal("{")));
    hb.register_helper("rbrace", Box::new(literal("}")));
    hb.register_helper("backslash", Box::new(literal("\\")));
    hb
}

fn literal(
    s: &'static str,
) -> impl Fn(&Helper<'_>, &Handlebars<'_>, &Context, &mut RenderContext<'_, '_>, &mut dyn Output) -> HelperResult + Send + Sync
{
    move |_, _, _, _, out| Ok(out.write(s)?)
}

fn subject_name(kind: MailKind) -> String {
    format!("{}.subject", kind.as_str())
}

fn render_template(registry: &Handlebars<'_>, tpl: &Template, ctx: &Context) -> Result<String, RenderError> {
    let mut rc = RenderContext::new(None);
    let mut out = StringOutput::new();
    tpl.render(registry, ctx, &mut rc, &mut out)?;
    out.into_string().map_err(|e| RenderErrorReason::Utf8Error(e).into())
}

/// A subject is one line: any line break or tab a value brought becomes a space.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_fails_on_a_missing_value_instead_of_rendering_blank() {
        let mut hb = registry();
        hb.register_template_string("t", "Hello {{contact_name}} {{nickname}}").unwrap();
        let ctx = Context::from(serde_json::json!({ "contact_name": "Ann" }));
        let error = hb.render_with_context("t", &ctx).unwrap_err();
        assert!(matches!(error.reason(), RenderErrorReason::MissingVariable(Some(name)) if name == "nickname"));
    }

    #[test]
    fn subjects_become_one_line() {
        assert_eq!(one_line("Hello\r\nBcc: x@example.com\tnow "), "Hello Bcc: x@example.com now");
    }
}
