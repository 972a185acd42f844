//! # portico-mail
//!
//! Portico's mail adapter:
//! - templates: every [`MailKind`](portico_app::MailKind) has a default subject,
//!   HTML and text part on Handlebars (strict mode, shared layouts), and staff
//!   may override them with bracket merge tags ([`merge_tags()`], [`HandlebarsRenderer::validate`]);
//! - [`HandlebarsRenderer`], the `TemplateRenderer` port;
//! - transports ([`SmtpTransport`], [`FileTransport`]) behind [`MailTransport`];
//! - the outbox [`Dispatcher`].
#![deny(missing_docs)]

mod dispatcher;
mod engine;
pub mod merge_tags;
mod preview;
mod renderer;
mod transport;

pub use dispatcher::{Dispatcher, DispatcherConfig, DrainReport};
pub use engine::DEFAULT_BRAND_COLOR;
pub use merge_tags::{
    MergeTag, Part, Problem, SourceError, TemplateSourceErrors, compile_source, merge_tags, starter_source,
};
pub use preview::{sample_common, sample_content};
pub use renderer::{HandlebarsRenderer, RenderFailure, SaveTemplateError};
pub use transport::{
    FileTransport, MailTransport, SendError, Sender, SmtpOptions, SmtpTransport, TransportConfigError, build_message,
    transport_from_url,
};
