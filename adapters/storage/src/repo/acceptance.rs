//! [`AcceptanceRepository`] on sea-orm: the accepted invitation, its event
//! and the login it creates or links, in one transaction.

use async_trait::async_trait;
use portico_app::{AcceptanceRepository, AcceptedLogin, InvitationWrite, RepositoryError};
use portico_domain::MerchantId;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::invitations::update_write;
use super::logins::{link_customer, save_login};
use crate::error::DbResultExt;

/// Acceptances.
#[derive(Clone, Debug)]
pub struct SeaOrmAcceptanceRepository {
    db: DatabaseConnection,
}

impl SeaOrmAcceptanceRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// A login for another merchant than the invitation's.
#[derive(Debug, thiserror::Error)]
#[error("a login of merchant {0} cannot accept an invitation of merchant {1}")]
struct LoginOfAnotherMerchant(MerchantId, MerchantId);

#[async_trait]
impl AcceptanceRepository for SeaOrmAcceptanceRepository {
    async fn accept(
        &self,
        merchant: MerchantId,
        write: &InvitationWrite,
        login: &AcceptedLogin,
    ) -> Result<(), RepositoryError> {
        if let AcceptedLogin::New(new) = login
            && new.merchant_id != merchant
        {
            return Err(RepositoryError::unexpected(LoginOfAnotherMerchant(new.merchant_id, merchant)));
        }
        let txn = self.db.begin().await.repo()?;
        update_write(&txn, merchant, write).await?;
        match login {
            AcceptedLogin::New(new) => save_login(&txn, new).await?,
            // One row, inside this transaction: the login's other links and its
            // password hash are not read or rewritten.
            AcceptedLogin::Existing(id) => {
                link_customer(&txn, merchant, *id, write.invitation.customer_id()).await?;
            }
        }
        txn.commit().await.repo()
    }
}
