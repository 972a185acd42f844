//! Hand-written SQL shared by both backends: queries use `?` placeholders,
//! numbered `$n` for PostgreSQL here.

use sea_orm::{DbBackend, Statement, Value};

/// `sql` with each `?` numbered for PostgreSQL; unchanged for SQLite. The
/// queries of this crate hold no `?` inside string literals.
pub(crate) fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A statement for `backend` from `?`-style SQL and its values.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// `?, ?, ?` for a list of `n` values (at least one `NULL` so `IN ()` stays valid).
pub(crate) fn list(n: usize) -> String {
    if n == 0 {
        return "NULL".to_owned();
    }
    let mut out = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('?');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        assert_eq!(placeholders(DbBackend::Postgres, "a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
        assert_eq!(list(0), "NULL");
        assert_eq!(list(3), "?, ?, ?");
    }
}
