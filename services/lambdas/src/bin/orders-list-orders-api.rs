//! Lambda `orders-list-orders-api`: wiring only (see the `lambdas` crate docs).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambdas::Error> {
    lambdas::init_tracing();
    let config = lambdas::TableConfig::from_env().inspect_err(lambdas::log_startup_error)?;
    let table = lambdas::connect_table(&config).await;
    let controller = orders::list_orders_api::controller(table);
    lambdas::run_api(controller).await
}
