//! Lambda `payments-process-order-payment-worker`: wiring only (see the `lambdas` crate docs).

use std::sync::Arc;

use lambdas::PaymentWorkerConfig;
use payments::gateway::FakePaymentGateway;

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker_with(|table, clock, config: &PaymentWorkerConfig| {
        let gateway = Arc::new(FakePaymentGateway::new(config.gateway_mode));
        payments::process_order_payment_worker::controller(table, clock, gateway)
    })
}
