//! Reading cases: the list with search and filters, one case with its history, and the
//! audit log. Personal data comes out whole here; masking is the presentation's job.

use crate::domain::{Channel, EventKind, Purpose, RouteKind, Status};
use crate::model::RiskKind;
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
    /// How the matter came (来信, 来访, 来电, 网上, 上级转交).
    pub channel: Channel,
    /// The kinds of risk read on arrival (none: empty).
    pub risk: Vec<RiskKind>,
}

impl CaseSummary {
    /// Whether the case carries a risk that must reach a leader the same day, or hardship.
    pub fn at_risk(&self) -> bool {
        !self.risk.is_empty()
    }
}

/// A review (复查) or re-review (复核) request's link to the case it is about.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Review {
    pub of: i64,
    pub of_number: String,
    pub level: crate::domain::review::Level,
}

/// The kinds of a stored risk column ("extreme,mass").
pub fn risk_kinds(stored: Option<&str>) -> Vec<RiskKind> {
    stored.unwrap_or("").split(',').filter_map(RiskKind::parse).collect()
}

/// The risk column for the kinds read (None when none).
pub fn risk_column(risks: &[crate::model::Risk]) -> Option<String> {
    let mut kinds: Vec<RiskKind> = risks.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    (!kinds.is_empty()).then(|| kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","))
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
    /// Who passed the matter down, for a case from a higher body.
    pub from_above: Option<crate::registry::FromAbove>,
    /// The first user who opened it after it was flagged with a risk.
    pub risk_seen_by: Option<String>,
    /// When it was submitted to a leader, while it waits for the instruction.
    pub with_leader: Option<String>,
    /// The leader's latest instruction (批示).
    pub instruction: Option<String>,
    /// The body's result as recorded (办理结果).
    pub result: Option<String>,
    /// The petitioner's evaluation of the reply, and its day.
    pub satisfaction: Option<crate::domain::Satisfaction>,
    pub evaluated_at: Option<String>,
    /// For a review or re-review request: the case it is about.
    pub review: Option<Review>,
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
    /// Only cases registered from the first day up to the second (not included), voided
    /// ones left out: the letters a period's statistics count.
    pub registered: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    pub purpose: Option<crate::domain::Purpose>,
    /// The order of the list (newest first unless asked).
    pub sort: Sort,
    /// Keyset paging: only cases after this key in the list's order (the previous page's
    /// `next`).
    pub after: Option<PageKey>,
    /// Cases per page (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// The orders a list can be read in: by registration (the id), by deadline, by officer.
/// Cases without the sorted value (no deadline, nobody assigned) come last either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// 登记号 descending.
    #[default]
    Newest,
    /// 登记号 ascending.
    Oldest,
    /// 办理期限 ascending (the most pressing first), then by registration.
    DueSoonest,
    /// 办理期限 descending.
    DueLatest,
    /// 承办人 ascending (one officer's cases together), the longest waiting first within
    /// (the order of the officer index, `cases_handler`).
    Handler,
}

impl Sort {
    pub const ALL: [Sort; 5] = [Sort::Newest, Sort::Oldest, Sort::DueSoonest, Sort::DueLatest, Sort::Handler];

    /// The code in addresses and the API (`sort=due`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::DueSoonest => "due",
            Sort::DueLatest => "due-desc",
            Sort::Handler => "handler",
        }
    }

    pub fn parse(code: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// In words, as the audit viewer shows it.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "按登记号从新到旧",
            Sort::Oldest => "按登记号从旧到新",
            Sort::DueSoonest => "按期限从近到远",
            Sort::DueLatest => "按期限从远到近",
            Sort::Handler => "按承办人",
        }
    }

    /// The case column sorted on before the id (none: the id alone).
    pub fn column(self) -> Option<&'static str> {
        match self {
            Sort::Newest | Sort::Oldest => None,
            Sort::DueSoonest | Sort::DueLatest => Some("due_at"),
            Sort::Handler => Some("handler"),
        }
    }

    /// Whether the column descends.
    pub fn descending(self) -> bool {
        matches!(self, Sort::DueLatest)
    }

    /// Whether ids descend (among equal values; alone for the id orders): always as the
    /// column does, so that one index walk gives the order.
    pub fn ids_descending(self) -> bool {
        matches!(self, Sort::Newest | Sort::DueLatest)
    }

    /// A case's sorted value, as the page key holds it.
    pub fn value_of(self, case: &CaseSummary) -> Option<String> {
        match self {
            Sort::Newest | Sort::Oldest => None,
            Sort::DueSoonest | Sort::DueLatest => case.due_at.clone(),
            Sort::Handler => case.handler.clone(),
        }
    }
}

/// Where a page of a sorted list begins: after the case with this value and id. Written
/// `ID` for the id orders and `VALUE~ID` for the others (`~ID` among the cases without a
/// value, which come last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey {
    pub value: Option<String>,
    pub id: i64,
}

impl PageKey {
    /// The key just before `case` in `sort`'s order (a page starting with it).
    pub fn before(sort: Sort, case: &CaseSummary) -> PageKey {
        let step = if sort.ids_descending() { 1 } else { -1 };
        PageKey { value: sort.value_of(case), id: case.id + step }
    }

    /// The key after `case` (the next page starts behind it).
    pub fn after(sort: Sort, case: &CaseSummary) -> PageKey {
        PageKey { value: sort.value_of(case), id: case.id }
    }

    /// The key as addresses write it for `sort`.
    pub fn encode(&self, sort: Sort) -> String {
        match sort.column() {
            None => self.id.to_string(),
            Some(_) => format!("{}~{}", self.value.as_deref().unwrap_or(""), self.id),
        }
    }

    /// Reads a key written by `encode` for `sort`; `None` when it is not one.
    pub fn parse(sort: Sort, text: &str) -> Option<PageKey> {
        match sort.column() {
            None => text.parse().ok().map(|id| PageKey { value: None, id }),
            Some(_) => {
                let (value, id) = text.rsplit_once('~')?;
                let value = (!value.is_empty()).then(|| value.to_string());
                Some(PageKey { value, id: id.parse().ok()? })
            }
        }
    }
}


/// One page of a list, in the filter's order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    /// How many cases the whole list holds.
    pub total: Total,
    /// Where the next page begins, if there is one (`PageKey::encode`d).
    pub next: Option<String>,
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
    /// Whether any filter narrows the list (words aside).
    pub fn filtered(&self) -> bool {
        self.status.is_some()
            || self.category.is_some()
            || self.handler.is_some()
            || self.without_accusations
            || self.overdue
            || self.due_within.is_some()
            || self.registered.is_some()
            || self.purpose.is_some()
    }

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
        if let Some((from, to)) = self.registered {
            parts.push(format!("from={from} to={}", to.pred_opt().unwrap_or(to)));
        }
        if let Some(p) = self.purpose {
            parts.push(format!("purpose={}", p.as_str()));
        }
        if self.sort != Sort::Newest {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if let Some(k) = &self.after {
            parts.push(format!("after={:?}", k.encode(self.sort)));
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
