//! Invitation candidates: contacts of a selection with their standing
//! (login, open invitation, declined) computed in SQL, keyset-paged by id.

use portico_app::{CandidateRecord, RepositoryError, Selection};
use portico_domain::{ContactId, ContactStanding, MerchantId};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};

use crate::entity::{contacts, customers};
use crate::error::DbResultExt;
use crate::mapping::{contact_from_model, customer_from_model};
use crate::sql;

/// A contact "has a login" when one of its invitations was accepted, or when a
/// login named by its email already reaches its customer. The contact's
/// natural key is its email lower-cased in full Unicode (SQL's LOWER folds
/// only ASCII on SQLite), the same form a username takes.
const SELECT: &str = "SELECT c.id, c.merchant_id, c.erp_id, c.customer_number, c.name, c.currency,
    c.collection_priority, c.created_at, c.updated_at,
    ct.id AS ct_id, ct.merchant_id AS ct_merchant_id, ct.customer_id AS ct_customer_id,
    ct.natural_key AS ct_natural_key, ct.first_name AS ct_first_name, ct.last_name AS ct_last_name,
    ct.email AS ct_email, ct.phone AS ct_phone, ct.is_primary AS ct_is_primary,
    ct.created_at AS ct_created_at, ct.updated_at AS ct_updated_at,
    CASE WHEN EXISTS (SELECT 1 FROM invitations a WHERE a.contact_id = ct.id AND a.state = 'accepted')
      OR EXISTS (SELECT 1 FROM logins l JOIN login_customers lc ON lc.login_id = l.id
        WHERE lc.customer_id = ct.customer_id AND l.merchant_id = ct.merchant_id AND l.username = ct.natural_key)
      THEN 1 ELSE 0 END AS has_login,
    CASE WHEN EXISTS (SELECT 1 FROM invitations o WHERE o.contact_id = ct.id AND o.state = 'open')
      THEN 1 ELSE 0 END AS open_invitation,
    CASE WHEN (SELECT d.state FROM invitations d WHERE d.contact_id = ct.id
        ORDER BY d.created_at DESC, d.id DESC LIMIT 1) = 'declined'
      THEN 1 ELSE 0 END AS declined
  FROM contacts ct JOIN customers c ON c.id = ct.customer_id
  WHERE ct.merchant_id = ?";

pub(super) async fn candidates(
    db: &DatabaseConnection,
    merchant: MerchantId,
    selection: &Selection,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<CandidateRecord>, RepositoryError> {
    let mut query = SELECT.to_owned();
    let mut values: Vec<Value> = vec![merchant.as_uuid().into()];
    match selection {
        Selection::Contacts(ids) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            query.push_str(&format!(" AND ct.id IN ({})", sql::list(ids.len())));
            values.extend(ids.iter().map(|id| Value::from(id.as_uuid())));
        }
        Selection::Customers(ids) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            query.push_str(&format!(" AND ct.is_primary = ? AND ct.customer_id IN ({})", sql::list(ids.len())));
            values.push(true.into());
            values.extend(ids.iter().map(|id| Value::from(id.as_uuid())));
        }
        Selection::All => {
            query.push_str(" AND ct.is_primary = ?");
            values.push(true.into());
        }
    }
    if let Some(after) = after {
        query.push_str(" AND ct.id > ?");
        values.push(after.as_uuid().into());
    }
    query.push_str(" ORDER BY ct.id LIMIT ?");
    values.push(i64::from(limit).into());
    let rows = db.query_all_raw(sql::stmt(db.get_database_backend(), &query, values)).await.repo()?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let customer = customers::Model::from_query_result(&row, "").repo()?;
        let contact = contacts::Model::from_query_result(&row, "ct_").repo()?;
        let flag = |name: &str| row.try_get::<i32>("", name).map(|v| v != 0).repo();
        out.push(CandidateRecord {
            customer: customer_from_model(&customer)?,
            contact: contact_from_model(&contact)?,
            standing: ContactStanding {
                has_login: flag("has_login")?,
                open_invitation: flag("open_invitation")?,
                declined: flag("declined")?,
            },
        });
    }
    Ok(out)
}
