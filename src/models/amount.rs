//! [`Amount`]: an exact decimal amount, as the ledger sends it.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// An exact decimal amount, such as a ledger item's `"-49.0"`.
///
/// The server sends amounts as decimal strings; `Amount` keeps the text exactly as sent, so
/// nothing is rounded by storing or re-sending it. Read it as:
/// - [`Amount::as_str`]: the exact text;
/// - [`Amount::to_minor_units`] / [`Amount::to_cents`]: an exact integer count of
///   hundredths (or any other decimal unit);
/// - [`Amount::to_f64`]: the nearest `f64`, for display or rough arithmetic.
///
/// Equality compares the text: `"-49.0"` and `"-49"` are different texts of one value;
/// compare `to_minor_units` to compare values.
///
/// ```
/// use accessgrid::models::Amount;
///
/// let amount: Amount = "-49.05".parse()?;
/// assert_eq!(amount.as_str(), "-49.05");
/// assert_eq!(amount.to_cents(), Some(-4905));
/// assert_eq!(amount.to_minor_units(0), None); // not a whole number
/// assert_eq!(amount.to_f64(), -49.05);
/// assert!(amount.is_negative());
/// # Ok::<(), accessgrid::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amount(String);

/// The parts of a decimal text: `[sign] digits [. digits] [e|E [sign] digits]`.
struct Parts<'a> {
    negative: bool,
    /// Integer and fraction digits, concatenated.
    digits: String,
    /// How many of `digits` are after the point.
    fraction_len: usize,
    exponent: &'a str,
}

fn parse(text: &str) -> Option<Parts<'_>> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, ""),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if mantissa.ends_with('.') {
        return None;
    }
    if rest.contains(['e', 'E']) {
        let unsigned = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        if unsigned.is_empty() || !all_digits(unsigned) {
            return None;
        }
    }
    Some(Parts {
        negative,
        digits: format!("{whole}{fraction}"),
        fraction_len: fraction.len(),
        exponent,
    })
}

