//! Items as stored in SQLite: DynamoDB JSON text with sorted attribute names, so the same item
//! always has the same text and a SQLite browser shows it readably.

use kernel::table::Item;
use serde_json::{Map, Value};

use crate::StoreError;

pub(crate) fn encode_item(item: &Item) -> Result<String, StoreError> {
    let value = serde_json::to_value(item).map_err(|source| StoreError::Encode { source })?;
    Ok(sorted(value).to_string())
}

pub(crate) fn decode_item(text: &str, what: &'static str) -> Result<Item, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::CorruptRow { what, source })
}

/// Rebuilds every object with its keys in order (whatever map `serde_json` was built with).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|(left, _), (right, _)| left.cmp(right));
            let mut rebuilt = Map::with_capacity(entries.len());
            for (name, value) in entries {
                rebuilt.insert(name, sorted(value));
            }
            Value::Object(rebuilt)
        }
        Value::Array(values) => Value::Array(values.into_iter().map(sorted).collect()),
        scalar @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)) => scalar,
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::{AttributeValue, item, n, s};

    use super::*;

    #[test]
    fn items_encode_as_sorted_dynamodb_json_and_round_trip() {
        let stored = item([
            ("sk", s("b")),
            ("pk", s("a")),
            (
                "m",
                AttributeValue::M(
                    [
                        ("z".to_owned(), n(1)),
                        ("y".to_owned(), AttributeValue::Null(true)),
                    ]
                    .into(),
                ),
            ),
            ("bin", AttributeValue::B(vec![1, 2, 3])),
        ]);
        let text = encode_item(&stored).unwrap();
        assert_eq!(
            text,
            r#"{"bin":{"B":"AQID"},"m":{"M":{"y":{"NULL":true},"z":{"N":"1"}}},"pk":{"S":"a"},"sk":{"S":"b"}}"#
        );
        assert_eq!(decode_item(&text, "item").unwrap(), stored);
    }
}
