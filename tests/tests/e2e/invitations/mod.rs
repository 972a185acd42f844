//! Invitations end to end: SQLite (and PostgreSQL where marked), a real SMTP
//! server on loopback, the portal pages driven as a browser would, and a
//! clock the tests move forward instead of waiting.

mod accept;
mod browser;
mod bulk;
mod credentials;
mod expiry;
mod follow_up;
mod limits;
mod new_link;
mod outage;
mod post_only;
mod restart;
mod screenshots;
mod shared_email;
