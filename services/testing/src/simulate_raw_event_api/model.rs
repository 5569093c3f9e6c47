//! SimulateRawEventApi's request and the raw event item it writes (docs/contract.md §4.3, §8.3).

use std::collections::HashMap;

use contracts::events::add_event_bookkeeping;
use kernel::table::{AttributeValue, Item, Key, s};
use kernel::validation::{ValueError, js_trim, present, storable_number, utf16_len};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::js_json::JsValue;

/// A string that is not blank and at most `MAX_BYTES` UTF-8 bytes, kept exactly as written.
///
/// Deliberately NOT trimmed (unlike every other API, fix #8 does not apply): this is the chaos
/// tool, and it must be able to write any key, including ones with surrounding spaces. The byte
/// limits are DynamoDB's: a partition key holds 2,048 bytes, a sort key 1,024.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NonBlankString<const MAX_BYTES: usize>(String);

impl<const MAX_BYTES: usize> NonBlankString<MAX_BYTES> {
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        if utf16_len(js_trim(value)) < 1 {
            return Err(ValueError::TooShort { min: 1 });
        }
        if value.len() > MAX_BYTES {
            return Err(ValueError::TooManyBytes { max: MAX_BYTES });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX_BYTES: usize> TryFrom<String> for NonBlankString<MAX_BYTES> {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl<const MAX_BYTES: usize> From<NonBlankString<MAX_BYTES>> for String {
    fn from(value: NonBlankString<MAX_BYTES>) -> Self {
        value.0
    }
}

/// DynamoDB's partition key limit.
pub const MAX_PK_BYTES: usize = 2048;
/// DynamoDB's sort key limit.
pub const MAX_SK_BYTES: usize = 1024;
/// `eventName`, `createdAt` and `updatedAt`: `createdAt` becomes the index sort key
/// `CREATED_AT#<createdAt>`, which must fit DynamoDB's 1,024 bytes.
pub const MAX_TEXT_BYTES: usize = 1000;

/// A string of at most `MAX_TEXT_BYTES` UTF-8 bytes, kept exactly as written (blank allowed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BoundedString(String);

impl BoundedString {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BoundedString {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() > MAX_TEXT_BYTES {
            return Err(ValueError::TooManyBytes {
                max: MAX_TEXT_BYTES,
            });
        }
        Ok(Self(value))
    }
}

impl From<BoundedString> for String {
    fn from(value: BoundedString) -> Self {
        value.0
    }
}

/// `eventData`: any JSON value DynamoDB can store as an attribute: maps and lists nested at
/// most [`MAX_EVENT_DATA_DEPTH`] deep, every number in DynamoDB's range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JsValue", into = "JsValue")]
pub struct EventData(JsValue);

/// DynamoDB nests 32 levels, the item being the first: an attribute holds 31.
pub const MAX_EVENT_DATA_DEPTH: usize = 31;

impl EventData {
    pub fn value(&self) -> &JsValue {
        &self.0
    }
}

impl TryFrom<JsValue> for EventData {
    type Error = ValueError;
    fn try_from(value: JsValue) -> Result<Self, Self::Error> {
        check_storable(&value, 0)?;
        Ok(Self(value))
    }
}

impl From<EventData> for JsValue {
    fn from(data: EventData) -> Self {
        data.0
    }
}

fn check_storable(value: &JsValue, depth: usize) -> Result<(), ValueError> {
    let children: Vec<&JsValue> = match value {
        JsValue::Null | JsValue::Bool(_) | JsValue::String(_) => return Ok(()),
        JsValue::Number(number) => {
            // Integers (i64/u64) are always in range; other numbers are finite doubles.
            return match number.as_f64() {
                Some(double) if !number.is_f64() || storable_number(double).is_ok() => Ok(()),
                _ => Err(ValueError::OutsideStorableRange),
            };
        }
        JsValue::Array(values) => values.iter().collect(),
        JsValue::Object(entries) => entries.iter().map(|(_, value)| value).collect(),
    };
    if depth >= MAX_EVENT_DATA_DEPTH {
        return Err(ValueError::TooDeep {
            max: MAX_EVENT_DATA_DEPTH,
        });
    }
    children
        .into_iter()
        .try_for_each(|child| check_storable(child, depth + 1))
}

/// The request body (strict: any other property is rejected). It is also the 202 answer:
/// the request echoed, absent fields omitted, in this field order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SimulateRawEventRequest {
    #[schema(value_type = String)]
    pub pk: NonBlankString<MAX_PK_BYTES>,
    #[schema(value_type = String)]
    pub sk: NonBlankString<MAX_SK_BYTES>,
    #[schema(value_type = String)]
    pub event_name: NonBlankString<MAX_TEXT_BYTES>,
    /// Any JSON value; absent ⇒ the item has no `eventData`; `null` ⇒ a NULL attribute.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Value)]
    pub event_data: Option<EventData>,
    /// Any string (blank ⇒ now); `null` is rejected.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = String, nullable = false)]
    pub created_at: Option<BoundedString>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = String, nullable = false)]
    pub updated_at: Option<BoundedString>,
}

