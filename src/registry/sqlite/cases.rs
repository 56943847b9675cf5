//! Cases in SQLite: registration, the list with search and filters, one case with its
//! history, the case life's transitions (`domain::decide` answers; this writes), and the
//! audit log.

use super::{now_text, record, Record, SqliteRegistry};
use crate::domain::life::{Change, Due};
use crate::domain::{decide, Action, CaseState, Purpose, Refusal, Rules, Status, Transition};
use crate::registry::cases::*;
use crate::synth::SyntheticCase;
use crate::registry::cases::Total;
use crate::registry::life::Actor;
use crate::registry::{text, Audit, Begun, CaseRef, Cases, NewCase, PendingCase, RegistryError, Result};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::path::PathBuf;

const SUMMARY_COLUMNS: &str = "c.id, c.registration_number, c.status, c.name, c.phone, c.id_number,
    c.category, c.summary, c.urgent, c.cosigners,
    CASE WHEN r.accusation THEN NULL ELSE r.registration_number END, c.registered_at,
    c.due_at, c.route_kind, c.route_body, c.accusation, c.handler, c.channel, c.risk";
/// Columns in SUMMARY_COLUMNS, where the detail's own columns start.
const SUMMARY_COUNT: usize = 19;

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
        handler: r.get(16)?,
        channel: r.get(17)?,
        risk: risk_kinds(r.get::<_, Option<String>>(18)?.as_deref()),
    })
}

