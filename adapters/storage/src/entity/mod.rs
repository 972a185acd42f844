//! sea-orm entities, one module per table. Crate-private: repositories map
//! them to domain types in [`crate::mapping`].

mod directory_tables;
mod invitation_tables;
mod payment_tables;
mod work_tables;

pub(crate) use directory_tables::*;
pub(crate) use invitation_tables::*;
pub(crate) use payment_tables::*;
pub(crate) use work_tables::*;
