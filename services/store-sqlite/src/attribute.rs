//! Item and attribute rules DynamoDB enforces on every write, and the canonical forms we store.
//!
//! Canonical forms make "is this the same item?" a structural comparison: numbers are stored
//! in DynamoDB's trimmed text (`"10.0"` ⇒ `"10"`), sets are sorted. A violation is reported as
//! the message of a `ValidationException`.

use std::collections::{BTreeSet, HashMap};

use kernel::table::{AttributeValue, GSI1_NAME, Item, Key};

use crate::number::Decimal;

/// DynamoDB's item size limit (400 KB).
const MAX_ITEM_BYTES: u64 = 400 * 1024;
const MAX_PARTITION_KEY_BYTES: usize = 2048;
const MAX_SORT_KEY_BYTES: usize = 1024;
/// DynamoDB's nesting limit: 32 levels, the item itself being the first, so an attribute may
/// hold at most 31 maps or lists inside one another (pinned by the contract suite).
pub(crate) const MAX_NESTING_DEPTH: usize = 31;
/// DynamoDB's limit on the aggregate size of the items one transaction writes (4 MB).
pub(crate) const MAX_TRANSACTION_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) const PK: &str = "pk";
pub(crate) const SK: &str = "sk";
pub(crate) const GSI1PK: &str = "gsi1pk";
pub(crate) const GSI1SK: &str = "gsi1sk";

/// A DynamoDB `ValidationException` message.
pub(crate) type Invalid = String;

/// Validates a value and rewrites it in canonical form.
pub(crate) fn canonical_value(value: AttributeValue) -> Result<AttributeValue, Invalid> {
    canonical_nested(value, 0)
}

