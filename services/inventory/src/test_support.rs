//! Shared test data and the scripted fake behind every hand-written client fake.

use std::fmt::Debug;
use std::sync::Arc;

use contracts::{EventTime, OrderEventData, OrderId, Sku, Units};
use kernel::Failure;
use kernel::table::scripted::{Scripted, ScriptedTable};
use kernel::table::{
    CancellationReason, Condition, Key, ReturnValues, TableError, Update, UpdateAction, n, s,
};

use crate::failure::InventoryFailure;
use crate::read_allocation::ReadAllocationClient;
use crate::records::{AllocationStatus, StoredAllocation};
use crate::settle_allocation::SettleAllocationCommand;

pub use contracts::fixtures::{NOW, clock};

pub fn order_data() -> OrderEventData {
    contracts::fixtures::order_data("ORD001", 3, 15.5)
}

/// The key of the allocation of [`order_data`].
pub fn order_allocation_key() -> Key {
    Key::new(
        "INVENTORY#SKU#APPLES",
        "SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION",
    )
}

/// The allocation of [`order_data`] with `units` and `status`.
pub fn stored_allocation(units: u64, status: AllocationStatus) -> StoredAllocation {
    let order = order_data();
    StoredAllocation {
        order_id: order.order_id,
        sku: order.sku,
        units: Units::new(units).unwrap(),
        price: order.price,
        user_id: order.user_id,
        allocation_status: status,
        created_at: EventTime::parse("2025-06-18T00:00:00.000Z").unwrap(),
        updated_at: EventTime::parse("2025-06-18T00:00:00.000Z").unwrap(),
    }
}

/// Settling the allocation of 3 units of [`order_data`] at [`NOW`].
pub fn settle_command() -> SettleAllocationCommand {
    let order = order_data();
    SettleAllocationCommand {
        order_id: order.order_id,
        sku: order.sku,
        units: Units::new(3).unwrap(),
        now: NOW.to_owned(),
    }
}

/// The update of [`settle_command`] to `status`, spelled out: only the allocation that was read
/// (exists, same order, SKU and units, still `ALLOCATED`) moves.
pub fn expected_settle_update(status: &str) -> Update {
    Update {
        key: order_allocation_key(),
        actions: vec![
            ("allocationStatus".into(), UpdateAction::Set(s(status))),
            ("updatedAt".into(), UpdateAction::Set(s(NOW))),
        ],
        condition: Some(Condition::And(vec![
            Condition::And(vec![
                Condition::AttributeExists("pk".into()),
                Condition::AttributeExists("sk".into()),
            ]),
            Condition::Equals("orderId".into(), s("ORD001")),
            Condition::Equals("sku".into(), s("APPLES")),
            Condition::Equals("units".into(), n(3)),
            Condition::Equals("allocationStatus".into(), s("ALLOCATED")),
        ])),
        return_values: ReturnValues::None,
        return_old_on_condition_failure: false,
    }
}

/// Runs `call` once per error, each answered by a fresh table, and asserts every failure is a
/// transient storage failure (`UnrecognizedError`).
pub async fn assert_storage_failures<T, F, C>(errors: Vec<TableError>, call: C)
where
    T: Debug,
    F: Future<Output = Result<T, InventoryFailure>>,
    C: Fn(Arc<ScriptedTable>) -> F,
{
    for error in errors {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(error));
        let failure = call(table).await.unwrap_err();
        assert!(
            matches!(failure, InventoryFailure::Storage { .. }),
            "{failure:?}"
        );
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
        assert!(failure.is_transient());
    }
}

/// A transient failure a fake client can return.
pub fn transient_failure() -> InventoryFailure {
    InventoryFailure::Storage {
        operation: "testing",
        source: TableError::Throttled { source: None },
    }
}

/// A non-transient failure a fake client can return.
pub fn permanent_failure() -> InventoryFailure {
    InventoryFailure::InvalidStoredAllocation {
        key: Key::new("pk", "sk"),
        source: <serde_dynamo::Error as serde::de::Error>::custom("invalid"),
    }
}

/// The cancellation reasons of a two-item transaction.
pub fn cancelled(reasons: [CancellationReason; 2]) -> TableError {
    TableError::TransactionCanceled {
        reasons: reasons.to_vec(),
    }
}

pub fn condition_failed() -> CancellationReason {
    CancellationReason::ConditionalCheckFailed { old_item: None }
}

pub use kernel::fake::Fake;

pub type FakeReadAllocation =
    Fake<(Sku, OrderId), Result<Option<StoredAllocation>, InventoryFailure>>;

#[async_trait::async_trait]
impl ReadAllocationClient for FakeReadAllocation {
    async fn read_allocation(
        &self,
        sku: &Sku,
        order_id: &OrderId,
    ) -> Result<Option<StoredAllocation>, InventoryFailure> {
        self.call((sku.clone(), order_id.clone()))
    }
}

/// The one call a scripted table received.
pub fn single_call(table: &ScriptedTable) -> kernel::table::scripted::TableCall {
    let calls = table.calls();
    assert_eq!(calls.len(), 1, "expected exactly one table call: {calls:?}");
    calls.into_iter().next().unwrap()
}

/// Runs a worker controller on an SQS event fixture; returns the ids it asked to retry.
pub async fn retried_message_ids(
    worker: &impl kernel::sqs::WorkerHandler,
    fixture: &str,
) -> Vec<String> {
    let event: aws_lambda_events::sqs::SqsEvent = serde_json::from_str(fixture).unwrap();
    worker
        .handle(event)
        .await
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect()
}
