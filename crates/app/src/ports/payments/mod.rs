//! Payments: the gateway port, the records Portico keeps, and the storage
//! ports of paying, settling, refunding and saved methods.

mod gateway;
mod records;
mod repository;

pub use gateway::*;
pub use records::*;
pub use repository::*;