/// [`canonical_value`] of a value inside `depth` maps or lists.
fn canonical_nested(value: AttributeValue, depth: usize) -> Result<AttributeValue, Invalid> {
    let container = matches!(value, AttributeValue::M(_) | AttributeValue::L(_));
    if container && depth >= MAX_NESTING_DEPTH {
        return Err("Nesting Levels have exceeded supported limits".to_owned());
    }
    Ok(match value {
        AttributeValue::N(text) => AttributeValue::N(canonical_number(&text)?),
        AttributeValue::S(text) => AttributeValue::S(text),
        AttributeValue::Bool(flag) => AttributeValue::Bool(flag),
        AttributeValue::B(bytes) => AttributeValue::B(bytes),
        AttributeValue::Null(true) => AttributeValue::Null(true),
        AttributeValue::Null(false) => {
            return Err("Null attribute value types must have the value of true".to_owned());
        }
        AttributeValue::M(map) => AttributeValue::M(
            map.into_iter()
                .map(|(name, value)| Ok((name, canonical_nested(value, depth + 1)?)))
                .collect::<Result<HashMap<_, _>, Invalid>>()?,
        ),
        AttributeValue::L(list) => AttributeValue::L(
            list.into_iter()
                .map(|value| canonical_nested(value, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        AttributeValue::Ss(strings) => AttributeValue::Ss(canonical_set(strings)?),
        AttributeValue::Bs(binaries) => AttributeValue::Bs(canonical_set(binaries)?),
        AttributeValue::Ns(numbers) => {
            let mut decimals = numbers
                .iter()
                .map(|text| Decimal::parse(text).map_err(|error| error.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            decimals.sort_by(Decimal::compare);
            if decimals.is_empty() {
                return Err(EMPTY_SET.to_owned());
            }
            if decimals.windows(2).any(|pair| pair[0] == pair[1]) {
                return Err(DUPLICATES.to_owned());
            }
            AttributeValue::Ns(decimals.iter().map(ToString::to_string).collect())
        }
    })
}

const EMPTY_SET: &str = "One or more parameter values were invalid: a set may not be empty";
const DUPLICATES: &str =
    "One or more parameter values were invalid: Input collection contains duplicates";

fn canonical_set<T: Ord>(members: Vec<T>) -> Result<Vec<T>, Invalid> {
    let count = members.len();
    let sorted: BTreeSet<T> = members.into_iter().collect();
    if sorted.is_empty() {
        return Err(EMPTY_SET.to_owned());
    }
    if sorted.len() != count {
        return Err(DUPLICATES.to_owned());
    }
    Ok(sorted.into_iter().collect())
}

/// DynamoDB's trimmed text of a number, or why it is not one.
pub(crate) fn canonical_number(text: &str) -> Result<String, Invalid> {
    Decimal::parse(text)
        .map(|decimal| decimal.to_string())
        .map_err(|error| error.to_string())
}

/// Validates a whole item for a write and returns it in canonical form with its key.
pub(crate) fn canonical_item(item: Item) -> Result<(Key, Item), Invalid> {
    let attributes = item
        .into_inner()
        .into_iter()
        .map(|(name, value)| {
            if name.is_empty() {
                return Err(
                    "One or more parameter values were invalid: An attribute name is empty"
                        .to_owned(),
                );
            }
            Ok((name, canonical_value(value)?))
        })
        .collect::<Result<HashMap<_, _>, Invalid>>()?;
    let item = Item::from(attributes);
    let key = validate_stored_item(&item)?;
    Ok((key, item))
}

/// The checks on an item as it will be stored: key attributes, index keys, size.
pub(crate) fn validate_stored_item(item: &Item) -> Result<Key, Invalid> {
    let pk = table_key_attribute(item, PK, MAX_PARTITION_KEY_BYTES)?;
    let sk = table_key_attribute(item, SK, MAX_SORT_KEY_BYTES)?;
    for (name, max_bytes) in [
        (GSI1PK, MAX_PARTITION_KEY_BYTES),
        (GSI1SK, MAX_SORT_KEY_BYTES),
    ] {
        match item.get(name) {
            None => {}
            Some(AttributeValue::S(value)) if value.is_empty() => {
                return Err(format!(
                    "One or more parameter values are not valid. A value specified for a \
                     secondary index key is not supported. The AttributeValue for a key \
                     attribute cannot contain an empty string value. IndexName: {GSI1_NAME}, \
                     IndexKey: {name}"
                ));
            }
            Some(AttributeValue::S(value)) if value.len() > max_bytes => {
                return Err(format!(
                    "One or more parameter values were invalid: Size of key {name} is above \
                     the limit of {max_bytes} bytes for IndexName: {GSI1_NAME}"
                ));
            }
            Some(AttributeValue::S(_)) => {}
            Some(other) => {
                return Err(format!(
                    "One or more parameter values were invalid: Type mismatch for Index Key \
                     {name} Expected: S Actual: {} IndexName: {GSI1_NAME}",
                    type_name(other)
                ));
            }
        }
    }
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err("Item size has exceeded the maximum allowed size".to_owned());
    }
    Ok(Key::new(pk, sk))
}

fn table_key_attribute(item: &Item, name: &str, max_bytes: usize) -> Result<String, Invalid> {
    match item.get(name) {
        None => Err(format!(
            "One or more parameter values were invalid: Missing the key {name} in the item"
        )),
        Some(AttributeValue::S(value)) if value.is_empty() => Err(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute \
             cannot contain an empty string value. Key: {name}"
        )),
        Some(AttributeValue::S(value)) if value.len() > max_bytes => Err(format!(
            "One or more parameter values were invalid: Size of key {name} is above the limit"
        )),
        Some(AttributeValue::S(value)) => Ok(value.clone()),
        Some(other) => Err(format!(
            "One or more parameter values were invalid: Type mismatch for key {name} expected: S \
             actual: {}",
            type_name(other)
        )),
    }
}

/// Validates a key used to address an item (get, update, delete, condition check).
pub(crate) fn validate_key(key: &Key) -> Result<(), Invalid> {
    let mut probe = Item::default();
    probe.insert(PK.to_owned(), AttributeValue::S(key.pk.clone()));
    probe.insert(SK.to_owned(), AttributeValue::S(key.sk.clone()));
    validate_stored_item(&probe).map(|_| ())
}

/// The item holding only its key attributes.
pub(crate) fn key_item(key: &Key) -> Item {
    let mut item = Item::default();
    item.insert(PK.to_owned(), AttributeValue::S(key.pk.clone()));
    item.insert(SK.to_owned(), AttributeValue::S(key.sk.clone()));
    item
}

/// The GSI key of an item: both attributes must be present (as strings) for the item to be
/// projected into the index, exactly like DynamoDB's sparse indexes.
pub(crate) fn gsi1_key(item: &Item) -> Option<(&str, &str)> {
    match (item.get(GSI1PK), item.get(GSI1SK)) {
        (Some(AttributeValue::S(partition)), Some(AttributeValue::S(sort))) => {
            Some((partition, sort))
        }
        _ => None,
    }
}

/// DynamoDB's type descriptor of a value.
pub(crate) fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::N(_) => "N",
        AttributeValue::S(_) => "S",
        AttributeValue::Bool(_) => "BOOL",
        AttributeValue::B(_) => "B",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::M(_) => "M",
        AttributeValue::L(_) => "L",
        AttributeValue::Ss(_) => "SS",
        AttributeValue::Ns(_) => "NS",
        AttributeValue::Bs(_) => "BS",
    }
}

/// DynamoDB's item size: attribute names plus values, as documented for capacity units.
pub(crate) fn item_size(item: &Item) -> u64 {
    item.iter()
        .map(|(name, value)| len(name.len()) + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> u64 {
    match value {
        AttributeValue::S(text) => len(text.len()),
        AttributeValue::N(text) => number_size(text),
        AttributeValue::B(bytes) => len(bytes.len()),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, value)| 1 + len(name.len()) + value_size(value))
                .sum::<u64>()
        }
        AttributeValue::L(list) => 3 + list.iter().map(|value| 1 + value_size(value)).sum::<u64>(),
        AttributeValue::Ss(strings) => strings.iter().map(|text| len(text.len())).sum(),
        AttributeValue::Ns(numbers) => numbers.iter().map(|text| number_size(text)).sum(),
        AttributeValue::Bs(binaries) => binaries.iter().map(|bytes| len(bytes.len())).sum(),
    }
}

