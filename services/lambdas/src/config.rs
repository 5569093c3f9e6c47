//! Typed configuration read from the function's environment (set by the CDK stack).

use std::num::ParseIntError;

use kernel::table::PageTokens;
use payments::gateway::{GatewayMode, UnknownGatewayMode};

/// The table every function reads and writes.
pub const TABLE_NAME: &str = "TABLE_NAME";
/// `random` (default), `random:<seed>` or `always-accept`.
pub const PAYMENT_GATEWAY_MODE: &str = "PAYMENT_GATEWAY_MODE";
/// Optional seed of the random gateway mode; overrides a seed given in the mode.
pub const PAYMENT_GATEWAY_SEED: &str = "PAYMENT_GATEWAY_SEED";
/// The secret the list APIs sign their `nextToken`s with (the stage's, from Secrets Manager).
pub const PAGE_TOKEN_SECRET: &str = "PAGE_TOKEN_SECRET";

/// Why the environment does not configure the function.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the environment variable {name} is required")]
    Missing { name: &'static str },
    #[error("the environment variable {PAYMENT_GATEWAY_MODE} is invalid")]
    InvalidGatewayMode(#[source] UnknownGatewayMode),
    #[error(
        "the environment variable {PAYMENT_GATEWAY_SEED} is not an unsigned integer: {value:?}"
    )]
    InvalidGatewaySeed {
        value: String,
        #[source]
        source: ParseIntError,
    },
}

/// Configuration of every function but the payment worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableConfig {
    pub table_name: String,
}

impl TableConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    /// Reads the configuration through `lookup` (the process environment in production).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name =
            non_blank(lookup, TABLE_NAME).ok_or(ConfigError::Missing { name: TABLE_NAME })?;
        Ok(Self { table_name })
    }
}

/// Configuration of the three list APIs: the table and the page token secret.
#[derive(Clone)]
pub struct ListApiConfig {
    pub table: TableConfig,
    pub page_tokens: PageTokens,
}

impl std::fmt::Debug for ListApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListApiConfig")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl ListApiConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table = TableConfig::from_lookup(lookup)?;
        let secret = non_blank(lookup, PAGE_TOKEN_SECRET).ok_or(ConfigError::Missing {
            name: PAGE_TOKEN_SECRET,
        })?;
        Ok(Self {
            table,
            page_tokens: PageTokens::new(secret.as_bytes()),
        })
    }
}

/// Configuration of the payment worker: the table and the fake gateway's mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentWorkerConfig {
    pub table: TableConfig,
    pub gateway_mode: GatewayMode,
}

impl PaymentWorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table = TableConfig::from_lookup(lookup)?;
        let mode = match non_blank(lookup, PAYMENT_GATEWAY_MODE) {
            Some(mode) => mode.parse().map_err(ConfigError::InvalidGatewayMode)?,
            None => GatewayMode::default(),
        };
        let gateway_mode = match (mode, non_blank(lookup, PAYMENT_GATEWAY_SEED)) {
            (GatewayMode::Random { .. }, Some(value)) => GatewayMode::Random {
                seed: value
                    .trim()
                    .parse()
                    .map_err(|source| ConfigError::InvalidGatewaySeed { value, source })?,
            },
            // A seed means nothing to a gateway that accepts everything.
            (mode @ (GatewayMode::Random { .. } | GatewayMode::AlwaysAccept), _) => mode,
        };
        Ok(Self {
            table,
            gateway_mode,
        })
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable's value; unset, blank and non-UTF-8 values count as absent.
fn non_blank(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn table_name_is_required() {
        for lookup in [env(&[]), env(&[(TABLE_NAME, "  ")])] {
            let error = TableConfig::from_lookup(&lookup).unwrap_err();
            assert!(matches!(error, ConfigError::Missing { name: TABLE_NAME }));
            assert!(error.to_string().contains("TABLE_NAME"), "{error}");
        }
        assert_eq!(
            TableConfig::from_lookup(&env(&[(TABLE_NAME, "t")])).unwrap(),
            TableConfig {
                table_name: "t".to_owned()
            }
        );
    }

    #[test]
    fn the_list_apis_need_a_page_token_secret() {
        for lookup in [
            env(&[(TABLE_NAME, "t")]),
            env(&[(TABLE_NAME, "t"), (PAGE_TOKEN_SECRET, " ")]),
        ] {
            let error = ListApiConfig::from_lookup(&lookup).unwrap_err();
            assert!(matches!(
                error,
                ConfigError::Missing {
                    name: PAGE_TOKEN_SECRET
                }
            ));
        }
        let config =
            ListApiConfig::from_lookup(&env(&[(TABLE_NAME, "t"), (PAGE_TOKEN_SECRET, "hush")]))
                .unwrap();
        assert_eq!(config.table.table_name, "t");
        assert!(
            !format!("{config:?}").contains("hush"),
            "the secret is not logged"
        );
    }

    #[test]
    fn the_payment_worker_defaults_to_the_random_gateway() {
        let config = PaymentWorkerConfig::from_lookup(&env(&[(TABLE_NAME, "t")])).unwrap();
        assert_eq!(config.gateway_mode, GatewayMode::default());
        assert_eq!(config.table.table_name, "t");
    }

    #[test]
    fn the_payment_worker_reads_mode_and_seed() {
        let read = |pairs: &[(&str, &str)]| {
            PaymentWorkerConfig::from_lookup(&env(pairs)).map(|config| config.gateway_mode)
        };
        assert_eq!(
            read(&[(TABLE_NAME, "t"), (PAYMENT_GATEWAY_MODE, "always-accept")]).unwrap(),
            GatewayMode::AlwaysAccept
        );
        assert_eq!(
            read(&[
                (TABLE_NAME, "t"),
                (PAYMENT_GATEWAY_MODE, "random"),
                (PAYMENT_GATEWAY_SEED, "42")
            ])
            .unwrap(),
            GatewayMode::Random { seed: 42 }
        );
        assert_eq!(
            read(&[(TABLE_NAME, "t"), (PAYMENT_GATEWAY_SEED, "7")]).unwrap(),
            GatewayMode::Random { seed: 7 }
        );
        assert!(matches!(
            read(&[(TABLE_NAME, "t"), (PAYMENT_GATEWAY_MODE, "sometimes")]),
            Err(ConfigError::InvalidGatewayMode(_))
        ));
        assert!(matches!(
            read(&[(TABLE_NAME, "t"), (PAYMENT_GATEWAY_SEED, "-1")]),
            Err(ConfigError::InvalidGatewaySeed { .. })
        ));
        assert!(matches!(
            read(&[(PAYMENT_GATEWAY_MODE, "random")]),
            Err(ConfigError::Missing { name: TABLE_NAME })
        ));
    }
}
