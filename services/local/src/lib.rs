//! The embedded engine: the same slices as on AWS, in one process, with the same pipeline
//! semantics (change stream → pipe → rules → durable queues with DLQs → pollers with partial
//! batch failures). See the README's "Two engines" section.

pub mod asyncapi;
#[cfg(test)]
mod committed;
pub mod config;
pub mod console;
pub mod engine;
pub mod envelope;
pub mod housekeeping;
pub mod http;
pub mod inspect;
pub mod metrics;
pub mod openapi;
pub mod pipe;
pub mod poller;
pub mod replay;
pub mod routing;
pub mod slices;
pub mod timeline;

use std::process::ExitCode;

use kernel::table::Key;
use store_sqlite::Durability;

use crate::config::{Command, LogFormat};
use crate::routing::RoutingTable;

/// Initialises logging on stderr (`RUST_LOG` overrides the default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(signal) => signal,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// Runs one command to completion.
pub async fn run(command: Command) -> ExitCode {
    let outcome = match command {
        Command::Serve(args) => engine::serve(args, shutdown_signal(), |_| {})
            .await
            .map(|()| true)
            .map_err(|error| Box::new(error) as Box<dyn std::error::Error>),
        other => inspect(other).await,
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("ecomm: {}", kernel::failure::error_chain(error.as_ref()));
            ExitCode::from(2)
        }
    }
}

/// The inspection commands; `Ok(false)` when the item asked for does not exist.
async fn inspect(command: Command) -> Result<bool, Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    let routing = RoutingTable::load()?;
    let found = match command {
        Command::Serve(_) => true,
        Command::Events { order_id, store } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            inspect::order_events(&store, &order_id, &mut out).await?;
            true
        }
        Command::Timeline {
            order_id,
            json,
            store,
        } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            let timeline = timeline::load(&store, &routing, &order_id).await?;
            if json {
                serde_json::to_writer_pretty(&mut out, &timeline)?;
                std::io::Write::write_all(&mut out, b"\n")?;
            } else {
                timeline::print(&timeline, &mut out)?;
            }
            !timeline.events.is_empty()
        }
        Command::Get { pk, sk, store } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            inspect::get_item(&store, &Key::new(pk, sk), &mut out).await?
        }
        Command::Delete { pk, sk, store } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            inspect::delete_item(&store, &Key::new(pk, sk), &mut out).await?
        }
        Command::Queues { store } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            inspect::queues(&store, &routing, &mut out).await?;
            true
        }
        Command::Replay(args) => {
            let store = engine::open_store(&args.store, Durability::Normal)?;
            replay::run(&store, &routing, &args, &mut out).await?;
            true
        }
        Command::Dlq {
            queue,
            redrive,
            store,
        } => {
            let store = engine::open_store(&store, Durability::Normal)?;
            inspect::dead_letters(&store, &routing, &queue, redrive, &mut out).await?;
            true
        }
    };
    if !found {
        eprintln!("ecomm: no such item");
    }
    Ok(found)
}
