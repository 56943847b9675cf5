//! Reading cases: the list with search and filters, one case with its history, and the
//! audit log. Personal data comes out whole here; masking is the presentation's job.

use super::{Registry, Result};
use crate::domain::{EventKind, Purpose, RouteKind, Status};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseSummary {
    pub id: i64,
    pub registration_number: String,
    pub status: Status,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub category: Option<String>,
    pub summary: Option<String>,
    pub urgent: bool,
    pub cosigners: i64,
    pub repeat_of: Option<String>,
    pub registered_at: String,
    /// When the current step is due (`YYYY-MM-DD`), if one is running.
    pub due_at: Option<String>,
    pub route_kind: Option<RouteKind>,
    pub route_body: Option<String>,
    pub accusation: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub at: String,
    pub actor: String,
    pub action: EventKind,
    pub detail: Option<String>,
    pub due_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub sha256: String,
    pub kind: String,
    pub pages: i64,
    pub address: Option<String>,
    pub letter_date: Option<String>,
    pub text: String,
    pub registered_by: String,
    /// Bodies the letter accuses, as officers marked them.
    pub accused: Vec<String>,
    /// suggestion (建议意见), accusation (检举控告) or demand (申诉求决).
    pub purpose: Purpose,
    pub events: Vec<Event>,
    /// The extraction as read (pages with their cleaning notes, confidences).
    pub extraction: serde_json::Value,
}

impl CaseDetail {
    /// The case as shown to someone who need not know who accuses (检举人): name, ID
    /// number, phone and address masked, and the letter's text, which names the accuser,
    /// withheld with what was read of it.
    pub fn shield_accuser(mut self) -> CaseDetail {
        use crate::privacy::{mask_address, mask_id, mask_name, mask_phone};
        let s = &mut self.summary;
        s.name = s.name.as_deref().map(mask_name);
        s.id_number = s.id_number.as_deref().map(mask_id);
        s.phone = s.phone.as_deref().map(mask_phone);
        self.address = self.address.as_deref().map(mask_address);
        self.text = "（检举控告件：正文载有检举人身份，仅承办人说明理由后可见）".into();
        // A link to the same person's other case would name them there.
        self.summary.repeat_of = None;
        self.extraction = serde_json::Value::Null;
        self
    }

    /// What the accusation guard needs to know of this case.
    pub fn guard_case(&self) -> crate::routing::GuardCase<'_> {
        crate::routing::GuardCase {
            text: &self.text,
            accusation: self.summary.accusation,
            accused: &self.accused,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<i64>,
    pub address: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Words to find in the letters' text or summary (any length; Chinese words of two
    /// characters included).
    pub q: Option<String>,
    pub status: Option<Status>,
    pub category: Option<String>,
    /// Only cases whose current step is past due.
    pub overdue: bool,
    /// Only cases due within this many days (and not yet past due).
    pub due_within: Option<i64>,
    pub limit: Option<i64>,
}

impl CaseFilter {
    /// The audit log's words for a list or search: what was asked, query included.
    pub fn audit_action(&self) -> String {
        let mut parts = vec!["list-cases".to_string()];
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            parts.push(format!("q={q:?}"));
        }
        if let Some(v) = self.status {
            parts.push(format!("status={v}"));
        }
        if let Some(v) = &self.category {
            parts.push(format!("category={v}"));
        }
        if self.overdue {
            parts.push("overdue".into());
        }
        if let Some(d) = self.due_within {
            parts.push(format!("due_within={d}"));
        }
        parts.join(" ")
    }
}

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

impl Registry {
    /// Whether a case is accusation material (false for a case that is not there): one
    /// column, for the need-to-know check before a file is served.
    pub fn is_accusation(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT accusation FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    /// Cases, newest first. Text search uses the trigram index for three characters or
    /// more and a scan of the same table for shorter words.
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
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

    pub fn case(&self, id: i64) -> Result<Option<CaseDetail>> {
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

    /// Where a case's original and filing copy are kept.
    pub fn case_files(&self, id: i64) -> Result<Option<(PathBuf, PathBuf)>> {
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
                super::originals::path_of(&self.dirs.originals, &sha),
                self.dirs
                    .filed
                    .join(year.to_string())
                    .join(format!("{number}.pdf")),
            )
        }))
    }

    /// Audit entries, newest first, for one case or all.
    pub fn audit_log(&self, case_id: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
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

/// A case as the yearly bound file needs it: what the catalogue says and where its filing
/// copy lies.
#[derive(Debug, Clone)]
pub struct YearCase {
    pub id: i64,
    pub registration_number: String,
    pub status: Status,
    pub name: Option<String>,
    pub summary: Option<String>,
    /// As written on the letter (any form), and the registration time (RFC 3339).
    pub letter_date: Option<String>,
    pub registered_at: String,
    pub repeat_of: Option<String>,
    pub filed: PathBuf,
}

impl Registry {
    /// The cases registered in `year`, in registration order.
    pub fn year_cases(&self, year: i32) -> Result<Vec<YearCase>> {
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
                filed: self
                    .dirs
                    .filed
                    .join(year.to_string())
                    .join(format!("{number}.pdf")),
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
}
