//! Test data every domain's tests share (feature `test-support`): one order, one instant, and
//! the stored layout of an event spelled out attribute by attribute.
//!
//! The expected items here are literals on purpose: built with the production code they check,
//! a test could not fail.
#![allow(
    clippy::unwrap_used,
    reason = "test data: a literal that does not parse is a broken test"
)]

use std::sync::Arc;

use kernel::clock::FixedClock;
use kernel::table::{AttributeValue, Item, item, n, s};

use crate::{OrderEventData, OrderId, Price, Sku, Units, UserId};

/// The instant of [`clock`], as `toISOString()` prints it.
pub const NOW: &str = "2025-06-19T00:27:33.368Z";

/// A clock that always reads [`NOW`].
pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_millis(1_750_292_853_368))
}

/// Maria's order of `units` APPLES at `price`.
pub fn order_data(order_id: &str, units: u64, price: f64) -> OrderEventData {
    OrderEventData {
        order_id: OrderId::parse(order_id).unwrap(),
        sku: Sku::parse("APPLES").unwrap(),
        units: Units::new(units).unwrap(),
        price: Price::new(price).unwrap(),
        user_id: UserId::parse("MARIA").unwrap(),
    }
}

/// The five attributes of [`order_data`] as stored, in an item or in `eventData`.
pub fn order_attributes(order_id: &str, units: u64, price: f64) -> Item {
    item([
        ("orderId", s(order_id)),
        ("sku", s("APPLES")),
        ("units", n(units)),
        ("price", n(price)),
        ("userId", s("MARIA")),
    ])
}

/// An event item as the event store holds it: its key, name and data, both timestamps
/// `created_at`, and the bookkeeping attributes.
pub fn stored_event(
    pk: &str,
    sk: &str,
    event_name: &str,
    event_data: Option<AttributeValue>,
    created_at: &str,
) -> Item {
    let mut stored = item([
        ("pk", s(pk)),
        ("sk", s(sk)),
        ("eventName", s(event_name)),
        ("createdAt", s(created_at)),
        ("updatedAt", s(created_at)),
        ("_tn", s("EVENTS#EVENT")),
        ("_sn", s("EVENTS")),
        ("gsi1pk", s("EVENTS#EVENT")),
        ("gsi1sk", s(format!("CREATED_AT#{created_at}"))),
    ]);
    if let Some(data) = event_data {
        stored.insert("eventData".to_owned(), data);
    }
    stored
}
