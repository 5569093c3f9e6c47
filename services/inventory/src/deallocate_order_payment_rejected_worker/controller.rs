use std::sync::Arc;

use kernel::clock::Clock;
use kernel::sqs::WorkerHandler;
use kernel::table::Table;

use super::clients::TableDeallocateAllocationClient;
use crate::settle_allocation::{self, Settlement};

/// The DeallocateOrderPaymentRejectedWorker controller over the single table.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    settle_allocation::controller(
        Settlement::Deallocate,
        table.clone(),
        Arc::new(TableDeallocateAllocationClient::new(table)),
        clock,
    )
}

#[cfg(test)]
mod tests {
    use contracts::OrderEventData;
    use kernel::table::Item;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{CancellationReason, Key, TransactItem};

    use super::*;
    use crate::records::{AllocationItem, AllocationStatus};
    use crate::test_support::{NOW, cancelled, clock, order_data, retried_message_ids};

    const FIXTURE: &str =
        include_str!("../../tests/fixtures/deallocate_order_payment_rejected_worker.json");
    const ORD001: &str = "ec88a454-2730-5def-aa5e-a2692347f29c";

    fn pears_allocation(status: AllocationStatus) -> Item {
        let order = OrderEventData {
            order_id: contracts::OrderId::parse("ORD002").unwrap(),
            sku: contracts::Sku::parse("PEARS").unwrap(),
            units: contracts::Units::new(2).unwrap(),
            price: contracts::Price::new(10.0).unwrap(),
            user_id: contracts::UserId::parse("JOHN").unwrap(),
        };
        AllocationItem::new(&order, status, NOW).to_item().unwrap()
    }

    fn apples_allocated() -> Item {
        AllocationItem::new(&order_data(), AllocationStatus::Allocated, NOW)
            .to_item()
            .unwrap()
    }

    #[tokio::test]
    async fn retries_conflicts_and_consumes_refusals() {
        let table = Arc::new(ScriptedTable::new());
        table
            // ORD001: allocated, the transaction conflicts ⇒ retried (stock must come back).
            .then(Scripted::Item(Some(apples_allocated())))
            .then(Scripted::Fail(cancelled([
                CancellationReason::TransactionConflict,
                CancellationReason::None,
            ])))
            // ORD002: already completed ⇒ refused and consumed.
            .then(Scripted::Item(Some(pears_allocation(
                AllocationStatus::CompletedPaymentAccepted,
            ))));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(retried, [ORD001]);
        assert_eq!(
            table.calls().len(),
            3,
            "the wrong-name event must not reach the table"
        );
    }

    #[tokio::test]
    async fn deallocates_allocated_orders() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(Some(apples_allocated())))
            .then(Scripted::Done)
            .then(Scripted::Item(Some(pears_allocation(
                AllocationStatus::DeallocatedPaymentRejected,
            ))));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert!(retried.is_empty(), "{retried:?}");
        let calls = table.calls();
        assert_eq!(calls.len(), 3);
        let TableCall::TransactWrite(items) = &calls[1] else {
            panic!("expected the deallocation transaction, got {:?}", calls[1]);
        };
        assert!(matches!(&items[1], TransactItem::Update(update)
            if update.key == Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES")));
    }

    #[tokio::test]
    async fn a_missing_allocation_is_retried() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Item(None)).then(Scripted::Item(None));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(retried, [ORD001, "a0a1d221-21dc-5f90-8f32-989ef05ddad2"]);
    }
}
