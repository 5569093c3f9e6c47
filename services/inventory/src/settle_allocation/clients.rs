use async_trait::async_trait;
use contracts::{OrderId, Sku, Units};
use kernel::table::{Condition, Update, n, s};

use super::model::{SettleAllocationCommand, Settlement};
use crate::failure::InventoryFailure;
use crate::records::{AllocationStatus, allocation_key};

/// Writes a settlement, only if the allocation is still the `ALLOCATED` one that was read.
#[async_trait]
pub trait SettleAllocationClient: Send + Sync {
    /// The settlement's condition failure when the allocation is no longer the allocated one.
    async fn settle_allocation(
        &self,
        command: &SettleAllocationCommand,
    ) -> Result<(), InventoryFailure>;
}

/// The update moving the allocation to the settlement's status, guarded by
/// [`still_allocated_condition`].
pub fn settle_update(settlement: Settlement, command: &SettleAllocationCommand) -> Update {
    Update::new(allocation_key(&command.sku, &command.order_id))
        .set("allocationStatus", s(settlement.settled_status().as_str()))
        .set("updatedAt", s(&command.now))
        .with_condition(still_allocated_condition(
            &command.order_id,
            &command.sku,
            command.units,
        ))
}

/// The allocation is still the one that was read and is `ALLOCATED` (§6.5's 5-part condition:
/// the item exists, same order, same SKU, same units, status `ALLOCATED`).
fn still_allocated_condition(order_id: &OrderId, sku: &Sku, units: Units) -> Condition {
    Condition::And(vec![
        Condition::item_exists(),
        Condition::equals("orderId", s(order_id.as_str())),
        Condition::equals("sku", s(sku.as_str())),
        Condition::equals("units", n(units.get())),
        Condition::equals("allocationStatus", s(AllocationStatus::Allocated.as_str())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{expected_settle_update, settle_command};

    #[test]
    fn moves_only_the_allocation_that_was_read_to_the_settled_status() {
        assert_eq!(
            settle_update(Settlement::Complete, &settle_command()),
            expected_settle_update("COMPLETED_PAYMENT_ACCEPTED")
        );
        assert_eq!(
            settle_update(Settlement::Deallocate, &settle_command()),
            expected_settle_update("DEALLOCATED_PAYMENT_REJECTED")
        );
    }
}