impl Amount {
    /// The amount exactly as the server wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64`. Fine for display; use [`Amount::to_minor_units`] for sums that
    /// must be exact.
    pub fn to_f64(&self) -> f64 {
        // Every text `Amount` accepts is one Rust's float parser reads.
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The amount as an exact whole number of `10^-decimals` units: with `decimals = 2`,
    /// `"-49.0"` is `-4900` (hundredths). `None` if that is not a whole number (the amount
    /// has non-zero digits beyond `decimals` places) or does not fit in an `i128`.
    pub fn to_minor_units(&self, decimals: u32) -> Option<i128> {
        let parts = parse(&self.0)?;
        let digits = parts.digits.trim_start_matches('0');
        if digits.is_empty() {
            return Some(0);
        }
        let exponent: i64 = if parts.exponent.is_empty() {
            0
        } else {
            parts.exponent.parse().ok()?
        };
        let fraction_len = i64::try_from(parts.fraction_len).ok()?;
        let shift = exponent
            .checked_sub(fraction_len)?
            .checked_add(i64::from(decimals))?;
        let magnitude: i128 = if shift >= 0 {
            let scale = 10i128.checked_pow(u32::try_from(shift).ok()?)?;
            digits.parse::<i128>().ok()?.checked_mul(scale)?
        } else {
            let drop = usize::try_from(shift.unsigned_abs()).ok()?;
            if drop >= digits.len() {
                return None; // non-zero digits, all of them below the unit
            }
            let (kept, dropped) = digits.split_at(digits.len() - drop);
            if dropped.bytes().any(|b| b != b'0') {
                return None;
            }
            kept.parse::<i128>().ok()?
        };
        Some(if parts.negative {
            -magnitude
        } else {
            magnitude
        })
    }

    /// The amount in exact hundredths (cents): `to_minor_units(2)`.
    pub fn to_cents(&self) -> Option<i128> {
        self.to_minor_units(2)
    }

    /// Whether the amount is below zero (a charge, in the ledger).
    pub fn is_negative(&self) -> bool {
        parse(&self.0).is_some_and(|p| p.negative && p.digits.bytes().any(|b| b != b'0'))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Amount {
    type Err = Error;

    /// Accepts a decimal number: an optional sign, digits, an optional point followed by
    /// digits, and an optional exponent (`-49.0`, `12`, `1.5e3`).
    fn from_str(text: &str) -> Result<Self, Error> {
        match parse(text) {
            Some(_) => Ok(Amount(text.to_owned())),
            None => Err(Error::invalid(
                "amount",
                format!("`{text}` is not a decimal number"),
            )),
        }
    }
}

impl TryFrom<&str> for Amount {
    type Error = Error;
    fn try_from(text: &str) -> Result<Self, Error> {
        text.parse()
    }
}

impl TryFrom<String> for Amount {
    type Error = Error;
    fn try_from(text: String) -> Result<Self, Error> {
        match parse(&text) {
            Some(_) => Ok(Amount(text)),
            None => text.as_str().parse(),
        }
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    /// Reads a decimal string, or (leniently) a JSON number, kept as its text.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount such as \"-49.0\"")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Amount, E> {
                match parse(text) {
                    Some(_) => Ok(Amount(text.to_owned())),
                    None => Err(E::invalid_value(serde::de::Unexpected::Str(text), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Amount, E> {
                Ok(Amount(n.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Amount, E> {
                Ok(Amount(n.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Amount, E> {
                if n.is_finite() {
                    // Rust writes a float as its shortest exact decimal, never with an exponent.
                    Ok(Amount(n.to_string()))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        match text.parse() {
            Ok(a) => a,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn accepted_texts_read_exactly() {
        assert_eq!(amount("-49.0").to_cents(), Some(-4900));
        assert_eq!(amount("0.1").to_cents(), Some(10));
        assert_eq!(amount("+12").to_minor_units(0), Some(12));
        assert_eq!(amount("1.005").to_cents(), None);
        assert_eq!(amount("1.005").to_minor_units(3), Some(1005));
        assert_eq!(amount("1.50e2").to_minor_units(0), Some(150));
        assert_eq!(amount("15E-1").to_minor_units(1), Some(15));
        assert_eq!(amount("-0.00").to_cents(), Some(0));
        assert!(!amount("-0.00").is_negative());
        assert!(amount("-0.01").is_negative());
        assert_eq!(amount("0.001").to_cents(), None);
        assert_eq!(amount("1e400").to_cents(), None);
        assert_eq!(amount("0e400").to_cents(), Some(0));
        assert_eq!(
            amount("12345678901234567890.12").to_cents(),
            Some(1_234_567_890_123_456_789_012)
        );
        // No float rounding anywhere: 0.1 + 0.2 in cents is exactly 30.
        assert_eq!(
            amount("0.1")
                .to_cents()
                .zip(amount("0.2").to_cents())
                .map(|(a, b)| a + b),
            Some(30)
        );
    }

    #[test]
    fn every_accepted_text_has_a_float_reading() {
        for text in ["-49.0", "+1", "1.5e3", "1E-2", "007", "0.000"] {
            assert!(amount(text).to_f64().is_finite(), "{text}");
        }
        assert_eq!(amount("-49.0").to_f64(), -49.0);
    }

    #[test]
    fn refused_texts() {
        for text in [
            "", "-", "abc", "1.", ".5", "1.2.3", "1e", "1e+", "--1", "1,5", " 1", "NaN",
        ] {
            assert!(text.parse::<Amount>().is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn serde_keeps_the_text() {
        let a: Amount = serde_json::from_str(r#""-49.0""#).expect("a string");
        assert_eq!(a.as_str(), "-49.0");
        assert_eq!(serde_json::to_string(&a).expect("json"), r#""-49.0""#);
        let n: Amount = serde_json::from_str("-49.5").expect("a number");
        assert_eq!(n.as_str(), "-49.5");
        let i: Amount = serde_json::from_str("12").expect("an integer");
        assert_eq!(i.to_cents(), Some(1200));
        assert!(serde_json::from_str::<Amount>(r#""forty""#).is_err());
        assert!(serde_json::from_str::<Amount>("true").is_err());
    }
}
