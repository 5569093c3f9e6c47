use contracts::{OrderId, Sku, Units};

/// Deallocate the `ALLOCATED` allocation of `units` (as stored) of an order's SKU and return
/// those units to the SKU, at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeallocateAllocationCommand {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub now: String,
}
