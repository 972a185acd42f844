//! # portico-app
//!
//! Portico's use cases and the ports (traits) they need. Adapters implement
//! the ports; the apps wire them together. This crate depends on the domain
//! only: no runtime, database, web or mail crate.
#![deny(missing_docs)]

mod error;
mod ports;
pub mod use_cases;

pub use error::{BoxError, ErrorChain, RepositoryError};
pub use ports::*;
