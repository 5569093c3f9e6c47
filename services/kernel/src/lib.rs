//! The kernel: everything the slices share that carries no domain knowledge.
//!
//! * [`failure`]: the contract every domain failure enum fulfils (kind name, transience).
//! * [`clock`]: the injectable source of `now()`.
//! * [`correlation`]: the correlation and causation ids of the work in progress.
//! * [`table`]: the DynamoDB-shaped storage port both adapters implement.
//! * [`http`]: API controller plumbing (body parsing, status mapping).
//! * [`metrics`]: the names and recording of the metrics the plumbing emits.
//! * [`sqs`]: the one SQS batch loop every worker controller uses.
//! * [`validation`]: JavaScript-compatible value rules (trim, UTF-16 length, numbers).

pub mod clock;
pub mod correlation;
pub mod failure;
#[cfg(any(test, feature = "fakes"))]
pub mod fake;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod sqs;
pub mod table;
pub mod validation;

pub use failure::Failure;
/// For [`trimmed_string!`] and the slices' OpenAPI derives.
pub use utoipa;
