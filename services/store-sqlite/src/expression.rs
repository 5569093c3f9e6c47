//! Evaluates the typed conditions and update actions of the Table port with DynamoDB's rules.
//!
//! Requests are first checked statically (`canonical_*`: malformed ⇒ `ValidationException`
//! before anything is read), then evaluated against the stored item.

use std::cmp::Ordering;
use std::collections::HashSet;

use kernel::table::{AttributeValue, Condition, Item, Update, UpdateAction};

use crate::attribute::{
    Invalid, PK, SK, canonical_value, key_item, type_name, validate_key, validate_stored_item,
};
use crate::number::Decimal;

/// Checks a condition's names and operands and rewrites its values in canonical form.
pub(crate) fn canonical_condition(condition: Condition) -> Result<Condition, Invalid> {
    Ok(match condition {
        Condition::AttributeExists(name) => Condition::AttributeExists(checked_name(name)?),
        Condition::AttributeNotExists(name) => Condition::AttributeNotExists(checked_name(name)?),
        Condition::Equals(name, value) => {
            Condition::Equals(checked_name(name)?, canonical_value(value)?)
        }
        Condition::NotEquals(name, value) => {
            Condition::NotEquals(checked_name(name)?, canonical_value(value)?)
        }
        Condition::GreaterOrEqual(name, value) => {
            let value = canonical_value(value)?;
            match value {
                AttributeValue::N(_) | AttributeValue::S(_) | AttributeValue::B(_) => {}
                AttributeValue::Bool(_)
                | AttributeValue::Null(_)
                | AttributeValue::M(_)
                | AttributeValue::L(_)
                | AttributeValue::Ss(_)
                | AttributeValue::Ns(_)
                | AttributeValue::Bs(_) => {
                    return Err(format!(
                        "Invalid ConditionExpression: Incorrect operand type for operator or \
                         function; operator or function: >=, operand type: {}",
                        type_name(&value)
                    ));
                }
            }
            Condition::GreaterOrEqual(checked_name(name)?, value)
        }
        Condition::And(conditions) => {
            if conditions.is_empty() {
                return Err("Invalid ConditionExpression: an AND needs operands".to_owned());
            }
            Condition::And(
                conditions
                    .into_iter()
                    .map(canonical_condition)
                    .collect::<Result<_, _>>()?,
            )
        }
    })
}

fn checked_name(name: String) -> Result<String, Invalid> {
    if name.is_empty() {
        return Err("ExpressionAttributeNames contains invalid value: Empty attribute name".into());
    }
    Ok(name)
}

/// Whether a (canonical) condition holds for the stored item; an absent item has no attributes.
pub(crate) fn condition_holds(condition: &Condition, item: Option<&Item>) -> bool {
    let attribute = |name: &str| item.and_then(|item| item.get(name));
    match condition {
        Condition::AttributeExists(name) => attribute(name).is_some(),
        Condition::AttributeNotExists(name) => attribute(name).is_none(),
        Condition::Equals(name, expected) => attribute(name).is_some_and(|found| found == expected),
        Condition::NotEquals(name, expected) => attribute(name) != Some(expected),
        Condition::GreaterOrEqual(name, bound) => attribute(name)
            .and_then(|found| compare(found, bound))
            .is_some_and(Ordering::is_ge),
        Condition::And(conditions) => conditions
            .iter()
            .all(|condition| condition_holds(condition, item)),
    }
}

/// Order of two values of the same comparable type; `None` when they cannot be compared
/// (DynamoDB evaluates such a comparison to false).
fn compare(left: &AttributeValue, right: &AttributeValue) -> Option<Ordering> {
    match (left, right) {
        (AttributeValue::N(left), AttributeValue::N(right)) => {
            let (left, right) = (Decimal::parse(left).ok()?, Decimal::parse(right).ok()?);
            Some(left.compare(&right))
        }
        (AttributeValue::S(left), AttributeValue::S(right)) => {
            Some(left.as_bytes().cmp(right.as_bytes()))
        }
        (AttributeValue::B(left), AttributeValue::B(right)) => Some(left.cmp(right)),
        _ => None,
    }
}

