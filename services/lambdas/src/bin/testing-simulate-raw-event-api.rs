//! Lambda `testing-simulate-raw-event-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(testing::simulate_raw_event_api::controller)
}
