//! `accessgrid sync`: keep a template's passes in step with a desired-state CSV, through
//! the library's reconciliation (`accessgrid::reconcile`).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use accessgrid::reconcile::{Action, Counts, Outcome, Person, Plan, Reconciler, Report, Status};
use accessgrid::webhooks::escape_control;
use accessgrid::{Client, Error};
use serde_json::{json, Value};

use crate::args::SyncArgs;
use crate::Failure;

/// The header the desired-state CSV must have (the door controller's `people.csv`).
const HEADER: [&str; 6] = [
    "pacs_id",
    "full_name",
    "email",
    "site_code",
    "card_number",
    "status",
];

/// One line of the desired-state CSV.
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

/// Reads the desired state: one [`Person`] per line, keyed by `pacs_id` (also the pass's
/// `employee_id`). A file with nothing in it, or only the header, is an empty desired
/// state (which the guard refuses unless forced). Refuses another header, a bad line
/// (named by its number), a repeated `pacs_id`, or a badge number out of range.
fn read_people(path: &Path) -> Result<Vec<Person>, Failure> {
    let shown = escape_control(&path.display().to_string()).into_owned();
    let invalid = |what: String| Failure::Invalid(format!("{shown}: {what}"));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Io(io) => Failure::Other(format!("{shown}: cannot read it: {io}")),
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
    if header != HEADER {
        return Err(invalid(format!(
            "the header must be {}, not {}",
            HEADER.join(","),
            escape_control(&header.join(","))
        )));
    }
    let mut people = Vec::new();
    let mut lines = HashMap::new();
    for (n, row) in reader.deserialize::<Row>().enumerate() {
        let line = n + 2;
        let bad = |what: String| Failure::Invalid(format!("{shown}:{line}: {what}"));
        let row = row.map_err(|e| bad(e.to_string()))?;
        if row.pacs_id.is_empty() || row.full_name.is_empty() {
            return Err(bad("pacs_id and full_name must not be empty".to_owned()));
        }
        if let Some(first) = lines.insert(row.pacs_id.clone(), line) {
            return Err(bad(format!(
                "pacs_id {} is on line {first} already",
                escape_control(&row.pacs_id)
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
                        escape_control(text)
                    ))
                })
        };
        let site_code = number("site_code", &row.site_code, 255)?;
        let card_number = number("card_number", &row.card_number, 65_535)?;
        let status: Status = row.status.parse().map_err(|e: Error| bad(e.to_string()))?;
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

/// Runs `accessgrid sync`.
pub fn run(client: &Client, args: &SyncArgs, json: bool) -> Result<(), Failure> {
    let people = read_people(&args.desired)?;
    let sync = Reconciler::new(client, args.template.clone());
    let plan = sync.plan(&sync.snapshot()?, &people);
    let verdict = plan.check(args.force);
    let mut out = io::stdout().lock();
    if args.dry_run {
        let refused = verdict.err().map(|e| e.to_string());
        if json {
            let doc = json!({
                "dry_run": true,
                "plan": plan_json(&plan),
                "refused": refused,
            });
            writeln!(out, "{doc}")?;
        } else {
            write!(out, "{plan}")?;
            match refused {
                Some(reason) => writeln!(out, "dry run; applying it would be refused: {reason}")?,
                None => writeln!(out, "dry run: nothing changed")?,
            }
        }
        return Ok(out.flush()?);
    }
    // Refused: one line, nothing on standard output, nothing sent.
    verdict?;
    if !json {
        write!(out, "{plan}")?;
        out.flush()?;
    }
    let report = sync.apply(&plan, args.force)?;
    if json {
        let doc = json!({
            "dry_run": false,
            "plan": plan_json(&plan),
            "report": report_json(&report),
            "summary": counts_json(&report.counts()),
        });
        writeln!(out, "{doc}")?;
    } else {
        write!(out, "{report}")?;
        writeln!(out, "{}", summary(&report.counts()))?;
    }
    out.flush()?;
    failed(&report)
}

/// The one summary line.
fn summary(c: &Counts) -> String {
    let mut line = format!(
        "sync: issued {}, updated {}, suspended {}, resumed {}, deleted {}, unchanged {}",
        c.issued, c.updated, c.suspended, c.resumed, c.deleted, c.unchanged
    );
    if c.renewed > 0 {
        line.push_str(&format!(", renewed {}", c.renewed));
    }
    if c.failed > 0 || c.skipped > 0 {
        line.push_str(&format!(", failed {}, skipped {}", c.failed, c.skipped));
    }
    line
}

/// A report with failures: the exit code of the first failure's kind.
fn failed(report: &Report) -> Result<(), Failure> {
    match report.first_error() {
        None => Ok(()),
        Some(e) => {
            let c = report.counts();
            Err(Failure::Partial {
                code: crate::sdk_exit_code(e),
                line: format!(
                    "sync: {} actions failed and {} were skipped; the first: {e}",
                    c.failed, c.skipped
                ),
            })
        }
    }
}

fn counts_json(c: &Counts) -> Value {
    json!({
        "issued": c.issued,
        "updated": c.updated,
        "renewed": c.renewed,
        "suspended": c.suspended,
        "resumed": c.resumed,
        "deleted": c.deleted,
        "unchanged": c.unchanged,
        "failed": c.failed,
        "skipped": c.skipped,
    })
}

fn plan_json(plan: &Plan) -> Value {
    json!({
        "desired": plan.desired(),
        "existing": plan.existing(),
        "counts": counts_json(&plan.counts()),
        "actions": plan.actions().iter().map(action_json).collect::<Vec<_>>(),
        "waiting": plan.waiting().iter().map(|w| json!({
            "key": w.key,
            "pass_id": w.pass_id,
            "reason": w.reason,
        })).collect::<Vec<_>>(),
    })
}

fn action_json(action: &Action) -> Value {
    let mut doc = json!({
        "action": action.verb(),
        "key": action.key(),
        "pass_id": action.pass_id(),
        "reason": action.reason(),
    });
    let extra = match action {
        Action::Issue { person, .. } => json!({
            "full_name": person.full_name,
            "email": person.email,
            "employee_id": person.employee_id,
            "site_code": person.site_code,
            "card_number": person.card_number,
            "status": person.status.as_str(),
        }),
        Action::Update { changes, .. } => json!({
            "changes": changes.iter().map(|c| json!({
                "field": c.field,
                "from": c.from,
                "to": c.to,
            })).collect::<Vec<_>>(),
        }),
        Action::Renew {
            expiration_date,
            resume,
            ..
        } => json!({ "expiration_date": expiration_date, "resume": resume }),
        _ => json!({}),
    };
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        doc.extend(extra);
    }
    doc
}

fn report_json(report: &Report) -> Vec<Value> {
    report
        .entries()
        .iter()
        .map(|(action, outcome)| {
            let mut doc = action_json(action);
            let (what, pass, error) = match outcome {
                Outcome::Done(card) => ("done", serde_json::to_value(card).ok(), None),
                Outcome::Recovered(card) => ("recovered", serde_json::to_value(card).ok(), None),
                Outcome::Failed(e) => ("failed", None, Some(e.to_string())),
                Outcome::Skipped => ("skipped", None, None),
                _ => ("unknown", None, None),
            };
            if let Some(doc) = doc.as_object_mut() {
                doc.insert("outcome".to_owned(), Value::from(what));
                doc.insert("pass".to_owned(), pass.unwrap_or(Value::Null));
                doc.insert("error".to_owned(), error.map_or(Value::Null, Value::from));
            }
            doc
        })
        .collect()
}
