//! `portico-server`: loads the configuration, starts, and serves until stopped.

use portico_server::{Application, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    portico_server::init_tracing();
    let config = Config::from_env()?;
    let app = Application::build(config).await?;
    println!("Portico is listening on {}", app.public_url());
    println!("API documentation: {}/api/docs", app.public_url());
    app.run_until_stopped().await
}
