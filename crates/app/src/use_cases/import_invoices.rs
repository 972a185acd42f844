//! Import invoices from the ERP's CSV export, upserted by invoice number in
//! chunks; a row naming an unknown customer is refused, the others go on.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use chrono::NaiveDate;
use portico_domain::{Currency, ErpId, MerchantId, Money};

use super::csv_table::{
    CsvHeaderError, CsvTable, FieldError, IMPORT_CHUNK_ROWS, ImportReport, RejectedRow, Row, fingerprint, text,
};
use crate::{BoxError, Clock, CustomerRepository, InvoiceUpsert, InvoiceUpsertOutcome, RepositoryError, UpsertOutcome};

/// The columns of the invoice export.
pub const INVOICE_COLUMNS: [&str; 7] =
    ["erp_id", "invoice_number", "issue_date", "due_date", "currency", "amount", "balance"];

/// Why an import did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ImportInvoicesError {
    /// The file is not an invoice export (no or wrong header).
    #[error(transparent)]
    Header(#[from] CsvHeaderError),
    /// An infrastructure failure; chunks already written stay written.
    #[error("importing invoices failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for ImportInvoicesError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the import needs.
#[derive(Clone)]
pub struct ImportInvoices {
    /// The customer directory (invoices belong to customers).
    pub customers: Arc<dyn CustomerRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ImportInvoices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportInvoices").finish_non_exhaustive()
    }
}

impl ImportInvoices {
    /// Imports a whole file.
    ///
    /// # Errors
    /// [`ImportInvoicesError`]: a missing or wrong header, or a storage failure.
    pub async fn execute<R: Read + Send>(
        &self,
        merchant: MerchantId,
        input: R,
    ) -> Result<ImportReport, ImportInvoicesError> {
        self.execute_with_progress(merchant, input, |_| {}).await
    }

    /// Imports a whole file, calling `progress` with the rows read so far
    /// after each chunk is stored.
    ///
    /// # Errors
    /// [`ImportInvoicesError`]: a missing or wrong header, or a storage failure.
    pub async fn execute_with_progress<R: Read + Send>(
        &self,
        merchant: MerchantId,
        input: R,
        mut progress: impl FnMut(u64) + Send,
    ) -> Result<ImportReport, ImportInvoicesError> {
        let mut table = CsvTable::open(input, &INVOICE_COLUMNS)?;
        let mut report = ImportReport::default();
        // Invoice number → (first line, fingerprint): the same number twice
        // in one file would otherwise flip between rows on every import.
        let mut seen: HashMap<String, (u64, u64)> = HashMap::new();
        let mut chunk: Vec<(u64, InvoiceUpsert)> = Vec::with_capacity(IMPORT_CHUNK_ROWS);
        let mut rows_read = 0_u64;
        while let Some(next) = table.next_row().map_err(ImportInvoicesError::Unexpected)? {
            rows_read += 1;
            let row = match next {
                Ok(row) => row,
                Err(rejected) => {
                    report.rejected.push(rejected);
                    continue;
                }
            };
            let invoice = match parse_invoice(&row) {
                Ok(invoice) => invoice,
                Err(e) => {
                    report.rejected.push(RejectedRow { line: row.line, reason: e.to_string() });
                    continue;
                }
            };
            let print = fingerprint(&row.fields);
            match seen.get(&invoice.invoice_number) {
                Some(&(_, first)) if first == print => continue,
                Some(&(line, _)) => {
                    let reason = format!(
                        "invoice_number {} already appears on line {line} with different values",
                        invoice.invoice_number
                    );
                    report.rejected.push(RejectedRow { line: row.line, reason });
                    continue;
                }
                None => {
                    seen.insert(invoice.invoice_number.clone(), (row.line, print));
                }
            }
            chunk.push((row.line, invoice));
            if chunk.len() >= IMPORT_CHUNK_ROWS {
                self.flush(merchant, &mut chunk, &mut report).await?;
                progress(rows_read);
            }
        }
        self.flush(merchant, &mut chunk, &mut report).await?;
        progress(rows_read);
        report.rejected.sort_by_key(|r| r.line);
        Ok(report)
    }

    async fn flush(
        &self,
        merchant: MerchantId,
        chunk: &mut Vec<(u64, InvoiceUpsert)>,
        report: &mut ImportReport,
    ) -> Result<(), ImportInvoicesError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let invoices: Vec<InvoiceUpsert> = chunk.iter().map(|(_, i)| i.clone()).collect();
        let outcomes = self.customers.upsert_invoices(merchant, &invoices, self.clock.now()).await?;
        if outcomes.len() != invoices.len() {
            let message = format!("storage answered {} outcomes for {} invoices", outcomes.len(), invoices.len());
            return Err(ImportInvoicesError::Unexpected(message.into()));
        }
        for ((line, invoice), outcome) in chunk.drain(..).zip(outcomes) {
            match outcome {
                InvoiceUpsertOutcome::Saved(UpsertOutcome::Created) => report.created += 1,
                InvoiceUpsertOutcome::Saved(UpsertOutcome::Updated) => report.updated += 1,
                InvoiceUpsertOutcome::Saved(UpsertOutcome::Unchanged) => report.unchanged += 1,
                InvoiceUpsertOutcome::UnknownCustomer => report.rejected.push(RejectedRow {
                    line,
                    reason: format!("erp_id: no customer has erp_id {}; import the customers first", invoice.erp_id),
                }),
            }
        }
        Ok(())
    }
}

fn parse_invoice(row: &Row) -> Result<InvoiceUpsert, FieldError> {
    let f = &row.fields;
    let erp_id = ErpId::parse(&f[0]).map_err(|e| FieldError::new("erp_id", e.to_string()))?;
    let invoice_number = text("invoice_number", &f[1], 64, true)?;
    let issue_date = date("issue_date", &f[2])?;
    let due_date = date("due_date", &f[3])?;
    if due_date < issue_date {
        return Err(FieldError::new("due_date", "is before issue_date"));
    }
    let currency = Currency::parse(&f[4]).map_err(|e| FieldError::new("currency", format!("invalid currency: {e}")))?;
    let amount = Money::parse(&f[5], currency).map_err(|e| FieldError::new("amount", e.to_string()))?;
    let balance = Money::parse(&f[6], currency).map_err(|e| FieldError::new("balance", e.to_string()))?;
    if balance.minor_units() < 0 {
        return Err(FieldError::new("balance", "is negative"));
    }
    if amount.minor_units() >= 0 && balance.minor_units() > amount.minor_units() {
        return Err(FieldError::new("balance", "is larger than amount"));
    }
    Ok(InvoiceUpsert { erp_id, invoice_number, issue_date, due_date, amount, balance })
}

fn date(field: &'static str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, format!("{:?} is not a date as YYYY-MM-DD", raw.trim())))
}
