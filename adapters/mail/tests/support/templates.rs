//! An in-memory `TemplateStore` that counts reads.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use portico_app::{MailKind, RepositoryError, TemplateSource, TemplateStore};
use portico_domain::MerchantId;

/// Overrides in a map.
#[derive(Debug, Default)]
pub struct MemoryTemplateStore {
    overrides: Mutex<HashMap<(MerchantId, MailKind), TemplateSource>>,
    /// Calls of `get`.
    pub gets: AtomicUsize,
}

#[async_trait]
impl TemplateStore for MemoryTemplateStore {
    async fn get(&self, merchant: MerchantId, kind: MailKind) -> Result<Option<TemplateSource>, RepositoryError> {
        self.gets.fetch_add(1, Ordering::Relaxed);
        Ok(self.overrides.lock().unwrap().get(&(merchant, kind)).cloned())
    }

    async fn put(&self, merchant: MerchantId, kind: MailKind, source: &TemplateSource) -> Result<(), RepositoryError> {
        self.overrides.lock().unwrap().insert((merchant, kind), source.clone());
        Ok(())
    }

    async fn delete(&self, merchant: MerchantId, kind: MailKind) -> Result<bool, RepositoryError> {
        Ok(self.overrides.lock().unwrap().remove(&(merchant, kind)).is_some())
    }
}
