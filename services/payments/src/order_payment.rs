//! The order payment record as the Payments database stores it (docs/contract.md §4.2, §4.3).
//! Shared by the slice that writes it and the slice that lists it.

use contracts::{EventTime, OrderId, PaymentId, Price, Sku, Units, UserId};
use kernel::table::Key;
use kernel::validation::{MAX_SAFE_INTEGER, ValueError, integer_in_range};
use serde::{Deserialize, Serialize};

/// `_tn` and `gsi1pk` of every order payment record.
pub const ORDER_PAYMENT_TYPE_NAME: &str = "PAYMENTS#ORDER_PAYMENT";
/// `_sn` of every Payments record.
pub const PAYMENTS_SERVICE_NAME: &str = "PAYMENTS";

/// `pk = PAYMENTS#ORDER_ID#<orderId>`, `sk = ORDER_ID#<orderId>#ORDER_PAYMENT`.
pub fn order_payment_key(order_id: &OrderId) -> Key {
    Key::new(
        format!("PAYMENTS#ORDER_ID#{order_id}"),
        format!("ORDER_ID#{order_id}#ORDER_PAYMENT"),
    )
}

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    PaymentAccepted,
    PaymentFailed,
    PaymentRejected,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 3] = [
        Self::PaymentAccepted,
        Self::PaymentFailed,
        Self::PaymentRejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentAccepted => "PAYMENT_ACCEPTED",
            Self::PaymentFailed => "PAYMENT_FAILED",
            Self::PaymentRejected => "PAYMENT_REJECTED",
        }
    }

    pub fn parse(status: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == status)
    }
}

/// `paymentRetries`: how many earlier attempts failed; an integer ≥ 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "u64")]
pub struct PaymentRetries(u64);

impl PaymentRetries {
    pub const ZERO: PaymentRetries = PaymentRetries(0);

    pub fn get(self) -> u64 {
        self.0
    }

    /// One more failed attempt (saturating: the counter never reaches the limit in practice).
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl TryFrom<f64> for PaymentRetries {
    type Error = ValueError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        integer_in_range(value, 0, MAX_SAFE_INTEGER as u64).map(Self)
    }
}

impl From<PaymentRetries> for u64 {
    fn from(retries: PaymentRetries) -> Self {
        retries.0
    }
}

/// A stored order payment, fully valid (reading an invalid one is an `InvalidArgumentsError`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPayment {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
    pub payment_id: PaymentId,
    pub payment_status: PaymentStatus,
    pub payment_retries: PaymentRetries,
    pub created_at: EventTime,
    pub updated_at: EventTime,
}

#[cfg(test)]
mod tests {
    use kernel::table::{item, n, s};

    use super::*;

    #[test]
    fn keys_follow_the_original_layout() {
        let key = order_payment_key(&OrderId::parse("ORD001").unwrap());
        assert_eq!(key.pk, "PAYMENTS#ORDER_ID#ORD001");
        assert_eq!(key.sk, "ORDER_ID#ORD001#ORDER_PAYMENT");
    }

    #[test]
    fn statuses_round_trip() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(PaymentStatus::parse("payment_accepted"), None);
    }

    #[test]
    fn stored_payments_parse_with_the_value_rules() {
        let stored = item([
            ("pk", s("PAYMENTS#ORDER_ID#ORD001")),
            ("orderId", s(" ORD001 ")),
            ("sku", s("APPLES")),
            ("units", n(2)),
            ("price", n(33.25)),
            ("userId", s("MARIA")),
            ("paymentId", s("ERROR:ORDER_ID:ORD001")),
            ("paymentStatus", s("PAYMENT_FAILED")),
            ("paymentRetries", n(3)),
            ("createdAt", s("2025-01-01T00:00:00.000Z")),
            ("updatedAt", s("2025-01-01T00:00:01.000Z")),
        ]);
        let payment: OrderPayment = serde_dynamo::from_item(stored.clone()).unwrap();
        assert_eq!(payment.order_id.as_str(), "ORD001");
        assert_eq!(payment.payment_retries.get(), 3);
        assert_eq!(payment.payment_status, PaymentStatus::PaymentFailed);

        for (name, invalid) in [
            ("paymentRetries", n(-1)),
            ("paymentRetries", n(1.5)),
            ("paymentRetries", s("1")),
            ("paymentStatus", s("PAYMENT_PENDING")),
            ("units", n(0)),
            ("paymentId", s("abc")),
        ] {
            let mut broken = stored.clone();
            broken.insert(name.to_owned(), invalid);
            assert!(
                serde_dynamo::from_item::<_, OrderPayment>(broken).is_err(),
                "{name}"
            );
        }
    }
}