impl Cases for SqliteRegistry {
    fn sha256_of(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT sha256 FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    fn find_by_external_id(&self, id: &str) -> Result<Option<CaseRef>> {
        Ok(self
            .conn
            .query_row("SELECT id, registration_number FROM cases WHERE external_id = ?1", [id], |r| {
                Ok(CaseRef { case_id: r.get(0)?, registration_number: r.get(1)? })
            })
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
        let repeat_of = find_repeat(&tx, f)?;
        let extraction = serde_json::to_value(x).expect("an extraction serialises");
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        tx.execute(
            "INSERT INTO cases (registration_number, year, seq, sha256, kind, source_name, pages,
                name, id_number, phone, address, letter_date, summary, category, urgent, cosigners,
                repeat_of, registered_at, registered_by, due_at, accusation, purpose, risk, channel,
                from_body, from_number, report_due, review_of, review_level, accused, external_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
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
                repeat_of.as_ref().map(|r| r.case_id),
                at,
                actor,
                new.due.map(|d| d.to_string()),
                new.accusation,
                if new.accusation { "accusation" } else { "demand" },
                risk_column(&f.risk),
                new.channel,
                new.from_above.as_ref().map(|a| a.body.as_str()),
                new.from_above.as_ref().and_then(|a| a.number.as_deref()),
                new.from_above.as_ref().and_then(|a| a.report_due).map(|d| d.to_string()),
                new.review.map(|r| r.0),
                new.review.map(|r| r.1.as_str()),
                serde_json::to_string(new.accused).expect("a list of names serialises"),
                new.external_id,
            ],
        )?;
        let case_id = tx.last_insert_rowid();
        put_text(&tx, case_id, &x.text, &crate::registry::text::slim(extraction), f.summary.as_deref())?;
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

    fn list_cases(&self, filter: &CaseFilter) -> Result<CaseList> {
        let today = chrono::Local::now().date_naive();
        let limit = filter.limit.unwrap_or(200).clamp(1, 1000);
        let q = filter.q.as_deref().map(clean_query).filter(|q| !q.is_empty());
        let exact = match (&q, &filter.after) {
            (Some(q), None) => self.fetch(&exact_query(filter, q, today, limit))?,
            _ => Vec::new(),
        };
        let words = q.as_deref().and_then(text::match_query);
        if q.is_some() && (words.is_none() || (!exact.is_empty() && text::looks_like_identifier(q.as_deref().unwrap_or("")))) {
            // An identifier found exactly, or nothing a full-text index could search.
            let count = exact.len() as i64;
            return Ok(CaseList {
                cases: exact,
                total: Total { count, estimate: false },
                next: None,
            });
        }
        // One more than the page, to know whether another follows.
        let (rows, counted) = self.page(filter, words.as_deref(), today, limit + 1)?;
        let more = rows.len() as i64 > limit;
        // A first page that holds the whole list is its own count.
        let total = match counted {
            Some(total) => total,
            None if filter.after.is_none() && !more => Total { count: rows.len() as i64, estimate: false },
            None => self.total(filter, words.as_deref(), today)?,
        };
        // Exact hits first, then the rest of the page.
        let mut cases = exact;
        let room = (limit as usize).saturating_sub(cases.len());
        let shown: std::collections::HashSet<i64> = cases.iter().map(|c| c.id).collect();
        let fresh: Vec<CaseSummary> = rows.into_iter().filter(|c| !shown.contains(&c.id)).collect();
        let taken = fresh.len().min(room);
        let sort = filter.sort;
        let next = if more || taken < fresh.len() {
            match taken {
                // Exact hits filled the page: the next one starts with the first row.
                0 => fresh.first().map(|c| PageKey::before(sort, c)),
                n => Some(PageKey::after(sort, &fresh[n - 1])),
            }
        } else {
            None
        };
        cases.extend(fresh.into_iter().take(taken));
        let total = Total {
            count: total.count.max(cases.len() as i64),
            ..total
        };
        Ok(CaseList { cases, total, next: next.map(|k| k.encode(sort)) })
    }

    fn to_check(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)> {
        let waiting = if accusations {
            "c.status = 'registered' AND c.confirmed_at IS NULL"
        } else {
            "c.status = 'registered' AND c.confirmed_at IS NULL AND NOT c.accusation"
        };
        let count: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM cases c INDEXED BY cases_to_check WHERE {waiting}"), [], |r| r.get(0))?;
        let q = Query {
            sql: format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_to_check LEFT JOIN cases r ON r.id = c.repeat_of
                 WHERE {waiting} ORDER BY c.id LIMIT ?1"
            ),
            params: vec![rusqlite::types::Value::Integer(limit.clamp(1, 1000))],
        };
        Ok((self.fetch(&q)?, count))
    }

    fn open_risks(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)> {
        let open = "c.risk IS NOT NULL AND c.status IN ('registered', 'routed', 'awaiting', 'replied')";
        let which = if accusations { open.to_string() } else { format!("{open} AND NOT c.accusation") };
        let count: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM cases c INDEXED BY cases_open_risk WHERE {which}"),
            [],
            |r| r.get(0),
        )?;
        let q = Query {
            sql: format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_open_risk LEFT JOIN cases r ON r.id = c.repeat_of
                 WHERE {which} ORDER BY c.id DESC LIMIT ?1"
            ),
            params: vec![rusqlite::types::Value::Integer(limit.clamp(1, 1000))],
        };
        Ok((self.fetch(&q)?, count))
    }

    fn with_leader(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)> {
        // (A case closed or voided while it waited is no longer asked about.)
        let open = "c.with_leader IS NOT NULL AND c.status IN ('registered', 'routed', 'awaiting', 'replied')";
        let which = if accusations { open.to_string() } else { format!("{open} AND NOT c.accusation") };
        let count: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM cases c INDEXED BY cases_with_leader WHERE {which}"),
            [],
            |r| r.get(0),
        )?;
        let q = Query {
            sql: format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_with_leader LEFT JOIN cases r ON r.id = c.repeat_of
                 WHERE {which} ORDER BY c.risk IS NULL, c.with_leader, c.id LIMIT ?1"
            ),
            params: vec![rusqlite::types::Value::Integer(limit.clamp(1, 1000))],
        };
        Ok((self.fetch(&q)?, count))
    }

    fn note_event(&self, case_id: i64, actor: &str, address: Option<&str>, event: crate::domain::EventKind, detail: &str, audit: &str) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        record(&tx, Record { case_id, actor, address, event: event.as_str(), detail: Some(detail), due: None, audit })?;
        tx.commit()?;
        Ok(())
    }

    fn mark_risk_seen(&self, case_id: i64, actor: &str, address: Option<&str>) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let changed = tx.execute(
            "UPDATE cases SET risk_seen_by = ?2 WHERE id = ?1 AND risk IS NOT NULL AND risk_seen_by IS NULL",
            params![case_id, actor],
        )?;
        if changed == 1 {
            record(
                &tx,
                Record {
                    case_id,
                    actor,
                    address,
                    event: crate::domain::EventKind::RiskSeen.as_str(),
                    detail: None,
                    due: None,
                    audit: "risk-seen",
                },
            )?;
        }
        tx.commit()?;
        Ok(changed == 1)
    }

    fn same_person(&self, id: i64, limit: i64) -> Result<Vec<CaseSummary>> {
        // The person as the repeat check knows them: the ID number, or name and phone.
        let q = Query {
            sql: format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases c LEFT JOIN cases r ON r.id = c.repeat_of
                 WHERE c.id IN (SELECT o.id FROM cases p JOIN cases o ON o.id_number = p.id_number WHERE p.id = ?1
                                UNION SELECT o.id FROM cases p JOIN cases o ON o.phone = p.phone AND o.name = p.name
                                      WHERE p.id = ?1
                                UNION SELECT ?1)
                 ORDER BY c.id DESC LIMIT ?2"
            ),
            params: vec![rusqlite::types::Value::Integer(id), rusqlite::types::Value::Integer(limit.clamp(1, 1000))],
        };
        self.fetch(&q)
    }

    fn case(&self, id: i64) -> Result<Option<CaseDetail>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, c.sha256, c.kind, c.pages, c.address, c.letter_date, t.text,
                    c.registered_by, t.extraction, c.accused, c.purpose, c.from_body, c.from_number,
                    c.report_due, c.risk_seen_by, c.with_leader, c.instruction, c.result, c.satisfaction,
                    c.evaluated_at, c.review_of, c.review_level,
                    (SELECT o.registration_number FROM cases o WHERE o.id = c.review_of)
             FROM cases c JOIN case_texts t ON t.case_id = c.id
             LEFT JOIN cases r ON r.id = c.repeat_of WHERE c.id = ?1"
        );
        let detail = self
            .conn
            .query_row(&sql, [id], |r| {
                let n = SUMMARY_COUNT;
                let extraction: String = r.get(n + 7)?;
                let accused: String = r.get(n + 8)?;
                let body: String = r.get(n + 5)?;
                let extraction = serde_json::from_str(&extraction).unwrap_or_default();
                Ok(CaseDetail {
                    summary: summary_row(r)?,
                    sha256: r.get(n)?,
                    kind: r.get(n + 1)?,
                    pages: r.get(n + 2)?,
                    address: r.get(n + 3)?,
                    letter_date: r.get(n + 4)?,
                    extraction: text::inflate(extraction, &body),
                    text: body,
                    registered_by: r.get(n + 6)?,
                    accused: serde_json::from_str(&accused).unwrap_or_default(),
                    purpose: r.get(n + 9)?,
                    from_above: r.get::<_, Option<String>>(n + 10)?.map(|body| crate::registry::FromAbove {
                        body,
                        number: r.get(n + 11).ok().flatten(),
                        report_due: r
                            .get::<_, Option<String>>(n + 12)
                            .ok()
                            .flatten()
                            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    }),
                    risk_seen_by: r.get(n + 13)?,
                    with_leader: r.get(n + 14)?,
                    instruction: r.get(n + 15)?,
                    result: r.get(n + 16)?,
                    satisfaction: r.get(n + 17)?,
                    evaluated_at: r.get(n + 18)?,
                    review: match (r.get::<_, Option<i64>>(n + 19)?, r.get::<_, Option<String>>(n + 20)?) {
                        (Some(of), Some(level)) => crate::domain::review::Level::parse(&level).map(|level| Review {
                            of,
                            of_number: r.get(n + 21).ok().flatten().unwrap_or_default(),
                            level,
                        }),
                        _ => None,
                    },
                    events: vec![],
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

    fn stat_rows(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<crate::stats::StatRow>> {
        // Two reads, merged here: the cases by registration day, then their history in one
        // range of `events_case` (ids follow registration, so the range is the period's),
        // instead of four look-ups per case (a month at a million: 0.1 s to about 0.04 s).
        let day = |s: Option<&str>| s.and_then(|s| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok());
        let mut st = self.conn.prepare_cached(
            "SELECT c.id, c.registered_at, c.status, c.purpose, c.category, c.cosigners,
                    r.registration_number, c.route_kind, c.route_body, c.due_at, c.address, c.channel,
                    c.satisfaction
             FROM cases c INDEXED BY cases_registered LEFT JOIN cases r ON r.id = c.repeat_of
             WHERE c.registered_at >= ?1 AND c.registered_at < ?2",
        )?;
        let mut rows = st.query(params![from.to_string(), to.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let registered: String = r.get(1)?;
            let status: String = r.get(2)?;
            let purpose: String = r.get(3)?;
            let route: Option<String> = r.get(7)?;
            let due: Option<String> = r.get(9)?;
            out.push(crate::stats::StatRow {
                id,
                registered: day(Some(&registered))
                    .ok_or_else(|| RegistryError::Io(format!("case {id} has an unreadable registration time")))?,
                status: parse_status(id, &status)?,
                channel: r.get(11)?,
                satisfaction: r.get(12)?,
                purpose: purpose.parse().unwrap_or(Purpose::Demand),
                category: r.get(4)?,
                address: r.get(10)?,
                county: None,
                cosigners: r.get(5)?,
                repeat_of: r.get(6)?,
                route: route.as_deref().and_then(crate::domain::RouteKind::parse),
                body: r.get(8)?,
                due: day(due.as_deref()),
                routed: None,
                route_due: None,
                closed: None,
                close_due: None,
            });
        }
        let (Some(lo), Some(hi)) = (out.iter().map(|r| r.id).min(), out.iter().map(|r| r.id).max()) else {
            return Ok(out);
        };
        // The limits and days from the history: the route limit is the one registration
        // set; routed and closed the first such events; the handling limit the latest set
        // by a route, an acceptance or an extension.
        let index: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let mut st = self.conn.prepare_cached(
            "SELECT case_id, action, at, due_at FROM events INDEXED BY events_case
             WHERE case_id BETWEEN ?1 AND ?2
               AND action IN ('registered', 'transfer', 'assign', 'direct', 'refuse', 'not_again', 'accept', 'extend', 'close')",
        )?;
        let mut events = st.query(params![lo, hi])?;
        while let Some(e) = events.next()? {
            let Some(&i) = index.get(&e.get::<_, i64>(0)?) else { continue };
            let row = &mut out[i];
            let action: String = e.get(1)?;
            let at: String = e.get(2)?;
            let due: Option<String> = e.get(3)?;
            let (at, due) = (day(Some(&at)), day(due.as_deref()));
            let earliest = |slot: &mut Option<chrono::NaiveDate>| *slot = match (*slot, at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match action.as_str() {
                "registered" => row.route_due = row.route_due.max(due),
                "close" => earliest(&mut row.closed),
                kind => {
                    if matches!(kind, "transfer" | "assign" | "direct" | "refuse" | "not_again") {
                        earliest(&mut row.routed);
                    }
                    if matches!(kind, "transfer" | "assign" | "direct" | "accept" | "extend") {
                        row.close_due = row.close_due.max(due);
                    }
                }
            }
        }
        Ok(out)
    }

    fn monthly_counts(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<(String, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT substr(registered_at, 1, 7), count(*) FROM cases INDEXED BY cases_registered
             WHERE registered_at >= ?1 AND registered_at < ?2 AND status <> 'voided' GROUP BY 1 ORDER BY 1",
        )?;
        let rows = st.query_map(params![from.to_string(), to.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

    fn holdings(&self) -> Result<Holdings> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE NOT synthetic), count(*) FILTER (WHERE synthetic) FROM cases",
            [],
            |r| Ok(Holdings { real: r.get(0)?, synthetic: r.get(1)? }),
        )?)
    }

    fn add_synthetic(&mut self, batch: &[SyntheticCase], actor: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Only cases registered since the last batch need a look (a range of the key).
        let real: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM cases WHERE id > ?1 AND NOT synthetic)",
            [self.synthetic_upto],
            |r| r.get(0),
        )?;
        if real {
            return Err(RegistryError::Io(
                "this register holds real letters: synthetic cases go only into a register of their own".into(),
            ));
        }
        let mut last = self.synthetic_upto;
        {
            let mut number = tx.prepare_cached(
                "INSERT INTO counters (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            )?;
            let mut case = tx.prepare_cached(
                "INSERT INTO cases (registration_number, year, seq, sha256, kind, source_name, pages,
                    status, name, id_number, phone, address, letter_date, summary, category, urgent,
                    cosigners, registered_at, registered_by, due_at, route_kind, route_body,
                    accusation, purpose, synthetic)
                 VALUES (?1, ?2, ?3, ?4, 'synthetic', ?5, 1, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                    ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, 1)",
            )?;
            let mut texts = tx.prepare_cached(
                "INSERT INTO case_texts (case_id, text, extraction) VALUES (?1, ?2, '{\"synthetic\":true}')",
            )?;
            let mut terms = tx.prepare_cached("INSERT INTO case_terms (rowid, terms) VALUES (?1, ?2)")?;
            let mut event = tx.prepare_cached(
                "INSERT INTO events (case_id, at, actor, action, detail, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut audit = tx.prepare_cached(
                "INSERT INTO audit (at, actor, action, case_id, address) VALUES (?1, ?2, 'register', ?3, NULL)",
            )?;
            for c in batch {
                let seq: i64 = number.query_row([c.year], |r| r.get(0))?;
                let reg = self.format.format(c.year, seq);
                let sha = {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(format!("synthetic {reg}").as_bytes()))
                };
                let purpose = if c.accusation { "accusation" } else { "demand" };
                case.execute(params![
                    reg,
                    c.year,
                    seq,
                    sha,
                    format!("synthetic-{seq}"),
                    c.status.as_str(),
                    c.name,
                    c.id_number,
                    c.phone,
                    c.address,
                    c.letter_date,
                    c.summary,
                    c.category,
                    c.urgent,
                    c.cosigners,
                    c.registered_at,
                    actor,
                    c.due_at,
                    c.route.as_ref().map(|r| r.0.as_str()),
                    c.route.as_ref().map(|r| r.1.as_str()),
                    c.accusation,
                    purpose,
                ])?;
                let id = tx.last_insert_rowid();
                texts.execute(params![id, c.text])?;
                terms.execute(params![id, text::index_terms(&[&c.text, &c.summary])])?;
                event.execute(params![id, c.registered_at, actor, "registered", None::<String>, c.route_due])?;
                if let Some((kind, body)) = &c.route {
                    let at = c.routed_at.as_deref().unwrap_or(&c.registered_at);
                    event.execute(params![id, at, actor, kind.as_str(), Some(body.as_str()), c.handling_due])?;
                }
                if let Some(at) = &c.closed_at {
                    event.execute(params![id, at, actor, "close", None::<String>, None::<String>])?;
                }
                audit.execute(params![c.registered_at, actor, id])?;
                last = id;
            }
        }
        tx.commit()?;
        self.synthetic_upto = self.synthetic_upto.max(last);
        Ok(())
    }

    fn tidy_search_index(&mut self) -> Result<bool> {
        // FTS5's incremental merge: a negative page count merges segments of every level
        // (as 'optimize' does, in steps); fewer than two changes means nothing was left.
        let before = self.conn.total_changes();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO case_terms (case_terms, rank) VALUES ('merge', ?1)", [-TIDY_PAGES])?;
        tx.commit()?;
        Ok(self.conn.total_changes() - before >= 2)
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
        type Row = (String, Option<String>, String, bool, String, bool, String, bool, Option<String>, Option<crate::domain::RouteKind>, bool, bool);
        let row: Option<Row> = tx
            .query_row(
                "SELECT c.status, c.due_at, t.text, c.accusation, c.accused,
                        EXISTS (SELECT 1 FROM events WHERE case_id = c.id AND action = 'extend'),
                        c.registered_at, c.urgent, c.report_due, c.route_kind, c.result IS NOT NULL,
                        c.with_leader IS NOT NULL
                 FROM cases c JOIN case_texts t ON t.case_id = c.id WHERE c.id = ?1",
                [case_id],
                |r| {
                    Ok((
                        r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?,
                        r.get(9)?, r.get(10)?, r.get(11)?,
                    ))
                },
            )
            .optional()?;
        let Some((status, due, text, accusation, accused, extended, registered_at, urgent, report_due, route, has_result, with_leader)) = row else {
            return Ok(Err(Refusal::NotFound));
        };
        let today = chrono::Local::now().date_naive();
        // (The stored time is RFC 3339; its date is the day of registration.)
        let registered = registered_at
            .get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or(today);
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
            registered,
            urgent,
            report_due: report_due.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            route,
            has_result,
            with_leader,
        };
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
        if t.changes.iter().any(|c| matches!(c, Change::Text(column, _) if *column == "summary")) {
            reindex(&tx, case_id)?;
        }
        if t.entries.iter().any(|e| e.event == crate::domain::EventKind::Confirmed) {
            tx.execute(
                "UPDATE cases SET confirmed_at = coalesce(confirmed_at, ?2) WHERE id = ?1",
                params![case_id, crate::clock::now().to_rfc3339()],
            )?;
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

/// Control characters (a NUL from a pasted string) match nothing a letter holds: dropped,
/// with the spaces around the query.
fn clean_query(q: &str) -> String {
    q.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string()
}

/// What a list query is for: a page of `n` rows (of a part of the list), or the capped
/// count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    Page(i64, Part),
    Count,
}

/// Which cases of a list a page query reads. A list in id order is one part; a list sorted
/// on a column is two: the cases with a value in the column's order, then those without
/// (no deadline, nobody assigned) in id order, so the column's index can give the first
/// part in order (`ORDER BY x IS NULL, x` would sort every case).
///
/// Words or filters in a column's order are found one of two ways: few matches (up to
/// `GATHER_FACTOR`) are gathered from the bigram index or the filters' indexes and sorted; many are
/// found by walking the column's index and checking each case (`walk`: the words in the
/// bigram index by its id, the filters on the case), which stops after the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    All,
    Valued { walk: bool },
    Unvalued,
}

/// When a search sorted on a column walks the column's index instead of gathering its
/// matches: matches² > GATHER_FACTOR × bigrams × cases. Gathering costs about 5.5 µs a
/// match; walking about 20-30 µs per bigram for each case checked, page / density of
/// them. Measured at a million (BENCHMARKS.md, "Sorted lists"): `拖欠工资` (3 bigrams,
/// 18,403 matches) 100 ms gathered against 161 ms walked; `工资` (1 bigram, 35,731) 41 ms
/// walked against about 200 ms gathered.
const GATHER_FACTOR: f64 = 225.0;

/// A query built from the filters actually given (no `? IS NULL OR …`, which keeps SQLite
/// from every index), with its parameters.
#[derive(Debug)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<rusqlite::types::Value>,
}

/// The filters' conditions on `c` (the case), in SQL, and their parameters. Each is one an
/// index answers in id order: status and category (`cases_status`, `cases_category`,
/// `cases_status_category`), due within days (`cases_due`, a narrow range). Overdue is a
/// quarter of all cases: walking the newest is quicker than sorting them all, so it is
/// written `+c.due_at` to keep the planner off the due index.
fn conditions(
    filter: &CaseFilter,
    today: chrono::NaiveDate,
    use_index: Indexes,
) -> (Vec<String>, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    // `+c.x` keeps the planner off x's index.
    let col = |name: &str, indexed: bool| if indexed { format!("c.{name}") } else { format!("+c.{name}") };
    let any = !matches!(use_index, Indexes::None);
    let mut conds = Vec::new();
    let mut params = Vec::new();
    if let Some(status) = filter.status {
        conds.push(format!("{} = ?", col("status", any)));
        params.push(Value::Text(status.as_str().into()));
    }
    if let Some(category) = &filter.category {
        conds.push(format!("{} = ?", col("category", any)));
        params.push(Value::Text(category.clone()));
    }
    if filter.without_accusations {
        conds.push("NOT +c.accusation".to_string());
    }
    if let Some(handler) = &filter.handler {
        conds.push(format!("{} = ?", col("handler", any)));
        params.push(Value::Text(handler.clone()));
    }
    if filter.overdue {
        conds.push(format!("{} < ?", col("due_at", matches!(use_index, Indexes::All))));
        params.push(Value::Text(today.to_string()));
    }
    if let Some((from, to)) = filter.registered {
        let at = col("registered_at", any);
        conds.push(format!("{at} >= ? AND {at} < ? AND c.status <> 'voided'"));
        params.push(Value::Text(from.to_string()));
        params.push(Value::Text(to.to_string()));
    }
    if let Some(purpose) = filter.purpose {
        conds.push("+c.purpose = ?".to_string());
        params.push(Value::Text(purpose.as_str().into()));
    }
    if let Some(days) = filter.due_within {
        let due = col("due_at", any);
        conds.push(format!("{due} >= ? AND {due} <= ?"));
        params.push(Value::Text(today.to_string()));
        params.push(Value::Text((today + chrono::Duration::days(days.clamp(0, 3650))).to_string()));
    }
    (conds, params)
}

/// Which indexes the filters' conditions may use.
#[derive(Debug, Clone, Copy)]
enum Indexes {
    /// Lists in id order: every one but the due index for overdue.
    InIdOrder,
    /// Counts, in no order: every one.
    All,
    /// A sample found by key, or a column's index walked: none.
    None,
}

/// The list (or its capped count), driven by the bigram index in id order when there are
/// `words` and the list is in id order (the limit pushed down: the index is read only as
/// far as the page needs), else by the filters' index or the table itself, newest first
/// unless the filter sorts otherwise. A list sorted on a column is read in two parts (see
/// `Part`), the cases with a value gathered through the filters' indexes or walked in the
/// column's.
pub(crate) fn list_query(filter: &CaseFilter, words: Option<&str>, today: chrono::NaiveDate, shape: Shape) -> Query {
    use rusqlite::types::Value;
    // Only the valued part of a sorted list is in another order than the id's.
    let by_column = matches!(shape, Shape::Page(_, Part::Valued { .. }));
    let walk = matches!(shape, Shape::Page(_, Part::Valued { walk: true }));
    // In a column's order: few matches gathered through the filters' indexes and sorted;
    // many walked in the column's index, the filters checked on each case (none of their
    // indexes). The cases without a value come in id order, as a list in id order does.
    let indexes = match shape {
        Shape::Page(_, Part::Valued { walk: true }) => Indexes::None,
        Shape::Page(_, Part::Valued { walk: false }) => Indexes::All,
        _ => Indexes::InIdOrder,
    };
    let (mut conds, mut params) = conditions(filter, today, indexes);
    // Words and no filter: nothing of the case is needed to count them.
    let words_alone = words.is_some() && conds.is_empty();
    let key = if words.is_some() && !by_column { "f.rowid" } else { "c.id" };
    let sort = filter.sort;
    let (id_op, id_dir) = if sort.ids_descending() { ("<", "DESC") } else { (">", "ASC") };
    let mut keyset = String::new();
    let mut order = format!("{key} {id_dir}");
    if let Shape::Page(_, part) = shape {
        let after = filter.after.as_ref();
        match (part, sort.column()) {
            (Part::Valued { .. }, Some(column)) => {
                // Ids go the column's way (`Sort::ids_descending`): a row value, one range
                // of the column's index (`x, rowid`).
                keyset.push_str(&format!(" AND c.{column} IS NOT NULL"));
                if let Some(PageKey { value: Some(v), id }) = after {
                    keyset.push_str(&format!(" AND (c.{column}, c.id) {id_op} (?, ?)"));
                    params.extend([Value::Text(v.clone()), Value::Integer(*id)]);
                }
                order = format!("c.{column} {id_dir}, c.id {id_dir}");
            }
            (Part::Unvalued, Some(column)) => {
                keyset.push_str(&format!(" AND c.{column} IS NULL"));
                if let Some(PageKey { value: None, id }) = after {
                    keyset.push_str(&format!(" AND {key} {id_op} ?"));
                    params.push(Value::Integer(*id));
                }
            }
            _ => {
                if let Some(k) = after {
                    keyset.push_str(&format!(" AND {key} {id_op} ?"));
                    params.push(Value::Integer(k.id));
                }
            }
        }
    }
    let from = match words {
        // Many matches in a column's order: the column's index walked, each case's match
        // checked in the bigram index by its id (a seek per term).
        Some(w) if walk => {
            conds.insert(0, "EXISTS (SELECT 1 FROM case_terms f WHERE f.terms MATCH ? AND f.rowid = c.id)".into());
            params.insert(0, Value::Text(w.to_string()));
            "cases c"
        }
        Some(w) => {
            conds.insert(0, "f.terms MATCH ?".into());
            params.insert(0, Value::Text(w.to_string()));
            // CROSS JOIN: the index is the outer loop, the case found by its id.
            "case_terms f CROSS JOIN cases c ON c.id = f.rowid"
        }
        None => "cases c",
    };
    let filters = if conds.is_empty() { "1".to_string() } else { conds.join(" AND ") };
    let sql = match shape {
        Shape::Page(n, _) => {
            params.push(Value::Integer(n));
            format!(
                "SELECT {SUMMARY_COLUMNS} FROM {from} LEFT JOIN cases r ON r.id = c.repeat_of
                 WHERE {filters}{keyset} ORDER BY {order} LIMIT ?"
            )
        }
        Shape::Count => {
            params.push(Value::Integer(Total::COUNTED + 1));
            // Words alone are counted in the index without reading a case.
            let from = if words_alone { "case_terms f" } else { from };
            format!(
                "SELECT count(*), min(id) FROM (SELECT {key} AS id FROM {from}
                 WHERE {filters} ORDER BY {key} DESC LIMIT ?)"
            )
        }
    };
    Query { sql, params }
}

