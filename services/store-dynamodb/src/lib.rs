//! The production storage adapter: [`kernel::table::Table`] on Amazon DynamoDB.
//!
//! Every port call is exactly one DynamoDB request. Typed conditions and update actions are
//! rendered into expressions with `#n<i>`/`:v<i>` placeholders, items are converted with
//! `serde_dynamo`, and SDK errors are mapped onto [`TableError`] (keeping the SDK error as the
//! source) so that slices classify DynamoDB failures the same way on every adapter. A table given
//! a [`meter::Meter`] also counts its requests and the capacity DynamoDB reports for them.

mod error;
mod expression;
pub mod local;
pub mod meter;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue as SdkValue, ConditionCheck, Put as SdkPut, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update as SdkUpdate,
};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use kernel::table::{
    GSI1_NAME, IndexKey, Item, Key, Put, Query, QueryPage, QueryTarget, ReturnValues, StartKey,
    Table, TableError, TransactItem, Update,
};

pub use error::UnknownAttributeType;
use expression::Placeholders;
use meter::{Meter, Operation, Reported};

/// A [`Table`] backed by one DynamoDB table (keys `pk`/`sk`, index [`GSI1_NAME`]).
#[derive(Clone, Debug)]
pub struct DynamoDbTable {
    client: Client,
    table_name: String,
    meter: Option<Arc<Meter>>,
}

impl DynamoDbTable {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
            meter: None,
        }
    }

    /// Counts every request into `meter`, asking DynamoDB for the capacity each consumed.
    pub fn with_meter(mut self, meter: Arc<Meter>) -> Self {
        self.meter = Some(meter);
        self
    }

    /// Builds the SDK client from the standard AWS environment (region, credentials, and
    /// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` for DynamoDB Local). Build it once per
    /// process: the client owns the connection pool.
    pub async fn connect(table_name: impl Into<String>) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .load()
            .await;
        Self::new(Client::new(&config), table_name)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table_name
    }
}

/// The SDK's HTTP client: hyper with rustls on `ring` (the SDK ships none without default
/// features, and `ring` avoids aws-lc's C build).
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

fn sdk_key(key: &Key) -> HashMap<String, SdkValue> {
    HashMap::from([
        ("pk".to_owned(), SdkValue::S(key.pk.clone())),
        ("sk".to_owned(), SdkValue::S(key.sk.clone())),
    ])
}

fn sdk_item(item: Item) -> HashMap<String, SdkValue> {
    HashMap::from(item)
}

fn optional_item(item: Option<&HashMap<String, SdkValue>>) -> Result<Option<Item>, TableError> {
    item.map(error::to_item).transpose()
}

fn on_condition_failure(return_old: bool) -> Option<ReturnValuesOnConditionCheckFailure> {
    return_old.then_some(ReturnValuesOnConditionCheckFailure::AllOld)
}

/// The old item of a failed condition, when the request asked for it.
fn old_item(
    requested: bool,
    item: Option<&HashMap<String, SdkValue>>,
) -> Result<Option<Item>, TableError> {
    if requested {
        optional_item(item)
    } else {
        Ok(None)
    }
}

fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> TableError {
    TableError::Other {
        source: Box::new(error),
    }
}

impl DynamoDbTable {
    /// `INDEXES` when metering (table and index units apart), otherwise not asked for.
    fn consumed_capacity(&self) -> Option<ReturnConsumedCapacity> {
        self.meter.as_ref().map(|_| ReturnConsumedCapacity::Indexes)
    }

    fn record(&self, operation: Operation, reported: Reported<'_>) {
        if let Some(meter) = &self.meter {
            meter.record(operation, reported);
        }
    }

    /// Records one request's outcome and passes it on.
    fn metered<T, E>(
        &self,
        operation: Operation,
        result: Result<T, E>,
        consumed: impl FnOnce(&T) -> Reported<'_>,
    ) -> Result<T, E> {
        match &result {
            Ok(output) => self.record(operation, consumed(output)),
            Err(_) => self.record(operation, Reported::Failed),
        }
        result
    }

