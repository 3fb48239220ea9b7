//! What the commands print: a key–value view or a table for people, JSON for scripts, a
//! progress bar on a terminal's standard error for work over many pages.

use std::io::{self, IsTerminal, Write};

use accessgrid::webhooks::escape_control;
use accessgrid::{Error, Page, Pages};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::Value;

use crate::Failure;

/// The widest a table cell gets, in characters; longer text is cut and marked with `…`.
const CELL_MAX: usize = 40;

/// Whether to colour a stream: only a terminal, and never with `NO_COLOR` set (to anything
/// but the empty string, as no-color.org says).
pub fn colour_for(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// How to print.
pub struct Output {
    json: bool,
    colour: bool,
    progress: bool,
}

impl Output {
    /// Output as the flags and the terminals ask.
    pub fn new(json: bool) -> Output {
        Output {
            json,
            colour: colour_for(io::stdout().is_terminal()),
            progress: io::stderr().is_terminal(),
        }
    }

    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.json
    }

    fn bold(&self, text: &str) -> String {
        if self.colour {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// One answer: a key–value view, or one JSON document.
    pub fn one<T: Serialize>(&self, value: &T) -> Result<(), Failure> {
        let value = to_value(value)?;
        let mut out = io::stdout().lock();
        if self.json {
            writeln!(out, "{value}")?;
            return Ok(out.flush()?);
        }
        let mut rows = Vec::new();
        flatten("", &value, &mut rows);
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (key, text) in rows {
            let pad = width - key.chars().count();
            writeln!(out, "{}:{} {}", self.bold(&key), " ".repeat(pad), text)?;
        }
        Ok(out.flush()?)
    }

    /// A confirmation for an answer without a body (a delete): `{"id": ..., what: true}`.
    pub fn done(&self, id: &str, what: &str) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        if self.json {
            let mut doc = serde_json::Map::new();
            doc.insert("id".to_owned(), Value::from(id));
            doc.insert(what.to_owned(), Value::Bool(true));
            writeln!(out, "{}", Value::Object(doc))?;
        } else {
            writeln!(out, "{what} {}", escape_control(id))?;
        }
        Ok(out.flush()?)
    }

    /// One page: a table (and the page figures on standard error), or the page as one JSON
    /// document (`{"items": [...], "info": {...}}`).
    pub fn page<T: Serialize>(&self, page: &Page<T>, columns: &[&str]) -> Result<(), Failure> {
        if self.json {
            let mut out = io::stdout().lock();
            writeln!(out, "{}", to_value(page)?)?;
            return Ok(out.flush()?);
        }
        let items = page
            .items()
            .iter()
            .map(to_value)
            .collect::<Result<Vec<_>, _>>()?;
        self.table(&items, columns)?;
        let info = page.info();
        if let (Some(current), Some(total)) = (info.current_page, info.total_pages) {
            if total > 1 {
                eprintln!("page {current} of {total} (--page N for another, --all for every one)");
            }
        }
        Ok(())
    }

    /// A paginated list: with `--all` every item from the query's page on (`every`, see
    /// [`Output::all`]), else the one page the query names (`one`, see [`Output::page`]).
    pub fn list<'c, T: Serialize, Q>(
        &self,
        all: bool,
        query: Q,
        every: impl FnOnce(Q) -> Result<Pages<'c, T>, Error>,
        one: impl FnOnce(Q) -> Result<Page<T>, Error>,
        columns: &[&str],
    ) -> Result<(), Failure> {
        if all {
            self.all(every(query), columns)
        } else {
            self.page(&one(query)?, columns)
        }
    }

    /// Every item of a paginated list: a table, or one JSON object per line, printed as the
    /// pages arrive; a spinner with the count on a terminal's standard error.
    pub fn all<T: Serialize>(
        &self,
        pages: Result<Pages<'_, T>, Error>,
        columns: &[&str],
    ) -> Result<(), Failure> {
        let pages = pages?;
        let bar = if self.progress {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} read ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            // Turns while a page is on its way, not only when an item arrives.
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut items = Vec::new();
        let mut failure = None;
        for item in pages {
            match item.map_err(Failure::from).and_then(|i| to_value(&i)) {
                Ok(value) if self.json => {
                    let mut out = io::stdout().lock();
                    let written = writeln!(out, "{value}").and_then(|()| out.flush());
                    if let Err(e) = written {
                        failure = Some(Failure::from(e));
                        break;
                    }
                }
                Ok(value) => items.push(value),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        if let Some(e) = failure {
            return Err(e);
        }
        if !self.json {
            self.table(&items, columns)?;
        }
        Ok(())
    }

    /// A table of the given columns (dotted paths into each item).
    fn table(&self, items: &[Value], columns: &[&str]) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        if items.is_empty() {
            writeln!(out, "(none)")?;
            return Ok(out.flush()?);
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| columns.iter().map(|c| cell(lookup(item, c))).collect())
            .collect();
        let headers: Vec<String> = columns
            .iter()
            .map(|c| c.replace(['.', '_'], " ").to_uppercase())
            .collect();
        let widths: Vec<usize> = (0..columns.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([headers[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    text.push_str(c);
                } else {
                    text.push_str(c);
                    text.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
                }
            }
            text
        };
        writeln!(out, "{}", self.bold(line(&headers).trim_end()))?;
        for row in &rows {
            writeln!(out, "{}", line(row).trim_end())?;
        }
        Ok(out.flush()?)
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Other(format!("could not print: {e}")))
}

/// The value at a dotted path (`ios_template.id`).
fn lookup<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(item, |v, key| v.get(key))
}

/// A value as a table cell: one line, escaped, cut to [`CELL_MAX`] characters.
fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(v) => scalar(v),
    };
    if text.chars().count() > CELL_MAX {
        let mut cut: String = text.chars().take(CELL_MAX - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

/// A value as one line of text, control characters escaped.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => escape_control(s).into_owned(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        other => escape_control(&other.to_string()).into_owned(),
    }
}

