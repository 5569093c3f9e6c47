//! The EventBridge envelope the AWS Pipe wraps around each DynamoDB stream record. The embedded
//! pipe produces the same shape, so worker controllers receive byte-compatible SQS bodies in
//! both engines.

use kernel::clock::iso_millis;
use serde_json::{Value, json};
use std::time::{Duration, UNIX_EPOCH};
use store_sqlite::StreamRecord;

/// Names that stand in for the AWS account, region and table in local ARNs.
pub const LOCAL_ACCOUNT: &str = "000000000000";
pub const LOCAL_REGION: &str = "local";
pub const LOCAL_STREAM_ARN: &str =
    "arn:aws:dynamodb:local:000000000000:table/ecomm/stream/1970-01-01T00:00:00.000";

/// Builds the EventBridge event (`detail` = the stream record) for one stream record.
pub fn eventbridge_envelope(
    record: &StreamRecord,
    source: &str,
    detail_type: &str,
) -> Result<Value, serde_json::Error> {
    let created = UNIX_EPOCH + Duration::from_millis(record.created_at_ms);
    let keys = json!({ "pk": { "S": record.keys.pk }, "sk": { "S": record.keys.sk } });
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": record.created_at_ms / 1000,
        "Keys": keys,
        "SequenceNumber": format!("{:021}", record.seq),
        "SizeBytes": record.size_bytes,
        "StreamViewType": "NEW_IMAGE",
    });
    if let (Some(image), Some(fields)) = (&record.new_image, dynamodb.as_object_mut()) {
        fields.insert("NewImage".to_owned(), serde_json::to_value(image)?);
    }
    Ok(json!({
        "version": "0",
        "id": format!("local-{:020}", record.seq),
        "detail-type": detail_type,
        "source": source,
        "account": LOCAL_ACCOUNT,
        // EventBridge's `time` has second precision.
        "time": format!("{}Z", &iso_millis(created)[..19]),
        "region": LOCAL_REGION,
        "resources": [],
        "detail": {
            "eventID": format!("{:032x}", record.seq),
            "eventName": record.kind.event_name(),
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": LOCAL_REGION,
            "eventSourceARN": LOCAL_STREAM_ARN,
            "dynamodb": dynamodb,
        }
    }))
}
