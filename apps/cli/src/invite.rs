//! `portico invite` and `portico batch show`: the API's bulk invitations from
//! the command line. `invite` queues a batch, works it here (claims are
//! leased, so a running server can share the work safely) and follows its
//! progress; the emails leave through the server's outbox dispatcher.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use portico_app::use_cases::start_invitation_batch::StartInvitationBatchCommand;
use portico_app::{Batch, BatchRepository, BatchState, OutboxWaker, Selection};
use portico_domain::{
    Actor, BatchId, ContactId, CustomerId, EmailAddress, InviteMode, InvitePlan, MerchantId, PasswordLength,
    PasswordPattern, Recipient, UsernamePattern,
};
use portico_server::{Config, Wiring};

/// Link or credentials.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// A single-use registration link (recommended).
    Link,
    /// A generated username and password.
    Credentials,
}

/// Where a username comes from.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum UsernameFromArg {
    /// The contact's email.
    Email,
    /// The customer number.
    CustomerNumber,
    /// The contact's phone.
    Phone,
    /// The ERP id.
    ErpId,
}

/// Where a password comes from.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PasswordFromArg {
    /// Random alphanumeric.
    Random,
    /// The customer number (weak; changed at first sign-in).
    CustomerNumber,
    /// The contact's phone (weak; changed at first sign-in).
    Phone,
}

/// The options of `portico invite`, as the API's.
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// Every customer's primary contact without a login or an open invitation.
    #[arg(long, conflicts_with_all = ["customers", "contacts"])]
    all: bool,
    /// The primary contact of this customer (repeatable).
    #[arg(long = "customer", value_name = "ID", conflicts_with = "contacts")]
    customers: Vec<CustomerId>,
    /// This contact (repeatable).
    #[arg(long = "contact", value_name = "ID")]
    contacts: Vec<ContactId>,
    /// Link or credentials.
    #[arg(long, value_enum, default_value = "link")]
    mode: ModeArg,
    /// Credentials mode: where the username comes from.
    #[arg(long, value_enum, default_value = "email")]
    username_from: UsernameFromArg,
    /// Credentials mode: where the password comes from.
    #[arg(long, value_enum, default_value = "random")]
    password_from: PasswordFromArg,
    /// Credentials mode, random passwords: 6 to 64 characters.
    #[arg(long, default_value_t = 10)]
    password_length: u32,
    /// Send every email to this address instead (to try it on yourself).
    #[arg(long)]
    recipient: Option<String>,
    /// Invite contacts who declined before.
    #[arg(long)]
    override_declined: bool,
    /// The merchant (default: the oldest one).
    #[arg(long)]
    pub merchant: Option<MerchantId>,
    /// Queue the batch and return at once.
    #[arg(long)]
    no_wait: bool,
}

impl InviteArgs {
    fn selection(&self) -> anyhow::Result<Selection> {
        Ok(match (self.all, self.customers.is_empty(), self.contacts.is_empty()) {
            (true, true, true) => Selection::All,
            (false, false, true) => Selection::Customers(self.customers.clone()),
            (false, true, false) => Selection::Contacts(self.contacts.clone()),
            _ => bail!("give exactly one of --all, --customer ID... or --contact ID..."),
        })
    }

    fn plan(&self) -> anyhow::Result<InvitePlan> {
        let length = PasswordLength::new(self.password_length)?;
        let mode = match self.mode {
            ModeArg::Link => InviteMode::Link,
            ModeArg::Credentials => InviteMode::Credentials {
                username: match self.username_from {
                    UsernameFromArg::Email => UsernamePattern::Email,
                    UsernameFromArg::CustomerNumber => UsernamePattern::CustomerNumber,
                    UsernameFromArg::Phone => UsernamePattern::Phone,
                    UsernameFromArg::ErpId => UsernamePattern::ErpId,
                },
                password: match self.password_from {
                    PasswordFromArg::Random => PasswordPattern::Random(length),
                    PasswordFromArg::CustomerNumber => PasswordPattern::CustomerNumber,
                    PasswordFromArg::Phone => PasswordPattern::Phone,
                },
            },
        };
        let recipient = match &self.recipient {
            None => Recipient::ContactEmail,
            Some(raw) => Recipient::Other(EmailAddress::parse(raw).with_context(|| format!("--recipient {raw}"))?),
        };
        Ok(InvitePlan { mode, recipient, override_declined: self.override_declined })
    }
}

