//! [`FileTransport`]: one `.eml` file per message in a directory, named by
//! the outbox id (a resend replaces the file instead of adding one).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::OutboxEmail;

use super::{MailTransport, SendError, Sender, TransportConfigError, build_message};

/// Writes messages as `<outbox id>.eml` files.
#[derive(Debug)]
pub struct FileTransport {
    dir: PathBuf,
    sender: Sender,
}

impl FileTransport {
    /// Uses `dir`, creating it if needed.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn new(dir: impl AsRef<Path>, sender: Sender) -> Result<Self, TransportConfigError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|source| TransportConfigError::Directory { dir: dir.display().to_string(), source })?;
        Ok(Self { dir, sender })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl MailTransport for FileTransport {
    async fn send(&self, email: &OutboxEmail, date: DateTime<Utc>) -> Result<(), SendError> {
        let message = build_message(&self.sender, email, date)?;
        let path = self.dir.join(format!("{}.eml", email.id));
        let partial = self.dir.join(format!(".{}.eml.partial", email.id));
        // Write then rename: a reader never sees half a message.
        let io = |e: std::io::Error| SendError::Transient(format!("writing {}: {e}", path.display()));
        tokio::fs::write(&partial, message.formatted()).await.map_err(io)?;
        tokio::fs::rename(&partial, &path).await.map_err(io)
    }
}
