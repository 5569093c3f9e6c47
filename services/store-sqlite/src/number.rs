//! DynamoDB numbers: exact decimals of at most 38 significant digits.
//!
//! DynamoDB stores `N` values as variable-length decimals ("leading and trailing zeroes are
//! trimmed"), compares them numerically and adds them exactly. We do the same with a digit
//! vector instead of floating point, so `0.1 + 0.2` is `0.3` and `"10"` equals `"10.0"`.
//! Limits (DynamoDB's): 38 significant digits, magnitude in `[1E-130, 1E126)` or zero; anything
//! else is rejected like DynamoDB's `ValidationException`.

use std::cmp::Ordering;
use std::fmt;

/// DynamoDB's precision limit.
const MAX_SIGNIFICANT_DIGITS: usize = 38;
/// The value must be below `10^126`: with `0.d1d2… × 10^exponent`, `exponent <= 126`.
const MAX_EXPONENT: i64 = 126;
/// The value must be at least `10^-130`: `exponent - 1 >= -130`.
const MIN_EXPONENT: i64 = -129;

/// Why a number is not a valid DynamoDB number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("the value {0:?} cannot be converted to a numeric value")]
    NotANumber(String),
    #[error("a number can have at most 38 significant digits")]
    TooPrecise,
    #[error("number overflow: the magnitude is larger than supported")]
    Overflow,
    #[error("number underflow: the magnitude is smaller than supported")]
    Underflow,
}

