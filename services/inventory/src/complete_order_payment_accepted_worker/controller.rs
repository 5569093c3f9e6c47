use std::sync::Arc;

use kernel::clock::Clock;
use kernel::sqs::WorkerHandler;
use kernel::table::Table;

use super::clients::TableCompleteAllocationClient;
use crate::settle_allocation::{self, Settlement};

/// The CompleteOrderPaymentAcceptedWorker controller over the single table.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    settle_allocation::controller(
        Settlement::Complete,
        table.clone(),
        Arc::new(TableCompleteAllocationClient::new(table)),
        clock,
    )
}

#[cfg(test)]
mod tests {
    use contracts::OrderEventData;
    use kernel::table::Item;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{Key, TableError};

    use super::*;
    use crate::records::{AllocationItem, AllocationStatus};
    use crate::test_support::{NOW, clock, retried_message_ids};

    const FIXTURE: &str =
        include_str!("../../tests/fixtures/complete_order_payment_accepted_worker.json");
    const ORD001: &str = "a0fcf7df-3e0d-556d-806b-a14a1357a03e";

    fn allocated_pears() -> Item {
        let order = OrderEventData {
            order_id: contracts::OrderId::parse("ORD002").unwrap(),
            sku: contracts::Sku::parse("PEARS").unwrap(),
            units: contracts::Units::new(2).unwrap(),
            price: contracts::Price::new(10.0).unwrap(),
            user_id: contracts::UserId::parse("JOHN").unwrap(),
        };
        AllocationItem::new(&order, AllocationStatus::Allocated, NOW)
            .to_item()
            .unwrap()
    }

    #[tokio::test]
    async fn retries_a_missing_allocation_and_consumes_permanent_failures() {
        let table = Arc::new(ScriptedTable::new());
        table
            // ORD001: no allocation (yet) ⇒ retried.
            .then(Scripted::Item(None))
            // ORD002: allocated, but it changed before the update ⇒ consumed.
            .then(Scripted::Item(Some(allocated_pears())))
            .then(Scripted::Fail(TableError::ConditionalCheckFailed {
                old_item: None,
            }));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(retried, [ORD001]);
        let calls = table.calls();
        assert_eq!(
            calls.len(),
            3,
            "the wrong-name event must not reach the table"
        );
        assert_eq!(
            calls[0],
            TableCall::Get {
                key: Key::new(
                    "INVENTORY#SKU#APPLES",
                    "SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION"
                ),
                consistent: true
            }
        );
        assert!(matches!(&calls[2], TableCall::Update(update)
            if update.key == Key::new("INVENTORY#SKU#PEARS", "SKU#PEARS#ORDER_ID#ORD002#ORDER_ALLOCATION")));
    }

    #[tokio::test]
    async fn completes_allocated_orders() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(Some(
                AllocationItem::new(
                    &crate::test_support::order_data(),
                    AllocationStatus::Allocated,
                    NOW,
                )
                .to_item()
                .unwrap(),
            )))
            .then(Scripted::Done)
            .then(Scripted::Item(Some(allocated_pears())))
            .then(Scripted::Done);
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert!(retried.is_empty(), "{retried:?}");
        assert_eq!(table.calls().len(), 4);
    }
}
