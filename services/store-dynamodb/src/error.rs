//! Maps SDK errors onto the port's [`TableError`], keeping the SDK error as the source.

use std::collections::HashMap;
use std::fmt::Debug;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue as SdkValue;
use aws_sdk_dynamodb::types::CancellationReason as SdkCancellationReason;
use kernel::table::{AttributeValue, CancellationReason, Item, TableError};

/// Classifies any operation's error by the error code DynamoDB sent, or by how the call failed.
pub(crate) fn classify<E, R>(error: SdkError<E, R>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(context) => match context.err().code() {
            Some(
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded",
            ) => TableError::Throttled {
                source: Some(Box::new(error)),
            },
            Some("ValidationException") => TableError::Validation {
                message: context
                    .err()
                    .message()
                    .unwrap_or("ValidationException")
                    .to_owned(),
            },
            Some(_) | None => TableError::Other {
                source: Box::new(error),
            },
        },
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            TableError::Unavailable {
                source: Box::new(error),
            }
        }
        SdkError::ConstructionFailure(_) => TableError::Other {
            source: Box::new(error),
        },
        // `SdkError` is `#[non_exhaustive]`: a failure mode added later is not known to be transient.
        _ => TableError::Other {
            source: Box::new(error),
        },
    }
}

/// The transaction's cancellation reasons, aligned with its items.
pub(crate) fn cancellation_reasons(
    reasons: &[SdkCancellationReason],
) -> Result<Vec<CancellationReason>, TableError> {
    reasons.iter().map(cancellation_reason).collect()
}

fn cancellation_reason(reason: &SdkCancellationReason) -> Result<CancellationReason, TableError> {
    Ok(match reason.code() {
        None | Some("None") => CancellationReason::None,
        Some("ConditionalCheckFailed") => CancellationReason::ConditionalCheckFailed {
            old_item: reason.item().map(to_item).transpose()?,
        },
        Some("TransactionConflict") => CancellationReason::TransactionConflict,
        Some("ThrottlingError" | "ProvisionedThroughputExceeded") => CancellationReason::Throttled,
        Some(code) => CancellationReason::Other {
            code: code.to_owned(),
        },
    })
}

/// An attribute type this adapter does not know (the SDK's `Unknown`, from a newer service).
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB returned an attribute of an unknown type")]
pub struct UnknownAttributeType;

/// A `LastEvaluatedKey` without string `pk` and `sk` (every key of this table is a string).
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB returned a LastEvaluatedKey without string pk and sk")]
pub struct MalformedLastEvaluatedKey;

/// Converts an SDK item into the port's item. Unlike `serde_dynamo`'s `From`, which panics on
/// an unknown attribute type, this reports it.
pub(crate) fn to_item(item: &HashMap<String, SdkValue>) -> Result<Item, TableError> {
    item.iter()
        .map(|(name, value)| Ok((name.clone(), to_value(value)?)))
        .collect::<Result<HashMap<_, _>, TableError>>()
        .map(Item::from)
}

fn to_value(value: &SdkValue) -> Result<AttributeValue, TableError> {
    Ok(match value {
        SdkValue::S(text) => AttributeValue::S(text.clone()),
        SdkValue::N(number) => AttributeValue::N(number.clone()),
        SdkValue::Bool(flag) => AttributeValue::Bool(*flag),
        SdkValue::Null(null) => AttributeValue::Null(*null),
        SdkValue::B(blob) => AttributeValue::B(blob.as_ref().to_vec()),
        SdkValue::Ss(texts) => AttributeValue::Ss(texts.clone()),
        SdkValue::Ns(numbers) => AttributeValue::Ns(numbers.clone()),
        SdkValue::Bs(blobs) => {
            AttributeValue::Bs(blobs.iter().map(|blob| blob.as_ref().to_vec()).collect())
        }
        SdkValue::L(values) => {
            AttributeValue::L(values.iter().map(to_value).collect::<Result<_, _>>()?)
        }
        SdkValue::M(map) => AttributeValue::M(
            map.iter()
                .map(|(name, value)| Ok((name.clone(), to_value(value)?)))
                .collect::<Result<_, TableError>>()?,
        ),
        // `AttributeValue` is `#[non_exhaustive]` (its `Unknown` variant and any future type).
        _ => {
            return Err(TableError::Other {
                source: Box::new(UnknownAttributeType),
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;

    use super::*;

    fn service_error(code: &str) -> SdkError<PutItemError, ()> {
        SdkError::service_error(
            PutItemError::generic(ErrorMetadata::builder().code(code).message("why").build()),
            (),
        )
    }

    #[test]
    fn classifies_service_errors_by_code() {
        for code in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
        ] {
            assert!(
                matches!(
                    classify(service_error(code)),
                    TableError::Throttled { source: Some(_) }
                ),
                "{code}"
            );
        }
        assert!(matches!(
            classify(service_error("ValidationException")),
            TableError::Validation { message } if message == "why"
        ));
        assert!(matches!(
            classify(service_error("InternalServerError")),
            TableError::Other { .. }
        ));
    }

    #[test]
    fn classifies_transport_failures_as_unavailable() {
        let timeout: SdkError<PutItemError, ()> = SdkError::timeout_error("slow");
        assert!(matches!(classify(timeout), TableError::Unavailable { .. }));
        let construction: SdkError<PutItemError, ()> = SdkError::construction_failure("bad");
        assert!(matches!(classify(construction), TableError::Other { .. }));
    }

    #[test]
    fn maps_cancellation_reasons_in_order() {
        let old = HashMap::from([("pk".to_owned(), SdkValue::S("P".to_owned()))]);
        let reasons = [
            SdkCancellationReason::builder().code("None").build(),
            SdkCancellationReason::builder().build(),
            SdkCancellationReason::builder()
                .code("ConditionalCheckFailed")
                .set_item(Some(old))
                .build(),
            SdkCancellationReason::builder()
                .code("TransactionConflict")
                .build(),
            SdkCancellationReason::builder()
                .code("ThrottlingError")
                .build(),
            SdkCancellationReason::builder()
                .code("ProvisionedThroughputExceeded")
                .build(),
            SdkCancellationReason::builder()
                .code("ValidationError")
                .build(),
        ];
        let mapped = cancellation_reasons(&reasons).unwrap();
        assert_eq!(
            mapped,
            [
                CancellationReason::None,
                CancellationReason::None,
                CancellationReason::ConditionalCheckFailed {
                    old_item: Some(kernel::table::item([("pk", kernel::table::s("P"))])),
                },
                CancellationReason::TransactionConflict,
                CancellationReason::Throttled,
                CancellationReason::Throttled,
                CancellationReason::Other {
                    code: "ValidationError".to_owned()
                },
            ]
        );
    }

    #[test]
    fn converts_nested_items() {
        let sdk = HashMap::from([(
            "m".to_owned(),
            SdkValue::M(HashMap::from([(
                "l".to_owned(),
                SdkValue::L(vec![SdkValue::N("1.5".to_owned()), SdkValue::Bool(true)]),
            )])),
        )]);
        let converted = to_item(&sdk).unwrap();
        assert_eq!(HashMap::<String, SdkValue>::from(converted), sdk);
    }
}
