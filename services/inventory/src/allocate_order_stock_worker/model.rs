use contracts::OrderEventData;

/// Allocate (or record the depletion of) the stock of one order, at `now`.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocateOrderStockCommand {
    pub order: OrderEventData,
    pub now: String,
}
