//! The payment gateway port and the fake gateway of the original (docs/contract.md §9).
//!
//! Deviation (#3): every request carries an idempotency key and the fake answers the same key
//! with the same outcome, always (also across restarts): a retried attempt can never turn an
//! accepted charge into a second charge or into a failure.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use contracts::{OrderId, PaymentId, Price, Sku, Units, UserId};
use md5::{Digest, Md5};

/// One charge attempt. The gateway treats requests with the same key as the same charge.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentRequest {
    pub idempotency_key: String,
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
}

/// A definitive answer of the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayResponse {
    Accepted { payment_id: PaymentId },
    Rejected { payment_id: PaymentId },
}

/// The gateway gave no definitive answer; the attempt may be retried (transient).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("payment gateway is shaky")]
    Unavailable,
    #[error("the payment gateway answered with an unrecognized payment id {payment_id:?}")]
    UnrecognizedResponse { payment_id: String },
}

/// Submits payments.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    async fn submit(&self, request: &PaymentRequest) -> Result<GatewayResponse, GatewayError>;
}

/// How the fake gateway decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayMode {
    /// The original's behaviour: 30 % accepted, 70 % "shaky", drawn per idempotency key from
    /// `seed` so the same key always gets the same answer.
    Random { seed: u64 },
    /// Accepts every payment (forced price rejections still apply); for tests and benchmarks.
    AlwaysAccept,
}

impl GatewayMode {
    /// The seed `"random"` stands for.
    pub const DEFAULT_SEED: u64 = 0;
}

impl Default for GatewayMode {
    fn default() -> Self {
        Self::Random {
            seed: Self::DEFAULT_SEED,
        }
    }
}

impl fmt::Display for GatewayMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Random { seed } => write!(f, "random:{seed}"),
            Self::AlwaysAccept => f.write_str("always-accept"),
        }
    }
}

/// A gateway mode string that is none of `random`, `random:<seed>`, `always-accept`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment gateway mode {0:?} (expected random, random:<seed> or always-accept)")]
pub struct UnknownGatewayMode(String);

impl FromStr for GatewayMode {
    type Err = UnknownGatewayMode;

    fn from_str(mode: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownGatewayMode(mode.to_owned());
        match mode.trim() {
            "random" => Ok(Self::default()),
            "always-accept" => Ok(Self::AlwaysAccept),
            other => {
                let seed = other.strip_prefix("random:").ok_or_else(unknown)?;
                let seed = seed.parse().map_err(|_| unknown())?;
                Ok(Self::Random { seed })
            }
        }
    }
}

/// Probability that the random fake accepts a payment with a normal price.
pub const ACCEPT_PROBABILITY: f64 = 0.3;

/// Prices at or above this are rejected (as are prices at or below zero).
pub const REJECTED_PRICE_FLOOR: f64 = 100_000.0;

/// The fake gateway of the original, idempotent per request key.
#[derive(Clone, Copy, Debug)]
pub struct FakePaymentGateway {
    mode: GatewayMode,
}

impl FakePaymentGateway {
    pub fn new(mode: GatewayMode) -> Self {
        Self { mode }
    }

    pub fn mode(&self) -> GatewayMode {
        self.mode
    }

    fn decide(&self, request: &PaymentRequest) -> Result<GatewayResponse, GatewayError> {
        let payment_id = payment_id_for(&request.order_id)?;
        if forces_rejection(request.price.get()) {
            return Ok(GatewayResponse::Rejected { payment_id });
        }
        match self.mode {
            GatewayMode::AlwaysAccept => Ok(GatewayResponse::Accepted { payment_id }),
            GatewayMode::Random { seed } => {
                if uniform_draw(seed, &request.idempotency_key) < ACCEPT_PROBABILITY {
                    Ok(GatewayResponse::Accepted { payment_id })
                } else {
                    Err(GatewayError::Unavailable)
                }
            }
        }
    }
}

#[async_trait]
impl PaymentGateway for FakePaymentGateway {
    async fn submit(&self, request: &PaymentRequest) -> Result<GatewayResponse, GatewayError> {
        self.decide(request)
    }
}

/// The deterministic rejection of §9 step 2: `price <= 0` or `price >= 100000`.
/// (Our `Price` is never negative; the rule is kept whole so it reads like the original.)
pub fn forces_rejection(price: f64) -> bool {
    price <= 0.0 || price >= REJECTED_PRICE_FLOOR
}

/// A number in `[0, 1)` that depends only on `seed` and `key`:
/// the first 8 bytes of `MD5(seed as little-endian bytes ‖ key)`, as a fraction of 2^64.
pub fn uniform_draw(seed: u64, key: &str) -> f64 {
    let digest = Md5::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(key.as_bytes())
        .finalize();
    let mut first_eight = [0_u8; 8];
    first_eight.copy_from_slice(&digest[..8]);
    // The top 53 bits fill an f64 mantissa exactly, so the result stays below 1.0.
    #[allow(clippy::cast_precision_loss)]
    let fraction = (u64::from_be_bytes(first_eight) >> 11) as f64 / (1_u64 << 53) as f64;
    fraction
}

