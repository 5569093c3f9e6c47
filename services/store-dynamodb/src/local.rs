//! DynamoDB Local: a client for it and the single table as production declares it, for the
//! contract suite and the request counter (`scripts/bench-dynamodb`).

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::{BuildError, SdkError};
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus,
};
use kernel::table::GSI1_NAME;

use crate::https_client;

/// The variable the scripts set to DynamoDB Local's URL (see `scripts/dynamodb-local`).
pub const ENDPOINT_VAR: &str = "DYNAMODB_ENDPOINT";

/// How long a new table may take to become active.
const ACTIVE_WITHIN: Duration = Duration::from_secs(10);

/// Why the table could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTableFailure {
    #[error("the table definition is invalid")]
    Definition(#[from] BuildError),
    #[error("CreateTable failed")]
    Create(#[from] SdkError<CreateTableError>),
    #[error("DescribeTable failed")]
    Describe(#[from] SdkError<DescribeTableError>),
    #[error("the table {0} did not become active within {ACTIVE_WITHIN:?}")]
    NotActive(String),
}

/// A client for DynamoDB Local at `endpoint`, with dummy credentials.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "dynamodb-local",
        ))
        .endpoint_url(endpoint)
        .http_client(https_client())
        .build();
    Client::from_conf(config)
}

/// Creates the single table as the CDK app declares it (keys `pk`/`sk`, index [`GSI1_NAME`] on
/// `gsi1pk`/`gsi1sk` projecting all attributes, on-demand) and waits until it is active.
pub async fn create_table(client: &Client, name: &str) -> Result<(), CreateTableFailure> {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute("pk")?)
        .attribute_definitions(string_attribute("sk")?)
        .attribute_definitions(string_attribute("gsi1pk")?)
        .attribute_definitions(string_attribute("gsi1sk")?)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(GSI1_NAME)
                .key_schema(key("gsi1pk", KeyType::Hash)?)
                .key_schema(key("gsi1sk", KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        )
        .send()
        .await?;
    let started = tokio::time::Instant::now();
    while started.elapsed() < ACTIVE_WITHIN {
        let described = client.describe_table().table_name(name).send().await?;
        if described.table().and_then(|table| table.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(CreateTableFailure::NotActive(name.to_owned()))
}

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, BuildError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
}
