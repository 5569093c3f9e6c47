//! Lambda `payments-process-order-payment-worker`: wiring only (see the `lambdas` crate docs).

use std::sync::Arc;

use payments::gateway::FakePaymentGateway;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambdas::Error> {
    lambdas::init_tracing();
    let config =
        lambdas::PaymentWorkerConfig::from_env().inspect_err(lambdas::log_startup_error)?;
    let table = lambdas::connect_table(&config.table).await;
    let gateway = Arc::new(FakePaymentGateway::new(config.gateway_mode));
    let controller =
        payments::process_order_payment_worker::controller(table, lambdas::system_clock(), gateway);
    lambdas::run_worker(controller).await
}