/// A validated decimal: `(-1)^negative × 0.d1d2…dn × 10^exponent`, with no leading or trailing
/// zero digit (zero has no digits and is never negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Parses DynamoDB's number syntax: `[+-]digits[.digits][(e|E)[+-]digits]`.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        let invalid = || NumberError::NotANumber(text.to_owned());
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent_text) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (integral, fractional) = match mantissa.find('.') {
            Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if integral.is_empty() && fractional.is_empty()
            || !all_digits(integral)
            || !all_digits(fractional)
        {
            return Err(invalid());
        }
        let written_exponent: i64 = match exponent_text {
            None => 0,
            Some(exponent) => {
                let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(invalid());
                }
                // Saturate absurd exponents; the range check below rejects them.
                exponent.parse().unwrap_or(if exponent.starts_with('-') {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                })
            }
        };
        let digits: Vec<u8> = integral
            .bytes()
            .chain(fractional.bytes())
            .map(|byte| byte - b'0')
            .collect();
        // value = 0.(integral fractional) × 10^(len(integral) + written_exponent)
        let exponent = i64::try_from(integral.len())
            .unwrap_or(i64::MAX / 4)
            .saturating_add(written_exponent);
        Self::normalized(negative, digits, exponent).checked()
    }

    /// Strips leading and trailing zero digits and fixes the sign of zero.
    fn normalized(negative: bool, mut digits: Vec<u8>, mut exponent: i64) -> Self {
        let leading = digits.iter().take_while(|digit| **digit == 0).count();
        digits.drain(..leading);
        exponent = exponent.saturating_sub(i64::try_from(leading).unwrap_or(i64::MAX / 4));
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Self::zero();
        }
        Self {
            negative,
            digits,
            exponent,
        }
    }

    fn zero() -> Self {
        Self {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Enforces DynamoDB's precision and range.
    fn checked(self) -> Result<Self, NumberError> {
        if self.is_zero() {
            return Ok(self);
        }
        if self.digits.len() > MAX_SIGNIFICANT_DIGITS {
            return Err(NumberError::TooPrecise);
        }
        if self.exponent > MAX_EXPONENT {
            return Err(NumberError::Overflow);
        }
        if self.exponent < MIN_EXPONENT {
            return Err(NumberError::Underflow);
        }
        Ok(self)
    }

    /// The exact sum, checked against DynamoDB's limits.
    pub fn add(&self, other: &Self) -> Result<Self, NumberError> {
        if self.is_zero() {
            return Ok(other.clone());
        }
        if other.is_zero() {
            return Ok(self.clone());
        }
        // Align both coefficients on the exponent of their last digit.
        let last_exponent = |value: &Self| value.exponent - digit_count(&value.digits);
        let common = last_exponent(self).min(last_exponent(other));
        let aligned = |value: &Self| {
            let mut digits = value.digits.clone();
            let padding = usize::try_from(last_exponent(value) - common).unwrap_or(0);
            digits.resize(digits.len() + padding, 0);
            digits
        };
        let (left, right) = (aligned(self), aligned(other));
        let (negative, digits) = if self.negative == other.negative {
            (self.negative, add_magnitudes(&left, &right))
        } else {
            match compare_magnitudes(&left, &right) {
                Ordering::Equal => return Ok(Self::zero()),
                Ordering::Greater => (self.negative, subtract_magnitudes(&left, &right)),
                Ordering::Less => (other.negative, subtract_magnitudes(&right, &left)),
            }
        };
        let exponent = common + digit_count(&digits);
        Self::normalized(negative, digits, exponent).checked()
    }

    /// Numeric order.
    pub fn compare(&self, other: &Self) -> Ordering {
        let sign = |value: &Self| match (value.is_zero(), value.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        if self.is_zero() {
            return Ordering::Equal;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// DynamoDB's canonical text: plain notation, no leading or trailing zeros, no `-0`.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut text = String::with_capacity(self.digits.len() + 8);
        if self.negative {
            text.push('-');
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let count = digit_count(&self.digits);
        if self.exponent <= 0 {
            text.push_str("0.");
            text.extend(std::iter::repeat_n('0', zeros(-self.exponent)));
            text.push_str(&digits);
        } else if self.exponent < count {
            let split = zeros(self.exponent);
            text.push_str(&digits[..split]);
            text.push('.');
            text.push_str(&digits[split..]);
        } else {
            text.push_str(&digits);
            text.extend(std::iter::repeat_n('0', zeros(self.exponent - count)));
        }
        f.write_str(&text)
    }
}

fn digit_count(digits: &[u8]) -> i64 {
    i64::try_from(digits.len()).unwrap_or(i64::MAX / 4)
}

fn zeros(count: i64) -> usize {
    usize::try_from(count).unwrap_or(0)
}

/// Compares two digit vectors of equal scale as unsigned integers.
fn compare_magnitudes(left: &[u8], right: &[u8]) -> Ordering {
    let significant = |digits: &[u8]| {
        let leading = digits.iter().take_while(|digit| **digit == 0).count();
        digits[leading..].to_vec()
    };
    let (left, right) = (significant(left), significant(right));
    left.len().cmp(&right.len()).then_with(|| left.cmp(&right))
}

fn add_magnitudes(left: &[u8], right: &[u8]) -> Vec<u8> {
    let length = left.len().max(right.len());
    let mut sum = Vec::with_capacity(length + 1);
    let mut carry = 0u8;
    for position in 0..length {
        let digit_at = |digits: &[u8]| {
            digits
                .len()
                .checked_sub(position + 1)
                .map_or(0, |index| digits[index])
        };
        let total = digit_at(left) + digit_at(right) + carry;
        sum.push(total % 10);
        carry = total / 10;
    }
    if carry > 0 {
        sum.push(carry);
    }
    sum.reverse();
    sum
}

/// `left - right`, given `left >= right`.
fn subtract_magnitudes(left: &[u8], right: &[u8]) -> Vec<u8> {
    let mut difference = Vec::with_capacity(left.len());
    let mut borrow = 0u8;
    for position in 0..left.len() {
        let digit_at = |digits: &[u8]| {
            digits
                .len()
                .checked_sub(position + 1)
                .map_or(0, |index| digits[index])
        };
        let subtrahend = digit_at(right) + borrow;
        let minuend = digit_at(left);
        if minuend >= subtrahend {
            difference.push(minuend - subtrahend);
            borrow = 0;
        } else {
            difference.push(minuend + 10 - subtrahend);
            borrow = 1;
        }
    }
    difference.reverse();
    difference
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        Decimal::parse(text).unwrap().to_string()
    }

    fn sum(left: &str, right: &str) -> String {
        Decimal::parse(left)
            .unwrap()
            .add(&Decimal::parse(right).unwrap())
            .unwrap()
            .to_string()
    }

    #[test]
    fn canonical_form_trims_zeros_and_exponents() {
        assert_eq!(canonical("10.0"), "10");
        assert_eq!(canonical("010"), "10");
        assert_eq!(canonical("33.250"), "33.25");
        assert_eq!(canonical("0.1"), "0.1");
        assert_eq!(canonical(".5"), "0.5");
        assert_eq!(canonical("5."), "5");
        assert_eq!(canonical("100000"), "100000");
        assert_eq!(canonical("1E+2"), "100");
        assert_eq!(canonical("1.5e-3"), "0.0015");
        assert_eq!(canonical("-0.00"), "0");
        assert_eq!(canonical("+7"), "7");
        assert_eq!(canonical("-12.3400"), "-12.34");
    }

    #[test]
    fn rejects_what_dynamodb_rejects() {
        for text in [
            "", "-", ".", "abc", "1e", "1e+", "--1", "1.2.3", " 1", "NaN", "Infinity",
        ] {
            assert!(
                matches!(Decimal::parse(text), Err(NumberError::NotANumber(_))),
                "{text:?}"
            );
        }
        assert_eq!(
            Decimal::parse("123456789012345678901234567890123456789"),
            Err(NumberError::TooPrecise)
        );
        assert_eq!(Decimal::parse("1E126"), Err(NumberError::Overflow));
        assert_eq!(Decimal::parse("1E-131"), Err(NumberError::Underflow));
        assert!(Decimal::parse("9.9999999999999999999999999999999999999E+125").is_ok());
        assert!(Decimal::parse("1E-130").is_ok());
    }

    #[test]
    fn adds_exactly() {
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("33.25", "0.1"), "33.35");
        assert_eq!(sum("10", "-3"), "7");
        assert_eq!(sum("3", "-10"), "-7");
        assert_eq!(sum("5", "-5"), "0");
        assert_eq!(sum("99999", "1"), "100000");
        assert_eq!(sum("-0.5", "-0.5"), "-1");
        assert_eq!(sum("0", "-2.5"), "-2.5");
        assert_eq!(sum("1E+20", "1"), "100000000000000000001");
    }

    #[test]
    fn sums_beyond_the_precision_are_rejected() {
        let huge = Decimal::parse("1E+100").unwrap();
        assert_eq!(
            huge.add(&Decimal::parse("1").unwrap()),
            Err(NumberError::TooPrecise)
        );
    }

    #[test]
    fn compares_numerically() {
        let order = |left: &str, right: &str| {
            Decimal::parse(left)
                .unwrap()
                .compare(&Decimal::parse(right).unwrap())
        };
        assert_eq!(order("10", "10.0"), Ordering::Equal);
        assert_eq!(order("9.5", "10"), Ordering::Less);
        assert_eq!(order("100", "99.99"), Ordering::Greater);
        assert_eq!(order("-1", "0"), Ordering::Less);
        assert_eq!(order("-10", "-9"), Ordering::Less);
        assert_eq!(order("0.01", "0.1"), Ordering::Less);
        assert_eq!(order("0", "-0"), Ordering::Equal);
    }
}