/// The body as sent, checked with `validator` (strict: any other property is rejected): `pk`
/// and `sk` not blank and within DynamoDB's key sizes, `eventName` not blank, the texts within
/// [`MAX_TEXT_BYTES`], `eventData` storable by DynamoDB; optional fields may be absent but not
/// `null`.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SimulateRawEventBody {
    /// The event item's partition key, e.g. `EVENTS#ORDER_ID#<orderId>`: not blank, at most
    /// 2,048 bytes (UTF-8).
    #[validate(custom(function = "valid_partition_key"))]
    #[schema(min_length = 1, max_length = 2048)]
    pub pk: String,
    /// The event item's sort key, e.g. `EVENT#ORDER_PLACED_EVENT`: not blank, at most 1,024
    /// bytes.
    #[validate(custom(function = "valid_sort_key"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub sk: String,
    /// Not blank, at most 1,000 bytes; any name (unknown ones are routed nowhere).
    #[validate(custom(function = "valid_event_name"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub event_name: String,
    /// Any JSON value DynamoDB can store (at most 32 levels deep); absent: no `eventData`.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "valid_event_data"))]
    #[schema(value_type = Value)]
    pub event_data: Option<JsValue>,
    /// At most 1,000 bytes; blank or absent: now.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "valid_timestamp"))]
    #[schema(nullable = false, max_length = 1000)]
    pub created_at: Option<String>,
    /// At most 1,000 bytes; blank or absent: now.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "valid_timestamp"))]
    #[schema(nullable = false, max_length = 1000)]
    pub updated_at: Option<String>,
}

fn valid_partition_key(value: &str) -> Result<(), ValidationError> {
    NonBlankString::<MAX_PK_BYTES>::parse(value)?;
    Ok(())
}

fn valid_sort_key(value: &str) -> Result<(), ValidationError> {
    NonBlankString::<MAX_SK_BYTES>::parse(value)?;
    Ok(())
}

fn valid_event_name(value: &str) -> Result<(), ValidationError> {
    NonBlankString::<MAX_TEXT_BYTES>::parse(value)?;
    Ok(())
}

fn valid_timestamp(value: &str) -> Result<(), ValidationError> {
    BoundedString::try_from(value.to_owned())?;
    Ok(())
}

fn valid_event_data(value: &JsValue) -> Result<(), ValidationError> {
    check_storable(value, 0)?;
    Ok(())
}

impl TryFrom<SimulateRawEventBody> for SimulateRawEventRequest {
    type Error = ValueError;
    fn try_from(body: SimulateRawEventBody) -> Result<Self, ValueError> {
        Ok(Self {
            pk: NonBlankString::parse(&body.pk)?,
            sk: NonBlankString::parse(&body.sk)?,
            event_name: NonBlankString::parse(&body.event_name)?,
            event_data: body.event_data.map(EventData::try_from).transpose()?,
            created_at: body.created_at.map(BoundedString::try_from).transpose()?,
            updated_at: body.updated_at.map(BoundedString::try_from).transpose()?,
        })
    }
}

