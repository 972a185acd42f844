//! # portico-testkit
//!
//! Test support shared by the adapter tests and the end-to-end tests: a real
//! SMTP server on a loopback port ([`smtp::SmtpServer`]), with a gate that
//! simulates outages, and [`smtp::wait_until`] to wait on a condition
//! instead of sleeping; and [`ids::SequentialIds`], an id source whose ids
//! count up.

pub mod ids;
pub mod smtp;
