//! Lambda `inventory-complete-order-payment-accepted-worker`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker(inventory::complete_order_payment_accepted_worker::controller)
}
