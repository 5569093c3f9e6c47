//! The metrics every slice's plumbing emits, on both engines, through the `metrics` facade.
//!
//! The embedded engine installs a Prometheus recorder (`GET /metrics`); the Lambdas install a
//! CloudWatch Embedded Metric Format recorder. Without a recorder (tests, tools) every call here
//! does nothing. Names follow Prometheus conventions and are the same in CloudWatch, where the
//! labels are the dimensions.

use std::time::Duration;

/// Counter of answered API requests; labels `route`, `status`.
pub const HTTP_REQUESTS: &str = "ecomm_http_requests_total";
/// Histogram of API request durations in seconds; labels `route`, `status`.
pub const HTTP_REQUEST_DURATION: &str = "ecomm_http_request_duration_seconds";
/// Counter of messages handed to a worker; label `worker`.
pub const WORKER_MESSAGES_RECEIVED: &str = "ecomm_worker_messages_received_total";
/// Counter of messages by how they ended; labels `worker`, `outcome` ([`Outcome`]).
pub const WORKER_MESSAGES: &str = "ecomm_worker_messages_total";
/// Counter of retried and dropped messages by failure kind; labels `worker`, `outcome`,
/// `failure_kind`.
pub const WORKER_FAILURES: &str = "ecomm_worker_failures_total";

/// The `failure_kind` of a message whose processor panicked.
pub const PANIC_FAILURE_KIND: &str = "Panic";

/// How a worker's message ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Processed: deleted from the queue.
    Succeeded,
    /// A transient failure: reported in `batchItemFailures`, delivered again.
    Retried,
    /// A non-transient failure or a malformed message: consumed without effect.
    Dropped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Retried => "retried",
            Self::Dropped => "dropped",
        }
    }
}

/// Counts one answered API request.
pub fn record_request(route: &str, status: u16, took: Duration) {
    let labels = [("route", route.to_owned()), ("status", status.to_string())];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION, &labels).record(took.as_secs_f64());
}

/// Counts one message handed to `worker`.
pub fn record_received(worker: &'static str) {
    metrics::counter!(WORKER_MESSAGES_RECEIVED, "worker" => worker).increment(1);
}

/// Counts how one of `worker`'s messages ended; `failure_kind` for retries and drops.
pub fn record_outcome(worker: &'static str, outcome: Outcome, failure_kind: Option<&'static str>) {
    metrics::counter!(WORKER_MESSAGES, "worker" => worker, "outcome" => outcome.as_str())
        .increment(1);
    if let Some(kind) = failure_kind {
        metrics::counter!(
            WORKER_FAILURES,
            "worker" => worker,
            "outcome" => outcome.as_str(),
            "failure_kind" => kind
        )
        .increment(1);
    }
}
