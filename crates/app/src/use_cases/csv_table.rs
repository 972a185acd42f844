//! Reading an ERP's CSV export: the header, then one row at a time with its
//! line number, each field as UTF-8. Shared by the import use cases.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;

use crate::BoxError;

/// How many rows one storage call takes during an import.
pub const IMPORT_CHUNK_ROWS: usize = 500;

/// One refused row of an import.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RejectedRow {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong with the row.
    pub reason: String,
}

/// A row imported, but not quite as given (a second primary contact of a
/// customer, imported as a non-primary one).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowWarning {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    /// What was changed, and why.
    pub message: String,
}

/// The outcome of an import: what it did per record, each refused row, and
/// each row imported with a change.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Records that did not exist.
    pub created: u64,
    /// Records that existed and changed.
    pub updated: u64,
    /// Records that existed as given.
    pub unchanged: u64,
    /// Rows refused, in line order.
    pub rejected: Vec<RejectedRow>,
    /// Rows imported with a change, in line order.
    pub warnings: Vec<RowWarning>,
}

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvHeaderError {
    /// The file holds no header line.
    #[error("the file is empty: the first line must be the header {expected}")]
    Empty {
        /// The expected header.
        expected: String,
    },
    /// The header misses columns.
    #[error("the header lacks the column(s) {missing}; expected {expected}")]
    MissingColumns {
        /// The missing column names, comma-separated.
        missing: String,
        /// The expected header.
        expected: String,
    },
    /// The header is not UTF-8 text.
    #[error("the header is not UTF-8 text")]
    NotUtf8,
}

/// A row with its fields in the order of the expected columns.
#[derive(Debug)]
pub(crate) struct Row {
    /// The line the row starts on.
    pub line: u64,
    /// The fields, untrimmed.
    pub fields: Vec<String>,
}

impl Row {
    /// A fingerprint of the whole row, to recognise exact duplicates.
    pub fn fingerprint(&self) -> u64 {
        fingerprint(&self.fields)
    }
}

/// A stable 64-bit hash of some values.
pub(crate) fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Remembers where the line breaks are in the bytes read ahead, so a record's
/// byte offset turns into the line number a person sees in an editor (the
/// csv crate's own line count lags on CRLF files and skipped blank lines).
struct LineBreaks<R> {
    inner: R,
    offset: u64,
    breaks: VecDeque<(u64, u8)>,
    lines_before: u64,
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.breaks.push_back((self.offset + i as u64, b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineBreaks<R> {
    /// The 1-based line of a record the parser says starts at byte `start`
    /// (which may point at the line break or blank lines before it).
    fn line_at(&mut self, start: u64) -> u64 {
        let mut start = start;
        while let Some(&(at, byte)) = self.breaks.front() {
            if at > start {
                break;
            }
            if at == start {
                start += 1;
            }
            if byte == b'\n' {
                self.lines_before += 1;
            }
            self.breaks.pop_front();
        }
        self.lines_before + 1
    }
}

/// Rows of a CSV file with a known set of columns (in any order; extra
/// columns are ignored). Reads one record at a time.
pub(crate) struct CsvTable<R> {
    reader: csv::Reader<LineBreaks<R>>,
    positions: Vec<usize>,
    width: usize,
    record: csv::ByteRecord,
}

impl<R: Read> CsvTable<R> {
    /// Reads the header and maps the expected columns.
    pub fn open(input: R, expected: &[&str]) -> Result<Self, CsvHeaderError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineBreaks {
            inner: input,
            offset: 0,
            breaks: VecDeque::new(),
            lines_before: 0,
        });
        let mut header = csv::ByteRecord::new();
        let expected_text = expected.join(",");
        let read = reader.read_byte_record(&mut header).map_err(|_| CsvHeaderError::NotUtf8)?;
        if !read {
            return Err(CsvHeaderError::Empty { expected: expected_text });
        }
        let start = header.position().map_or(0, csv::Position::byte);
        reader.get_mut().line_at(start);
        let mut names = Vec::with_capacity(header.len());
        for field in &header {
            let name = std::str::from_utf8(field).map_err(|_| CsvHeaderError::NotUtf8)?;
            names.push(name.trim_start_matches('\u{feff}').trim().to_ascii_lowercase());
        }
        let mut positions = Vec::with_capacity(expected.len());
        let mut missing = Vec::new();
        for column in expected {
            match names.iter().position(|n| n == column) {
                Some(i) => positions.push(i),
                None => missing.push(*column),
            }
        }
        if !missing.is_empty() {
            return Err(CsvHeaderError::MissingColumns { missing: missing.join(", "), expected: expected_text });
        }
        let unique: HashSet<usize> = positions.iter().copied().collect();
        debug_assert_eq!(unique.len(), positions.len());
        Ok(Self { reader, positions, width: names.len(), record: csv::ByteRecord::new() })
    }

    /// The next row, a refused row, or `None` at the end.
    ///
    /// # Errors
    /// When reading the input fails (I/O).
    pub fn next_row(&mut self) -> Result<Option<Result<Row, RejectedRow>>, BoxError> {
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        let start = self.record.position().map_or(0, csv::Position::byte);
        let line = self.reader.get_mut().line_at(start);
        let found = self.record.len();
        if found != self.width {
            let problem = if found < self.width { "too few columns" } else { "too many columns" };
            let reason = format!("{problem}: the row has {found}, the header has {}", self.width);
            return Ok(Some(Err(RejectedRow { line, reason })));
        }
        let mut fields = Vec::with_capacity(self.positions.len());
        for &i in &self.positions {
            let raw = self.record.get(i).unwrap_or_default();
            match std::str::from_utf8(raw) {
                Ok(text) => fields.push(text.to_owned()),
                Err(_) => {
                    let reason = format!("column {} is not UTF-8 text", i + 1);
                    return Ok(Some(Err(RejectedRow { line, reason })));
                }
            }
        }
        Ok(Some(Ok(Row { line, fields })))
    }
}

/// A field's problem, named by its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The column or JSON field.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for FieldError {}

/// A free-text field: runs of whitespace (line breaks included) become one
/// space, at most `max` characters, no other control characters (names end up
/// in email headers).
pub(crate) fn text(field: &'static str, raw: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && value.is_empty() {
        return Err(FieldError::new(field, "is empty"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("is longer than {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "holds a control character"));
    }
    Ok(value)
}