/// The event item to write, with its timestamps defaulted.
#[derive(Clone, Debug, PartialEq)]
pub struct RawEvent {
    pub pk: String,
    pub sk: String,
    pub event_name: String,
    pub event_data: Option<JsValue>,
    pub created_at: String,
    pub updated_at: String,
}

impl RawEvent {
    /// `createdAt`/`updatedAt` are the trimmed request values, or `now` when absent or blank.
    pub fn from_request(request: &SimulateRawEventRequest, now: &str) -> Self {
        let timestamp = |value: &Option<BoundedString>| {
            value
                .as_ref()
                .map(|text| js_trim(text.as_str()))
                .filter(|trimmed| !trimmed.is_empty())
                .unwrap_or(now)
                .to_owned()
        };
        Self {
            pk: request.pk.as_str().to_owned(),
            sk: request.sk.as_str().to_owned(),
            event_name: request.event_name.as_str().to_owned(),
            event_data: request.event_data.as_ref().map(|data| data.value().clone()),
            created_at: timestamp(&request.created_at),
            updated_at: timestamp(&request.updated_at),
        }
    }

    pub fn key(&self) -> Key {
        Key::new(&self.pk, &self.sk)
    }

    /// The raw event item of docs/contract.md §4.3.
    pub fn to_item(&self) -> Result<Item, serde_dynamo::Error> {
        let mut item = Item::from(HashMap::<String, AttributeValue>::new());
        item.insert("pk".to_owned(), s(&self.pk));
        item.insert("sk".to_owned(), s(&self.sk));
        item.insert("eventName".to_owned(), s(&self.event_name));
        if let Some(event_data) = &self.event_data {
            item.insert(
                "eventData".to_owned(),
                serde_dynamo::to_attribute_value(event_data)?,
            );
        }
        item.insert("createdAt".to_owned(), s(&self.created_at));
        item.insert("updatedAt".to_owned(), s(&self.updated_at));
        add_event_bookkeeping(&mut item, &self.created_at);
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::{get_s, n};

    use super::*;

    const NOW: &str = "2025-06-19T00:27:33.368Z";

    fn request(json: &str) -> SimulateRawEventRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn non_blank_strings_keep_their_spaces() {
        assert_eq!(NonBlankString::<8>::parse(" a ").unwrap().as_str(), " a ");
        for blank in ["", " ", "\t\n", "\u{FEFF}"] {
            assert!(NonBlankString::<8>::parse(blank).is_err(), "{blank:?}");
        }
    }

    #[test]
    fn keys_and_texts_fit_dynamodb() {
        let with = |field: &str, value: String| {
            let mut body = serde_json::json!({"pk": "p", "sk": "s", "eventName": "E"});
            body[field] = serde_json::Value::String(value);
            serde_json::from_value::<SimulateRawEventRequest>(body)
        };
        assert!(with("pk", "€".repeat(682)).is_ok(), "2,046 bytes");
        assert!(with("pk", "€".repeat(683)).is_err(), "2,049 bytes");
        assert!(with("sk", "k".repeat(1024)).is_ok());
        assert!(with("sk", "k".repeat(1025)).is_err());
        for field in ["eventName", "createdAt", "updatedAt"] {
            assert!(with(field, "t".repeat(1000)).is_ok(), "{field}");
            assert!(with(field, "t".repeat(1001)).is_err(), "{field}");
        }
    }

    fn nested_data(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn event_data_nests_at_most_31_levels_and_holds_storable_numbers() {
        let data = |json: &str| {
            serde_json::from_str::<SimulateRawEventRequest>(&format!(
                r#"{{"pk":"p","sk":"s","eventName":"E","eventData":{json}}}"#
            ))
        };
        assert!(data(&nested_data(31)).is_ok());
        assert!(data(&nested_data(32)).is_err());
        assert!(data(r#"{"a":{"b":[{"c":1}]}}"#).is_ok());
        for number in ["1e126", "1e308", "1e-320", "-1e200", "[1e-131]"] {
            assert!(data(number).is_err(), "{number}");
        }
        for number in [
            "0",
            "-0.0",
            "1e125",
            "18446744073709551615",
            "-9223372036854775808",
        ] {
            assert!(data(number).is_ok(), "{number}");
        }
    }

    #[test]
    fn timestamps_default_to_now_when_absent_or_blank_and_are_trimmed_otherwise() {
        let absent =
            RawEvent::from_request(&request(r#"{"pk":"p","sk":"s","eventName":"E"}"#), NOW);
        assert_eq!(
            (absent.created_at.as_str(), absent.updated_at.as_str()),
            (NOW, NOW)
        );

        let blank = RawEvent::from_request(
            &request(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":"  ","updatedAt":""}"#),
            NOW,
        );
        assert_eq!(
            (blank.created_at.as_str(), blank.updated_at.as_str()),
            (NOW, NOW)
        );

        let given = RawEvent::from_request(
            &request(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":" x ","updatedAt":"y"}"#),
            NOW,
        );
        assert_eq!(
            (given.created_at.as_str(), given.updated_at.as_str()),
            ("x", "y")
        );
    }

    #[test]
    fn items_have_the_raw_event_layout_with_untrimmed_keys() {
        let event = RawEvent::from_request(
            &request(
                r#"{"pk":" EVENTS#ORDER_ID#ORD001","sk":"EVENT#ORDER_SHIPPED_EVENT ","eventName":" ORDER_SHIPPED_EVENT","eventData":{"units":2,"price":22.99,"tags":["a"],"gift":false,"note":null}}"#,
            ),
            NOW,
        );
        let stored = event.to_item().unwrap();
        let mut expected_data = HashMap::new();
        expected_data.insert("units".to_owned(), n(2));
        expected_data.insert("price".to_owned(), n(22.99));
        expected_data.insert("tags".to_owned(), AttributeValue::L(vec![s("a")]));
        expected_data.insert("gift".to_owned(), AttributeValue::Bool(false));
        expected_data.insert("note".to_owned(), AttributeValue::Null(true));
        assert_eq!(
            stored,
            contracts::fixtures::stored_event(
                " EVENTS#ORDER_ID#ORD001",
                "EVENT#ORDER_SHIPPED_EVENT ",
                " ORDER_SHIPPED_EVENT",
                Some(AttributeValue::M(expected_data)),
                NOW
            )
        );
        assert_eq!(
            event.key(),
            Key::new(" EVENTS#ORDER_ID#ORD001", "EVENT#ORDER_SHIPPED_EVENT ")
        );
    }

    #[test]
    fn event_data_absent_is_omitted_and_null_is_a_null_attribute() {
        let absent =
            RawEvent::from_request(&request(r#"{"pk":"p","sk":"s","eventName":"E"}"#), NOW)
                .to_item()
                .unwrap();
        assert!(!absent.contains_key("eventData"));
        let null = RawEvent::from_request(
            &request(r#"{"pk":"p","sk":"s","eventName":"E","eventData":null}"#),
            NOW,
        )
        .to_item()
        .unwrap();
        assert_eq!(null.get("eventData"), Some(&AttributeValue::Null(true)));
        let scalar = RawEvent::from_request(
            &request(r#"{"pk":"p","sk":"s","eventName":"E","eventData":"text"}"#),
            NOW,
        )
        .to_item()
        .unwrap();
        assert_eq!(get_s(&scalar, "eventData"), Some("text"));
    }

    #[test]
    fn the_echo_keeps_the_request_order_and_omits_absent_fields() {
        let echoed = serde_json::to_string(&request(
            r#"{"updatedAt":" u ","eventData":null,"eventName":"E","sk":" s","pk":"p "}"#,
        ))
        .unwrap();
        assert_eq!(
            echoed,
            r#"{"pk":"p ","sk":" s","eventName":"E","eventData":null,"updatedAt":" u "}"#
        );
    }
}