/// Cases whose registration number, phone, ID number or name is exactly the query, or
/// that hold a document with that number: each through its own unique or plain index.
fn exact_query(filter: &CaseFilter, q: &str, today: chrono::NaiveDate, limit: i64) -> Query {
    use rusqlite::types::Value;
    let (conds, mut params) = conditions(filter, today, Indexes::InIdOrder);
    let upper = q.to_uppercase();
    let mut all = vec![
        Value::Text(upper.clone()),
        Value::Text(q.to_string()),
        Value::Text(upper),
        Value::Text(q.to_string()),
        Value::Text(q.to_string()),
    ];
    all.append(&mut params);
    all.push(Value::Integer(limit));
    let filters: String = conds.iter().map(|c| format!(" AND {c}")).collect();
    Query {
        sql: format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases c LEFT JOIN cases r ON r.id = c.repeat_of
             WHERE c.id IN (SELECT id FROM cases WHERE registration_number = ?
                            UNION SELECT id FROM cases WHERE phone = ?
                            UNION SELECT id FROM cases WHERE id_number = ?
                            UNION SELECT id FROM cases WHERE name = ?
                            UNION SELECT case_id FROM documents WHERE number = ?){filters}
             ORDER BY c.id DESC LIMIT ?"
        ),
        params: all,
    }
}