/// The gateway's payment id: the first 6 hex digits of `MD5(orderId)`, upper-cased.
pub fn payment_id_for(order_id: &OrderId) -> Result<PaymentId, GatewayError> {
    let digest = Md5::digest(order_id.as_str().as_bytes());
    let payment_id: String = digest[..3]
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    PaymentId::parse(&payment_id).map_err(|_| GatewayError::UnrecognizedResponse { payment_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &str, price: f64) -> PaymentRequest {
        PaymentRequest {
            idempotency_key: key.to_owned(),
            order_id: OrderId::parse("ORD001").unwrap(),
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(2).unwrap(),
            price: Price::new(price).unwrap(),
            user_id: UserId::parse("MARIA").unwrap(),
        }
    }

    fn expected_payment_id() -> PaymentId {
        // MD5("ORD001") = d359d199…
        PaymentId::parse("D359D1").unwrap()
    }

    #[tokio::test]
    async fn forces_a_rejection_for_prices_at_or_below_zero_and_from_100000() {
        for mode in [GatewayMode::AlwaysAccept, GatewayMode::Random { seed: 7 }] {
            let gateway = FakePaymentGateway::new(mode);
            for price in [0.0, -0.0, 100_000.0, 100_000.01, 120_000.99] {
                assert_eq!(
                    gateway.submit(&request("ORD001#0", price)).await,
                    Ok(GatewayResponse::Rejected {
                        payment_id: expected_payment_id()
                    }),
                    "{mode} {price}"
                );
            }
        }
    }

    #[test]
    fn the_forced_rejection_rule_covers_negative_zero_and_large_prices() {
        for price in [-1.0, -0.01, 0.0, 100_000.0, 1e12] {
            assert!(forces_rejection(price), "{price}");
        }
        for price in [0.01, 0.99, 99_999.99] {
            assert!(!forces_rejection(price), "{price}");
        }
    }

    #[tokio::test]
    async fn always_accept_accepts_normal_prices() {
        let gateway = FakePaymentGateway::new(GatewayMode::AlwaysAccept);
        for price in [0.01, 0.99, 33.25, 99_999.99] {
            assert_eq!(
                gateway.submit(&request("ORD001#0", price)).await,
                Ok(GatewayResponse::Accepted {
                    payment_id: expected_payment_id()
                })
            );
        }
    }

    #[test]
    fn payment_ids_are_the_upper_cased_md5_prefix_of_the_order_id() {
        assert_eq!(
            payment_id_for(&OrderId::parse("ORD001").unwrap()).unwrap(),
            expected_payment_id()
        );
        // MD5("ABC001") = ac1ed7d1…
        assert_eq!(
            payment_id_for(&OrderId::parse("ABC001").unwrap())
                .unwrap()
                .as_str(),
            "AC1ED7"
        );
    }

    #[tokio::test]
    async fn the_same_key_always_gets_the_same_answer() {
        for seed in [0, 7, 42] {
            for attempt in 0..20 {
                let key = format!("ORD001#{attempt}");
                let first = FakePaymentGateway::new(GatewayMode::Random { seed })
                    .submit(&request(&key, 33.25))
                    .await;
                // A fresh gateway stands for a restarted process.
                let again = FakePaymentGateway::new(GatewayMode::Random { seed })
                    .submit(&request(&key, 33.25))
                    .await;
                assert_eq!(first, again, "seed {seed} key {key}");
            }
        }
    }

    #[test]
    fn draws_are_in_the_unit_interval_and_differ_between_keys_and_seeds() {
        let draws: Vec<f64> = (0..100)
            .map(|attempt| uniform_draw(7, &format!("ORD001#{attempt}")))
            .collect();
        assert!(draws.iter().all(|draw| (0.0..1.0).contains(draw)));
        let mut distinct = draws.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert_eq!(distinct.len(), draws.len());
        assert_ne!(uniform_draw(7, "ORD001#0"), uniform_draw(8, "ORD001#0"));
        assert_eq!(uniform_draw(7, "ORD001#0"), uniform_draw(7, "ORD001#0"));
    }

    #[tokio::test]
    async fn accepts_about_thirty_percent_with_seed_7() {
        let gateway = FakePaymentGateway::new(GatewayMode::Random { seed: 7 });
        let mut accepted = 0_u32;
        let mut unavailable = 0_u32;
        for index in 0..10_000 {
            match gateway
                .submit(&request(&format!("ORD{index:05}#0"), 33.25))
                .await
            {
                Ok(GatewayResponse::Accepted { .. }) => accepted += 1,
                Err(GatewayError::Unavailable) => unavailable += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(accepted + unavailable, 10_000);
        let ratio = f64::from(accepted) / 10_000.0;
        assert!((0.27..=0.33).contains(&ratio), "accept ratio {ratio}");
    }

    #[test]
    fn modes_parse_and_display() {
        assert_eq!("random".parse(), Ok(GatewayMode::Random { seed: 0 }));
        assert_eq!("random:7".parse(), Ok(GatewayMode::Random { seed: 7 }));
        assert_eq!("always-accept".parse(), Ok(GatewayMode::AlwaysAccept));
        for invalid in [
            "",
            "accept",
            "random:",
            "random:x",
            "random:-1",
            "ALWAYS-ACCEPT",
        ] {
            assert!(invalid.parse::<GatewayMode>().is_err(), "{invalid:?}");
        }
        for mode in [GatewayMode::Random { seed: 9 }, GatewayMode::AlwaysAccept] {
            assert_eq!(mode.to_string().parse(), Ok(mode));
        }
    }
}
