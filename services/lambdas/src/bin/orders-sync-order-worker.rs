//! Lambda `orders-sync-order-worker`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker(orders::sync_order_worker::controller)
}
