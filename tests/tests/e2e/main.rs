//! End-to-end tests over the composed server, one binary: each test starts
//! its own server with `portico_tests::spawn_app` (port 0, a fresh database,
//! mail to a directory or to a real SMTP server on loopback, a clock the
//! test moves) and drives it through one helper per endpoint.
//!
//! Add a new area as a new module file here, so parallel work does not
//! collide in the existing ones.

mod api;
mod invitations;
mod payments;
mod support;