    fn transact_item(&self, item: TransactItem) -> Result<TransactWriteItem, TableError> {
        let mut placeholders = Placeholders::default();
        Ok(match item {
            TransactItem::Put(put) => {
                let condition = put
                    .condition
                    .as_ref()
                    .map(|condition| placeholders.condition(condition));
                let put = SdkPut::builder()
                    .table_name(&self.table_name)
                    .set_item(Some(sdk_item(put.item)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(placeholders.names())
                    .set_expression_attribute_values(placeholders.values())
                    .set_return_values_on_condition_check_failure(on_condition_failure(
                        put.return_old_on_condition_failure,
                    ))
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().put(put).build()
            }
            TransactItem::Update(update) => {
                let update_expression = placeholders.update(&update.actions);
                let condition = update
                    .condition
                    .as_ref()
                    .map(|condition| placeholders.condition(condition));
                let update = SdkUpdate::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(sdk_key(&update.key)))
                    .set_update_expression(update_expression)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(placeholders.names())
                    .set_expression_attribute_values(placeholders.values())
                    .set_return_values_on_condition_check_failure(on_condition_failure(
                        update.return_old_on_condition_failure,
                    ))
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().update(update).build()
            }
            TransactItem::ConditionCheck { key, condition } => {
                let condition = placeholders.condition(&condition);
                let check = ConditionCheck::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(sdk_key(&key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(placeholders.names())
                    .set_expression_attribute_values(placeholders.values())
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().condition_check(check).build()
            }
        })
    }
}

#[async_trait]
impl Table for DynamoDbTable {
    async fn get(&self, key: &Key, consistent: bool) -> Result<Option<Item>, TableError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(sdk_key(key)))
            .consistent_read(consistent)
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let output = self
            .metered(Operation::GetItem, output, |output| {
                Reported::Capacity(output.consumed_capacity())
            })
            .map_err(error::classify)?;
        optional_item(output.item())
    }

    async fn put(&self, put: Put) -> Result<(), TableError> {
        let mut placeholders = Placeholders::default();
        let condition = put
            .condition
            .as_ref()
            .map(|condition| placeholders.condition(condition));
        let requested_old = put.return_old_on_condition_failure;
        let result = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(sdk_item(put.item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names())
            .set_expression_attribute_values(placeholders.values())
            .set_return_values_on_condition_check_failure(on_condition_failure(requested_old))
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let result = self.metered(Operation::PutItem, result, |output| {
            Reported::Capacity(output.consumed_capacity())
        });
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(exception)) => {
                    Err(TableError::ConditionalCheckFailed {
                        old_item: old_item(requested_old, exception.item())?,
                    })
                }
                Some(_) | None => Err(error::classify(error)),
            },
        }
    }

    async fn update(&self, update: Update) -> Result<Option<Item>, TableError> {
        let mut placeholders = Placeholders::default();
        let update_expression = placeholders.update(&update.actions);
        let condition = update
            .condition
            .as_ref()
            .map(|condition| placeholders.condition(condition));
        let requested_old = update.return_old_on_condition_failure;
        let return_values = match update.return_values {
            ReturnValues::None => None,
            ReturnValues::AllNew => Some(ReturnValue::AllNew),
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(sdk_key(&update.key)))
            .set_update_expression(update_expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names())
            .set_expression_attribute_values(placeholders.values())
            .set_return_values(return_values)
            .set_return_values_on_condition_check_failure(on_condition_failure(requested_old))
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let result = self.metered(Operation::UpdateItem, result, |output| {
            Reported::Capacity(output.consumed_capacity())
        });
        match result {
            Ok(output) => match update.return_values {
                ReturnValues::None => Ok(None),
                ReturnValues::AllNew => optional_item(output.attributes()),
            },
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(exception)) => {
                    Err(TableError::ConditionalCheckFailed {
                        old_item: old_item(requested_old, exception.item())?,
                    })
                }
                Some(_) | None => Err(error::classify(error)),
            },
        }
    }

    async fn delete(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(sdk_key(key)))
            .return_values(ReturnValue::AllOld)
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let output = self
            .metered(Operation::DeleteItem, output, |output| {
                Reported::Capacity(output.consumed_capacity())
            })
            .map_err(error::classify)?;
        optional_item(output.attributes())
    }

    async fn transact_write(&self, items: Vec<TransactItem>) -> Result<(), TableError> {
        let items = items
            .into_iter()
            .map(|item| self.transact_item(item))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let result = self.metered(Operation::TransactWriteItems, result, |output| {
            Reported::Capacities(output.consumed_capacity())
        });
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(exception)) => {
                    Err(TableError::TransactionCanceled {
                        reasons: error::cancellation_reasons(exception.cancellation_reasons())?,
                    })
                }
                Some(_) | None => Err(error::classify(error)),
            },
        }
    }

    async fn query(&self, query: Query) -> Result<QueryPage, TableError> {
        let mut placeholders = Placeholders::default();
        let (index_name, key_condition) = match &query.target {
            QueryTarget::Table { pk, sk: None } => {
                (None, placeholders.key_condition(&[("pk", pk)]))
            }
            QueryTarget::Table { pk, sk: Some(sk) } => {
                (None, placeholders.key_condition(&[("pk", pk), ("sk", sk)]))
            }
            QueryTarget::Gsi1 { gsi1pk } => (
                Some(GSI1_NAME),
                placeholders.key_condition(&[("gsi1pk", gsi1pk)]),
            ),
        };
        // A limit beyond i32 is no limit at all: DynamoDB caps a page at 1 MB anyway.
        let limit = query.limit.and_then(|limit| i32::try_from(limit).ok());
        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .set_index_name(index_name.map(str::to_owned))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(placeholders.names())
            .set_expression_attribute_values(placeholders.values())
            .scan_index_forward(query.forward)
            .set_limit(limit)
            .consistent_read(query.consistent)
            .set_exclusive_start_key(query.exclusive_start_key.as_ref().map(start_key_attributes))
            .set_return_consumed_capacity(self.consumed_capacity())
            .send()
            .await;
        let output = self
            .metered(Operation::Query, output, |output| {
                Reported::Capacity(output.consumed_capacity())
            })
            .map_err(error::classify)?;
        let items = output
            .items()
            .iter()
            .map(error::to_item)
            .collect::<Result<_, _>>()?;
        let last_evaluated_key = output.last_evaluated_key().map(start_key_of).transpose()?;
        Ok(QueryPage {
            items,
            last_evaluated_key,
        })
    }
}

