//! Value rules with the original's JavaScript semantics, and the newtype helpers built on them.
//!
//! The original validated with a schema library on JavaScript values, so a faithful port must:
//! trim with `String.prototype.trim`'s whitespace set, count lengths in UTF-16 code units,
//! accept `1.0` as the integer 1, never coerce between strings and numbers, and reject `null`
//! for optional fields that are present.

use serde::{Deserialize, Deserializer, Serializer};

use crate::table::{ListQuery, PageToken};

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// `String.prototype.trim`: Unicode white space, line terminators and the BOM, but not U+0085.
pub fn js_trim(value: &str) -> &str {
    value.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}')
}

/// A string's length as JavaScript counts it (UTF-16 code units).
pub fn utf16_len(value: &str) -> usize {
    value.encode_utf16().count()
}

/// Why a value was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must have at least {min} characters after trimming")]
    TooShort { min: usize },
    #[error("must have at most {max} characters")]
    TooLong { max: usize },
    #[error("must be at most {max} bytes long (UTF-8)")]
    TooManyBytes { max: usize },
    #[error("must be 0 or have a magnitude from 1e-130 to below 1e126 (DynamoDB's number range)")]
    OutsideStorableRange,
    #[error("must not nest objects and arrays more than {max} levels deep")]
    TooDeep { max: usize },
    #[error("must be an integer")]
    NotAnInteger,
    #[error("must be between {min} and {max}")]
    OutOfRange { min: String, max: String },
    #[error("must be a finite number")]
    NotFinite,
    #[error("a nextToken pages through a whole list, so it cannot come with a selector")]
    PageOfOneItem,
}

/// The longest id or name any API accepts, in UTF-16 code units (at most 3 UTF-8 bytes each).
///
/// Why 128: ids become parts of DynamoDB keys, and the longest key holds two of them
/// (`SKU#<sku>#ORDER_ID#<orderId>#ORDER_ALLOCATION`): 2 × 128 × 3 bytes plus the prefixes stays
/// under the 1,024-byte sort-key limit, so every id that is accepted can be stored.
pub const MAX_ID_LEN: usize = 128;