impl SqliteRegistry {
    /// Up to `n` rows of the list from the filter's key on, in its order: one query for a
    /// list in id order; for one sorted on a column, the cases with a value and then, if the
    /// page has room, those without. With the list's size when it was needed to choose how
    /// to read (words in a column's order).
    fn page(&self, filter: &CaseFilter, words: Option<&str>, today: chrono::NaiveDate, n: i64) -> Result<(Vec<CaseSummary>, Option<Total>)> {
        if filter.sort.column().is_none() {
            return Ok((self.fetch(&list_query(filter, words, today, Shape::Page(n, Part::All)))?, None));
        }
        let among_unvalued = filter.after.as_ref().is_some_and(|k| k.value.is_none());
        let mut counted = None;
        let mut rows = if among_unvalued {
            Vec::new()
        } else {
            // How many match decides how they are found (`Part`).
            if words.is_some() || filter.filtered() {
                counted = Some(self.total(filter, words, today)?);
            }
            let walk = match counted {
                // A word's check is a seek per bigram in the bigram index (20-30 µs each),
                // a gathered match about 5.5 µs: walking wins when matches² > 225 × bigrams
                // × the register (15,000 of a million for one bigram).
                Some(t) if words.is_some() => {
                    let bigrams = words.map_or(1, |w| w.split_whitespace().filter(|t| *t != "AND").count().max(1));
                    (t.count as f64).powi(2) > GATHER_FACTOR * bigrams as f64 * self.size()? as f64
                }
                // A filter's check is a compare on the case read anyway: walk unless few.
                Some(t) => t.count > Total::COUNTED,
                None => false,
            };
            self.fetch(&list_query(filter, words, today, Shape::Page(n, Part::Valued { walk })))?
        };
        let room = n - rows.len() as i64;
        if room > 0 {
            rows.extend(self.fetch(&list_query(filter, words, today, Shape::Page(room, Part::Unvalued)))?);
        }
        Ok((rows, counted))
    }

