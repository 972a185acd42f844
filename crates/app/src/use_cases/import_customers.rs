//! Import customers and their contacts from the ERP's CSV export (one row per
//! contact), upserted by ERP id in chunks so memory stays flat.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use portico_domain::MerchantId;

use super::csv_table::{
    CsvHeaderError, CsvTable, IMPORT_CHUNK_ROWS, ImportReport, RejectedRow, Row, RowWarning, fingerprint,
};
use super::customer_fields::{CustomerFields, RawContact, RawCustomer, parse_contact, parse_customer, parse_primary};
use crate::{BoxError, Clock, CustomerRepository, CustomerUpsert, RepositoryError, UpsertOutcome};

/// The columns of the customer export, in the documented order.
pub const CUSTOMER_COLUMNS: [&str; 10] = [
    "erp_id",
    "customer_number",
    "customer_name",
    "currency",
    "collection_priority",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "primary",
];

/// Why an import did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ImportCustomersError {
    /// The file is not a customer export (no or wrong header).
    #[error(transparent)]
    Header(#[from] CsvHeaderError),
    /// An infrastructure failure; chunks already written stay written.
    #[error("importing customers failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for ImportCustomersError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the import needs.
#[derive(Clone)]
pub struct ImportCustomers {
    /// The customer directory.
    pub customers: Arc<dyn CustomerRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ImportCustomers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportCustomers").finish_non_exhaustive()
    }
}

/// What the import remembers about a customer across chunks: the line that
/// first gave it, its customer-level fields' fingerprint, the line of its
/// primary contact, and what storage did.
struct Seen {
    line: u64,
    fields: u64,
    primary_line: Option<u64>,
    outcome: Option<UpsertOutcome>,
}

/// The chunk being gathered: customers grouped by ERP id.
#[derive(Default)]
struct Chunk {
    customers: Vec<CustomerUpsert>,
    index: HashMap<String, usize>,
    rows: usize,
}

impl ImportCustomers {
    /// Imports a whole file.
    ///
    /// # Errors
    /// [`ImportCustomersError`]: a missing or wrong header, or a storage failure.
    pub async fn execute<R: Read + Send>(
        &self,
        merchant: MerchantId,
        input: R,
    ) -> Result<ImportReport, ImportCustomersError> {
        self.execute_with_progress(merchant, input, |_| {}).await
    }

    /// Imports a whole file, calling `progress` with the rows read so far
    /// after each chunk is stored.
    ///
    /// # Errors
    /// [`ImportCustomersError`]: a missing or wrong header, or a storage failure.
    pub async fn execute_with_progress<R: Read + Send>(
        &self,
        merchant: MerchantId,
        input: R,
        mut progress: impl FnMut(u64) + Send,
    ) -> Result<ImportReport, ImportCustomersError> {
        let mut table = CsvTable::open(input, &CUSTOMER_COLUMNS)?;
        let mut report = ImportReport::default();
        let mut seen: HashMap<String, Seen> = HashMap::new();
        let mut rows_seen: HashSet<u64> = HashSet::new();
        let mut chunk = Chunk::default();
        let mut rows_read = 0_u64;
        while let Some(next) = table.next_row().map_err(ImportCustomersError::Unexpected)? {
            rows_read += 1;
            match next {
                Err(rejected) => report.rejected.push(rejected),
                Ok(row) => {
                    // An exact duplicate of an earlier row is harmless.
                    if !rows_seen.insert(row.fingerprint()) {
                        continue;
                    }
                    match add_row(&row, &mut seen, &mut chunk) {
                        Ok(Some(warning)) => report.warnings.push(warning),
                        Ok(None) => {}
                        Err(rejected) => report.rejected.push(rejected),
                    }
                }
            }
            if chunk.rows >= IMPORT_CHUNK_ROWS {
                self.flush(merchant, &mut chunk, &mut seen).await?;
                progress(rows_read);
            }
        }
        self.flush(merchant, &mut chunk, &mut seen).await?;
        progress(rows_read);
        for outcome in seen.values().filter_map(|s| s.outcome) {
            match outcome {
                UpsertOutcome::Created => report.created += 1,
                UpsertOutcome::Updated => report.updated += 1,
                UpsertOutcome::Unchanged => report.unchanged += 1,
            }
        }
        report.rejected.sort_by_key(|r| r.line);
        report.warnings.sort_by_key(|w| w.line);
        Ok(report)
    }

