//! Assembles the embedded engine: store → slices → pipe → pollers → HTTP server, and takes it
//! down gracefully (stop accepting requests, let in-flight batches finish).

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kernel::clock::{Clock, SystemClock};
use kernel::table::{PageTokens, Table};
use payments::gateway::{FakePaymentGateway, PaymentGateway};
use store_sqlite::{Durability, QueueConfig, SqliteStore, StoreError, StoreOptions};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{DurabilityArg, ServeArgs, StoreArgs};
use crate::console::Console;
use crate::housekeeping::Housekeeping;
use crate::metrics::MetricsEndpoint;
use crate::pipe::{Pipe, PipeError};
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
    #[error("the page token secret in {path} cannot be read or kept")]
    PageTokenSecret {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the store cannot be opened")]
    Store(#[from] StoreError),
    #[error("the routing table is invalid")]
    Routing(#[from] serde_json::Error),
    #[error("services/routing.json and the registered workers disagree: {}", .0.join("; "))]
    RoutingMismatch(Vec<String>),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
    #[error("the metrics recorder cannot be installed")]
    Metrics(#[from] metrics_exporter_prometheus::BuildError),
    #[error("the lock file {path} cannot be opened or locked")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another ecomm serve{holder} is already using the data directory {path}; stop it first, \
         or give this one another --data-dir"
    )]
    AlreadyRunning { path: String, holder: String },
    #[error("the {task} stopped unexpectedly; the engine stops so that a supervisor restarts it")]
    TaskDied {
        task: &'static str,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error("the store's writer thread is gone; the engine stops so that a supervisor restarts it")]
    WriterDied,
}

/// File in the data directory that `ecomm serve` holds an exclusive lock on while it runs.
pub const LOCK_FILE: &str = "ecomm.lock";

/// Takes the data directory's exclusive lock (released when the returned file is dropped, or
/// by the OS when the process dies, `kill -9` included), and writes our pid into it.
pub fn lock_data_dir(args: &StoreArgs) -> Result<std::fs::File, EngineError> {
    use std::io::{Read, Seek, Write};
    std::fs::create_dir_all(&args.data_dir).map_err(|source| EngineError::DataDir {
        path: args.data_dir.display().to_string(),
        source,
    })?;
    let path = args.data_dir.join(LOCK_FILE);
    let lock_error = |source| EngineError::Lock {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(lock_error)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(EngineError::AlreadyRunning {
                path: args.data_dir.display().to_string(),
                holder: if pid.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {pid})")
                },
            });
        }
        Err(std::fs::TryLockError::Error(source)) => return Err(lock_error(source)),
    }
    file.set_len(0).map_err(lock_error)?;
    file.rewind().map_err(lock_error)?;
    writeln!(file, "{}", std::process::id()).map_err(lock_error)?;
    Ok(file)
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

/// File in the data directory keeping the secret that signs the list APIs' `nextToken`s.
pub const PAGE_TOKEN_SECRET_FILE: &str = "page-token-secret";

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
    let text = kept_in_data_dir(&path, || {
        use rand::{RngCore, SeedableRng};
        rand::rngs::StdRng::from_os_rng().next_u64().to_string()
    })
    .map_err(io_error)?;
    text.parse().map_err(|_| {
        io_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not an unsigned integer",
        ))
    })
}

/// The list APIs' page tokens for this data directory: signed with a secret drawn once and kept
/// there, so a `nextToken` stays valid across restarts (and is refused by another data directory).
pub fn page_tokens(args: &StoreArgs) -> Result<PageTokens, EngineError> {
    let path = args.data_dir.join(PAGE_TOKEN_SECRET_FILE);
    let secret = kept_in_data_dir(&path, || {
        use rand::{RngCore, SeedableRng};
        let mut secret = [0u8; 32];
        rand::rngs::StdRng::from_os_rng().fill_bytes(&mut secret);
        secret.iter().map(|byte| format!("{byte:02x}")).collect()
    })
    .and_then(|secret| {
        if secret.is_empty() {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "empty: delete the file to draw a new secret",
            ))
        } else {
            Ok(secret)
        }
    })
    .map_err(|source| EngineError::PageTokenSecret {
        path: path.display().to_string(),
        source,
    })?;
    Ok(PageTokens::new(secret.as_bytes()))
}

/// The trimmed text kept at `path`; if there is none yet, `draw`s it and keeps it first (write
/// then rename, so a crash never leaves a half-written file). Only the owner may read it: one of
/// these is a secret.
fn kept_in_data_dir(
    path: &std::path::Path,
    draw: impl FnOnce() -> String,
) -> Result<String, std::io::Error> {
    use std::io::Write;
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let text = draw();
            let partial = path.with_extension("partial");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options
                .open(&partial)?
                .write_all(format!("{text}\n").as_bytes())?;
            std::fs::rename(&partial, path)?;
            Ok(text)
        }
        Err(error) => Err(error),
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

