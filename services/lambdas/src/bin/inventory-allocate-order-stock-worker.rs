//! Lambda `inventory-allocate-order-stock-worker`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker(inventory::allocate_order_stock_worker::controller)
}