/// The key–value rows of a value: nested objects as `a.b`, lists of objects as `a[0].b`;
/// nulls left out.
fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    let join = |key: &str| {
        let key = escape_control(key);
        if prefix.is_empty() {
            key.into_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                flatten(&join(key), v, rows);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, rows);
            }
        }
        other => rows.push((prefix.to_owned(), scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_flattens_to_dotted_rows_without_nulls() {
        let mut rows = Vec::new();
        let value = json!({
            "id": "c1",
            "gone": null,
            "metadata": {"team": "eng"},
            "tags": ["a", "b"],
            "none": [],
            "devices": [{"id": "d1"}],
        });
        flatten("", &value, &mut rows);
        let rows: Vec<(&str, &str)> = rows.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("devices[0].id", "d1"),
                ("id", "c1"),
                ("metadata.team", "eng"),
                ("none", "[]"),
                ("tags", "a, b"),
            ]
        );
    }

    #[test]
    fn cells_are_one_escaped_line_cut_to_the_limit() {
        assert_eq!(cell(Some(&json!("Eve\u{1b}[2J\nx"))), "Eve\\u{1b}[2J\\nx");
        assert_eq!(cell(None), "-");
        assert_eq!(cell(Some(&Value::Null)), "-");
        let long = cell(Some(&json!("x".repeat(100))));
        assert_eq!(long.chars().count(), CELL_MAX);
        assert!(long.ends_with('…'));
        assert_eq!(cell(Some(&json!(-1.5))), "-1.5");
    }

    #[test]
    fn a_dotted_path_reaches_nested_values() {
        let item = json!({"ios_template": {"id": "t1"}});
        assert_eq!(lookup(&item, "ios_template.id"), Some(&json!("t1")));
        assert_eq!(lookup(&item, "android_template.id"), None);
    }
}
