//! Small helpers of the sandbox: clock, ids, query strings.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

pub(crate) use crate::dates::{format_millis as iso8601, now_millis, parse as parse_iso8601};

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
