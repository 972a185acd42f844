//! Building the MIME message of an outbox email: `multipart/alternative`
//! (text, then HTML), `Message-ID` from the outbox id, `Date`, and header
//! values stripped of control characters.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use portico_app::OutboxEmail;

use super::{SendError, TransportConfigError};

/// The `From` of every message and the domain of its `Message-ID`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    from: Mailbox,
    id_domain: String,
}

impl Sender {
    /// Parses `"Name <address>"` or `"address"`.
    ///
    /// # Errors
    /// When the address is invalid.
    pub fn parse(from: &str) -> Result<Self, TransportConfigError> {
        let invalid = |reason: String| TransportConfigError::Sender { address: from.to_owned(), reason };
        if from.chars().any(char::is_control) {
            return Err(invalid("it holds a control character".to_owned()));
        }
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| invalid(e.to_string()))?;
        let id_domain = from.email.domain().to_owned();
        Ok(Self { from, id_domain })
    }

    /// The `Message-ID` of an outbox email: the same on every attempt.
    #[must_use]
    pub fn message_id(&self, email: &OutboxEmail) -> String {
        format!("<{}@{}>", email.id, self.id_domain)
    }
}

/// Builds the message of `email`.
///
/// # Errors
/// [`SendError::Permanent`] when the recipient address is one lettre refuses.
pub fn build_message(sender: &Sender, email: &OutboxEmail, date: DateTime<Utc>) -> Result<Message, SendError> {
    let address = email
        .to
        .as_str()
        .parse()
        .map_err(|e| SendError::Permanent(format!("recipient address {} refused: {e}", email.to)))?;
    let name = header_safe(&email.to_name);
    let to = Mailbox::new((!name.is_empty()).then_some(name), address);
    Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(header_safe(&email.subject))
        .message_id(Some(sender.message_id(email)))
        .date(SystemTime::from(date))
        .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
        .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
}

/// A header value on one line: every control character (CR, LF, tab, ...)
/// becomes a space, so no value can start a header of its own. lettre encodes
/// what remains; this is the second wall.
fn header_safe(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}
