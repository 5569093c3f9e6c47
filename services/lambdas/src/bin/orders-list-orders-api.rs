//! Lambda `orders-list-orders-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(|table, _clock| orders::list_orders_api::controller(table))
}
