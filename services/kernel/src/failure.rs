//! What every domain failure must answer: its wire name and whether a retry can help.

/// The original's `failureKind` of malformed input (an API answers 400; a worker consumes it).
pub const INVALID_ARGUMENTS_ERROR: &str = "InvalidArgumentsError";
/// The original's `failureKind` of a failure no domain rule explains (storage, outage, races).
pub const UNRECOGNIZED_ERROR: &str = "UnrecognizedError";

/// Everything the plumbing needs to know about a failure, decided in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classification {
    /// The original system's `failureKind` string, e.g. `"InvalidArgumentsError"` (used in logs).
    pub kind: &'static str,
    /// `true` ⇒ an SQS message is retried; `false` ⇒ it is consumed.
    pub transient: bool,
    /// `true` ⇒ an API answers 400 Bad Request; any other failure answers 500.
    pub invalid_arguments: bool,
}

impl Classification {
    /// Malformed input: permanent, 400.
    pub const INVALID_ARGUMENTS: Self = Self {
        kind: INVALID_ARGUMENTS_ERROR,
        transient: false,
        invalid_arguments: true,
    };
    /// Storage failures and other surprises: retried, 500.
    pub const UNRECOGNIZED: Self = Self {
        kind: UNRECOGNIZED_ERROR,
        transient: true,
        invalid_arguments: false,
    };

    /// A domain outcome a retry cannot change (the message is consumed; an API answers 500).
    pub const fn permanent(kind: &'static str) -> Self {
        Self {
            kind,
            transient: false,
            invalid_arguments: false,
        }
    }

    /// A domain outcome a retry can change (the message is retried; an API answers 500).
    pub const fn transient(kind: &'static str) -> Self {
        Self {
            kind,
            transient: true,
            invalid_arguments: false,
        }
    }
}

/// Implemented by each domain's single failure enum.
///
/// `classify` is one exhaustive `match` (no `_` arm), so adding a failure kind forces a decision
/// about its name, its retry semantics and its HTTP answer together.
pub trait Failure: std::error::Error + Send + Sync + 'static {
    fn classify(&self) -> Classification;

    /// The original system's `failureKind` string.
    fn kind(&self) -> &'static str {
        self.classify().kind
    }

    /// `true` ⇒ an SQS message is retried; `false` ⇒ it is consumed.
    fn is_transient(&self) -> bool {
        self.classify().transient
    }

    /// `true` ⇒ an API answers 400 Bad Request; any other failure answers 500.
    fn is_invalid_arguments(&self) -> bool {
        self.classify().invalid_arguments
    }
}

/// Renders an error and its `source()` chain on one line, for logs only.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut rendered = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        rendered.push_str(": ");
        rendered.push_str(&cause.to_string());
        source = cause.source();
    }
    rendered
}