/// `ExclusiveStartKey`: the table key, plus the index key for a query of the index.
fn start_key_attributes(start: &StartKey) -> HashMap<String, SdkValue> {
    let mut attributes = HashMap::from([
        ("pk".to_owned(), SdkValue::S(start.key.pk.clone())),
        ("sk".to_owned(), SdkValue::S(start.key.sk.clone())),
    ]);
    if let Some(index) = &start.index {
        attributes.insert("gsi1pk".to_owned(), SdkValue::S(index.gsi1pk.clone()));
        attributes.insert("gsi1sk".to_owned(), SdkValue::S(index.gsi1sk.clone()));
    }
    attributes
}

/// `LastEvaluatedKey` as a [`StartKey`]: every key attribute of this table is a string.
fn start_key_of(attributes: &HashMap<String, SdkValue>) -> Result<StartKey, TableError> {
    let text = |name: &str| match attributes.get(name) {
        Some(SdkValue::S(text)) => Some(text.clone()),
        _ => None,
    };
    let key = text("pk")
        .zip(text("sk"))
        .map(|(pk, sk)| Key::new(pk, sk))
        .ok_or_else(|| TableError::Other {
            source: Box::new(error::MalformedLastEvaluatedKey),
        })?;
    let index = text("gsi1pk")
        .zip(text("gsi1sk"))
        .map(|(gsi1pk, gsi1sk)| IndexKey { gsi1pk, gsi1sk });
    Ok(StartKey { key, index })
}
