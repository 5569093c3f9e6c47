//! Lambda `inventory-deallocate-order-payment-rejected-worker`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker(inventory::deallocate_order_payment_rejected_worker::controller)
}
