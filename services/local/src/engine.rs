//! Assembles the embedded engine: store → slices → pipe → pollers → HTTP server, and takes it
//! down gracefully (stop accepting requests, let in-flight batches finish).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use kernel::clock::{Clock, SystemClock};
use kernel::table::Table;
use payments::gateway::{FakePaymentGateway, PaymentGateway};
use store_sqlite::{Durability, QueueConfig, SqliteStore, StoreError, StoreOptions};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{DurabilityArg, ServeArgs, StoreArgs};
use crate::pipe::Pipe;
use crate::poller::Poller;
use crate::routing::RoutingTable;
use crate::{http, slices};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the data directory {path} cannot be created")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the payment gateway seed in {path} cannot be read or kept")]
    PaymentSeed {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the store cannot be opened")]
    Store(#[from] StoreError),
    #[error("the routing table is invalid")]
    Routing(#[from] serde_json::Error),
    #[error("the routing table names a worker with no controller: {0}")]
    UnknownWorker(String),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
}

/// Opens (creating if needed) the store in the data directory.
pub fn open_store(args: &StoreArgs, durability: Durability) -> Result<SqliteStore, EngineError> {
    std::fs::create_dir_all(&args.data_dir).map_err(|source| EngineError::DataDir {
        path: args.data_dir.display().to_string(),
        source,
    })?;
    let options = StoreOptions {
        durability,
        ..StoreOptions::default()
    };
    Ok(SqliteStore::open(&args.database_path(), options)?)
}

/// File in the data directory keeping the random gateway's seed.
pub const PAYMENT_SEED_FILE: &str = "payment-gateway-seed";

/// The random gateway's seed for this data directory: read if kept, else drawn and kept.
///
/// The fake gateway answers each idempotency key deterministically from (seed, key); keeping the
/// seed is what makes a retried payment attempt get the same answer after a crash and restart.
pub fn payment_seed(args: &StoreArgs) -> Result<u64, EngineError> {
    let path = args.data_dir.join(PAYMENT_SEED_FILE);
    let io_error = |source| EngineError::PaymentSeed {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map_err(|_| {
            io_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not an unsigned integer",
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            use rand::{RngCore, SeedableRng};
            let seed = rand::rngs::StdRng::from_os_rng().next_u64();
            // Write then rename, so a crash never leaves a half-written seed.
            let partial = path.with_extension("partial");
            std::fs::write(&partial, format!("{seed}\n")).map_err(io_error)?;
            std::fs::rename(&partial, &path).map_err(io_error)?;
            Ok(seed)
        }
        Err(error) => Err(io_error(error)),
    }
}

/// The queue configuration of every worker in the routing table.
pub fn queue_configs(routing: &RoutingTable, args: &ServeArgs) -> Vec<QueueConfig> {
    routing
        .workers
        .iter()
        .map(|route| QueueConfig {
            name: route.queue(),
            dead_letter_queue: route.dead_letter_queue(),
            visibility_timeout: args.visibility_timeout(),
            max_receive_count: args.max_receive_count,
        })
        .collect()
}

/// Runs the engine until `shutdown` completes. `on_listening` is told the bound address.
pub async fn serve(
    args: ServeArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), EngineError> {
    let durability = match args.durability {
        DurabilityArg::Normal => Durability::Normal,
        DurabilityArg::Full => Durability::Full,
    };
    let store = open_store(&args.store, durability)?;
    let routing = Arc::new(RoutingTable::load()?);
    let table: Arc<dyn Table> = Arc::new(store.clone());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let gateway_mode = args.gateway_mode(|| payment_seed(&args.store))?;
    tracing::info!(?gateway_mode, "payment gateway");
    let gateway: Arc<dyn PaymentGateway> = Arc::new(FakePaymentGateway::new(gateway_mode));

    let mut workers = slices::workers(&table, &clock, &gateway);
    let (stop, stopped) = watch::channel(false);
    let mut background = JoinSet::new();
    for queue in queue_configs(&routing, &args) {
        let handler = workers
            .remove(&queue.name)
            .ok_or_else(|| EngineError::UnknownWorker(queue.name.clone()))?;
        for _ in 0..args.worker_concurrency {
            let poller = Arc::new(Poller {
                store: store.clone(),
                queue: queue.clone(),
                handler: handler.clone(),
            });
            background.spawn(poller.run(stopped.clone()));
        }
    }
    background.spawn(Pipe::new(store.clone(), routing).run(stopped.clone()));

    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|source| EngineError::Bind {
            addr: args.addr,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| EngineError::Bind {
        addr: args.addr,
        source,
    })?;
    tracing::info!(
        addr = %local_addr,
        data = %args.store.database_path().display(),
        "ecomm is serving on http://{local_addr}"
    );
    on_listening(local_addr);

    let served = axum::serve(listener, http::router(slices::api_routes(&table, &clock)))
        .with_graceful_shutdown(shutdown)
        .await;
    tracing::info!("shutting down: finishing in-flight batches");
    let _ = stop.send(true);
    while background.join_next().await.is_some() {}
    tracing::info!("stopped");
    served.map_err(EngineError::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payment_seed_is_drawn_once_and_kept_with_the_data() {
        let data = tempfile::tempdir().unwrap();
        let args = StoreArgs {
            data_dir: data.path().to_owned(),
        };
        let first = payment_seed(&args).unwrap();
        assert_eq!(
            payment_seed(&args).unwrap(),
            first,
            "a restart keeps the seed"
        );
        let other = tempfile::tempdir().unwrap();
        let other_args = StoreArgs {
            data_dir: other.path().to_owned(),
        };
        assert!(other.path().join(PAYMENT_SEED_FILE).metadata().is_err());
        let _ = payment_seed(&other_args).unwrap();
        assert!(other.path().join(PAYMENT_SEED_FILE).exists());
    }

    #[test]
    fn a_corrupt_seed_file_fails_fast() {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join(PAYMENT_SEED_FILE), "not a number").unwrap();
        let args = StoreArgs {
            data_dir: data.path().to_owned(),
        };
        assert!(matches!(
            payment_seed(&args),
            Err(EngineError::PaymentSeed { .. })
        ));
    }
}