    async fn flush(
        &self,
        merchant: MerchantId,
        chunk: &mut Chunk,
        seen: &mut HashMap<String, Seen>,
    ) -> Result<(), ImportCustomersError> {
        let taken = std::mem::take(chunk);
        if taken.customers.is_empty() {
            return Ok(());
        }
        let outcomes = self.customers.upsert_customers(merchant, &taken.customers, self.clock.now()).await?;
        if outcomes.len() != taken.customers.len() {
            let message =
                format!("storage answered {} outcomes for {} customers", outcomes.len(), taken.customers.len());
            return Err(ImportCustomersError::Unexpected(message.into()));
        }
        for (customer, outcome) in taken.customers.iter().zip(outcomes) {
            if let Some(entry) = seen.get_mut(customer.erp_id.as_str()) {
                entry.outcome = Some(merge(entry.outcome, outcome));
            }
        }
        Ok(())
    }
}

/// A customer split over several chunks counts once: created wins, then updated.
fn merge(before: Option<UpsertOutcome>, now: UpsertOutcome) -> UpsertOutcome {
    match (before, now) {
        (Some(UpsertOutcome::Created), _) | (_, UpsertOutcome::Created) => UpsertOutcome::Created,
        (Some(UpsertOutcome::Updated), _) | (_, UpsertOutcome::Updated) => UpsertOutcome::Updated,
        _ => UpsertOutcome::Unchanged,
    }
}

/// Adds a row's contact to its customer in the chunk; a warning when it was
/// imported with a change.
fn add_row(row: &Row, seen: &mut HashMap<String, Seen>, chunk: &mut Chunk) -> Result<Option<RowWarning>, RejectedRow> {
    let reject = |reason: String| RejectedRow { line: row.line, reason };
    let f = &row.fields;
    let customer = parse_customer(RawCustomer {
        erp_id: &f[0],
        customer_number: &f[1],
        name: &f[2],
        currency: &f[3],
        collection_priority: &f[4],
    })
    .map_err(|e| reject(e.to_string()))?;
    let primary = parse_primary(&f[9]).map_err(|e| reject(e.to_string()))?;
    let mut contact =
        parse_contact(RawContact { first_name: &f[5], last_name: &f[6], email: &f[7], phone: &f[8], primary })
            .map_err(|e| reject(e.to_string()))?;
    let fields = fingerprint(&customer);
    let key = customer.erp_id.as_str().to_owned();
    match seen.get(&key) {
        Some(first) if first.fields != fields => {
            return Err(reject(format!(
                "the customer columns differ from line {} for the same erp_id {key}",
                first.line
            )));
        }
        Some(_) => {}
        None => {
            seen.insert(key.clone(), Seen { line: row.line, fields, primary_line: None, outcome: None });
        }
    }
    // One primary contact per customer: the first wins, a later one is kept as a contact.
    let first_primary = seen.get(&key).and_then(|s| s.primary_line);
    let mut warning = None;
    if let (true, Some(first)) = (contact.primary, first_primary) {
        contact.primary = false;
        warning = Some(RowWarning {
            line: row.line,
            message: format!(
                "a second primary contact for erp_id {key} (the first is on line {first}): imported as a non-primary contact"
            ),
        });
    }
    let index = match chunk.index.get(&key) {
        Some(&i) => i,
        None => {
            chunk.customers.push(upsert_of(customer));
            chunk.index.insert(key.clone(), chunk.customers.len() - 1);
            chunk.customers.len() - 1
        }
    };
    let contacts = &mut chunk.customers[index].contacts;
    let natural_key = contact.natural_key();
    if let Some(existing) = contacts.iter().find(|c| c.natural_key() == natural_key) {
        if *existing != contact {
            return Err(reject(format!(
                "another row of this customer has a contact with the same email or name ({natural_key})"
            )));
        }
        return Ok(None);
    }
    if contact.primary
        && let Some(entry) = seen.get_mut(&key)
    {
        entry.primary_line = Some(row.line);
    }
    contacts.push(contact);
    chunk.rows += 1;
    Ok(warning)
}

fn upsert_of(fields: CustomerFields) -> CustomerUpsert {
    CustomerUpsert {
        erp_id: fields.erp_id,
        customer_number: fields.customer_number,
        name: fields.name,
        currency: fields.currency,
        collection_priority: fields.collection_priority,
        contacts: Vec::new(),
    }
}