    fn fetch(&self, q: &Query) -> Result<Vec<CaseSummary>> {
        let mut st = self.conn.prepare_cached(&q.sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(q.params.iter()), summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many cases the register holds (from its counters).
    fn size(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(sum(last), 0) FROM counters", [], |r| r.get(0))?)
    }

    /// The list's size: the whole register from its counters; a filtered list counted up
    /// to `Total::COUNTED` matches and estimated beyond.
    fn total(&self, filter: &CaseFilter, words: Option<&str>, today: chrono::NaiveDate) -> Result<Total> {
        let all = self.size()?;
        if words.is_none() && !filter.filtered() {
            return Ok(Total { count: all, estimate: false });
        }
        let newest = || -> Result<i64> {
            Ok(self.conn.query_row("SELECT coalesce(max(id), 0) FROM cases", [], |r| r.get(0))?)
        };
        let Some(words) = words else {
            // Filters only: counted through their index up to the cap, in any order.
            let q = count_query(filter, today, None);
            let n: i64 = self
                .conn
                .prepare_cached(&q.sql)?
                .query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?;
            if n <= Total::COUNTED {
                return Ok(Total { count: n, estimate: false });
            }
            // Beyond, from a sample of ids spread evenly over the whole register (found by
            // their key): a filter's cases are not spread evenly in time (the newest are
            // rarely overdue), so the newest matches would mislead.
            let newest = newest()?;
            let step = (newest / SAMPLE).max(1);
            let ids: Vec<i64> = (0..SAMPLE).map(|k| 1 + k * step).filter(|id| *id <= newest).collect();
            let q = count_query(filter, today, Some(&ids));
            let hits: i64 = self
                .conn
                .prepare_cached(&q.sql)?
                .query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?;
            let count = (hits as f64 * all as f64 / ids.len().max(1) as f64).round() as i64;
            return Ok(Total { count: count.max(n), estimate: true });
        };
        let q = list_query(filter, Some(words), today, Shape::Count);
        let mut st = self.conn.prepare_cached(&q.sql)?;
        let (n, lowest): (i64, Option<i64>) =
            st.query_row(rusqlite::params_from_iter(q.params.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
        if n <= Total::COUNTED {
            return Ok(Total { count: n, estimate: false });
        }
        // Words: the matches counted lie between the newest case and `lowest`; as dense
        // below (the bigram index cannot be sampled by key cheaply).
        let newest = newest()?;
        let span = (newest - lowest.unwrap_or(newest) + 1).max(1);
        let count = ((n as f64) * (newest as f64) / (span as f64)).round() as i64;
        Ok(Total { count: count.max(n).min(all.max(n)), estimate: true })
    }
}

/// Pages of the search index merged in one tidying step (a few milliseconds).
const TIDY_PAGES: i64 = 500;

/// Cases looked up to estimate a long filtered list's size.
const SAMPLE: i64 = 2000;

/// The filters' count: capped at `Total::COUNTED + 1` through whichever index answers them
/// (overdue included: its range of `cases_due`, as no order is needed), or, with `sample`,
/// among those ids only, each found by its key (the filters' indexes kept out with `+`).
pub(crate) fn count_query(filter: &CaseFilter, today: chrono::NaiveDate, sample: Option<&[i64]>) -> Query {
    use rusqlite::types::Value;
    let use_index = if sample.is_some() { Indexes::None } else { Indexes::All };
    let (conds, mut params) = conditions(filter, today, use_index);
    let filters = if conds.is_empty() { "1".to_string() } else { conds.join(" AND ") };
    let sql = match sample {
        None => {
            params.push(Value::Integer(Total::COUNTED + 1));
            format!("SELECT count(*) FROM (SELECT 1 FROM cases c WHERE {filters} LIMIT ?)")
        }
        Some(ids) => {
            let list = serde_json::to_string(ids).expect("ids serialise");
            params.insert(0, Value::Text(list));
            format!(
                "SELECT count(*) FROM json_each(?) s CROSS JOIN cases c ON c.id = s.value WHERE {filters}"
            )
        }
    };
    Query { sql, params }
}

/// The case registered before by the same petitioner on the same kind of issue: by ID
/// number, or by name and phone, each through its index.
fn find_repeat(tx: &rusqlite::Transaction, f: &crate::model::Fields) -> Result<Option<CaseRef>> {
    let row = |r: &rusqlite::Row| {
        Ok(CaseRef {
            case_id: r.get(0)?,
            registration_number: r.get(1)?,
        })
    };
    let mut found: Option<CaseRef> = None;
    if let Some(id) = &f.id_number {
        found = tx
            .query_row(
                "SELECT id, registration_number FROM cases WHERE id_number = ?1 AND category IS ?2
                   AND status <> 'voided' ORDER BY id DESC LIMIT 1",
                params![id, f.category],
                row,
            )
            .optional()?;
    }
    if let (Some(name), Some(phone)) = (&f.name, &f.phone) {
        let by_phone = tx
            .query_row(
                "SELECT id, registration_number FROM cases WHERE phone = ?1 AND name = ?2
                   AND category IS ?3 AND status <> 'voided' ORDER BY id DESC LIMIT 1",
                params![phone, name, f.category],
                row,
            )
            .optional()?;
        if by_phone.as_ref().map(|c| c.case_id) > found.as_ref().map(|c| c.case_id) {
            found = by_phone;
        }
    }
    Ok(found)
}

/// Writes a case's text, its stored extraction, and its search terms (text and summary).
fn put_text(
    tx: &rusqlite::Transaction,
    case_id: i64,
    body: &str,
    extraction: &serde_json::Value,
    summary: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO case_texts (case_id, text, extraction) VALUES (?1, ?2, ?3)",
        params![case_id, body, extraction.to_string()],
    )?;
    tx.execute(
        "INSERT INTO case_terms (rowid, terms) VALUES (?1, ?2)",
        params![case_id, text::index_terms(&[body, summary.unwrap_or("")])],
    )?;
    Ok(())
}

/// Writes a case's search terms again (its summary was corrected).
fn reindex(tx: &rusqlite::Transaction, case_id: i64) -> Result<()> {
    let (body, summary): (String, Option<String>) = tx.query_row(
        "SELECT t.text, c.summary FROM cases c JOIN case_texts t ON t.case_id = c.id WHERE c.id = ?1",
        [case_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    tx.execute("DELETE FROM case_terms WHERE rowid = ?1", [case_id])?;
    tx.execute(
        "INSERT INTO case_terms (rowid, terms) VALUES (?1, ?2)",
        params![case_id, text::index_terms(&[&body, summary.as_deref().unwrap_or("")])],
    )?;
    Ok(())
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

    fn audit_log(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        // One statement whose conditions drop out when not given (`?n IS NULL OR …`), and
        // its own plan per filter shape: one case's trail comes from `audit_case`, one
        // user's from `audit_actor`, the rest from the table backwards in id order (each
        // stops after `limit` matches).
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let next_day = |d: chrono::NaiveDate| d.succ_opt().map(day).unwrap_or_else(|| "9999".into());
        let mut sql = String::from(
            "SELECT a.id, a.at, a.actor, a.action, a.case_id, a.address, c.registration_number
             FROM audit a LEFT JOIN cases c ON c.id = a.case_id WHERE 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut arg = |sql: &mut String, cond: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
        };
        if let Some(c) = f.case_id {
            arg(&mut sql, " AND a.case_id = ?", c.into());
        }
        if let Some(a) = &f.actor {
            arg(&mut sql, " AND a.actor = ?", a.clone().into());
        }
        if let Some(code) = &f.action {
            arg(&mut sql, " AND (a.action = ? OR substr(a.action, 1, length(?) + 1) IN (? || ' ', ? || ':'))", code.clone().into());
        }
        if let Some(d) = f.from {
            arg(&mut sql, " AND a.at >= ?", day(d).into());
        }
        if let Some(d) = f.to {
            arg(&mut sql, " AND a.at < ?", next_day(d).into());
        }
        if let Some(b) = f.before_id {
            arg(&mut sql, " AND a.id < ?", b.into());
        }
        arg(&mut sql, " ORDER BY a.id DESC LIMIT ?", f.limit.clamp(1, 5000).into());
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                case_id: r.get(4)?,
                address: r.get(5)?,
                case_number: r.get(6)?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::number::NumberFormat;
    use crate::registry::Cases;

    fn register_of(n: u64) -> (tempfile::TempDir, SqliteRegistry) {
        let dir = tempfile::tempdir().unwrap();
        let mut r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
        let v = crate::config::Vocabulary::default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let first = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let batch: Vec<_> = (0..n).map(|i| crate::synth::case(3, i, n, first, today, today, &v)).collect();
        r.add_synthetic(&batch, "test").unwrap();
        (dir, r)
    }

    fn plan(r: &SqliteRegistry, q: &Query) -> String {
        let mut st = r.conn.prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql)).unwrap();
        let rows = st
            .query_map(rusqlite::params_from_iter(q.params.iter()), |row| row.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<String>>().join(" | ")
    }

    /// Each list query's plan, pinned: a later change that makes one walk the table or sort
    /// every match fails here, not at a bureau with a million letters.
    #[test]
    fn every_list_query_uses_its_index_in_id_order() {
        let (_dir, r) = register_of(300);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let words = text::match_query("工资");
        let f = |f: CaseFilter| f;
        let cases: Vec<(&str, CaseFilter, Option<&str>, &[&str])> = vec![
            ("everything", f(CaseFilter::default()), None, &["SCAN c"]),
            (
                "a status",
                f(CaseFilter { status: Some(Status::Routed), ..Default::default() }),
                None,
                &["INDEX cases_status (status=?)"],
            ),
            (
                "a category",
                f(CaseFilter { category: Some("教育".into()), ..Default::default() }),
                None,
                &["INDEX cases_category (category=?)"],
            ),
            (
                "a status and a category",
                f(CaseFilter { status: Some(Status::Routed), category: Some("教育".into()), ..Default::default() }),
                None,
                &["INDEX cases_status_category (status=? AND category=?)"],
            ),
            (
                "overdue",
                f(CaseFilter { overdue: true, ..Default::default() }),
                None,
                &["SCAN c"],
            ),
            (
                "the next page",
                f(CaseFilter { after: Some(PageKey { value: None, id: 100 }), ..Default::default() }),
                None,
                &["SEARCH c USING INTEGER PRIMARY KEY (rowid<?)"],
            ),
            (
                "words",
                f(CaseFilter::default()),
                words.as_deref(),
                &["SCAN f VIRTUAL TABLE INDEX", "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"],
            ),
            (
                "words with a status, next page",
                f(CaseFilter { status: Some(Status::Routed), after: Some(PageKey { value: None, id: 100 }), ..Default::default() }),
                words.as_deref(),
                &["SCAN f VIRTUAL TABLE INDEX", "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"],
            ),
        ];
        for (what, filter, words, expected) in &cases {
            for shape in [Shape::Page(51, Part::All), Shape::Count] {
                let p = plan(&r, &list_query(filter, *words, today, shape));
                for e in *expected {
                    if matches!(shape, Shape::Count) && e.contains("rowid<?") {
                        continue;
                    }
                    // Words alone are counted in the index, no case read.
                    if matches!(shape, Shape::Count) && *what == "words" && e.starts_with("SEARCH c") {
                        assert!(!p.contains("SEARCH c"), "{what} ({shape:?}) reads the cases: {p}");
                        continue;
                    }
                    assert!(p.contains(e), "{what} ({shape:?}): expected `{e}` in the plan: {p}");
                }
                assert!(!p.contains("TEMP B-TREE"), "{what} ({shape:?}) sorts every match: {p}");
            }
        }
        // Counts of filters: overdue from the due index; the sample by key.
        let overdue = CaseFilter { overdue: true, ..Default::default() };
        let p = plan(&r, &count_query(&overdue, today, None));
        assert!(p.contains("INDEX cases_due (due_at<?)"), "{p}");
        let p = plan(&r, &count_query(&overdue, today, Some(&[1, 50, 100])));
        assert!(p.contains("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"), "{p}");
        let by_status = CaseFilter { status: Some(Status::Routed), ..Default::default() };
        let p = plan(&r, &count_query(&by_status, today, Some(&[1, 50, 100])));
        assert!(p.contains("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)") && !p.contains("cases_status"), "{p}");
        // Due within days: a narrow range of the due index, then sorted (few cases).
        let soon = CaseFilter { due_within: Some(3), ..Default::default() };
        let p = plan(&r, &list_query(&soon, None, today, Shape::Page(51, Part::All)));
        assert!(p.contains("SEARCH c USING INDEX cases_due (due_at>? AND due_at<?)"), "{p}");
        // Sorted on a column: the cases with a value from the column's index in its order
        // (the next page a range of it), those without from it too; never sorted whole.
        let key = |v: &str| Some(PageKey { value: Some(v.into()), id: 100 });
        for (sort, index) in [
            (Sort::DueSoonest, "cases_due"),
            (Sort::DueLatest, "cases_due"),
            (Sort::Handler, "cases_handler"),
        ] {
            for after in [None, key("2026-12-01")] {
                let filter = CaseFilter { sort, after, ..Default::default() };
                for part in [Part::Valued { walk: false }, Part::Unvalued] {
                    let p = plan(&r, &list_query(&filter, None, today, Shape::Page(51, part)));
                    assert!(p.contains(&format!("INDEX {index}")), "{sort:?} {part:?}: {p}");
                    assert!(!p.contains("TEMP B-TREE"), "{sort:?} {part:?} sorts the list: {p}");
                }
                // Words: many walked in the column's order, each checked by id in the
                // bigram index; few gathered from it and sorted; those without a value
                // straight from the bigram index in id order.
                let p = plan(&r, &list_query(&filter, words.as_deref(), today, Shape::Page(51, Part::Valued { walk: true })));
                assert!(p.contains(&format!("INDEX {index}")) && p.contains("VIRTUAL TABLE INDEX"), "{sort:?} walked: {p}");
                assert!(!p.contains("TEMP B-TREE"), "{sort:?} walked sorts: {p}");
                let p = plan(&r, &list_query(&filter, words.as_deref(), today, Shape::Page(51, Part::Valued { walk: false })));
                assert!(p.starts_with("SCAN f VIRTUAL TABLE INDEX"), "{sort:?} gathered: {p}");
                let p = plan(&r, &list_query(&filter, words.as_deref(), today, Shape::Page(51, Part::Unvalued)));
                assert!(p.starts_with("SCAN f VIRTUAL TABLE INDEX") && !p.contains("TEMP B-TREE"), "{sort:?} without a value: {p}");
                // A filter: many walked in the column's index (the filter checked on each),
                // those without a value through the filter's index in id order.
                let routed = CaseFilter { status: Some(Status::Routed), ..filter.clone() };
                let p = plan(&r, &list_query(&routed, None, today, Shape::Page(51, Part::Valued { walk: true })));
                assert!(p.contains(&format!("INDEX {index}")) && !p.contains("TEMP B-TREE"), "{sort:?} a filter walked: {p}");
                let p = plan(&r, &list_query(&routed, None, today, Shape::Page(51, Part::Unvalued)));
                assert!(!p.contains("TEMP B-TREE"), "{sort:?} a filter without a value: {p}");
            }
        }
        // Identifiers, each through its own index.
        let p = plan(&r, &exact_query(&CaseFilter::default(), "XF-2026-000001", today, 50));
        for index in [
            "sqlite_autoindex_cases_1",
            "cases_phone",
            "cases_id_number",
            "cases_name",
            "sqlite_autoindex_documents_1",
        ] {
            assert!(p.contains(index), "exact lookup without {index}: {p}");
        }
        assert!(!p.contains("SCAN cases"), "{p}");
        // A case's audit trail.
        let mut st = r
            .conn
            .prepare("EXPLAIN QUERY PLAN SELECT at FROM audit WHERE case_id = 1 ORDER BY id DESC LIMIT 5")
            .unwrap();
        let p: String = st.query_row([], |row| row.get(3)).unwrap();
        assert!(p.contains("USING INDEX audit_case"), "{p}");
    }

    #[test]
    fn lists_page_by_key_and_count_exactly_or_estimate() {
        let (_dir, r) = register_of(250);
        let all = r.list_cases(&CaseFilter { limit: Some(100), ..Default::default() }).unwrap();
        assert_eq!(all.total, Total { count: 250, estimate: false });
        assert_eq!(all.cases.len(), 100);
        assert_eq!(all.cases[0].id, 250);
        let key = |k: &Option<String>| k.as_deref().and_then(|k| PageKey::parse(Sort::Newest, k));
        let next = r
            .list_cases(&CaseFilter { limit: Some(100), after: key(&all.next), ..Default::default() })
            .unwrap();
        assert_eq!(next.cases[0].id, 150);
        let last = r
            .list_cases(&CaseFilter { limit: Some(100), after: key(&next.next), ..Default::default() })
            .unwrap();
        assert_eq!(last.cases.len(), 50);
        assert_eq!(last.next, None);
        // A word: every page from the index, the pages together exactly the matches.
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = r
                .list_cases(&CaseFilter { q: Some("反映".into()), limit: Some(40), after: before, ..Default::default() })
                .unwrap();
            assert_eq!(page.total, Total { count: 250, estimate: false });
            seen.extend(page.cases.iter().map(|c| c.id));
            match key(&page.next) {
                Some(b) => before = Some(b),
                None => break,
            }
        }
        assert_eq!(seen, (1..=250).rev().collect::<Vec<i64>>());
        assert_eq!(Total { count: 199_431, estimate: true }.words(), "约 19.9 万件");
        assert_eq!(Total { count: 38, estimate: false }.words(), "共 38 件");
    }

    /// Every order pages through the whole list exactly once, in that order, with and
    /// without a filter or words, and the key survives its written form.
    #[test]
    fn every_order_pages_through_the_list_once_in_order() {
        let (_dir, r) = register_of(260);
        // Some cases given to officers (others to nobody), some deadlines shared by many.
        r.conn
            .execute_batch(
                "UPDATE cases SET handler = CASE id % 3 WHEN 0 THEN '李四' WHEN 1 THEN '张三' END;
                 UPDATE cases SET due_at = '2026-12-0' || (id % 5) WHERE id % 7 <> 0;
                 UPDATE cases SET due_at = NULL WHERE id % 7 = 0;",
            )
            .unwrap();
        let all: Vec<CaseSummary> = r.list_cases(&CaseFilter { limit: Some(1000), ..Default::default() }).unwrap().cases;
        for sort in Sort::ALL {
            for (q, status) in [(None, None), (Some("反映"), None), (None, Some(Status::Routed))] {
                let mut expected: Vec<&CaseSummary> =
                    all.iter().filter(|c| status.is_none_or(|s| c.status == s)).collect();
                // The order said: valued cases by the value, then the rest, ids as the sort says.
                expected.sort_by(|a, b| {
                    let (va, vb) = (sort.value_of(a), sort.value_of(b));
                    let by_value = match (&va, &vb) {
                        (Some(x), Some(y)) if sort.descending() => y.cmp(x),
                        (Some(x), Some(y)) => x.cmp(y),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    };
                    let by_id = if sort.ids_descending() { b.id.cmp(&a.id) } else { a.id.cmp(&b.id) };
                    by_value.then(by_id)
                });
                let expected: Vec<i64> = expected.iter().map(|c| c.id).collect();
                let mut seen = Vec::new();
                let mut after = None;
                let mut pages = 0;
                loop {
                    let filter = CaseFilter { q: q.map(String::from), status, sort, after, limit: Some(17), ..Default::default() };
                    let page = r.list_cases(&filter).unwrap();
                    assert_eq!(page.total.count, expected.len() as i64, "{sort:?} {q:?} {status:?}");
                    seen.extend(page.cases.iter().map(|c| c.id));
                    pages += 1;
                    assert!(pages < 100, "{sort:?} pages forever");
                    match page.next {
                        Some(k) => after = Some(PageKey::parse(sort, &k).unwrap_or_else(|| panic!("{sort:?}: key {k}"))),
                        None => break,
                    }
                }
                assert_eq!(seen, expected, "{sort:?} {q:?} {status:?}");
                // Both ways of finding words in a column's order give the same pages.
                if (q.is_some() || status.is_some()) && sort.column().is_some() {
                    let words = q.and_then(text::match_query);
                    let today = chrono::Local::now().date_naive();
                    for after in [None, Some(PageKey { value: Some("2026-12-02".into()), id: 40 }), Some(PageKey { value: Some("李四".into()), id: 40 })] {
                        let filter = CaseFilter { status, sort, after, ..Default::default() };
                        let ways: Vec<Vec<i64>> = [false, true]
                            .into_iter()
                            .map(|walk| {
                                let q = list_query(&filter, words.as_deref(), today, Shape::Page(23, Part::Valued { walk }));
                                r.fetch(&q).unwrap().iter().map(|c| c.id).collect()
                            })
                            .collect();
                        assert_eq!(ways[0], ways[1], "{sort:?} {status:?}");
                        assert!(!ways[0].is_empty() || filter.after.is_some());
                    }
                }
            }
        }
        // Keys written and read back; a key of another order is refused.
        assert_eq!(PageKey::parse(Sort::Handler, "张~三~12"), Some(PageKey { value: Some("张~三".into()), id: 12 }));
        assert_eq!(PageKey::parse(Sort::DueSoonest, "~12"), Some(PageKey { value: None, id: 12 }));
        assert_eq!(PageKey::parse(Sort::DueSoonest, "12"), None);
        assert_eq!(PageKey::parse(Sort::Newest, "x"), None);
        let k = PageKey { value: Some("2026-12-01".into()), id: 9 };
        assert_eq!(PageKey::parse(Sort::DueLatest, &k.encode(Sort::DueLatest)), Some(k));
    }

    /// The statistics' rows: the history read in one range gives what four look-ups per
    /// case give (the plain reading of the rule, as SQL).
    #[test]
    fn statistics_rows_carry_each_case_history() {
        let (_dir, r) = register_of(400);
        let (from, to) = (chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        let rows = r.stat_rows(from, to).unwrap();
        assert_eq!(rows.len(), 400);
        let day = |s: Option<String>| s.map(|s| chrono::NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap());
        let mut closed = 0;
        for row in &rows {
            let one = |sql: &str| -> Option<String> { r.conn.query_row(sql, [row.id], |x| x.get(0)).unwrap() };
            let routed = one("SELECT min(at) FROM events WHERE case_id = ?1 AND action IN ('transfer', 'assign', 'direct', 'refuse', 'not_again')");
            let route_due = one("SELECT due_at FROM events WHERE case_id = ?1 AND action = 'registered'");
            let done = one("SELECT min(at) FROM events WHERE case_id = ?1 AND action = 'close'");
            let close_due = one("SELECT max(due_at) FROM events WHERE case_id = ?1 AND action IN ('transfer', 'assign', 'direct', 'accept', 'extend')");
            assert_eq!((row.routed, row.route_due, row.closed, row.close_due), (day(routed), day(route_due), day(done), day(close_due)), "case {}", row.id);
            closed += usize::from(row.closed.is_some());
        }
        assert!(closed > 50, "{closed} closed: the history is exercised");
        assert!(r.stat_rows(to, to).unwrap().is_empty());
    }

    #[test]
    fn a_long_list_is_counted_to_the_cap_and_estimated_beyond() {
        let (_dir, r) = register_of(4000);
        let every = r.list_cases(&CaseFilter { q: Some("反映".into()), limit: Some(20), ..Default::default() }).unwrap();
        assert_eq!(every.total, Total { count: 4000, estimate: true });
        let routed = CaseFilter { status: Some(Status::Archived), limit: Some(20), ..Default::default() };
        let truth: i64 = r
            .conn
            .query_row("SELECT count(*) FROM cases WHERE status = 'archived'", [], |row| row.get(0))
            .unwrap();
        let t = r.list_cases(&routed).unwrap().total;
        assert!(truth > Total::COUNTED, "{truth}");
        {
            assert!(t.estimate);
            assert!((t.count - truth).abs() * 4 < truth, "estimated {} for {truth}", t.count);
        }
        let few = CaseFilter { status: Some(Status::Registered), limit: Some(5), ..Default::default() };
        let truth: i64 = r
            .conn
            .query_row("SELECT count(*) FROM cases WHERE status = 'registered'", [], |row| row.get(0))
            .unwrap();
        assert!(truth > 5 && truth <= Total::COUNTED, "{truth}");
        assert_eq!(r.list_cases(&few).unwrap().total, Total { count: truth, estimate: false });
    }

    #[test]
    fn tidying_merges_the_search_index_into_one_piece_and_finds_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
        let v = crate::config::Vocabulary::default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let first = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        // Each batch is a transaction, so a segment of its own.
        for b in 0..6u64 {
            let batch: Vec<_> = (b * 50..b * 50 + 50).map(|i| crate::synth::case(3, i, 300, first, today, today, &v)).collect();
            r.add_synthetic(&batch, "test").unwrap();
        }
        let segments = |r: &SqliteRegistry| -> i64 {
            r.conn.query_row("SELECT count(DISTINCT segid) FROM case_terms_idx", [], |x| x.get(0)).unwrap()
        };
        let found = |r: &SqliteRegistry, q: &str| -> Vec<i64> {
            let list = r.list_cases(&CaseFilter { q: Some(q.into()), limit: Some(1000), ..Default::default() }).unwrap();
            list.cases.iter().map(|c| c.id).collect()
        };
        assert!(segments(&r) > 1, "{}", segments(&r));
        let before: Vec<Vec<i64>> = ["工资", "拖欠工资", "反映"].iter().map(|q| found(&r, q)).collect();
        assert!(before.iter().all(|ids| !ids.is_empty()), "{before:?}");
        let steps = crate::registry::tidy_search_index(&mut r, std::time::Duration::ZERO, &|| false).unwrap();
        assert!(steps >= 1);
        assert_eq!(segments(&r), 1);
        assert!(!r.tidy_search_index().unwrap(), "a whole index has nothing left to tidy");
        let after: Vec<Vec<i64>> = ["工资", "拖欠工资", "反映"].iter().map(|q| found(&r, q)).collect();
        assert_eq!(before, after);
        // A stop asked for before the first step is obeyed.
        let b = 6u64;
        let batch: Vec<_> = (b * 50..b * 50 + 50).map(|i| crate::synth::case(3, i, 400, first, today, today, &v)).collect();
        r.add_synthetic(&batch, "test").unwrap();
        let pieces = segments(&r);
        assert!(pieces > 1, "{pieces}");
        assert_eq!(crate::registry::tidy_search_index(&mut r, std::time::Duration::ZERO, &|| true).unwrap(), 0);
        assert_eq!(segments(&r), pieces);
    }

    #[test]
    fn the_queue_holds_registered_cases_nobody_confirmed_oldest_first() {
        let (_dir, mut r) = register_of(1500);
        let registered: Vec<i64> = {
            let mut st = r.conn.prepare("SELECT id FROM cases WHERE status = 'registered' ORDER BY id").unwrap();
            st.query_map([], |x| x.get(0)).unwrap().map(|x| x.unwrap()).collect()
        };
        assert!(registered.len() >= 3, "{registered:?}");
        let (queue, count) = r.to_check(1000, true).unwrap();
        assert_eq!(count, registered.len() as i64);
        assert_eq!(queue.iter().map(|c| c.id).collect::<Vec<_>>(), registered);
        // (`INDEXED BY` in the queries: SQLite refuses them if the index could not serve.)
        // Confirmed through the case life, the oldest leaves the queue; the next is first.
        let config = crate::config::Config::default();
        let rules = crate::domain::Rules { deadlines: &config.deadlines, names: &config.bodies };
        let actor = crate::registry::life::Actor { role: crate::domain::Role::Mailroom, name: "收发员".into(), address: None };
        r.apply(registered[0], &crate::domain::Action::Confirm, &actor, rules).unwrap().unwrap();
        let (queue, count) = r.to_check(2, true).unwrap();
        // Without accusation letters (a role that may not see who accuses): a subset.
        let (mine, fewer) = r.to_check(1000, false).unwrap();
        let accusations: i64 = r
            .conn
            .query_row(
                "SELECT count(*) FROM cases WHERE status = 'registered' AND confirmed_at IS NULL AND accusation",
                [],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(fewer, count - accusations);
        assert!(mine.iter().all(|c| !c.accusation));
        assert_eq!(count, registered.len() as i64 - 1);
        assert_eq!(queue.iter().map(|c| c.id).collect::<Vec<_>>(), registered[1..3].to_vec());
    }
}
