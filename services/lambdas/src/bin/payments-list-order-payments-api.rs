//! Lambda `payments-list-order-payments-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(|table, _clock| payments::list_order_payments_api::controller(table))
}
