//! Errors shared by the ports.

/// A boxed infrastructure error, kept opaque above the adapters.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a repository can report. Storage failures never turn into "not found":
/// absence is `Ok(None)`, a failure is an error.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// A uniqueness or foreign-key rule of the database refused the write.
    /// `constraint` names the rule, such as `invitations_one_open_per_contact`.
    #[error("the write conflicts with {constraint}")]
    Conflict {
        /// The violated constraint.
        constraint: String,
    },
    /// A claim's lease expired and another worker owns the row now.
    #[error("the lease on this row was lost")]
    LeaseLost,
    /// Anything else: connection, timeout, corrupt row.
    #[error("storage failed")]
    Unexpected(#[source] BoxError),
}

impl RepositoryError {
    /// Wraps any error as [`RepositoryError::Unexpected`].
    pub fn unexpected(error: impl Into<BoxError>) -> Self {
        Self::Unexpected(error.into())
    }
}

/// Displays an error with its whole source chain, `outer: cause: root`, for
/// logs: the top message alone often hides what actually failed.
///
/// ```
/// use portico_app::ErrorChain;
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("saving the customer failed")]
/// struct Outer(#[source] std::io::Error);
///
/// let error = Outer(std::io::Error::other("connection reset"));
/// assert_eq!(ErrorChain(&error).to_string(), "saving the customer failed: connection reset");
/// ```
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl std::fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
