//! `accessgrid sync`: keep a template's passes in step with a desired-state CSV, through
//! the library's reconciliation (`accessgrid::reconcile`).

use std::io::{self, Write};
use std::path::Path;

use accessgrid::reconcile::{
    read_people_csv, Action, Counts, Outcome, PeopleFileError, Person, Plan, Reconciler, Report,
};
use accessgrid::Client;
use serde_json::{json, Value};

use crate::args::SyncArgs;
use crate::Failure;

/// Reads the desired state (`accessgrid::reconcile::read_people_csv`: the door
/// controller's `people.csv`, one person per line keyed by `pacs_id`). A file with nothing
/// in it, or only the header, is an empty desired state (which the guard refuses unless
/// forced); an unreadable file is exit 1, a bad one (named by line) exit 2.
fn read_people(path: &Path) -> Result<Vec<Person>, Failure> {
    read_people_csv(path).map_err(|e| match e {
        PeopleFileError::Unreadable(text) => Failure::Other(text),
        other => Failure::Invalid(other.to_string()),
    })
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