/// Every queue of the engine: each worker's queue and DLQ, and the pipe's dead-letter queue.
pub fn queue_names(routing: &RoutingTable) -> Vec<String> {
    routing
        .workers
        .iter()
        .flat_map(|route| [route.queue(), route.dead_letter_queue()])
        .chain([crate::pipe::DEAD_LETTER_QUEUE.to_owned()])
        .collect()
}

/// Runs the engine until `shutdown` completes. `on_listening` is told the bound address.
///
/// Fails (and the process exits non-zero) if an internal task ends on its own: a process that
/// answers HTTP while its pipeline stands still would be worse than one that stops loudly and
/// is restarted (a restart resumes from the file).
pub async fn serve(
    args: ServeArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), EngineError> {
    let durability = match args.durability {
        DurabilityArg::Normal => Durability::Normal,
        DurabilityArg::Full => Durability::Full,
    };
    let _lock = lock_data_dir(&args.store)?;
    let store = open_store(&args.store, durability)?;
    let mut routing = RoutingTable::load()?;
    if let Some(retries) = args.pipe_max_retry_attempts {
        routing.pipe.maximum_retry_attempts = retries;
    }
    let routing = Arc::new(routing);
    let table: Arc<dyn Table> = Arc::new(store.clone());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let gateway_mode = args.gateway_mode(|| payment_seed(&args.store))?;
    tracing::info!(?gateway_mode, "payment gateway");
    let gateway: Arc<dyn PaymentGateway> = Arc::new(FakePaymentGateway::new(gateway_mode));
    let page_tokens = page_tokens(&args.store)?;

    let workers = slices::workers(&table, &clock, &gateway);
    let registered: Vec<_> = workers.iter().map(|(slice, _)| *slice).collect();
    let mismatches = slices::routing_mismatches(&routing, &registered);
    if !mismatches.is_empty() {
        return Err(EngineError::RoutingMismatch(mismatches));
    }
    let (stop, stopped) = watch::channel(false);
    let mut background: JoinSet<TaskEnd> = JoinSet::new();
    for queue in queue_configs(&routing, &args) {
        let Some((_, handler)) = workers
            .iter()
            .find(|(slice, _)| slice.queue() == queue.name)
        else {
            return Err(EngineError::RoutingMismatch(vec![queue.name]));
        };
        for _ in 0..args.worker_concurrency {
            let poller = Arc::new(Poller {
                store: store.clone(),
                queue: queue.clone(),
                handler: handler.clone(),
            });
            let stopped = stopped.clone();
            background.spawn(async move {
                poller.run(stopped).await;
                ("queue poller", None)
            });
        }
    }
    let recorder = crate::metrics::recorder()?;
    let (closing, console_closing) = watch::channel(false);
    let console = Console::new(
        store.clone(),
        Arc::clone(&routing),
        recorder.clone(),
        Arc::clone(&table),
        Arc::clone(&clock),
        console_closing,
    );
    let console_stopped = stopped.clone();
    let sampler = console.clone();
    background.spawn(async move {
        sampler.sample(console_stopped).await;
        ("console sampler", None)
    });
    let pipe = Pipe::new(store.clone(), Arc::clone(&routing));
    let pipe_stopped = stopped.clone();
    background.spawn(async move { ("pipe", pipe.run(pipe_stopped).await.err()) });
    let housekeeping = Housekeeping::new(store.clone(), &routing, args.retention);
    let housekeeping_stopped = stopped.clone();
    background.spawn(async move {
        housekeeping.run(housekeeping_stopped).await;
        ("housekeeping", None)
    });

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
        "ecomm is serving on http://{local_addr} (open it in a browser for the console)"
    );
    on_listening(local_addr);

    let metrics = MetricsEndpoint::new(recorder, store.clone(), queue_names(&routing));
    let app = http::router(slices::api_routes(&table, &clock, &page_tokens))
        .merge(metrics.router())
        .merge(crate::openapi::router())
        .merge(console.router());
    let shutdown = async move {
        shutdown.await;
        // Ends the console's event streams, which would otherwise keep their connections open.
        let _ = closing.send(true);
    };
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .into_future();
    let writer = store.clone();
    supervise(server, background, &stop, move || writer.writer_alive()).await
}

