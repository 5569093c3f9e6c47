//! Log set-up following Lambda's advanced logging controls.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Installs the global subscriber: JSON lines when `AWS_LAMBDA_LOG_FORMAT=JSON` (text
/// otherwise), the level from `AWS_LAMBDA_LOG_LEVEL`, else the `RUST_LOG` directives, else INFO.
/// No colours and, in text mode, no timestamps (CloudWatch stamps every line).
pub fn init_tracing() {
    let env = |name: &str| std::env::var(name).ok();
    let json =
        env("AWS_LAMBDA_LOG_FORMAT").is_some_and(|format| format.eq_ignore_ascii_case("json"));
    let filter = log_filter(
        env("AWS_LAMBDA_LOG_LEVEL").as_deref(),
        env("RUST_LOG").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_target(false)
        .with_env_filter(filter);
    // `try_init` fails only if a subscriber is already installed, which is then kept.
    let _already_installed = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.without_time().try_init()
    };
}

/// The filter: Lambda's level wins (FATAL is ERROR for `tracing`), then `RUST_LOG`, then INFO.
fn log_filter(lambda_level: Option<&str>, rust_log: Option<&str>) -> EnvFilter {
    if let Some(level) = lambda_level.and_then(lambda_level_filter) {
        return EnvFilter::default().add_directive(level.into());
    }
    match rust_log {
        Some(directives) => EnvFilter::builder()
            .with_default_directive(LevelFilter::INFO.into())
            .parse_lossy(directives),
        None => EnvFilter::default().add_directive(LevelFilter::INFO.into()),
    }
}

fn lambda_level_filter(level: &str) -> Option<LevelFilter> {
    match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => Some(LevelFilter::TRACE),
        "DEBUG" => Some(LevelFilter::DEBUG),
        "INFO" => Some(LevelFilter::INFO),
        "WARN" => Some(LevelFilter::WARN),
        "ERROR" | "FATAL" => Some(LevelFilter::ERROR),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_level_wins_over_rust_log() {
        assert_eq!(
            log_filter(Some("debug"), Some("error")).to_string(),
            "debug"
        );
        assert_eq!(log_filter(Some("FATAL"), None).to_string(), "error");
    }

    #[test]
    fn falls_back_to_rust_log_then_info() {
        assert_eq!(log_filter(None, Some("warn")).to_string(), "warn");
        assert_eq!(
            log_filter(Some("verbose"), Some("warn")).to_string(),
            "warn"
        );
        assert_eq!(log_filter(None, None).to_string(), "info");
    }
}
