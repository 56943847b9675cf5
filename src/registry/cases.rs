//! Reading cases: the list with search and filters, one case with its history, and the
//! audit log. Personal data comes out whole here; masking is the presentation's job.

use crate::domain::{EventKind, Purpose, RouteKind, Status};
use std::path::PathBuf;
use serde::Serialize;

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
    /// The bureau's officer the case is given to (a user's name).
    pub handler: Option<String>,
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
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<i64>,
    pub address: Option<String>,
    /// The case's registration number, when the entry is about a case.
    pub case_number: Option<String>,
}

/// Which audit entries to read (all conditions must hold), newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who acted, as written (`user:NAME`, `cli:…`).
    pub actor: Option<String>,
    pub case_id: Option<i64>,
    /// The action's code: the entry's action is this code, or it and then a space or a
    /// colon and details (`binder` finds `binder 2026`).
    pub action: Option<String>,
    /// First and last day (inclusive, `YYYY-MM-DD`, local time as the log writes it).
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    /// Keyset paging: only entries with a smaller id.
    pub before_id: Option<i64>,
    /// At most this many (1..=5000).
    pub limit: i64,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Words to find in the letters' text or summary (any length; Chinese words of two
    /// characters included).
    pub q: Option<String>,
    pub status: Option<Status>,
    pub category: Option<String>,
    /// Only cases given to this officer (a user's name).
    pub handler: Option<String>,
    /// Leave accusation cases out (a search by someone who may not see accusers: a name or
    /// ID number typed must not tell them that this person accused someone).
    pub without_accusations: bool,
    /// Only cases whose current step is past due.
    pub overdue: bool,
    /// Only cases due within this many days (and not yet past due).
    pub due_within: Option<i64>,
    /// Keyset paging: only cases with a smaller id (the previous page's `next_before`).
    pub before_id: Option<i64>,
    /// Cases per page (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// One page of a list, newest first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    /// How many cases the whole list holds.
    pub total: Total,
    /// The `before_id` of the next page, if there is one.
    pub next_before: Option<i64>,
}

/// A list's size: counted exactly while that is cheap (up to `Total::COUNTED` cases),
/// estimated beyond (from how densely the first `COUNTED` matches lie among the newest
/// cases), never by counting everything.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Total {
    pub count: i64,
    pub estimate: bool,
}

impl Total {
    /// Matches counted before a list's size is estimated instead.
    /// 1,000: a 1M-case register counting 10,000 matches of a common phrase took 75 ms;
    /// 1,000 take a tenth of that (BENCHMARKS.md, "The register at a million letters").
    pub const COUNTED: i64 = 1_000;

    /// In words, as pages show it: 共 38 件, 约 19.9 万件.
    pub fn words(&self) -> String {
        match (self.estimate, self.count) {
            (false, n) => format!("共 {n} 件"),
            (true, n) if n >= 10_000 => format!("约 {:.1} 万件", n as f64 / 10_000.0),
            (true, n) => format!("约 {n} 件"),
        }
    }
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
        if let Some(v) = &self.handler {
            parts.push(format!("handler={v}"));
        }
        if self.overdue {
            parts.push("overdue".into());
        }
        if let Some(d) = self.due_within {
            parts.push(format!("due_within={d}"));
        }
        if let Some(b) = self.before_id {
            parts.push(format!("before_id={b}"));
        }
        parts.join(" ")
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

/// How many cases a register holds, real and synthetic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Holdings {
    pub real: i64,
    pub synthetic: i64,
}
