//! The Lambdas' metrics: the same counters as the embedded engine's `/metrics` (see
//! `kernel::metrics`), written to stdout in CloudWatch Embedded Metric Format after each
//! invocation. CloudWatch Logs turns every such line into metrics in the namespace the CDK app
//! gives each function (`METRICS_NAMESPACE`, `Ecomm/<stage>`); the labels are the dimensions.

use metrics_cloudwatch_embedded::{Builder, Collector};

/// The environment variable naming the CloudWatch namespace.
pub const NAMESPACE_VAR: &str = "METRICS_NAMESPACE";

/// The process's EMF collector, installed as the `metrics` recorder; `None` (metrics off) when
/// no namespace is configured, e.g. a function started outside the stack.
pub fn init_metrics() -> Option<&'static Collector> {
    let namespace = std::env::var(NAMESPACE_VAR)
        .ok()
        .filter(|ns| !ns.is_empty())?;
    match install(namespace) {
        Ok(collector) => Some(collector),
        Err(error) => {
            tracing::warn!(%error, "metrics are off: the EMF recorder cannot be installed");
            None
        }
    }
}

/// Installs the EMF collector for `namespace` as the process's `metrics` recorder. No default
/// dimensions: each metric's labels alone are its dimensions, so the dashboard's `SEARCH`
/// expressions find every function's data under one schema.
pub fn install(
    namespace: String,
) -> Result<&'static Collector, metrics_cloudwatch_embedded::Error> {
    Builder::new().cloudwatch_namespace(namespace).init()
}

/// Writes what this invocation recorded as EMF lines on stdout.
pub fn flush(collector: Option<&'static Collector>) {
    if let Some(collector) = collector
        && let Err(error) = collector.flush(std::io::stdout().lock())
    {
        tracing::warn!(%error, "cannot write this invocation's metrics");
    }
}
