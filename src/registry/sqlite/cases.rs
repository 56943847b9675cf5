//! Cases in SQLite: registration, the list with search and filters, one case with its
//! history, the case life's transitions (`domain::decide` answers; this writes), and the
//! audit log.

use super::{now_text, record, Record, SqliteRegistry};
use crate::domain::life::{Change, Due};
use crate::domain::{decide, Action, CaseState, Purpose, Refusal, Rules, Status, Transition};
use crate::registry::cases::*;
use crate::registry::life::Actor;
use crate::registry::{Audit, Begun, CaseRef, Cases, NewCase, PendingCase, RegistryError, Result};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::path::PathBuf;

const SUMMARY_COLUMNS: &str = "c.id, c.registration_number, c.status, c.name, c.phone, c.id_number,
    c.category, c.summary, c.urgent, c.cosigners, r.registration_number, c.registered_at,
    c.due_at, c.route_kind, c.route_body, c.accusation";
/// Columns in SUMMARY_COLUMNS, where the detail's own columns start.
const SUMMARY_COUNT: usize = 16;

fn summary_row(r: &rusqlite::Row) -> rusqlite::Result<CaseSummary> {
    Ok(CaseSummary {
        id: r.get(0)?,
        registration_number: r.get(1)?,
        status: r.get(2)?,
        name: r.get(3)?,
        phone: r.get(4)?,
        id_number: r.get(5)?,
        category: r.get(6)?,
        summary: r.get(7)?,
        urgent: r.get(8)?,
        cosigners: r.get(9)?,
        repeat_of: r.get(10)?,
        registered_at: r.get(11)?,
        due_at: r.get(12)?,
        route_kind: r.get(13)?,
        route_body: r.get(14)?,
        accusation: r.get(15)?,
    })
}

