use contracts::{OrderId, Sku, Units};

/// Complete the `ALLOCATED` allocation of `units` (as stored) of an order's SKU, at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompleteAllocationCommand {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub now: String,
}