/// What a background task reports when it ends: its name and, if it failed, why.
pub type TaskEnd = (&'static str, Option<PipeError>);

/// Serves until the server future completes (graceful shutdown: background tasks are told to
/// stop and awaited), or until a background task ends on its own or the store's writer dies
/// (everything is stopped and the failure returned, so the process exits non-zero).
pub async fn supervise<S>(
    server: S,
    mut background: JoinSet<TaskEnd>,
    stop: &watch::Sender<bool>,
    writer_alive: impl Fn() -> bool,
) -> Result<(), EngineError>
where
    S: Future<Output = std::io::Result<()>>,
{
    tokio::pin!(server);
    let mut watchdog = tokio::time::interval(WATCHDOG_EVERY);
    let died = loop {
        tokio::select! {
            served = &mut server => {
                tracing::info!("shutting down: finishing in-flight batches");
                let _ = stop.send(true);
                while background.join_next().await.is_some() {}
                tracing::info!("stopped");
                return served.map_err(EngineError::Serve);
            }
            Some(ended) = background.join_next() => {
                break match ended {
                    Ok((task, error)) => EngineError::TaskDied {
                        task,
                        source: error.map(|error| Box::new(error) as Box<dyn std::error::Error + Send + Sync>),
                    },
                    Err(join_error) => EngineError::TaskDied {
                        task: "background task",
                        source: Some(Box::new(join_error)),
                    },
                };
            }
            _ = watchdog.tick() => {
                if !writer_alive() {
                    break EngineError::WriterDied;
                }
            }
        }
    };
    tracing::error!(error = %kernel::failure::error_chain(&died), "the engine is stopping");
    let _ = stop.send(true);
    background.abort_all();
    Err(died)
}

/// How often the engine checks that the store's writer thread is alive.
const WATCHDOG_EVERY: Duration = Duration::from_millis(500);

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test expectations fail the test"
)]
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
    fn a_second_engine_on_the_same_data_directory_is_refused() {
        let data = tempfile::tempdir().unwrap();
        let args = StoreArgs {
            data_dir: data.path().to_owned(),
        };
        let held = lock_data_dir(&args).unwrap();
        let refused = lock_data_dir(&args);
        let pid = std::process::id().to_string();
        match refused {
            Err(error @ EngineError::AlreadyRunning { .. }) => {
                assert!(error.to_string().contains(&pid), "{error}");
            }
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        drop(held);
        assert!(
            lock_data_dir(&args).is_ok(),
            "the lock is released with its holder"
        );
    }

    #[tokio::test]
    async fn a_background_task_that_ends_stops_the_engine() {
        let (stop, _stopped) = watch::channel(false);
        let mut background: JoinSet<TaskEnd> = JoinSet::new();
        background.spawn(async { ("pipe", None) });
        let never_served = std::future::pending::<std::io::Result<()>>();
        let outcome = supervise(never_served, background, &stop, || true).await;
        assert!(
            matches!(outcome, Err(EngineError::TaskDied { task: "pipe", .. })),
            "{outcome:?}"
        );
        assert!(*stop.borrow(), "the other tasks are told to stop");
    }

    #[tokio::test]
    async fn a_panicking_background_task_stops_the_engine() {
        let (stop, _stopped) = watch::channel(false);
        let mut background: JoinSet<TaskEnd> = JoinSet::new();
        background.spawn(async { panic!("poller bug") });
        let never_served = std::future::pending::<std::io::Result<()>>();
        let outcome = supervise(never_served, background, &stop, || true).await;
        assert!(
            matches!(
                outcome,
                Err(EngineError::TaskDied {
                    source: Some(_),
                    ..
                })
            ),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn a_dead_writer_stops_the_engine() {
        let (stop, stopped) = watch::channel(false);
        let mut background: JoinSet<TaskEnd> = JoinSet::new();
        let mut until_stopped = stopped.clone();
        background.spawn(async move {
            let _ = until_stopped.wait_for(|stop| *stop).await;
            ("queue poller", None)
        });
        let never_served = std::future::pending::<std::io::Result<()>>();
        let outcome = supervise(never_served, background, &stop, || false).await;
        assert!(
            matches!(outcome, Err(EngineError::WriterDied)),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn a_graceful_shutdown_waits_for_the_tasks() {
        let (stop, stopped) = watch::channel(false);
        let mut background: JoinSet<TaskEnd> = JoinSet::new();
        let mut until_stopped = stopped.clone();
        background.spawn(async move {
            let _ = until_stopped.wait_for(|stop| *stop).await;
            ("pipe", None)
        });
        let served = async { Ok(()) };
        assert!(supervise(served, background, &stop, || true).await.is_ok());
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
