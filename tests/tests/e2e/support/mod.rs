//! Arrangements shared by the invitation tests: the outcomes the sample data
//! should produce ([`expected`]) and the usual start, the sample imported and
//! one customer invited with its email caught ([`scenario`]).

pub mod expected;
pub mod scenario;
