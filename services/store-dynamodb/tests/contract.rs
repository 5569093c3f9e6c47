//! The storage contract suite against DynamoDB Local:
//!
//! ```sh
//! scripts/dynamodb-local with cargo test -p store-dynamodb --features dynamodb-local --test contract
//! ```
//!
//! Every case shares one table created for this run (the cases namespace their keys). A missing
//! `DYNAMODB_ENDPOINT`, or one that does not answer, fails the cases: it never skips them.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use store_dynamodb::DynamoDbTable;
use store_dynamodb::local::{ENDPOINT_VAR, client, create_table};
use tokio::sync::OnceCell;

/// The run's table, created by whichever case gets here first.
static TABLE_NAME: OnceCell<String> = OnceCell::const_new();

/// A client for DynamoDB Local. Each case builds its own: an SDK client's connection pool must
/// not outlive the per-test Tokio runtime that drove it.
fn local_client() -> Client {
    let Ok(endpoint) = std::env::var(ENDPOINT_VAR) else {
        panic!(
            "{ENDPOINT_VAR} is not set; run: scripts/dynamodb-local with cargo test -p store-dynamodb --features dynamodb-local --test contract"
        );
    };
    client(&endpoint)
}

/// Creates the run's table, named uniquely so runs never share one.
async fn new_table(client: &Client) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("contract-{nanos:x}-{}", std::process::id());
    create_table(client, &name).await.unwrap_or_else(|error| {
        panic!(
            "cannot create the contract table at {}: {}",
            std::env::var(ENDPOINT_VAR).unwrap_or_default(),
            kernel::failure::error_chain(&error)
        )
    });
    name
}

async fn fixture() -> Box<DynamoDbTable> {
    let client = local_client();
    let name = TABLE_NAME.get_or_init(|| new_table(&client)).await;
    Box::new(DynamoDbTable::new(client, name.clone()))
}

table_contract::table_contract_tests!(fixture);
