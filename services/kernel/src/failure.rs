//! What every domain failure must answer: its wire name and whether a retry can help.

/// Implemented by each domain's single failure enum.
///
/// Implementations decide `is_transient` with an exhaustive `match` (no `_` arm), so adding a
/// failure kind forces a decision about its retry semantics.
pub trait Failure: std::error::Error + Send + Sync + 'static {
    /// The original system's `failureKind` string, e.g. `"InvalidArgumentsError"` (used in logs).
    fn kind(&self) -> &'static str;

    /// `true` ⇒ an SQS message is retried; `false` ⇒ it is consumed.
    fn is_transient(&self) -> bool;

    /// `true` ⇒ an API answers 400 Bad Request; any other failure answers 500.
    fn is_invalid_arguments(&self) -> bool;
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
