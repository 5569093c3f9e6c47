//! The value types events carry, each parsed once with the original's rules (docs/contract.md §2.1).

use kernel::trimmed_string;
use kernel::validation::{
    MAX_SAFE_INTEGER, ValueError, integer_in_range, serialize_js_number, storable_number,
};
use serde::{Deserialize, Serialize};

trimmed_string!(
    /// An order id: trimmed, at least 4 characters.
    OrderId, 4
);
trimmed_string!(
    /// A stock keeping unit: trimmed, at least 4 characters.
    Sku, 4
);
trimmed_string!(
    /// A user id: trimmed, at least 4 characters.
    UserId, 4
);
trimmed_string!(
    /// A restock lot id: trimmed, at least 4 characters.
    LotId, 4
);
trimmed_string!(
    /// A payment id: trimmed, at least 4 characters. Twice an id's length, because a failed
    /// payment's id embeds its order id (`ERROR:ORDER_ID:<orderId>`).
    PaymentId, 4, 2 * kernel::validation::MAX_ID_LEN
);
trimmed_string!(
    /// A `createdAt` / `updatedAt` value as events and records carry it: trimmed, at least 4
    /// characters, not parsed as a date.
    EventTime, 4
);

/// A count of units: an integer ≥ 1 (JSON `1.0` is accepted as 1).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(try_from = "f64", into = "u64")]
#[schema(value_type = u64, minimum = 1, maximum = 9007199254740991_u64)]
pub struct Units(u64);

impl Units {
    pub fn new(units: u64) -> Result<Self, ValueError> {
        #[allow(clippy::cast_precision_loss)] // range-checked against MAX_SAFE_INTEGER below
        Self::try_from(units as f64)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<f64> for Units {
    type Error = ValueError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        integer_in_range(value, 1, MAX_SAFE_INTEGER as u64).map(Self)
    }
}

impl From<Units> for u64 {
    fn from(units: Units) -> Self {
        units.0
    }
}

/// A price: a finite number ≥ 0 that DynamoDB can store (0, or from 1e-130 to below 1e126),
/// decimals allowed, printed like JavaScript prints numbers.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "f64")]
#[schema(value_type = f64, minimum = 0, exclusive_maximum = 1e126)]
pub struct Price(#[serde(serialize_with = "serialize_js_number")] f64);

impl Price {
    pub fn new(price: f64) -> Result<Self, ValueError> {
        Self::try_from(price)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Price {
    type Error = ValueError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if !value.is_finite() {
            return Err(ValueError::NotFinite);
        }
        if value < 0.0 {
            return Err(ValueError::OutOfRange {
                min: "0".to_owned(),
                max: "∞".to_owned(),
            });
        }
        // Deviation: the original accepted any finite price and failed to store the event of one
        // DynamoDB cannot hold (500); such a price is bad input.
        storable_number(value)?;
        // -0.0 is a valid "0"; normalise it so it prints as 0.
        Ok(Self(value + 0.0))
    }
}

impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Rust's shortest round-trip form matches JavaScript's for the finite, non-exponent range.
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_positive_integers() {
        assert_eq!(serde_json::from_str::<Units>("1.0").unwrap().get(), 1);
        for invalid in ["0", "-1", "1.5", "\"5\"", "null", "1e300"] {
            assert!(serde_json::from_str::<Units>(invalid).is_err(), "{invalid}");
        }
        assert_eq!(serde_json::to_string(&Units::new(5).unwrap()).unwrap(), "5");
    }

    #[test]
    fn prices_fit_dynamodb_numbers() {
        for out in ["1e308", "1e126", "1e-320", "1e-131"] {
            assert!(serde_json::from_str::<Price>(out).is_err(), "{out}");
        }
        for ok in ["9.99e125", "1.1e-130", "0", "0.01"] {
            assert!(serde_json::from_str::<Price>(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn ids_are_at_most_128_characters() {
        assert!(OrderId::parse(&"o".repeat(128)).is_ok());
        assert!(OrderId::parse(&"o".repeat(129)).is_err());
        assert!(serde_json::from_str::<Sku>(&format!("\"{}\"", "s".repeat(1500))).is_err());
    }

    #[test]
    fn prices_are_finite_and_not_negative() {
        assert_eq!(serde_json::from_str::<Price>("15").unwrap().get(), 15.0);
        assert_eq!(
            serde_json::to_string(&Price::new(15.0).unwrap()).unwrap(),
            "15"
        );
        assert_eq!(
            serde_json::to_string(&Price::new(33.25).unwrap()).unwrap(),
            "33.25"
        );
        assert_eq!(
            serde_json::to_string(&Price::new(-0.0).unwrap()).unwrap(),
            "0"
        );
        for invalid in ["-0.01", "\"5\"", "null"] {
            assert!(serde_json::from_str::<Price>(invalid).is_err(), "{invalid}");
        }
        assert!(Price::new(f64::INFINITY).is_err());
    }

    #[test]
    fn ids_are_trimmed() {
        let id: OrderId = serde_json::from_str("\"  ORD001 \"").unwrap();
        assert_eq!(id.as_str(), "ORD001");
        assert!(serde_json::from_str::<OrderId>("\"  ab  \"").is_err());
    }
}
