//! The command line (every option also reads an `ECOMM_*` environment variable). Parsing fails
//! fast with a clear message; nothing starts with an invalid configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use payments::gateway::GatewayMode;

#[derive(Debug, Parser)]
#[command(
    name = "ecomm",
    version,
    about = "The event-driven e-commerce backend, whole, in one process.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, which plain `ecomm` runs.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command to run: plain `ecomm` means `ecomm serve`.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP APIs and run the event pipeline (the default).
    Serve(ServeArgs),
    /// Print an order's events in the order they were raised, then its records.
    Events {
        order_id: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print every hop of an order: each event raised (by which request or worker), forwarded
    /// to which worker, each receive and how it ended, with the time each took.
    Timeline {
        order_id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print one item by key (DynamoDB JSON).
    Get {
        pk: String,
        sk: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete one item by key and print it. Deleting an event item and raising it again (e.g.
    /// with simulateRawEvent) replays it, as on AWS.
    Delete {
        pk: String,
        sk: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print every queue's and dead-letter queue's depth.
    Queues {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-deliver stored events to their workers, in the order they were stored (an
    /// EventBridge archive replay). Resumable: rerun the same --name after a crash.
    Replay(ReplayArgs),
    /// Print the messages of a dead-letter queue, or move them back to their queue.
    Dlq {
        /// The worker queue, e.g. `Payments-ProcessOrderPaymentWorker`, or `Pipe` for the stream
        /// records the pipe set aside.
        queue: String,
        /// Move every message back to the worker's queue (SQS "start DLQ redrive").
        #[arg(long)]
        redrive: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Clone, Debug, Args)]
pub struct ReplayArgs {
    /// The replay's name: its progress is kept under it, and workers log it.
    #[arg(long, default_value = "replay", value_parser = replay_name)]
    pub name: String,
    /// Only events created at or after this time (RFC 3339, e.g. 2025-06-19T00:27:33Z).
    #[arg(long)]
    pub from: Option<String>,
    /// Only events created before this time (RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
    /// Only events of this name (repeatable).
    #[arg(long)]
    pub event: Vec<String>,
    /// Only the events of this order.
    #[arg(long, conflicts_with = "sku")]
    pub order: Option<String>,
    /// Only the events naming this SKU (its restocks and its orders' events).
    #[arg(long)]
    pub sku: Option<String>,
    /// Events delivered per second at most, so live traffic keeps flowing (0: no limit).
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    /// Count the matching events; deliver nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Start the named replay again from the beginning, even if it is done.
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// EventBridge's replay-name rule: 1–64 of `[.\-_A-Za-z0-9]`.
fn replay_name(name: &str) -> Result<String, String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err("1 to 64 characters of A-Z, a-z, 0-9, '.', '-' and '_'".to_owned())
    }
}

#[derive(Clone, Debug, Args)]
pub struct StoreArgs {
    /// Directory holding the SQLite file (created if missing).
    #[arg(long, env = "ECOMM_DATA_DIR", default_value = ".ecomm")]
    pub data_dir: PathBuf,
}

impl StoreArgs {
    pub const FILE_NAME: &'static str = "ecomm.sqlite3";

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(Self::FILE_NAME)
    }
}

#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address the HTTP APIs listen on.
    #[arg(long, env = "ECOMM_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    #[command(flatten)]
    pub store: StoreArgs,

    /// How long a received message stays invisible before it is retried (SQS visibility timeout).
    #[arg(long, env = "ECOMM_VISIBILITY_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=43_200_000))]
    pub visibility_timeout_ms: u64,

    /// Receives after which a message moves to its dead-letter queue (SQS maxReceiveCount).
    #[arg(long, env = "ECOMM_MAX_RECEIVE_COUNT", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_receive_count: u32,

    /// Concurrent batches per worker (Lambda event source maxConcurrency).
    #[arg(long, env = "ECOMM_WORKER_CONCURRENCY", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub worker_concurrency: u16,

    /// The fake payment gateway: `random` (the original: 30 % accepted, 70 % "shaky") or
    /// `always-accept`. Prices <= 0 or >= 100000 are always rejected.
    #[arg(long, env = "ECOMM_PAYMENT_MODE", default_value = "random")]
    pub payment_mode: PaymentModeArg,

    /// Seed of the random gateway. Default: drawn once and kept in the data directory, so a
    /// restart answers every payment attempt (idempotency key) exactly as before.
    #[arg(long, env = "ECOMM_PAYMENT_SEED")]
    pub payment_seed: Option<u64>,

    /// `normal` survives a crash of the process (kill -9); `full` also survives power loss.
    #[arg(long, env = "ECOMM_DURABILITY", default_value = "normal")]
    pub durability: DurabilityArg,

    /// Log format on stderr.
    #[arg(long, env = "ECOMM_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,

    /// Retries of a stream record the pipe cannot deliver before it goes to the pipe's
    /// dead-letter queue (`ecomm dlq Pipe`). Default: `pipe.maximumRetryAttempts` of
    /// services/routing.json, as on AWS.
    #[arg(long, env = "ECOMM_PIPE_MAX_RETRY_ATTEMPTS", value_parser = clap::value_parser!(u32).range(0..=185))]
    pub pipe_max_retry_attempts: Option<u32>,

    #[command(flatten)]
    pub retention: RetentionArgs,
}

/// How long things are kept, as on AWS; older ones are deleted in small batches and the freed
/// space is returned to the file system, so the data directory stops growing.
#[derive(Clone, Copy, Debug, Args)]
pub struct RetentionArgs {
    /// Stream records, read or not (DynamoDB Streams: 24 hours).
    #[arg(long, env = "ECOMM_STREAM_RETENTION", default_value = "24h", value_parser = humantime::parse_duration)]
    pub stream_retention: Duration,

    /// Messages of the worker queues, from when they were sent (SQS default: 4 days).
    #[arg(long, env = "ECOMM_MESSAGE_RETENTION", default_value = "4days", value_parser = humantime::parse_duration)]
    pub message_retention: Duration,

    /// Messages of the dead-letter queues, from when they were first sent (SQS maximum: 14 days).
    #[arg(long, env = "ECOMM_DEAD_LETTER_RETENTION", default_value = "14days", value_parser = humantime::parse_duration)]
    pub dead_letter_retention: Duration,

    /// How often expired records, messages and items (`expiresAt` TTL) are deleted.
    #[arg(long, env = "ECOMM_HOUSEKEEPING_INTERVAL", default_value = "1min", value_parser = humantime::parse_duration)]
    pub housekeeping_interval: Duration,
}

impl ServeArgs {
    pub fn visibility_timeout(&self) -> Duration {
        Duration::from_millis(self.visibility_timeout_ms)
    }

    /// The gateway mode. In `random` mode without `--payment-seed`, `stored_seed` supplies the
    /// seed kept in the data directory (see `engine::payment_seed`); otherwise it is not called.
    pub fn gateway_mode<E>(
        &self,
        stored_seed: impl FnOnce() -> Result<u64, E>,
    ) -> Result<GatewayMode, E> {
        Ok(match (self.payment_mode, self.payment_seed) {
            (PaymentModeArg::Random, Some(seed)) => GatewayMode::Random { seed },
            (PaymentModeArg::Random, None) => GatewayMode::Random {
                seed: stored_seed()?,
            },
            (PaymentModeArg::AlwaysAccept, _) => GatewayMode::AlwaysAccept,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PaymentModeArg {
    Random,
    AlwaysAccept,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DurabilityArg {
    Normal,
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ecomm_serves_with_the_defaults() {
        let Command::Serve(serve) = Cli::parse_from(["ecomm"]).into_command() else {
            panic!("plain ecomm must serve");
        };
        assert_eq!(serve.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(
            serve.store.database_path(),
            PathBuf::from(".ecomm/ecomm.sqlite3")
        );
        assert_eq!(serve.visibility_timeout(), Duration::from_secs(10));
        assert_eq!(serve.worker_concurrency, 2);
        assert_eq!(serve.pipe_max_retry_attempts, None);
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(serve.retention.stream_retention, day);
        assert_eq!(serve.retention.message_retention, 4 * day);
        assert_eq!(serve.retention.dead_letter_retention, 14 * day);
        assert_eq!(
            serve.retention.housekeeping_interval,
            Duration::from_secs(60)
        );
    }

    #[test]
    fn serve_options_parse_and_invalid_values_fail_fast() {
        let cli = Cli::parse_from([
            "ecomm",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--payment-mode",
            "always-accept",
            "--visibility-timeout-ms",
            "500",
        ]);
        let Command::Serve(serve) = cli.into_command() else {
            panic!("serve expected")
        };
        let never = || -> Result<u64, ()> { panic!("the stored seed is not needed") };
        assert_eq!(serve.gateway_mode(never), Ok(GatewayMode::AlwaysAccept));
        let seeded = Cli::parse_from(["ecomm", "--payment-seed", "9"]).serve;
        assert_eq!(
            seeded.gateway_mode(never),
            Ok(GatewayMode::Random { seed: 9 })
        );
        let stored = Cli::parse_from(["ecomm"])
            .serve
            .gateway_mode(|| Ok::<_, ()>(1));
        assert_eq!(stored, Ok(GatewayMode::Random { seed: 1 }));
        assert!(Cli::try_parse_from(["ecomm", "--visibility-timeout-ms", "0"]).is_err());
        assert!(Cli::try_parse_from(["ecomm", "--payment-mode", "sometimes"]).is_err());
        assert!(Cli::try_parse_from(["ecomm", "--addr", "nowhere"]).is_err());
    }

    #[test]
    fn inspection_commands_parse() {
        let cli = Cli::parse_from(["ecomm", "events", "ORD001", "--data-dir", "/tmp/x"]);
        assert!(
            matches!(cli.into_command(), Command::Events { order_id, .. } if order_id == "ORD001")
        );
    }
}