/// Trims `value` and checks the trimmed length is within `min..=max`; returns the trimmed value.
pub fn trimmed_with_len(value: &str, min: usize, max: usize) -> Result<String, ValueError> {
    let trimmed = js_trim(value);
    let length = utf16_len(trimmed);
    if length < min {
        return Err(ValueError::TooShort { min });
    }
    if length > max {
        return Err(ValueError::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// DynamoDB stores numbers of magnitude 1e-130 up to (not including) 1e126, and zero. A finite
/// double has at most 17 significant digits, well within DynamoDB's 38.
pub fn storable_number(value: f64) -> Result<f64, ValueError> {
    let magnitude = value.abs();
    if value.is_finite() && (magnitude == 0.0 || (1e-130..1e126).contains(&magnitude)) {
        Ok(value)
    } else {
        Err(ValueError::OutsideStorableRange)
    }
}

// ---- the rules as `validator` custom functions, for request DTOs ----
//
// `#[derive(validator::Validate)]` DTOs name these in `#[validate(custom(function = …))]`; they
// are the same rules the value newtypes parse with, so a validated DTO always converts.

impl From<ValueError> for validator::ValidationError {
    fn from(error: ValueError) -> Self {
        let code = match error {
            ValueError::TooShort { .. } => "too_short",
            ValueError::TooLong { .. } => "too_long",
            ValueError::TooManyBytes { .. } => "too_many_bytes",
            ValueError::NotAnInteger => "not_an_integer",
            ValueError::OutOfRange { .. } => "out_of_range",
            ValueError::NotFinite => "not_finite",
            ValueError::OutsideStorableRange => "outside_storable_range",
            ValueError::TooDeep { .. } => "too_deep",
            ValueError::PageOfOneItem => "page_of_one_item",
        };
        validator::ValidationError::new(code).with_message(error.to_string().into())
    }
}

/// An id: trimmed, 4 to [`MAX_ID_LEN`] UTF-16 code units.
pub fn js_id(value: &str) -> Result<(), validator::ValidationError> {
    trimmed_with_len(value, 4, MAX_ID_LEN)?;
    Ok(())
}

/// A count: an integer from 1 to 2^53 − 1 (`1.0` is 1).
pub fn js_count(value: f64) -> Result<(), validator::ValidationError> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 2^53 − 1 is exact
    integer_in_range(value, 1, MAX_SAFE_INTEGER as u64)?;
    Ok(())
}

/// A number DynamoDB can store (0, or a magnitude from 1e-130 to below 1e126).
pub fn storable(value: f64) -> Result<(), validator::ValidationError> {
    storable_number(value)?;
    Ok(())
}

/// `limit` of the list APIs: an integer from 1 to [`Limit::MAX`].
pub fn js_limit(value: f64) -> Result<(), validator::ValidationError> {
    Limit::try_from(value)?;
    Ok(())
}

/// A JavaScript number that must be an integer in `min..=max` (so `3.0` is 3).
pub fn integer_in_range(value: f64, min: u64, max: u64) -> Result<u64, ValueError> {
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(ValueError::NotAnInteger);
    }
    // The bounds callers pass are at most 2^53, which a double holds exactly.
    #[allow(clippy::cast_precision_loss)]
    let (low, high) = (min as f64, max as f64);
    if value < low || value > high {
        return Err(ValueError::OutOfRange {
            min: min.to_string(),
            max: max.to_string(),
        });
    }
    // In range and integral, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(value as u64)
}

/// Serializes a number the way `JSON.stringify` prints it: integral values without a fraction.
pub fn serialize_js_number<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() <= MAX_SAFE_INTEGER {
        // Exact: integral and within the safe range.
        #[allow(clippy::cast_possible_truncation)]
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// A stored number, printed the way `JSON.stringify` prints it (`15`, not `15.0`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = f64)]
pub struct JsNumber(#[serde(serialize_with = "serialize_js_number")] pub f64);

/// For an optional field that may be absent but not `null`:
/// `#[serde(default, deserialize_with = "kernel::validation::present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Defines a string newtype that is trimmed and must keep at least `$min` and at most `$max`
/// (default [`MAX_ID_LEN`]) UTF-16 code units. Deserializing is parsing: an invalid value never
/// becomes an instance.
#[macro_export]
macro_rules! trimmed_string {
    ($(#[$meta:meta])* $name:ident, $min:expr) => {
        $crate::trimmed_string!($(#[$meta])* $name, $min, $crate::validation::MAX_ID_LEN);
    };
    ($(#[$meta:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MIN_LEN: usize = $min;
            pub const MAX_LEN: usize = $max;

            pub fn parse(value: &str) -> Result<Self, $crate::validation::ValueError> {
                $crate::validation::trimmed_with_len(value, Self::MIN_LEN, Self::MAX_LEN).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::validation::ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $crate::utoipa::PartialSchema for $name {
            fn schema() -> $crate::utoipa::openapi::RefOr<$crate::utoipa::openapi::schema::Schema> {
                $crate::validation::trimmed_string_schema(Self::MIN_LEN, Self::MAX_LEN)
            }
        }

        impl $crate::utoipa::ToSchema for $name {}
    };
}

/// The schema of a [`trimmed_string!`] type: lengths are UTF-16 code units after trimming.
pub fn trimmed_string_schema(
    min: usize,
    max: usize,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .description(Some(format!(
            "{min} to {max} characters once leading and trailing white space is trimmed"
        )))
        .into()
}

/// `limit` of the list APIs: an integer in 1..=1000 (default 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "f64", into = "u32")]
pub struct Limit(u32);

impl Limit {
    pub const MAX: u32 = 1000;
    pub const DEFAULT: Limit = Limit(50);

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<f64> for Limit {
    type Error = ValueError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        let limit = integer_in_range(value, 1, u64::from(Self::MAX))?;
        Ok(Self(
            u32::try_from(limit).map_err(|_| ValueError::NotAnInteger)?,
        ))
    }
}

impl From<Limit> for u32 {
    fn from(limit: Limit) -> Self {
        limit.0
    }
}

/// The paging fields of a list API's body (flattened into each list body): each optional but
/// never `null`.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Deserialize, validator::Validate, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct PageBody {
    /// In the list's order (orders and payments by creation, SKUs by latest restock): oldest
    /// first (`asc`, the default) or newest first (`desc`).
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub sort_direction: Option<SortDirection>,
    /// Items per page (default 50).
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "js_limit"))]
    #[schema(value_type = Option<u32>, nullable = false, minimum = 1, maximum = 1000)]
    pub limit: Option<f64>,
    /// The `nextToken` of the previous page, to read the page after it (with the same
    /// `sortDirection`). Absent: the first page.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 4096)]
    pub next_token: Option<String>,
}

impl PageBody {
    /// The validated limit as a [`Limit`].
    pub fn limit(&self) -> Result<Option<Limit>, ValueError> {
        self.limit.map(Limit::try_from).transpose()
    }

    /// The list query of this page with a list API's optional selector: the selector's one
    /// item, or one page with the defaults of what is absent.
    pub fn into_query<K>(self, selector: Option<K>) -> Result<ListQuery<K>, ValueError> {
        let next_token = self
            .next_token
            .as_deref()
            .map(PageToken::parse)
            .transpose()?;
        ListQuery::new(selector, self.sort_direction, self.limit()?, next_token)
    }
}

/// `sortDirection` of the list APIs.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

impl SortDirection {
    /// DynamoDB's `ScanIndexForward`.
    pub fn is_forward(self) -> bool {
        matches!(self, Self::Asc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    trimmed_string!(Name, 4);

    #[test]
    fn trims_like_javascript() {
        assert_eq!(js_trim("\u{FEFF}\t abc \u{3000}\n"), "abc");
        assert_eq!(js_trim("\u{85}abc"), "\u{85}abc");
    }

    #[test]
    fn counts_utf16_code_units() {
        assert_eq!(utf16_len("ab😀"), 4);
        assert!(Name::parse("ab😀").is_ok());
        assert!(Name::parse("  abc  ").is_err());
        assert_eq!(Name::parse("  abcd  ").unwrap().as_str(), "abcd");
    }

    #[test]
    fn ids_have_a_maximum_length_that_fits_dynamodb_keys() {
        let longest = "€".repeat(MAX_ID_LEN);
        assert_eq!(Name::parse(&longest).unwrap().as_str(), longest);
        assert_eq!(
            Name::parse(&format!("{longest}€")),
            Err(ValueError::TooLong { max: MAX_ID_LEN })
        );
        // Surrounding spaces do not count; astral characters count twice, as in JavaScript.
        assert!(Name::parse(&format!("  {longest}  ")).is_ok());
        assert!(Name::parse(&"😀".repeat(MAX_ID_LEN / 2 + 1)).is_err());
        // Two ids of the longest kind and the longest prefixes fit a 1,024-byte sort key.
        let key = format!("SKU#{longest}#ORDER_ID#{longest}#ORDER_ALLOCATION");
        assert!(key.len() <= 1024, "{}", key.len());
    }

    #[test]
    fn storable_numbers_follow_dynamodb() {
        for ok in [0.0, -0.0, 1e-130, 9.99e125, -5.5, 123_456.789] {
            assert_eq!(storable_number(ok), Ok(ok), "{ok}");
        }
        for out in [
            1e126,
            1e308,
            1e-131,
            1e-320,
            -1e126,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(
                storable_number(out),
                Err(ValueError::OutsideStorableRange),
                "{out}"
            );
        }
    }

    #[test]
    fn newtypes_deserialize_by_parsing() {
        assert!(serde_json::from_str::<Name>("\" abcd\"").is_ok());
        assert!(serde_json::from_str::<Name>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Name>("1234").is_err());
        assert!(serde_json::from_str::<Name>("null").is_err());
    }

    #[test]
    fn integers_follow_javascript_numbers() {
        assert_eq!(integer_in_range(1.0, 1, 10), Ok(1));
        assert_eq!(integer_in_range(1.5, 1, 10), Err(ValueError::NotAnInteger));
        assert!(integer_in_range(0.0, 1, 10).is_err());
        assert!(integer_in_range(f64::INFINITY, 1, 10).is_err());
    }

    #[test]
    fn limits_and_directions() {
        assert_eq!(serde_json::from_str::<Limit>("1000.0").unwrap().get(), 1000);
        assert!(serde_json::from_str::<Limit>("1001").is_err());
        assert!(serde_json::from_str::<Limit>("0").is_err());
        assert!(serde_json::from_str::<Limit>("\"5\"").is_err());
        assert_eq!(
            serde_json::from_str::<SortDirection>("\"desc\"").unwrap(),
            SortDirection::Desc
        );
        assert!(serde_json::from_str::<SortDirection>("\"DESC\"").is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Optional {
        #[serde(default, deserialize_with = "present")]
        limit: Option<Limit>,
    }

    #[test]
    fn optional_fields_may_be_absent_but_not_null() {
        assert_eq!(serde_json::from_str::<Optional>("{}").unwrap().limit, None);
        assert!(serde_json::from_str::<Optional>(r#"{"limit":null}"#).is_err());
        assert_eq!(
            serde_json::from_str::<Optional>(r#"{"limit":7}"#)
                .unwrap()
                .limit
                .map(Limit::get),
            Some(7)
        );
    }

    #[derive(serde::Serialize)]
    struct Priced {
        #[serde(serialize_with = "serialize_js_number")]
        price: f64,
    }

    #[test]
    fn js_numbers_read_any_number_and_print_like_json_stringify() {
        assert_eq!(
            serde_json::from_str::<JsNumber>("40").unwrap(),
            JsNumber(40.0)
        );
        assert!(serde_json::from_str::<JsNumber>("\"40\"").is_err());
        assert_eq!(
            serde_json::to_string(&[JsNumber(3.0), JsNumber(2.5)]).unwrap(),
            "[3,2.5]"
        );
    }

    #[test]
    fn prints_numbers_like_json_stringify() {
        assert_eq!(
            serde_json::to_string(&Priced { price: 15.0 }).unwrap(),
            r#"{"price":15}"#
        );
        assert_eq!(
            serde_json::to_string(&Priced { price: 33.25 }).unwrap(),
            r#"{"price":33.25}"#
        );
    }
}
