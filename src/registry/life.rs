//! A case's life after registration, stored: loads what `domain::life::decide` needs,
//! asks it, and writes its answer (status, route, deadline, field changes, history and
//! audit entries) in one transaction. The rules themselves live in `domain`.

use super::{record, Record, Registry, RegistryError, Result};
use crate::domain::life::{Change, Due};
use crate::domain::{decide, Action, CaseState, Purpose, Refusal, Role, Rules, Status, Transition};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

/// Who asks for a change: the role the policy checks, the name the history and audit log
/// record (`user:…`, `cli:…`), and the client's address.
#[derive(Debug, Clone)]
pub struct Actor {
    pub role: Role,
    pub name: String,
    pub address: Option<String>,
}

impl Registry {
    /// Applies `action` to a case if the case life allows it: the transition stored, or
    /// why it was refused (nothing stored then).
    pub fn apply(
        &mut self,
        case_id: i64,
        action: &Action,
        actor: &Actor,
        rules: Rules<'_>,
    ) -> Result<std::result::Result<Transition, Refusal>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        type Row = (String, Option<String>, String, bool, String, bool);
        let row: Option<Row> = tx
            .query_row(
                "SELECT status, due_at, text, accusation, accused,
                        EXISTS (SELECT 1 FROM events WHERE case_id = cases.id AND action = 'extend')
                 FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((status, due, text, accusation, accused, extended)) = row else {
            return Ok(Err(Refusal::NotFound));
        };
        let status = parse_status(case_id, &status)?;
        let accused: Vec<String> = serde_json::from_str(&accused).unwrap_or_default();
        let state = CaseState {
            status,
            due: due
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            extended,
            text: &text,
            accusation,
            accused: &accused,
        };
        let today = chrono::Local::now().date_naive();
        let t = match decide(&state, action, actor.role, today, rules) {
            Ok(t) => t,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if let Some(status) = t.status {
            tx.execute(
                "UPDATE cases SET status = ?2 WHERE id = ?1",
                params![case_id, status.as_str()],
            )?;
        }
        if let Some((kind, body)) = &t.route {
            tx.execute(
                "UPDATE cases SET route_kind = ?2, route_body = ?3 WHERE id = ?1",
                params![case_id, kind.as_str(), body],
            )?;
        }
        match t.due {
            Due::Keep => {}
            Due::Set(_) | Due::Clear => {
                tx.execute(
                    "UPDATE cases SET due_at = ?2 WHERE id = ?1",
                    params![case_id, t.due_text()],
                )?;
            }
        }
        for change in &t.changes {
            write_change(&tx, case_id, change)?;
        }
        let due = t.due_text();
        for e in &t.entries {
            record(
                &tx,
                Record {
                    case_id,
                    actor: &actor.name,
                    address: actor.address.as_deref(),
                    event: e.event.as_str(),
                    detail: e.detail.as_deref(),
                    due: due.as_deref(),
                    audit: &e.audit,
                },
            )?;
        }
        tx.commit()?;
        Ok(Ok(t))
    }
}

/// A stored status, or an error naming the case (a database written by something else).
pub(crate) fn parse_status(case_id: i64, code: &str) -> Result<Status> {
    Status::parse(code)
        .ok_or_else(|| RegistryError::Io(format!("case {case_id} has an unknown status `{code}`")))
}

fn write_change(tx: &rusqlite::Transaction, case_id: i64, change: &Change) -> Result<()> {
    match change {
        Change::Text(column, value) => {
            // `column` is one of the fixed names `decide` writes, never user input.
            tx.execute(
                &format!("UPDATE cases SET {column} = ?2 WHERE id = ?1"),
                params![case_id, value],
            )?;
        }
        Change::Urgent(v) => {
            tx.execute("UPDATE cases SET urgent = ?2 WHERE id = ?1", params![case_id, v])?;
        }
        Change::Cosigners(n) => {
            tx.execute("UPDATE cases SET cosigners = ?2 WHERE id = ?1", params![case_id, n])?;
        }
        Change::Accusation(v) => {
            tx.execute(
                "UPDATE cases SET accusation = ?2, purpose = CASE WHEN ?2 THEN 'accusation'
                    WHEN purpose = 'accusation' THEN 'demand' ELSE purpose END WHERE id = ?1",
                params![case_id, v],
            )?;
        }
        Change::Purpose(p) => {
            tx.execute(
                "UPDATE cases SET purpose = ?2, accusation = ?3 WHERE id = ?1",
                params![case_id, p.as_str(), *p == Purpose::Accusation],
            )?;
        }
        Change::Accused(list) => {
            let list = serde_json::to_string(list).map_err(|e| RegistryError::Io(e.to_string()))?;
            tx.execute("UPDATE cases SET accused = ?2 WHERE id = ?1", params![case_id, list])?;
        }
    }
    Ok(())
}
