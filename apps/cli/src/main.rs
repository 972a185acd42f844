//! `portico`: the admin command line. Reads the same configuration as the
//! server (`PORTICO_*` variables and the optional `PORTICO_CONFIG` file).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use portico_app::use_cases::csv_table::ImportReport;
use portico_domain::{BatchId, MerchantId, Role};
use portico_server::{Config, Wiring};

mod invite;

/// The sample export shipped with Portico, used by `portico demo`.
const SAMPLE_CUSTOMERS: &[u8] = include_bytes!("../../../data/customers.csv");
const SAMPLE_INVOICES: &[u8] = include_bytes!("../../../data/invoices.csv");

#[derive(Debug, Parser)]
#[command(name = "portico", version, about = "Portico's admin command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates or upgrades the database schema (a fresh database gets a default merchant).
    Migrate,
    /// Imports the ERP's CSV export; prints the same JSON report as the API.
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Manages API keys.
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Invites contacts in a background batch and follows it (the same options as the API).
    Invite(invite::InviteArgs),
    /// Bulk invitation batches.
    Batch {
        #[command(subcommand)]
        action: BatchAction,
    },
    /// Creates an admin API key and imports the sample customers and invoices.
    Demo {
        /// Also write the key to this file (readable by its owner only).
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportKind {
    /// Customers and contacts, one row per contact.
    Customers {
        /// The CSV file.
        file: PathBuf,
        /// The merchant (default: the oldest one).
        #[arg(long)]
        merchant: Option<MerchantId>,
    },
    /// Invoices.
    Invoices {
        /// The CSV file.
        file: PathBuf,
        /// The merchant (default: the oldest one).
        #[arg(long)]
        merchant: Option<MerchantId>,
    },
}

#[derive(Debug, Subcommand)]
enum BatchAction {
    /// Prints a batch's state and progress as JSON.
    Show {
        /// The batch id.
        id: BatchId,
        /// The merchant (default: the oldest one).
        #[arg(long)]
        merchant: Option<MerchantId>,
    },
}

#[derive(Debug, Subcommand)]
enum ApiKeyAction {
    /// Creates a key; the key alone is printed on the last line.
    Create {
        /// admin, collector, clerk or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The merchant (default: the oldest one).
        #[arg(long)]
        merchant: Option<MerchantId>,
        /// A label for the key.
        #[arg(long, default_value = "API key")]
        name: String,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(Role::as_str).collect();
        format!("unknown role {name:?}; use one of {}", roles.join(", "))
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    let wiring = Wiring::connect(&config).await?;
    match cli.command {
        Command::Migrate => println!("the database is up to date"),
        Command::Import { what: ImportKind::Customers { file, merchant } } => {
            let merchant = merchant_or_default(&wiring, merchant).await?;
            let input = open(&file)?;
            let report = wiring
                .import_customers()
                .execute_with_progress(merchant, input, progress)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            print_report(&report)?;
        }
        Command::Import { what: ImportKind::Invoices { file, merchant } } => {
            let merchant = merchant_or_default(&wiring, merchant).await?;
            let input = open(&file)?;
            let report = wiring
                .import_invoices()
                .execute_with_progress(merchant, input, progress)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            print_report(&report)?;
        }
        Command::ApiKey { action: ApiKeyAction::Create { role, merchant, name } } => {
            let created = wiring.create_api_key().execute(merchant, role, &name).await?;
            eprintln!("created a {} key for merchant {}", role.as_str(), created.principal.merchant_id);
            println!("{}", created.key);
        }
        Command::Invite(args) => {
            let merchant = merchant_or_default(&wiring, args.merchant).await?;
            invite::invite(&wiring, &config, merchant, &args).await?;
        }
        Command::Batch { action: BatchAction::Show { id, merchant } } => {
            let merchant = merchant_or_default(&wiring, merchant).await?;
            invite::show(&wiring, merchant, id).await?;
        }
        Command::Demo { key_file } => demo(&wiring, key_file.as_deref()).await?,
    }
    wiring.db.close().await?;
    Ok(())
}

async fn merchant_or_default(wiring: &Wiring, merchant: Option<MerchantId>) -> anyhow::Result<MerchantId> {
    if let Some(id) = merchant {
        if wiring.merchants.get(id).await?.is_none() {
            bail!("no merchant has the id {id}");
        }
        return Ok(id);
    }
    let merchants = wiring.merchants.list().await?;
    merchants.first().map(|m| m.id).context("the database holds no merchant; run `portico migrate` first")
}

fn open(file: &Path) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    let handle = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    Ok(std::io::BufReader::new(handle))
}

fn progress(rows: u64) {
    eprint!("\r{rows} rows read");
    let _ = std::io::stderr().flush();
}

fn print_report(report: &ImportReport) -> anyhow::Result<()> {
    eprintln!();
    println!("{}", serde_json::to_string_pretty(report)?);
    Ok(())
}

async fn demo(wiring: &Wiring, key_file: Option<&Path>) -> anyhow::Result<()> {
    let merchant = merchant_or_default(wiring, None).await?;
    let customers = wiring.import_customers().execute(merchant, SAMPLE_CUSTOMERS).await?;
    eprintln!(
        "sample customers: {} created, {} updated, {} unchanged, {} rows rejected",
        customers.created,
        customers.updated,
        customers.unchanged,
        customers.rejected.len()
    );
    let invoices = wiring.import_invoices().execute(merchant, SAMPLE_INVOICES).await?;
    eprintln!(
        "sample invoices: {} created, {} updated, {} unchanged, {} rows rejected",
        invoices.created,
        invoices.updated,
        invoices.unchanged,
        invoices.rejected.len()
    );
    let created = wiring.create_api_key().execute(Some(merchant), Role::Admin, "demo admin").await?;
    if let Some(path) = key_file {
        write_secret(path, &created.key)?;
        eprintln!("the admin key is also in {}", path.display());
    }
    println!("{}", created.key);
    Ok(())
}

fn write_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{secret}")?;
    Ok(())
}
