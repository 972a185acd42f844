//! Test support: in-memory fakes of the ports and a loopback SMTP server.
#![allow(dead_code, unreachable_pub, reason = "each test binary uses a different part of the support code")]

pub mod templates;
