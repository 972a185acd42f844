//! Test support: in-memory fakes of the ports, a loopback SMTP server, and
//! builders of outbox emails.
#![allow(dead_code, unreachable_pub, reason = "each test binary uses a different part of the support code")]

pub mod outbox;
pub mod templates;

use chrono::{DateTime, Utc};
use portico_app::{Clock, OutboxEmail};
use portico_domain::{EmailAddress, MerchantId, OutboxMessageId};
use portico_mail::{Sender, SmtpOptions};
use uuid::Uuid;

/// The real clock.
#[derive(Debug)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The sender used in tests.
pub fn sender() -> Sender {
    Sender::parse("Northwind Supplies <billing@northwind.example>").unwrap()
}

/// SMTP options for loopback tests: short timeouts.
pub fn smtp_options(pool: u32) -> SmtpOptions {
    SmtpOptions {
        timeout: std::time::Duration::from_secs(5),
        pool_max_size: pool,
        pool_idle_timeout: std::time::Duration::from_secs(30),
    }
}

/// Outbox email number `n` to `to`.
pub fn email(n: u128, to: &str) -> OutboxEmail {
    OutboxEmail {
        id: OutboxMessageId::from_uuid(Uuid::from_u128(0x1000_0000 + n)),
        merchant_id: MerchantId::from_uuid(Uuid::from_u128(1)),
        kind: portico_app::MailKind::InvitationLink,
        to: EmailAddress::parse(to).unwrap(),
        to_name: format!("Contact {n}"),
        subject: format!("Message {n}"),
        html: format!("<p>Message {n}</p>"),
        text: format!("Message {n}"),
        invitation_id: None,
    }
}
