//! The desired state as a CSV file, the format the door-controller example and the CLI's
//! `sync` read (feature `people-csv`).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::{esc, Person, Status};

/// The header a people file must have, in this order.
pub const PEOPLE_CSV_HEADER: [&str; 6] = [
    "pacs_id",
    "full_name",
    "email",
    "site_code",
    "card_number",
    "status",
];

/// One line of the file.
#[derive(Debug, serde::Deserialize)]
struct Row {
    pacs_id: String,
    full_name: String,
    #[serde(default)]
    email: String,
    site_code: String,
    card_number: String,
    status: String,
}

/// Why a people file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeopleFileError {
    /// The file could not be opened or read; the text names it.
    Unreadable(String),
    /// The file's content breaks a rule; the text names the file and, where there is one,
    /// the line.
    Invalid(String),
}

impl fmt::Display for PeopleFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeopleFileError::Unreadable(text) | PeopleFileError::Invalid(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for PeopleFileError {}

/// Reads a people file (header [`PEOPLE_CSV_HEADER`], fields trimmed): one [`Person`] per
/// line, keyed by `pacs_id`, which is also the pass's `employee_id`; an empty `email` is
/// none. A file with nothing in it, or only the header, is an empty desired state (which
/// [`Plan::check`](super::Plan::check) refuses unless forced). Refuses another header, a
/// bad line (named by its number), an empty `pacs_id` or `full_name`, a repeated `pacs_id`,
/// a badge number out of range (facility code 0–255, card number 0–65,535) or an unknown
/// status. Text from the file is escaped in every message.
///
/// ```no_run
/// let people = accessgrid::reconcile::read_people_csv("people.csv".as_ref())?;
/// println!("{} people", people.len());
/// # Ok::<(), accessgrid::reconcile::PeopleFileError>(())
/// ```
pub fn read_people_csv(path: &Path) -> Result<Vec<Person>, PeopleFileError> {
    let shown = esc(&path.display().to_string()).to_string();
    let invalid = |what: String| PeopleFileError::Invalid(format!("{shown}: {what}"));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Io(io) => {
                PeopleFileError::Unreadable(format!("{shown}: cannot read it: {io}"))
            }
            _ => invalid(e.to_string()),
        })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.is_empty() || header == [""] {
        return Ok(Vec::new());
    }
    if header != PEOPLE_CSV_HEADER {
        return Err(invalid(format!(
            "the header must be {}, not {}",
            PEOPLE_CSV_HEADER.join(","),
            esc(&header.join(","))
        )));
    }
    let mut people = Vec::new();
    let mut lines = HashMap::new();
    for (n, row) in reader.deserialize::<Row>().enumerate() {
        let line = n + 2;
        let bad = |what: String| PeopleFileError::Invalid(format!("{shown}:{line}: {what}"));
        let row = row.map_err(|e| bad(e.to_string()))?;
        if row.pacs_id.is_empty() || row.full_name.is_empty() {
            return Err(bad("pacs_id and full_name must not be empty".to_owned()));
        }
        if let Some(first) = lines.insert(row.pacs_id.clone(), line) {
            return Err(bad(format!(
                "pacs_id {} is on line {first} already",
                esc(&row.pacs_id)
            )));
        }
        let number = |field: &str, text: &str, max: u32| {
            text.parse::<u32>()
                .ok()
                .filter(|v| *v <= max)
                .map(|v| v.to_string())
                .ok_or_else(|| {
                    bad(format!(
                        "{field} {} is not a number from 0 to {max}",
                        esc(text)
                    ))
                })
        };
        let site_code = number("site_code", &row.site_code, 255)?;
        let card_number = number("card_number", &row.card_number, 65_535)?;
        let status: Status = row
            .status
            .parse()
            .map_err(|e: crate::Error| bad(e.to_string()))?;
        let mut person = Person::new(row.pacs_id.clone(), row.full_name)
            .employee_id(row.pacs_id)
            .credential(site_code, card_number)
            .status(status);
        if !row.email.is_empty() {
            person = person.email(row.email);
        }
        people.push(person);
    }
    Ok(people)
}