/// Checks an update statically and rewrites its values and condition in canonical form.
pub(crate) fn canonical_update(update: Update) -> Result<Update, Invalid> {
    validate_key(&update.key)?;
    let mut seen = HashSet::new();
    let mut actions = Vec::with_capacity(update.actions.len());
    for (name, action) in update.actions {
        let name = checked_name(name)?;
        if name == PK || name == SK {
            return Err(format!(
                "One or more parameter values were invalid: Cannot update attribute {name}. \
                 This attribute is part of the key"
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(format!(
                "Invalid UpdateExpression: Two document paths overlap with each other; must \
                 remove or rewrite one of these paths; path one: [{name}], path two: [{name}]"
            ));
        }
        let action = match action {
            UpdateAction::Set(value) => UpdateAction::Set(canonical_value(value)?),
            UpdateAction::SetIfNotExists(value) => {
                UpdateAction::SetIfNotExists(canonical_value(value)?)
            }
            UpdateAction::Add(delta) => UpdateAction::Add(numeric_operand(delta)?),
            UpdateAction::AddFromZero(delta) => UpdateAction::AddFromZero(numeric_operand(delta)?),
        };
        actions.push((name, action));
    }
    let condition = update.condition.map(canonical_condition).transpose()?;
    Ok(Update {
        actions,
        condition,
        ..update
    })
}

fn numeric_operand(delta: AttributeValue) -> Result<AttributeValue, Invalid> {
    match canonical_value(delta)? {
        number @ AttributeValue::N(_) => Ok(number),
        other => Err(incorrect_operand(&other)),
    }
}

fn incorrect_operand(value: &AttributeValue) -> Invalid {
    format!(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or \
         function: +, operand type: {}",
        type_name(value)
    )
}

const MISSING_ATTRIBUTE: &str =
    "The provided expression refers to an attribute that does not exist in the item";

/// The item after a (canonical) update of `old` (an upsert when `old` is absent). Every operand
/// refers to the item as it was before the update, as in DynamoDB.
pub(crate) fn apply_update(old: Option<&Item>, update: &Update) -> Result<Item, Invalid> {
    let before = |name: &str| old.and_then(|item| item.get(name));
    let mut new = old.cloned().unwrap_or_else(|| key_item(&update.key));
    for (name, action) in &update.actions {
        let value = match action {
            UpdateAction::Set(value) => value.clone(),
            UpdateAction::SetIfNotExists(value) => match before(name) {
                Some(existing) => existing.clone(),
                None => value.clone(),
            },
            UpdateAction::Add(delta) => match before(name) {
                None => return Err(MISSING_ATTRIBUTE.to_owned()),
                Some(existing) => add(existing, delta)?,
            },
            UpdateAction::AddFromZero(delta) => match before(name) {
                None => delta.clone(),
                Some(existing) => add(existing, delta)?,
            },
        };
        new.insert(name.clone(), value);
    }
    validate_stored_item(&new)?;
    Ok(new)
}

fn add(existing: &AttributeValue, delta: &AttributeValue) -> Result<AttributeValue, Invalid> {
    let (AttributeValue::N(existing), AttributeValue::N(delta)) = (existing, delta) else {
        return Err("An operand in the update expression has an incorrect data type".to_owned());
    };
    let parse = |text: &str| Decimal::parse(text).map_err(|error| error.to_string());
    let sum = parse(existing)?
        .add(&parse(delta)?)
        .map_err(|error| error.to_string())?;
    Ok(AttributeValue::N(sum.to_string()))
}

#[cfg(test)]
mod tests {
    use kernel::table::{Key, item, n, s};

    use super::*;

    fn holds(condition: Condition, stored: Option<&Item>) -> bool {
        condition_holds(&canonical_condition(condition).unwrap(), stored)
    }

    #[test]
    fn conditions_follow_dynamodb_rules() {
        let stored = item([
            ("pk", s("p")),
            ("sk", s("s")),
            ("units", n(10)),
            ("name", s("b")),
        ]);
        assert!(holds(Condition::item_exists(), Some(&stored)));
        assert!(holds(Condition::item_not_exists(), None));
        assert!(holds(Condition::equals("units", n("10.0")), Some(&stored)));
        assert!(!holds(Condition::equals("units", s("10")), Some(&stored)));
        assert!(holds(
            Condition::not_equals("missing", s("x")),
            Some(&stored)
        ));
        assert!(holds(
            Condition::not_equals("units", s("10")),
            Some(&stored)
        ));
        assert!(!holds(
            Condition::not_equals("units", n("10.00")),
            Some(&stored)
        ));
        assert!(holds(
            Condition::greater_or_equal("units", n("10.0")),
            Some(&stored)
        ));
        assert!(holds(
            Condition::greater_or_equal("units", n("9.99")),
            Some(&stored)
        ));
        assert!(!holds(
            Condition::greater_or_equal("units", n("10.01")),
            Some(&stored)
        ));
        assert!(!holds(
            Condition::greater_or_equal("units", s("1")),
            Some(&stored)
        ));
        assert!(!holds(
            Condition::greater_or_equal("missing", n(0)),
            Some(&stored)
        ));
        assert!(holds(
            Condition::greater_or_equal("name", s("a")),
            Some(&stored)
        ));
        assert!(!holds(Condition::greater_or_equal("units", n(0)), None));
    }

    #[test]
    fn malformed_conditions_are_invalid() {
        assert!(canonical_condition(Condition::And(vec![])).is_err());
        assert!(canonical_condition(Condition::exists("")).is_err());
        assert!(
            canonical_condition(Condition::greater_or_equal("a", AttributeValue::Bool(true)))
                .is_err()
        );
        assert!(canonical_condition(Condition::equals("a", n("x"))).is_err());
    }

    #[test]
    fn updates_upsert_and_add_exactly() {
        let update = canonical_update(
            Update::new(Key::new("p", "s"))
                .action("units", UpdateAction::AddFromZero(n(5)))
                .action("createdAt", UpdateAction::SetIfNotExists(s("t1")))
                .set("price", n("33.250")),
        )
        .unwrap();
        let created = apply_update(None, &update).unwrap();
        assert_eq!(
            created,
            item([
                ("pk", s("p")),
                ("sk", s("s")),
                ("units", n(5)),
                ("createdAt", s("t1")),
                ("price", n("33.25"))
            ])
        );
        let again = canonical_update(
            Update::new(Key::new("p", "s"))
                .action("units", UpdateAction::Add(n("-0.5")))
                .action("createdAt", UpdateAction::SetIfNotExists(s("t2"))),
        )
        .unwrap();
        let updated = apply_update(Some(&created), &again).unwrap();
        assert_eq!(updated.get("units"), Some(&n("4.5")));
        assert_eq!(updated.get("createdAt"), Some(&s("t1")));
    }

    #[test]
    fn invalid_updates_are_rejected() {
        let key = || Update::new(Key::new("p", "s"));
        assert!(canonical_update(key().set("pk", s("x"))).is_err());
        assert!(canonical_update(key().set("a", s("x")).set("a", s("y"))).is_err());
        assert!(canonical_update(key().action("a", UpdateAction::Add(s("1")))).is_err());
        let add_missing = canonical_update(key().action("a", UpdateAction::Add(n(1)))).unwrap();
        assert_eq!(
            apply_update(None, &add_missing),
            Err(MISSING_ATTRIBUTE.to_owned())
        );
        let stored = item([("pk", s("p")), ("sk", s("s")), ("a", s("text"))]);
        assert!(apply_update(Some(&stored), &add_missing).is_err());
        let bad_index = canonical_update(key().set("gsi1pk", n(1))).unwrap();
        assert!(apply_update(None, &bad_index).is_err());
    }
}
