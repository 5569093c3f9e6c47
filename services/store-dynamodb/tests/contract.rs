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

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus,
};
use kernel::table::GSI1_NAME;
use store_dynamodb::{DynamoDbTable, https_client};
use tokio::sync::OnceCell;

const ENDPOINT_VAR: &str = "DYNAMODB_ENDPOINT";

/// The run's table, created by whichever case gets here first.
static TABLE_NAME: OnceCell<String> = OnceCell::const_new();

/// A client for DynamoDB Local with dummy credentials. Each case builds its own: an SDK client's
/// connection pool must not outlive the per-test Tokio runtime that drove it.
fn local_client() -> Client {
    let Ok(endpoint) = std::env::var(ENDPOINT_VAR) else {
        panic!(
            "{ENDPOINT_VAR} is not set; run: scripts/dynamodb-local with cargo test -p store-dynamodb --features dynamodb-local --test contract"
        );
    };
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "contract-tests",
        ))
        .endpoint_url(endpoint)
        .http_client(https_client())
        .build();
    Client::from_conf(config)
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .unwrap()
}

fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .unwrap()
}

/// Creates the single table as production defines it and waits until it is active.
async fn create_table(client: &Client) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("contract-{nanos:x}-{}", std::process::id());
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute("pk"))
        .attribute_definitions(string_attribute("sk"))
        .attribute_definitions(string_attribute("gsi1pk"))
        .attribute_definitions(string_attribute("gsi1sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(GSI1_NAME)
                .key_schema(key("gsi1pk", KeyType::Hash))
                .key_schema(key("gsi1sk", KeyType::Range))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|error| {
            panic!(
                "cannot create the contract table at {}: {}",
                std::env::var(ENDPOINT_VAR).unwrap_or_default(),
                kernel::failure::error_chain(&error)
            )
        });
    for _ in 0..100 {
        let described = client
            .describe_table()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        if described.table().and_then(|table| table.table_status()) == Some(&TableStatus::Active) {
            return name;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("table {name} did not become active");
}

async fn fixture() -> Box<DynamoDbTable> {
    let client = local_client();
    let name = TABLE_NAME.get_or_init(|| create_table(&client)).await;
    Box::new(DynamoDbTable::new(client, name.clone()))
}

table_contract::table_contract_tests!(fixture);
