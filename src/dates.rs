//! ISO 8601 / RFC 3339 dates, the one reader and writer of the crate: the sandbox reads the
//! dates clients send with it (a date it cannot read is a 422), and [`crate::reconcile`]
//! the expiries the server sends (a date it cannot read is treated as no date).
//!
//! No crate is used: the field's well-kept ones (`time`, `chrono`, `jiff`) are far larger
//! than these few functions, and their RFC 3339 readers refuse the bare dates
//! (`2026-05-01`) and offset-less date-times the API takes.

use std::time::{SystemTime, UNIX_EPOCH};

/// The latest year a date may name: ISO 8601's four digits (and far inside `i64`
/// milliseconds, so no arithmetic on a parsed date can overflow).
const MAX_YEAR: i64 = 9999;

/// Milliseconds since the Unix epoch of `time` (0 before the epoch, `i64::MAX` past it).
pub(crate) fn millis_since_epoch(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Milliseconds since the Unix epoch, now.
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub(crate) fn now_millis() -> i64 {
    millis_since_epoch(SystemTime::now())
}

/// `2024-05-01T12:30:00Z` for milliseconds since the epoch (to the second).
pub(crate) fn format(millis: i64) -> String {
    let (date_time, _) = split_format(millis);
    format!("{date_time}Z")
}

/// `2024-05-01T12:30:00.123Z` for milliseconds since the epoch (to the millisecond).
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub(crate) fn format_millis(millis: i64) -> String {
    let (date_time, ms) = split_format(millis);
    format!("{date_time}.{ms:03}Z")
}

/// `2024-05-01T12:30:00` and the milliseconds past that second.
fn split_format(millis: i64) -> (String, i64) {
    let secs = millis.div_euclid(1000);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let date_time = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    );
    (date_time, millis.rem_euclid(1000))
}

/// Parses an ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T12:30:00`, `T`, `t` or a
/// space between; an optional fraction; a `Z` or `±HH:MM`, `±HHMM` or `±HH` offset, none
/// meaning UTC) to milliseconds since the epoch.
///
/// Strict, as input from outside the library needs: every field is range-checked (year 0
/// to 9999, a day that exists in its month, hours, minutes, seconds and offsets in range,
/// digits only) and every step of the arithmetic is checked, so no text can make it panic
/// or overflow; anything else is `None`.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let y = digits(parts.next()?, 4)?;
    let m = digits(parts.next()?, 2)?;
    let d = digits(parts.next()?, 2)?;
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
            (c, offset(off)?)
        } else {
            (time, 0)
        };
        let (hms, fraction) = match clock.split_once('.') {
            Some((hms, f)) => (hms, Some(f)),
            None => (clock, None),
        };
        let mut fields = hms.split(':');
        let h = digits(fields.next()?, 2)?;
        let min = digits(fields.next()?, 2)?;
        let s = match fields.next() {
            Some(s) => digits(s, 2)?,
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

/// Digits only (no sign, no `+`), one to `max_len` of them.
fn digits(s: &str, max_len: usize) -> Option<i64> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An offset's minutes east of UTC: `+02:00`, `-0530` or `+02` (the sign included).
fn offset(text: &str) -> Option<i64> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let rest = text.get(1..)?;
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) if h.len() == 2 && m.len() == 2 => (h, m),
        Some(_) => return None,
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None if rest.len() == 2 => (rest, "00"),
        None => return None,
    };
    let (h, m) = (digits(h, 2)?, digits(m, 2)?);
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_times() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1_714_566_600_123), "2024-05-01T12:30:00.123Z");
        assert_eq!(format(1_714_566_600_123), "2024-05-01T12:30:00Z");
        assert_eq!(parse("2024-05-01T12:30:00.123Z"), Some(1_714_566_600_123));
        assert_eq!(parse("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(parse("2024-05-01T14:30:00+02:00"), Some(1_714_566_600_000));
        assert_eq!(parse("2024-05-01T07:30:00-05:00"), Some(1_714_566_600_000));
        assert_eq!(parse("2024-05-01T07:30:00-0500"), Some(1_714_566_600_000));
        assert_eq!(parse("2024-05-01T14:30:00+02"), Some(1_714_566_600_000));
        assert_eq!(parse("2024-13-01"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2024-05-01T25:00:00Z"), None);
        for millis in [0, 951_782_400_000, 4_102_444_800_000] {
            assert_eq!(parse(&format_millis(millis)), Some(millis));
        }
    }

    #[test]
    fn dates_round_trip_and_refuse_nonsense() {
        let t = parse("2026-11-30T12:34:56Z").expect("a date-time");
        assert_eq!(format(t), "2026-11-30T12:34:56Z");
        assert_eq!(parse("2026-11-30"), parse("2026-11-30T00:00:00Z"));
        assert_eq!(parse("2026-11-30 14:34:56+02:00"), Some(t));
        assert_eq!(parse("2026-11-30T12:34:56.5Z"), Some(t + 500));
        for bad in [
            "",
            "x",
            "2026-13-01",
            "2026-1-1T25:00:00Z",
            "99999-01-01",
            "2026-01-01T-1:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
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
            "2024-05-01T12:30:00+\u{e9}",
            "2024-05-01T12:30:00+0\u{e9}0",
            "2024-05-01T12:30:00-0",
            "2024-05-01T12:30:00-020",
            "2024-05-01T12:30:00-2:00",
            "2024-05-01T12:30:00+",
            "2024-05-01T12:30:00.",
            "2024-05-01T12:30:00.1x",
            "2024-05-01T123:00:00",
            "2024-05-01T12:30:00:00",
            "+2024-05-01",
            "2024-+5-01",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
        assert_eq!(parse("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse("9999-12-31T23:59:59.999Z"), Some(253_402_300_799_999));
        assert_eq!(parse("0000-01-01"), Some(-62_167_219_200_000));
        assert_eq!(
            parse("2024-05-01T12:30:00.123456+00:00"),
            Some(1_714_566_600_123)
        );
    }

    #[test]
    fn times_before_the_epoch_are_zero() {
        assert_eq!(millis_since_epoch(UNIX_EPOCH), 0);
        assert_eq!(
            millis_since_epoch(UNIX_EPOCH - std::time::Duration::from_secs(1)),
            0
        );
        assert_eq!(
            millis_since_epoch(UNIX_EPOCH + std::time::Duration::from_millis(1_500)),
            1_500
        );
    }
}
