//! Renders typed conditions, update actions and key conditions into DynamoDB expression strings.
//!
//! Attribute names become `#n<i>` placeholders (so reserved words like `status` need no care) and
//! values become `:v<i>` placeholders; nothing the caller supplies is ever interpolated.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue as SdkValue;
use kernel::table::{AttributeValue, Condition, UpdateAction};

/// The placeholders of one request, shared by all of its expressions.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, SdkValue>,
}

impl Placeholders {
    /// The placeholder of an attribute name; the same name always gets the same placeholder.
    pub(crate) fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, known)| *known == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// A fresh placeholder bound to `value`.
    pub(crate) fn value(&mut self, value: &AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values
            .insert(placeholder.clone(), SdkValue::from(value.clone()));
        placeholder
    }

    /// `ExpressionAttributeNames`, absent when no name was used (DynamoDB rejects an empty map).
    pub(crate) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// `ExpressionAttributeValues`, absent when no value was used (DynamoDB rejects an empty map).
    pub(crate) fn values(&self) -> Option<HashMap<String, SdkValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    /// Renders a condition expression.
    pub(crate) fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::AttributeExists(name) => format!("attribute_exists({})", self.name(name)),
            Condition::AttributeNotExists(name) => {
                format!("attribute_not_exists({})", self.name(name))
            }
            Condition::Equals(name, value) => self.comparison(name, "=", value),
            Condition::NotEquals(name, value) => self.comparison(name, "<>", value),
            Condition::GreaterOrEqual(name, value) => self.comparison(name, ">=", value),
            Condition::And(conditions) if conditions.is_empty() => {
                // DynamoDB has no `TRUE` literal; this tautology stands in for the empty conjunction.
                let pk = self.name("pk");
                format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))")
            }
            Condition::And(conditions) => conditions
                .iter()
                .map(|condition| format!("({})", self.condition(condition)))
                .collect::<Vec<_>>()
                .join(" AND "),
        }
    }

    fn comparison(&mut self, name: &str, operator: &str, value: &AttributeValue) -> String {
        let name = self.name(name);
        let value = self.value(value);
        format!("{name} {operator} {value}")
    }

    /// Renders the `SET` clause of an update expression; `None` when there is nothing to set.
    pub(crate) fn update(&mut self, actions: &[(String, UpdateAction)]) -> Option<String> {
        if actions.is_empty() {
            return None;
        }
        let assignments: Vec<String> = actions
            .iter()
            .map(|(name, action)| self.assignment(name, action))
            .collect();
        Some(format!("SET {}", assignments.join(", ")))
    }

    fn assignment(&mut self, name: &str, action: &UpdateAction) -> String {
        let name = self.name(name);
        match action {
            UpdateAction::Set(value) => format!("{name} = {}", self.value(value)),
            UpdateAction::SetIfNotExists(value) => {
                format!("{name} = if_not_exists({name}, {})", self.value(value))
            }
            UpdateAction::Add(delta) => format!("{name} = {name} + {}", self.value(delta)),
            UpdateAction::AddFromZero(delta) => {
                let zero = self.value(&AttributeValue::N("0".to_owned()));
                format!(
                    "{name} = if_not_exists({name}, {zero}) + {}",
                    self.value(delta)
                )
            }
        }
    }

    /// Renders `name = :value [AND name = :value …]` for a key condition.
    pub(crate) fn key_condition(&mut self, equalities: &[(&str, &str)]) -> String {
        equalities
            .iter()
            .map(|(name, value)| {
                self.comparison(name, "=", &AttributeValue::S((*value).to_owned()))
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::{n, s};

    use super::*;

    #[test]
    fn renders_conditions_with_placeholders_only() {
        let mut placeholders = Placeholders::default();
        let rendered = placeholders.condition(&Condition::And(vec![
            Condition::item_not_exists(),
            Condition::equals("status", s("x' OR 1=1")),
            Condition::not_equals("status", s("b")),
            Condition::greater_or_equal("units", n(3)),
        ]));
        assert_eq!(
            rendered,
            "((attribute_not_exists(#n0)) AND (attribute_not_exists(#n1))) AND (#n2 = :v0) AND (#n2 <> :v1) AND (#n3 >= :v2)"
        );
        let names = placeholders.names().unwrap();
        assert_eq!(names["#n0"], "pk");
        assert_eq!(names["#n1"], "sk");
        assert_eq!(names["#n2"], "status");
        assert_eq!(names["#n3"], "units");
        let values = placeholders.values().unwrap();
        assert_eq!(values[":v0"], SdkValue::S("x' OR 1=1".to_owned()));
        assert_eq!(values[":v2"], SdkValue::N("3".to_owned()));
    }

    #[test]
    fn renders_the_empty_conjunction_as_a_tautology() {
        let mut placeholders = Placeholders::default();
        assert_eq!(
            placeholders.condition(&Condition::And(Vec::new())),
            "(attribute_exists(#n0) OR attribute_not_exists(#n0))"
        );
        assert_eq!(placeholders.values(), None);
    }

    #[test]
    fn renders_every_update_action() {
        let mut placeholders = Placeholders::default();
        let rendered = placeholders.update(&[
            ("a".to_owned(), UpdateAction::Set(s("x"))),
            ("b".to_owned(), UpdateAction::SetIfNotExists(s("y"))),
            ("c".to_owned(), UpdateAction::Add(n(-2))),
            ("d".to_owned(), UpdateAction::AddFromZero(n(5))),
        ]);
        assert_eq!(
            rendered.as_deref(),
            Some(
                "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1), #n2 = #n2 + :v2, #n3 = if_not_exists(#n3, :v3) + :v4"
            )
        );
        let values = placeholders.values().unwrap();
        assert_eq!(values[":v3"], SdkValue::N("0".to_owned()));
        assert_eq!(values[":v4"], SdkValue::N("5".to_owned()));
        assert_eq!(Placeholders::default().update(&[]), None);
    }

    #[test]
    fn renders_key_conditions() {
        let mut placeholders = Placeholders::default();
        assert_eq!(
            placeholders.key_condition(&[("pk", "P"), ("sk", "S")]),
            "#n0 = :v0 AND #n1 = :v1"
        );
        assert_eq!(placeholders.names().unwrap()["#n1"], "sk");
    }
}