/// `portico invite`.
///
/// # Errors
/// A bad option, a disabled portal, or a storage failure.
pub async fn invite(wiring: &Wiring, config: &Config, merchant: MerchantId, args: &InviteArgs) -> anyhow::Result<()> {
    let (selection, plan) = (args.selection()?, args.plan()?);
    let cmd = StartInvitationBatchCommand { merchant, actor: Actor::System, selection, plan };
    let (batch, created) = wiring.start_batch().execute(cmd).await?;
    if created {
        eprintln!("batch {} queued", batch.id);
    } else {
        eprintln!("an identical batch is already {}: following it", state_name(batch.state));
    }
    if args.no_wait {
        println!("{}", batch.id);
        return Ok(());
    }
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    let worker = wiring.batch_worker(&public_url, Arc::new(NoDispatcher));
    let batches = wiring.db.batches();
    let done = follow(&*batches, merchant, batch.id, || worker.run_once()).await?;
    eprintln!();
    println!("{}", serde_json::to_string_pretty(&batch_json(&done))?);
    if done.state == BatchState::Failed {
        bail!("the batch failed: {}", done.error.as_deref().unwrap_or("no reason given"));
    }
    eprintln!("the emails leave through the server's outbox; `portico batch show {}` follows them", done.id);
    Ok(())
}

/// Works batches here and prints progress until ours is completed or failed.
async fn follow<F, Fut, E>(
    batches: &dyn BatchRepository,
    merchant: MerchantId,
    id: BatchId,
    work: F,
) -> anyhow::Result<Batch>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Option<BatchId>, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    loop {
        let batch = batches.get(merchant, id).await?.context("the batch disappeared")?;
        let p = &batch.progress;
        let skipped: u64 = p.skipped.iter().map(|(_, n)| n).sum();
        eprint!(
            "\r{}: {} contacts, {} invited, {skipped} skipped, {} failed",
            state_name(batch.state),
            p.total,
            p.invited,
            p.failed
        );
        let _ = std::io::stderr().flush();
        if matches!(batch.state, BatchState::Completed | BatchState::Failed) {
            return Ok(batch);
        }
        // Another worker (a running server) may hold the batch: then wait for it.
        if work().await?.is_none() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// `portico batch show ID`.
///
/// # Errors
/// An unknown batch or a storage failure.
pub async fn show(wiring: &Wiring, merchant: MerchantId, id: BatchId) -> anyhow::Result<()> {
    let batch = wiring
        .db
        .batches()
        .get(merchant, id)
        .await?
        .with_context(|| format!("no batch {id} for merchant {merchant}"))?;
    println!("{}", serde_json::to_string_pretty(&batch_json(&batch))?);
    Ok(())
}

const fn state_name(state: BatchState) -> &'static str {
    match state {
        BatchState::Queued => "queued",
        BatchState::Running => "running",
        BatchState::Completed => "completed",
        BatchState::Failed => "failed",
    }
}

fn batch_json(b: &Batch) -> serde_json::Value {
    let skipped: serde_json::Map<String, serde_json::Value> =
        b.progress.skipped.iter().map(|(r, n)| (r.as_str().to_owned(), (*n).into())).collect();
    serde_json::json!({
        "id": b.id,
        "state": state_name(b.state),
        "total": b.progress.total,
        "invited": b.progress.invited,
        "skipped": skipped,
        "failed": b.progress.failed,
        "emails_sent": b.progress.emails_sent,
        "error": b.error,
        "created_at": b.created_at,
    })
}

/// This process runs no outbox dispatcher: the server's sends the batch's
/// emails at its next poll.
struct NoDispatcher;

impl OutboxWaker for NoDispatcher {
    fn wake(&self) {}
}