/// "Approximately (number of significant digits / 2) + 1 bytes".
fn number_size(text: &str) -> u64 {
    let significant = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|digit| *digit == b'0')
        .count();
    len(significant).div_ceil(2) + 1
}

fn len(length: usize) -> u64 {
    u64::try_from(length).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use kernel::table::{item, n, s};

    use super::*;

    #[test]
    fn numbers_are_stored_trimmed_and_sets_sorted() {
        let (key, stored) = canonical_item(item([
            ("pk", s("p")),
            ("sk", s("s")),
            ("units", n("10.0")),
            ("tags", AttributeValue::Ss(vec!["b".into(), "a".into()])),
            ("ns", AttributeValue::Ns(vec!["2.50".into(), "1".into()])),
            (
                "nested",
                AttributeValue::M([("x".to_owned(), n("007"))].into()),
            ),
        ]))
        .unwrap();
        assert_eq!(key, Key::new("p", "s"));
        assert_eq!(stored.get("units"), Some(&n("10")));
        assert_eq!(
            stored.get("tags"),
            Some(&AttributeValue::Ss(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            stored.get("ns"),
            Some(&AttributeValue::Ns(vec!["1".into(), "2.5".into()]))
        );
        assert_eq!(
            stored.get("nested"),
            Some(&AttributeValue::M([("x".to_owned(), n("7"))].into()))
        );
    }

    #[test]
    fn keys_must_be_non_empty_strings() {
        assert!(canonical_item(item([("pk", s("p"))])).is_err());
        assert!(canonical_item(item([("pk", s("")), ("sk", s("s"))])).is_err());
        assert!(canonical_item(item([("pk", n(1)), ("sk", s("s"))])).is_err());
        assert!(canonical_item(item([("pk", s("p")), ("sk", s("s")), ("gsi1pk", n(1))])).is_err());
        assert!(canonical_item(item([("pk", s("p")), ("sk", s("s")), ("gsi1sk", s(""))])).is_err());
        assert!(canonical_item(item([("pk", s("p")), ("sk", s("s")), ("", s("x"))])).is_err());
    }

    #[test]
    fn invalid_values_are_rejected() {
        assert!(canonical_value(n("ten")).is_err());
        assert!(canonical_value(AttributeValue::Null(false)).is_err());
        assert!(canonical_value(AttributeValue::Ss(vec![])).is_err());
        assert!(canonical_value(AttributeValue::Ss(vec!["a".into(), "a".into()])).is_err());
        assert!(canonical_value(AttributeValue::Ns(vec!["1".into(), "1.0".into()])).is_err());
    }

    #[test]
    fn index_keys_have_the_table_key_size_limits() {
        let with = |name: &str, bytes: usize| {
            canonical_item(item([
                ("pk", s("p")),
                ("sk", s("s")),
                (name, s("k".repeat(bytes))),
            ]))
        };
        assert!(with("gsi1pk", 2048).is_ok());
        assert!(with("gsi1pk", 2049).is_err());
        assert!(with("gsi1sk", 1024).is_ok());
        assert!(with("gsi1sk", 1025).is_err());
    }

    #[test]
    fn oversized_items_are_rejected() {
        let big = "x".repeat(401 * 1024);
        assert!(canonical_item(item([("pk", s("p")), ("sk", s("s")), ("blob", s(big))])).is_err());
    }

    #[test]
    fn sizes_follow_dynamodb_rules() {
        let sized = item([("pk", s("ab")), ("n", n("123"))]);
        // "pk" + "ab" = 4; "n" + (3 digits ⇒ 2 + 1) = 4
        assert_eq!(item_size(&sized), 8);
    }
}