impl Cases for SqliteRegistry {
    fn sha256_of(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT sha256 FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// The case registered for a file with this SHA-256, if any.
    fn find_by_sha(&self, sha256: &str) -> Result<Option<CaseRef>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, registration_number FROM cases WHERE sha256 = ?1",
                [sha256],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    fn begin_registration<'a>(&'a mut self, new: &NewCase<'_>, actor: &str) -> Result<Begun<'a>> {
        let now = chrono::Local::now();
        let year = chrono::Datelike::year(&now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(existing) = tx
            .query_row(
                "SELECT id, registration_number FROM cases WHERE sha256 = ?1",
                [new.sha256],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?
        {
            return Ok(Begun::Duplicate(existing));
        }
        let seq: i64 = tx.query_row(
            "INSERT INTO counters (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            [year],
            |r| r.get(0),
        )?;
        let number = self.format.format(year, seq);
        let x = new.extraction;
        let f = &x.fields;
        let repeat_of = tx
            .query_row(
                "SELECT id, registration_number FROM cases
                 WHERE ((?1 IS NOT NULL AND id_number = ?1)
                        OR (?2 IS NOT NULL AND ?3 IS NOT NULL AND name = ?2 AND phone = ?3))
                   AND category IS ?4
                 ORDER BY id DESC LIMIT 1",
                params![f.id_number, f.name, f.phone, f.category],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?;
        let extraction = serde_json::to_string(x).expect("an extraction serialises");
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        tx.execute(
            "INSERT INTO cases (registration_number, year, seq, sha256, kind, source_name, pages,
                name, id_number, phone, address, letter_date, summary, category, urgent, cosigners,
                text, extraction, repeat_of, registered_at, registered_by, due_at, accusation, purpose)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            params![
                number,
                year,
                seq,
                new.sha256,
                x.kind.as_str(),
                new.source_name,
                x.pages.len() as i64,
                f.name,
                f.id_number,
                f.phone,
                f.address,
                f.date,
                f.summary,
                f.category,
                f.urgent,
                f.cosigners,
                x.text,
                extraction,
                repeat_of.as_ref().map(|r| r.case_id),
                at,
                actor,
                new.due.map(|d| d.to_string()),
                new.accusation,
                if new.accusation { "accusation" } else { "demand" },
            ],
        )?;
        let case_id = tx.last_insert_rowid();
        let detail = repeat_of
            .as_ref()
            .map(|r| format!("重复件，前案 {}", r.registration_number));
        let due = new.due.map(|d| d.to_string());
        record(
            &tx,
            Record {
                case_id,
                actor,
                address: None,
                event: "registered",
                detail: detail.as_deref(),
                due: due.as_deref(),
                audit: "register",
            },
        )?;
        Ok(Begun::Numbered(Box::new(PendingSqliteCase {
            tx,
            case: CaseRef {
                case_id,
                registration_number: number,
            },
            year,
            repeat_of,
        })))
    }

    /// Registration numbers of a year, in order (for checks and the binder).
    fn numbers(&self, year: i32) -> Result<Vec<(i64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, registration_number FROM cases WHERE year = ?1 ORDER BY seq")?;
        let rows = st.query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn is_accusation(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT accusation FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
        // Control characters (a NUL from a pasted string) match nothing a letter holds and
        // SQLite refuses them in a pattern: they are dropped.
        let cleaned: Option<String> = filter
            .q
            .as_deref()
            .map(|q| q.chars().filter(|c| !c.is_control()).collect());
        let q = cleaned.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let search = match q {
            Some(q) if q.chars().count() >= 3 => {
                "AND c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?1)"
            }
            Some(_) => {
                "AND c.id IN (SELECT rowid FROM cases_fts WHERE text LIKE '%' || ?1 || '%'
                              OR summary LIKE '%' || ?1 || '%')"
            }
            None => "AND ?1 IS NULL",
        };
        // FTS5 query syntax: the words as one quoted phrase.
        let q_param = q.map(|q| {
            if q.chars().count() >= 3 {
                format!("\"{}\"", q.replace('"', "\"\""))
            } else {
                q.replace(['%', '_'], "")
            }
        });
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases c LEFT JOIN cases r ON r.id = c.repeat_of
             WHERE (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.category = ?3) {search}
               AND (?5 = 0 OR (c.due_at IS NOT NULL AND c.due_at < ?6))
               AND (?7 IS NULL OR (c.due_at IS NOT NULL AND c.due_at >= ?6 AND c.due_at <= ?7))
             ORDER BY c.id DESC LIMIT ?4"
        );
        let today = chrono::Local::now().date_naive();
        let within = filter
            .due_within
            .map(|d| (today + chrono::Duration::days(d.clamp(0, 3650))).to_string());
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(
            params![
                q_param,
                filter.status,
                filter.category,
                filter.limit.unwrap_or(200).clamp(1, 1000),
                filter.overdue,
                today.to_string(),
                within,
            ],
            summary_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn case(&self, id: i64) -> Result<Option<CaseDetail>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, c.sha256, c.kind, c.pages, c.address, c.letter_date, c.text,
                    c.registered_by, c.extraction, c.accused, c.purpose
             FROM cases c LEFT JOIN cases r ON r.id = c.repeat_of WHERE c.id = ?1"
        );
        let detail = self
            .conn
            .query_row(&sql, [id], |r| {
                let n = SUMMARY_COUNT;
                let extraction: String = r.get(n + 7)?;
                let accused: String = r.get(n + 8)?;
                Ok(CaseDetail {
                    summary: summary_row(r)?,
                    sha256: r.get(n)?,
                    kind: r.get(n + 1)?,
                    pages: r.get(n + 2)?,
                    address: r.get(n + 3)?,
                    letter_date: r.get(n + 4)?,
                    text: r.get(n + 5)?,
                    registered_by: r.get(n + 6)?,
                    accused: serde_json::from_str(&accused).unwrap_or_default(),
                    purpose: r.get(n + 9)?,
                    events: vec![],
                    extraction: serde_json::from_str(&extraction).unwrap_or_default(),
                })
            })
            .optional()?;
        let Some(mut detail) = detail else {
            return Ok(None);
        };
        let mut st = self.conn.prepare(
            "SELECT at, actor, action, detail, due_at FROM events WHERE case_id = ?1 ORDER BY id",
        )?;
        detail.events = st
            .query_map([id], |r| {
                Ok(Event {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                    due_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(detail))
    }

    fn case_files(&self, id: i64) -> Result<Option<(PathBuf, PathBuf)>> {
        let row: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT sha256, registration_number, year FROM cases WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.map(|(sha, number, year)| {
            (
                self.dirs.original(&sha),
                self.dirs.filed_copy(year as i32, &number),
            )
        }))
    }

    fn year_cases(&self, year: i32) -> Result<Vec<YearCase>> {
        let mut st = self.conn.prepare(
            "SELECT c.id, c.registration_number, c.status, c.name, c.summary, c.letter_date,
                    c.registered_at, r.registration_number
             FROM cases c LEFT JOIN cases r ON r.id = c.repeat_of
             WHERE c.year = ?1 ORDER BY c.seq",
        )?;
        let rows = st.query_map([year], |r| {
            let number: String = r.get(1)?;
            Ok(YearCase {
                id: r.get(0)?,
                filed: self.dirs.filed_copy(year, &number),
                registration_number: number,
                status: r.get(2)?,
                name: r.get(3)?,
                summary: r.get(4)?,
                letter_date: r.get(5)?,
                registered_at: r.get(6)?,
                repeat_of: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn apply(
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

impl Audit for SqliteRegistry {
    /// Appends to the audit log.
    fn audit(
        &self,
        actor: &str,
        action: &str,
        case_id: Option<i64>,
        address: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, case_id, address) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now_text(), actor, action, case_id, address],
        )?;
        Ok(())
    }

    fn audit_log(&self, case_id: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT at, actor, action, case_id, address FROM audit
             WHERE ?1 IS NULL OR case_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![case_id, limit], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                case_id: r.get(3)?,
                address: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// A registration in its open transaction.
struct PendingSqliteCase<'a> {
    tx: rusqlite::Transaction<'a>,
    case: CaseRef,
    year: i32,
    repeat_of: Option<CaseRef>,
}

impl PendingCase for PendingSqliteCase<'_> {
    fn case(&self) -> &CaseRef {
        &self.case
    }

    fn year(&self) -> i32 {
        self.year
    }

    fn repeat_of(&self) -> Option<&CaseRef> {
        self.repeat_of.as_ref()
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}
