//! `ecomm`: wiring only. Parse the configuration (fail fast), start logging, run.

use std::process::ExitCode;

use clap::Parser;
use local::config::{Cli, Command, LogFormat};

#[tokio::main]
async fn main() -> ExitCode {
    let command = Cli::parse().into_command();
    let log_format = match &command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    };
    local::init_tracing(log_format);
    local::run(command).await
}
