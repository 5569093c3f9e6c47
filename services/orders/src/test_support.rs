//! Test data and assertions shared by the Orders clients' tests.

use std::fmt::Debug;
use std::sync::Arc;

use contracts::{EventName, OrderEventData, OrderId, Price, Sku, Units, UserId};
use kernel::Failure;
use kernel::table::scripted::{Scripted, ScriptedTable, unclassified_errors};
use kernel::table::{AttributeValue, Condition, Put, TableError, item, n, s};

use crate::failure::OrdersFailure;

/// The instant every test clock reads, as `toISOString()` prints it.
pub const NOW: &str = "2025-06-19T00:27:33.368Z";

/// The order event data of `ORDER-1`.
pub fn order_data() -> OrderEventData {
    OrderEventData {
        order_id: OrderId::parse("ORDER-1").unwrap(),
        sku: Sku::parse("APPLES").unwrap(),
        units: Units::new(3).unwrap(),
        price: Price::new(33.25).unwrap(),
        user_id: UserId::parse("MARIA").unwrap(),
    }
}

/// The conditional put raising `event_name` of [`order_data`] at [`NOW`], attribute by attribute.
pub fn expected_event_put(event_name: EventName) -> Put {
    Put::new(item([
        ("pk", s("EVENTS#ORDER_ID#ORDER-1")),
        ("sk", s(format!("EVENT#{event_name}"))),
        ("eventName", s(event_name.as_str())),
        (
            "eventData",
            AttributeValue::M(
                item([
                    ("orderId", s("ORDER-1")),
                    ("sku", s("APPLES")),
                    ("units", n(3)),
                    ("price", n(33.25)),
                    ("userId", s("MARIA")),
                ])
                .into(),
            ),
        ),
        ("createdAt", s(NOW)),
        ("updatedAt", s(NOW)),
        ("_tn", s("EVENTS#EVENT")),
        ("_sn", s("EVENTS")),
        ("gsi1pk", s("EVENTS#EVENT")),
        ("gsi1sk", s(format!("CREATED_AT#{NOW}"))),
    ]))
    .with_condition(Condition::item_not_exists())
}

/// Every storage error no Orders client maps to a domain kind.
pub fn unrecognized_errors() -> Vec<TableError> {
    let mut errors = unclassified_errors();
    errors.push(TableError::TransactionCanceled {
        reasons: Vec::new(),
    });
    errors
}

/// Runs `call` once per [`unrecognized_errors`] answer of its table and asserts each failure is
/// a transient `UnrecognizedError`.
pub async fn assert_unrecognized_and_transient<T, F, C>(call: C)
where
    T: Debug,
    F: Future<Output = Result<T, OrdersFailure>>,
    C: Fn(Arc<ScriptedTable>) -> F,
{
    for error in unrecognized_errors() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(error));
        let failure = call(table).await.unwrap_err();
        assert_eq!(
            failure.kind(),
            kernel::failure::UNRECOGNIZED_ERROR,
            "{failure:?}"
        );
        assert!(failure.is_transient(), "{failure:?}");
    }
}
