//! The customer list: balance, has-login and the invitation badge computed in
//! one SQL query with the filters, sort and page.

use chrono::{DateTime, Utc};
use portico_app::{CustomerFilter, CustomerSort, CustomerSummary, Page, PageRequest, RepositoryError};
use portico_domain::{MerchantId, Money};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};

use crate::entity::customers;
use crate::error::DbResultExt;
use crate::mapping::{customer_from_model, status_from_str};
use crate::sql;

/// The badge is the status, at `?` (now), of the primary contact's latest invitation.
const SUMMARY: &str = "WITH s AS (
  SELECT c.id, c.merchant_id, c.erp_id, c.customer_number, c.name, c.currency, c.collection_priority,
    c.created_at, c.updated_at,
    CAST(COALESCE((SELECT SUM(d.balance_minor) FROM documents d WHERE d.customer_id = c.id
        AND d.kind = 'invoice' AND d.balance_minor > 0 AND d.currency = c.currency), 0) AS BIGINT) AS outstanding,
    CASE WHEN EXISTS (SELECT 1 FROM login_customers lc WHERE lc.customer_id = c.id) THEN 1 ELSE 0 END AS has_login,
    CASE WHEN i.id IS NULL THEN NULL
      WHEN i.state = 'open' AND i.expires_at > ? THEN 'pending'
      WHEN i.state = 'open' THEN 'expired'
      ELSE i.state END AS badge,
    i.last_sent_at AS badge_since
  FROM customers c
  LEFT JOIN invitations i ON i.id = (
    SELECT i2.id FROM invitations i2 JOIN contacts p ON p.id = i2.contact_id
    WHERE p.customer_id = c.id AND p.is_primary = ? ORDER BY i2.created_at DESC, i2.id DESC LIMIT 1)
  WHERE c.merchant_id = ?
)";

pub(super) async fn list(
    db: &DatabaseConnection,
    merchant: MerchantId,
    filter: &CustomerFilter,
    sort: CustomerSort,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<Page<CustomerSummary>, RepositoryError> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![now.into(), true.into(), merchant.as_uuid().into()];
    let mut conditions = vec!["1 = 1".to_owned()];
    if let Some(has) = filter.has_login {
        conditions.push("has_login = ?".to_owned());
        values.push(i32::from(has).into());
    }
    match filter.invitation_status {
        None => {}
        Some(None) => conditions.push("badge IS NULL".to_owned()),
        Some(Some(status)) => {
            conditions.push("badge = ?".to_owned());
            values.push(status.as_str().into());
        }
    }
    if let Some(before) = filter.pending_since_before {
        conditions.push("badge = 'pending' AND badge_since < ?".to_owned());
        values.push(before.into());
    }
    let filtered = format!("{SUMMARY} SELECT * FROM s WHERE {}", conditions.join(" AND "));
    let order = match sort {
        CustomerSort::Name => "name, id",
        CustomerSort::BalanceDesc => "outstanding DESC, name, id",
        CustomerSort::Priority => {
            "CASE collection_priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, name, id"
        }
    };
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({filtered}) f");
    let total_row = db.query_one_raw(sql::stmt(backend, &count_sql, values.clone())).await.repo()?;
    let total: i64 = match total_row {
        Some(row) => row.try_get("", "n").repo()?,
        None => 0,
    };
    let limit = page.limit.min(PageRequest::MAX_LIMIT);
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    values.push(i64::try_from(page.offset).unwrap_or(i64::MAX).into());
    let page_sql = format!("{filtered} ORDER BY {order} LIMIT ? OFFSET ?");
    let rows = db.query_all_raw(sql::stmt(backend, &page_sql, values)).await.repo()?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let model = customers::Model::from_query_result(&row, "").repo()?;
        let customer = customer_from_model(&model)?;
        let outstanding: i64 = row.try_get("", "outstanding").repo()?;
        let has_login: i32 = row.try_get("", "has_login").repo()?;
        let badge: Option<String> = row.try_get("", "badge").repo()?;
        items.push(CustomerSummary {
            outstanding: Money::from_minor(outstanding, customer.currency),
            has_login: has_login != 0,
            invitation_status: badge.as_deref().map(|b| status_from_str("invitations", b)).transpose()?,
            customer,
        });
    }
    Ok(Page { items, total: crate::mapping::count("customers", "count", total)? })
}
