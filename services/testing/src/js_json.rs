//! A JSON value that round-trips like JavaScript's `JSON.parse` + `JSON.stringify`:
//! object keys keep their order (serde_json's `Value` sorts them unless the workspace-wide
//! `preserve_order` feature is on), a repeated key keeps its first position and its last value,
//! and integral numbers print without a fraction (`1.0` ⇒ `1`).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// 2^63: integral doubles below it convert to `i64` exactly.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

#[derive(Clone, Debug, PartialEq)]
pub enum JsValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<JsValue>),
    Object(Vec<(String, JsValue)>),
}

impl Serialize for JsValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(flag) => serializer.serialize_bool(*flag),
            Self::Number(number) => serialize_js_number(number, serializer),
            Self::String(text) => serializer.serialize_str(text),
            Self::Array(values) => serializer.collect_seq(values),
            Self::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (name, value) in entries {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

fn serialize_js_number<S: Serializer>(
    number: &serde_json::Number,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if let Some(integer) = number.as_i64() {
        return serializer.serialize_i64(integer);
    }
    if let Some(integer) = number.as_u64() {
        return serializer.serialize_u64(integer);
    }
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < I64_LIMIT => {
            // Integral and within i64, so the conversion is exact.
            #[allow(clippy::cast_possible_truncation)]
            serializer.serialize_i64(value as i64)
        }
        Some(value) => serializer.serialize_f64(value),
        None => serializer.serialize_unit(),
    }
}

impl<'de> Deserialize<'de> for JsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsValueVisitor)
    }
}

struct JsValueVisitor;

impl<'de> Visitor<'de> for JsValueVisitor {
    type Value = JsValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<JsValue, E> {
        Ok(JsValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<JsValue, E> {
        Ok(JsValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<JsValue, D::Error> {
        JsValue::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<JsValue, E> {
        Ok(JsValue::Bool(flag))
    }

    fn visit_i64<E: de::Error>(self, integer: i64) -> Result<JsValue, E> {
        Ok(JsValue::Number(integer.into()))
    }

    fn visit_u64<E: de::Error>(self, integer: u64) -> Result<JsValue, E> {
        Ok(JsValue::Number(integer.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<JsValue, E> {
        serde_json::Number::from_f64(value)
            .map(JsValue::Number)
            .ok_or_else(|| E::custom("numbers must be finite"))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<JsValue, E> {
        Ok(JsValue::String(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<JsValue, E> {
        Ok(JsValue::String(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsValue, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(JsValue::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsValue, A::Error> {
        let mut entries: Vec<(String, JsValue)> = Vec::new();
        while let Some((name, value)) = map.next_entry::<String, JsValue>()? {
            match entries.iter_mut().find(|(existing, _)| *existing == name) {
                Some(entry) => entry.1 = value,
                None => entries.push((name, value)),
            }
        }
        Ok(JsValue::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(json: &str) -> String {
        serde_json::to_string(&serde_json::from_str::<JsValue>(json).unwrap()).unwrap()
    }

    #[test]
    fn keeps_key_order_like_json_stringify() {
        assert_eq!(
            round_trip(r#"{ "z": 1, "a": {"y": [1, "x", null, true], "b": false} }"#),
            r#"{"z":1,"a":{"y":[1,"x",null,true],"b":false}}"#
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_first_position_and_last_value() {
        assert_eq!(round_trip(r#"{"a":1,"b":2,"a":3}"#), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn prints_numbers_like_javascript() {
        assert_eq!(
            round_trip("[1.0, -0.0, 22.99, 15, -4, 1e3]"),
            "[1,0,22.99,15,-4,1000]"
        );
    }
}
