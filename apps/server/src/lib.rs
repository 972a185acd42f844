//! # portico-server
//!
//! The composed server: [`Config`] from the environment, [`Wiring`] of the
//! adapters into the use cases, and the running [`Application`]. The binary
//! and the command line share it.

mod adapters;
mod application;
pub mod config;
mod invitations;
mod payments;
mod sweeps;
pub mod template_defaults;
mod wiring;
mod workers;

pub use application::Application;
pub use config::Config;
pub use payments::run_settlement;
pub use wiring::Wiring;
pub use workers::run_batches;

/// Installs the `tracing` subscriber: `RUST_LOG` when set, else `info` with
/// the SQL driver quiet.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
