//! Shared plumbing of the 12 Lambda entry points (`src/bin/*`).
//!
//! Every binary does the same five things, in order: [`init_tracing`], read its typed config
//! ([`TableConfig`] or [`PaymentWorkerConfig`]) and fail fast, [`connect_table`] once per process,
//! build its slice's controller, then [`run_api`] or [`run_worker`]. [`serve_api`] and
//! [`serve_worker`] do all five for a slice that needs only the table and the clock, and
//! [`serve_worker_with`] for one that reads more configuration, so every binary names nothing
//! but its controller. The adapters between Lambda's event types and the
//! kernel's transport-free controller traits live in [`api`] and [`worker`].

pub mod api;
pub mod config;
pub mod logging;
pub mod metrics;
pub mod worker;

use std::sync::Arc;

use kernel::clock::{Clock, SystemClock};
use kernel::http::ApiHandler;
use kernel::sqs::WorkerHandler;
use kernel::table::Table;
use store_dynamodb::DynamoDbTable;

pub use api::run_api;
pub use config::{ConfigError, ListApiConfig, PaymentWorkerConfig, TableConfig};
pub use logging::init_tracing;
pub use worker::run_worker;

/// What a Lambda `main` returns on a start-up or runtime failure (the process then exits 1).
pub type Error = lambda_runtime::Error;

/// Builds the DynamoDB client (region and credentials from the Lambda environment) once.
pub async fn connect_table(config: &TableConfig) -> Arc<dyn Table> {
    Arc::new(DynamoDbTable::connect(config.table_name.clone()).await)
}

/// The wall clock every slice reads `now()` from.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// Logs a start-up failure as one structured line before `main` returns it.
pub fn log_startup_error(error: &ConfigError) {
    tracing::error!(error = %kernel::failure::error_chain(error), "invalid configuration; the function cannot start");
}

/// A function's typed configuration: read from the environment at start-up; names its table.
pub trait FunctionConfig: Sized {
    fn from_env() -> Result<Self, ConfigError>;
    fn table(&self) -> &TableConfig;
}

impl FunctionConfig for TableConfig {
    fn from_env() -> Result<Self, ConfigError> {
        TableConfig::from_env()
    }

    fn table(&self) -> &TableConfig {
        self
    }
}

impl FunctionConfig for ListApiConfig {
    fn from_env() -> Result<Self, ConfigError> {
        ListApiConfig::from_env()
    }

    fn table(&self) -> &TableConfig {
        &self.table
    }
}

impl FunctionConfig for PaymentWorkerConfig {
    fn from_env() -> Result<Self, ConfigError> {
        PaymentWorkerConfig::from_env()
    }

    fn table(&self) -> &TableConfig {
        &self.table
    }
}

/// Runs an API slice wired from the table and the clock: tracing, config, one table client, then
/// the Lambda runtime loop on a single-threaded runtime.
pub fn serve_api<H: ApiHandler + 'static>(
    wire: impl FnOnce(Arc<dyn Table>, Arc<dyn Clock>) -> H,
) -> Result<(), Error> {
    serve(|table, clock, _: &TableConfig| wire(table, clock), run_api)
}

/// Runs an API slice that also reads its own configuration `C` (the list APIs' page tokens).
pub fn serve_api_with<C: FunctionConfig, H: ApiHandler + 'static>(
    wire: impl FnOnce(Arc<dyn Table>, Arc<dyn Clock>, &C) -> H,
) -> Result<(), Error> {
    serve(wire, run_api)
}

/// Runs a worker slice wired from the table and the clock, like [`serve_api`].
pub fn serve_worker<H: WorkerHandler + 'static>(
    wire: impl FnOnce(Arc<dyn Table>, Arc<dyn Clock>) -> H,
) -> Result<(), Error> {
    serve(
        |table, clock, _: &TableConfig| wire(table, clock),
        run_worker,
    )
}

/// Runs a worker slice that also reads its own configuration `C` (the payment worker's gateway).
pub fn serve_worker_with<C: FunctionConfig, H: WorkerHandler + 'static>(
    wire: impl FnOnce(Arc<dyn Table>, Arc<dyn Clock>, &C) -> H,
) -> Result<(), Error> {
    serve(wire, run_worker)
}

fn serve<C, H, R>(
    wire: impl FnOnce(Arc<dyn Table>, Arc<dyn Clock>, &C) -> H,
    run: impl FnOnce(H) -> R,
) -> Result<(), Error>
where
    C: FunctionConfig,
    R: Future<Output = Result<(), Error>>,
{
    init_tracing();
    let config = C::from_env().inspect_err(log_startup_error)?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let table = connect_table(config.table()).await;
            run(wire(table, system_clock(), &config)).await
        })
}
