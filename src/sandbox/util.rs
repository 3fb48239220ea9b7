//! Small helpers of the sandbox: clock, ids, query strings.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// `2024-05-01T12:30:00.123Z` for milliseconds since the epoch.
pub(crate) fn iso8601(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The latest year a date may name: ISO 8601's four digits (and far inside `i64`
/// milliseconds, so no arithmetic on a parsed date can overflow).
const MAX_YEAR: i64 = 9999;

/// Parses an ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T12:30:00`, with optional
/// fraction and `Z` or `±HH:MM` offset; no offset means UTC) to milliseconds since the epoch.
///
/// Client input: every field is range-checked (year 0 to 9999, a day that exists in its
/// month, hours, minutes, seconds and offsets in range, digits only) and every step of the
/// arithmetic is checked, so no text can make it panic or overflow; anything else is `None`.
pub(crate) fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    // Digits only (no sign, no `+`), at most `max_len` of them.
    let num = |s: &str, max_len: usize| -> Option<i64> {
        if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let y = num(parts.next()?, 4)?;
    let m = num(parts.next()?, 2)?;
    let d = num(parts.next()?, 2)?;
    if !(0..=MAX_YEAR).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut millis = days_from_civil(y, m, d).checked_mul(86_400_000)?;
    if let Some(time) = time {
        let (clock, offset_minutes) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(pos) = time.rfind(['+', '-']) {
            // `pos` is the byte of an ASCII sign: both halves are on character boundaries.
            let (c, off) = time.split_at(pos);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let digits: Vec<u8> = off.bytes().skip(1).filter(|b| *b != b':').collect();
            let [h1, h2, m1, m2] = digits[..] else {
                return None;
            };
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (oh, om) = (two(h1, h2)?, two(m1, m2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            (c, sign * (oh * 60 + om))
        } else {
            (time, 0)
        };
        let (hms, fraction) = match clock.split_once('.') {
            Some((hms, f)) => (hms, Some(f)),
            None => (clock, None),
        };
        let mut fields = hms.split(':');
        let h = num(fields.next()?, 2)?;
        let min = num(fields.next()?, 2)?;
        let s = match fields.next() {
            Some(s) => num(s, 2)?,
            None => 0,
        };
        if fields.next().is_some() || h > 23 || min > 59 || s > 60 {
            return None;
        }
        let ms = match fraction {
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
            // Milliseconds: the first three digits (padded), the rest ignored.
            Some(f) => f
                .bytes()
                .chain(*b"000")
                .take(3)
                .fold(0, |acc, b| acc * 10 + i64::from(b - b'0')),
            None => 0,
        };
        let seconds = (h * 60 + min - offset_minutes) * 60 + s;
        millis = millis.checked_add(seconds.checked_mul(1000)?.checked_add(ms)?)?;
    }
    Some(millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A fresh, unpredictable-enough 64-bit number (std's per-process random hash keys).
pub(crate) fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_i64(now_millis());
    h.finish()
}

/// Makes ids unique within one sandbox and unlike those of any other sandbox.
#[derive(Debug)]
pub(crate) struct IdGen {
    salt: u64,
    next: u64,
}

impl IdGen {
    pub(crate) fn new() -> Self {
        IdGen {
            salt: random_u64(),
            next: 1,
        }
    }

    /// An id such as `0x1f3a9c02b7d4`: hex, like the ids AccessGrid hands out.
    pub(crate) fn hex_id(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        let mixed = (self.salt ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(17);
        format!("0x{:012x}", mixed & 0xffff_ffff_ffff)
    }

    /// The next number of a counter (event-log entry ids are numbers).
    pub(crate) fn number(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// A random token of `n` hex digits (secrets, bearer tokens).
    pub(crate) fn token(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits + 16);
        while out.len() < digits {
            self.next += 1;
            let mut h = RandomState::new().build_hasher();
            h.write_u64(self.salt);
            h.write_u64(self.next);
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out.truncate(digits);
        out
    }
}

/// Decodes `%XX` escapes and `+` (as a space) of a query component or path segment.
/// Invalid escapes are kept as written; invalid UTF-8 is replaced.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hi = (bytes[i + 1] as char).to_digit(16);
                let lo = (bytes[i + 2] as char).to_digit(16);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded pairs of a query string, in order.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_times() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_714_566_600_123), "2024-05-01T12:30:00.123Z");
        assert_eq!(
            parse_iso8601("2024-05-01T12:30:00.123Z"),
            Some(1_714_566_600_123)
        );
        assert_eq!(parse_iso8601("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(
            parse_iso8601("2024-05-01T14:30:00+02:00"),
            Some(1_714_566_600_000)
        );
        assert_eq!(
            parse_iso8601("2024-05-01T07:30:00-05:00"),
            Some(1_714_566_600_000)
        );
        assert_eq!(parse_iso8601("2024-13-01"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_iso8601("2024-05-01T25:00:00Z"), None);
        for millis in [0, 951_782_400_000, 4_102_444_800_000] {
            assert_eq!(parse_iso8601(&iso8601(millis)), Some(millis));
        }
    }

    #[test]
    fn refuses_out_of_range_and_odd_dates_without_panicking() {
        for text in [
            "99999999999999-01-01",
            "9223372036854775807-01-01",
            "10000-01-01",
            "-1-01-01",
            "2024-02-30",
            "2023-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-05-00",
            "2024-05-01T12:30:00+99:00",
            "2024-05-01T12:30:00+02:60",
            "2024-05-01T12:30:00+a\u{e9}1",
            "2024-05-01T12:30:00+\u{e9}\u{e9}",
            "2024-05-01T12:30:00-0",
            "2024-05-01T12:30:00.",
            "2024-05-01T12:30:00.1x",
            "2024-05-01T123:00:00",
            "2024-05-01T12:30:00:00",
            "+2024-05-01",
            "2024-+5-01",
        ] {
            assert_eq!(parse_iso8601(text), None, "{text:?}");
        }
        assert_eq!(parse_iso8601("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(
            parse_iso8601("9999-12-31T23:59:59.999Z"),
            Some(253_402_300_799_999)
        );
        assert_eq!(parse_iso8601("0000-01-01"), Some(-62_167_219_200_000));
        assert_eq!(
            parse_iso8601("2024-05-01T12:30:00.123456+00:00"),
            Some(1_714_566_600_123)
        );
    }

    #[test]
    fn ids_differ_between_generators() {
        let mut a = IdGen::new();
        let mut b = IdGen::new();
        let first = a.hex_id();
        assert_eq!(first.len(), 14);
        assert!(first.starts_with("0x"));
        assert_ne!(first, a.hex_id());
        assert_ne!(first, b.hex_id());
        assert_eq!(a.token(40).len(), 40);
    }

    #[test]
    fn decodes_queries() {
        assert_eq!(
            query_pairs("a=1&filters%5Bdevice%5D=watch&s=%7B%22id%22%3A%22x%22%7D&t=a+b&bad=%zz"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("filters[device]".to_owned(), "watch".to_owned()),
                ("s".to_owned(), r#"{"id":"x"}"#.to_owned()),
                ("t".to_owned(), "a b".to_owned()),
                ("bad".to_owned(), "%zz".to_owned()),
            ]
        );
        assert_eq!(percent_decode("%C3%A9%2", false), "é%2");
    }
}
