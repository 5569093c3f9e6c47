//! Test data and assertions shared by the Orders clients' tests.

use std::fmt::Debug;
use std::sync::Arc;

use contracts::fixtures;
use contracts::{EventName, OrderEventData};
use kernel::Failure;
use kernel::table::scripted::{Scripted, ScriptedTable, unclassified_errors};
use kernel::table::{AttributeValue, Condition, Put, TableError};

use crate::failure::OrdersFailure;

pub use contracts::fixtures::NOW;

/// The order event data of `ORDER-1`.
pub fn order_data() -> OrderEventData {
    fixtures::order_data("ORDER-1", 3, 33.25)
}

/// The conditional put raising `event_name` of [`order_data`] at [`NOW`], attribute by attribute.
pub fn expected_event_put(event_name: EventName) -> Put {
    Put::new(fixtures::stored_event(
        "EVENTS#ORDER_ID#ORDER-1",
        &format!("EVENT#{event_name}"),
        event_name.as_str(),
        Some(AttributeValue::M(
            fixtures::order_attributes("ORDER-1", 3, 33.25).into(),
        )),
        NOW,
    ))
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
