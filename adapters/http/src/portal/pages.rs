//! The portal's HTML pages: handlebars templates registered once in strict
//! mode, every value HTML-escaped.

use handlebars::Handlebars;
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};
use serde::Serialize;

/// The compiled page templates.
#[derive(Debug)]
pub struct Pages {
    registry: Handlebars<'static>,
}

/// Values every page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Brand {
    /// The merchant's name.
    pub brand_name: String,
    /// The merchant's colour, `#rrggbb`.
    pub brand_color: String,
}

impl Brand {
    /// The neutral brand for pages that know no merchant.
    #[must_use]
    pub fn neutral() -> Self {
        Self { brand_name: "Customer portal".to_owned(), brand_color: "#2563eb".to_owned() }
    }

    /// A merchant's brand, keeping only a well-formed colour (it lands in CSS).
    #[must_use]
    pub fn of(name: &str, color: &str) -> Self {
        let valid = color.len() == 7 && color.starts_with('#') && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
        Self {
            brand_name: name.to_owned(),
            brand_color: if valid { color.to_owned() } else { Self::neutral().brand_color },
        }
    }
}

impl Pages {
    /// Compiles the templates (part of the binary; a test checks they compile).
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        for (name, source) in [
            ("layout", include_str!("../../templates/portal/layout.hbs")),
            ("invitation", include_str!("../../templates/portal/invitation.hbs")),
            ("message", include_str!("../../templates/portal/message.hbs")),
        ] {
            if let Err(e) = registry.register_template_string(name, source) {
                // The sources are compiled in; `pages_compile` tests them.
                tracing::error!(template = name, error = %portico_app::ErrorChain(&e), "a portal template does not compile");
            }
        }
        Self { registry }
    }

    /// Renders a page as an HTML response that is never cached and never
    /// sends a Referer (the URL carries a secret token).
    pub fn render(&self, status: StatusCode, name: &str, data: &impl Serialize) -> Response {
        match self.registry.render(name, data) {
            Ok(html) => html_response(status, html),
            Err(e) => {
                tracing::error!(template = name, error = %portico_app::ErrorChain(&e), "rendering a portal page failed");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!doctype html><title>Error</title><p>Something went wrong on our side. Please try again later.</p>"
                        .to_owned(),
                )
            }
        }
    }
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

fn html_response(status: StatusCode, html: String) -> Response {
    html.with_status(status)
        .with_content_type("text/html; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "no-store")
        .with_header(header::REFERRER_POLICY, "no-referrer")
        .with_header("x-frame-options", "DENY")
        .with_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_compile_and_escape_values() {
        let pages = Pages::new();
        let data = serde_json::json!({
            "title": "T", "brand_name": "<b>Acme</b>", "brand_color": "#123456", "message": "m",
            "request_new_link": false, "sign_in_url": null, "base": "/x", "csrf": "c",
        });
        let html = pages.registry.render("message", &data).unwrap();
        assert!(html.contains("&lt;b&gt;Acme&lt;/b&gt;"));
        assert!(!html.contains("<b>Acme"));
    }

    #[test]
    fn a_brand_colour_that_is_not_hex_never_reaches_the_css() {
        assert_eq!(Brand::of("A", "red;}</style>").brand_color, "#2563eb");
        assert_eq!(Brand::of("A", "#ABCDEF").brand_color, "#ABCDEF");
    }
}
