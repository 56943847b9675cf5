//! A case's life after registration: routing (转送 transfer, 交办 assign, 直接办理 handle
//! directly, 不予受理 refuse, 不再受理 not accepted again), with the deadline each step starts,
//! and corrections of the fields read. Each change is one transaction with its event and its
//! audit entry.

use super::{record, Record, Registry, RegistryError, Result};
use crate::deadline::Deadlines;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// The routes an officer can take.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    Transfer,
    Assign,
    Direct,
    Refuse,
    NotAgain,
}

impl RouteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Transfer => "transfer",
            RouteKind::Assign => "assign",
            RouteKind::Direct => "direct",
            RouteKind::Refuse => "refuse",
            RouteKind::NotAgain => "not_again",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            RouteKind::Transfer => "转送",
            RouteKind::Assign => "交办",
            RouteKind::Direct => "直接办理",
            RouteKind::Refuse => "不予受理",
            RouteKind::NotAgain => "不再受理",
        }
    }
}

/// A route decision.
#[derive(Debug, Clone, Deserialize)]
pub struct Route {
    pub kind: RouteKind,
    /// The competent body (transfer, assign).
    pub body: Option<String>,
    /// The reason (refuse, not accepted again).
    pub reason: Option<String>,
}

/// Why a change was not made: shown to the user as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NotFound,
    /// The case is not in a state this change applies to.
    WrongState(String),
    /// Something needed is missing or not allowed (a body, a reason, the accused).
    Invalid(String),
    /// The user's role may not make this change.
    Forbidden(String),
}

/// Roles that may clear the accusation flag or take a body off the accused list.
pub const CLEAR_ACCUSATION_ROLES: [&str; 2] = ["officer", "admin"];

/// Steps after routing.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The receiving body accepted a transferred or assigned item: handling starts.
    Accept,
    /// One extension of the handling limit (head's approval; the petitioner is told why).
    Extend,
    /// The answer was given to the petitioner.
    Reply,
    /// The matter is closed.
    Close,
    /// Filed in the year's archive.
    Archive,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Extend => "extend",
            Step::Reply => "reply",
            Step::Close => "close",
            Step::Archive => "archive",
        }
    }

    /// Every step, in the order of a case's life.
    pub const ALL: [Step; 5] = [Step::Accept, Step::Extend, Step::Reply, Step::Close, Step::Archive];

    /// Whether the step can be taken on a case in `status`.
    pub fn applies_to(self, status: &str) -> bool {
        self.transition().0.contains(&status)
    }

    /// The states the step applies to, and the state it leads to (None: stays).
    fn transition(self) -> (&'static [&'static str], Option<&'static str>) {
        match self {
            Step::Accept => (&["routed"], Some("awaiting")),
            Step::Extend => (&["routed", "awaiting"], None),
            Step::Reply => (&["routed", "awaiting"], Some("replied")),
            Step::Close => (&["replied"], Some("closed")),
            Step::Archive => (&["closed"], Some("archived")),
        }
    }
}

/// The purpose class of a letter by law (《信访工作条例》 Arts. 29-31).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// 建议意见
    Suggestion,
    /// 检举控告: never sent to the body it accuses.
    Accusation,
    /// 申诉求决
    Demand,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Suggestion => "suggestion",
            Purpose::Accusation => "accusation",
            Purpose::Demand => "demand",
        }
    }
}

/// Corrections of the fields read (PATCH). Absent fields are left as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrections {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub letter_date: Option<String>,
    pub summary: Option<String>,
    pub category: Option<String>,
    pub urgent: Option<bool>,
    pub cosigners: Option<i64>,
    pub accusation: Option<bool>,
    /// Bodies the letter accuses (检举控告的对象); the case is never routed to them.
    pub accused: Option<Vec<String>>,
    /// The purpose class; `accusation` sets the accusation flag, the others clear it.
    pub purpose: Option<Purpose>,
    /// Why the accusation flag is cleared or a body taken off the accused list: needed
    /// then, and kept in the audit log.
    pub reason: Option<String>,
}

impl Registry {
    /// Routes a registered case. Transfer and assignment need a body, refusals a reason;
    /// accusation material is never routed to a body it accuses.
    pub fn route(
        &mut self,
        case_id: i64,
        route: &Route,
        deadlines: &Deadlines,
        names: &crate::bodies::BodyNames,
        actor: &str,
        address: Option<&str>,
    ) -> Result<std::result::Result<Option<String>, Refusal>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, String, bool)> = tx
            .query_row(
                "SELECT status, text, accused, accusation FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((status, text, accused, accusation)) = row else {
            return Ok(Err(Refusal::NotFound));
        };
        if status != "registered" {
            return Ok(Err(Refusal::WrongState(format!(
                "only a registered case can be routed; this one is {status}"
            ))));
        }
        let body = route
            .body
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let reason = route
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let today = chrono::Local::now().date_naive();
        let (new_status, due) = match route.kind {
            RouteKind::Transfer | RouteKind::Assign => {
                let Some(body) = body else {
                    return Ok(Err(Refusal::Invalid(format!(
                        "{} needs the competent body",
                        route.kind.chinese()
                    ))));
                };
                let accused: Vec<String> = serde_json::from_str(&accused).unwrap_or_default();
                let case = crate::routing::GuardCase {
                    text: &text,
                    accusation,
                    accused: &accused,
                };
                if let Some(why) = crate::routing::refuse_accused(names, case, body) {
                    return Ok(Err(Refusal::Invalid(why)));
                }
                let limit = if route.kind == RouteKind::Transfer {
                    deadlines.acknowledge
                } else {
                    deadlines.handle
                };
                ("routed", Some(deadlines.due(today, limit)))
            }
            RouteKind::Direct => ("awaiting", Some(deadlines.due(today, deadlines.handle))),
            RouteKind::Refuse | RouteKind::NotAgain => {
                if reason.is_none() {
                    return Ok(Err(Refusal::Invalid(format!(
                        "{} needs the reason the petitioner will be told",
                        route.kind.chinese()
                    ))));
                }
                ("replied", None)
            }
        };
        let due = due.map(|d| d.to_string());
        tx.execute(
            "UPDATE cases SET status = ?2, route_kind = ?3, route_body = ?4, due_at = ?5 WHERE id = ?1",
            params![case_id, new_status, route.kind.as_str(), body, due],
        )?;
        let detail = match (body, reason) {
            (Some(b), _) => format!("{} {b}", route.kind.chinese()),
            (None, Some(r)) => format!("{}：{r}", route.kind.chinese()),
            (None, None) => route.kind.chinese().to_string(),
        };
        record(
            &tx,
            Record {
                case_id,
                actor,
                address,
                event: route.kind.as_str(),
                detail: Some(&detail),
                due: due.as_deref(),
                audit: &format!("route-{}", route.kind.as_str()),
            },
        )?;
        tx.commit()?;
        Ok(Ok(due))
    }

    /// Moves a case on by one step, with the deadline that step starts (handling from
    /// acceptance; one extension on top of the running limit; none after the reply).
    pub fn advance(
        &mut self,
        case_id: i64,
        step: Step,
        note: Option<&str>,
        deadlines: &Deadlines,
        actor: &str,
        address: Option<&str>,
    ) -> Result<std::result::Result<Option<String>, Refusal>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT status, due_at FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((status, due)) = row else {
            return Ok(Err(Refusal::NotFound));
        };
        let (from, to) = step.transition();
        if !from.contains(&status.as_str()) {
            return Ok(Err(Refusal::WrongState(format!(
                "{} applies to a case that is {}; this one is {status}",
                step.as_str(),
                from.join(" or ")
            ))));
        }
        let today = chrono::Local::now().date_naive();
        let new_due = match step {
            Step::Accept => Some(deadlines.due(today, deadlines.handle)),
            Step::Extend => {
                let extended: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND action = 'extend')",
                    [case_id],
                    |r| r.get(0),
                )?;
                if extended {
                    return Ok(Err(Refusal::Invalid(
                        "the limit was extended once already".into(),
                    )));
                }
                let base = due
                    .as_deref()
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .unwrap_or(today);
                Some(deadlines.due(base, deadlines.extension))
            }
            Step::Reply | Step::Close | Step::Archive => None,
        };
        let new_due = new_due.map(|d| d.to_string());
        tx.execute(
            "UPDATE cases SET status = coalesce(?2, status), due_at = ?3 WHERE id = ?1",
            params![case_id, to, new_due],
        )?;
        record(
            &tx,
            Record {
                case_id,
                actor,
                address,
                event: step.as_str(),
                detail: note,
                due: new_due.as_deref(),
                audit: step.as_str(),
            },
        )?;
        tx.commit()?;
        Ok(Ok(new_due))
    }

    /// Records that a person checked the register entry against the letter.
    pub fn confirm(&mut self, case_id: i64, actor: &str, address: Option<&str>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        record(
            &tx,
            Record {
                case_id,
                actor,
                address,
                event: "confirmed",
                detail: None,
                due: None,
                audit: "confirm",
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Corrects fields of a case; the event names the fields changed (not their values).
    pub fn correct(
        &mut self,
        case_id: i64,
        c: &Corrections,
        role: &str,
        actor: &str,
        address: Option<&str>,
    ) -> Result<std::result::Result<Vec<&'static str>, Refusal>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(bool, String)> = tx
            .query_row(
                "SELECT accusation, accused FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((was_accusation, was_accused)) = current else {
            return Ok(Err(Refusal::NotFound));
        };
        // Clearing the accusation flag, or taking a body off the accused list, opens a
        // route to that body: officers only, with a written reason, audited.
        let was_accused: Vec<String> = serde_json::from_str(&was_accused).unwrap_or_default();
        let clears_flag = was_accusation
            && (c.accusation == Some(false)
                || c.purpose.is_some_and(|p| p != Purpose::Accusation));
        let dropped: Vec<&String> = match &c.accused {
            Some(new) => was_accused
                .iter()
                .filter(|old| {
                    let old = crate::bodies::normalize(old);
                    !new.iter().any(|n| crate::bodies::normalize(n) == old)
                })
                .collect(),
            None => Vec::new(),
        };
        let reason = c.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if clears_flag || !dropped.is_empty() {
            if !CLEAR_ACCUSATION_ROLES.contains(&role) {
                return Ok(Err(Refusal::Forbidden(format!(
                    "only an officer may clear the accusation flag or the accused list (the {role} role may not)"
                ))));
            }
            let Some(reason) = reason else {
                return Ok(Err(Refusal::Invalid(
                    "clearing the accusation flag or the accused list needs a written reason".into(),
                )));
            };
            let mut what = Vec::new();
            if clears_flag {
                what.push("检举控告标记".to_string());
            }
            if !dropped.is_empty() {
                what.push(format!(
                    "被反映对象 {}",
                    dropped.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、")
                ));
            }
            let detail = format!("撤销{}，理由：{reason}", what.join("、"));
            record(
                &tx,
                Record {
                    case_id,
                    actor,
                    address,
                    event: "accusation-cleared",
                    detail: Some(&detail),
                    due: None,
                    audit: "clear-accusation",
                },
            )?;
        }
        if let Some(id) = c.id_number.as_deref().filter(|s| !s.is_empty()) {
            if !crate::ingest::idnum::is_valid(id) && !crate::ingest::idnum::is_plausible_legacy(id)
            {
                return Ok(Err(Refusal::Invalid(
                    "the ID number fails the GB 11643 check".into(),
                )));
            }
        }
        let mut changed = Vec::new();
        let text = |v: &Option<String>| {
            v.as_ref()
                .map(|s| (!s.trim().is_empty()).then(|| s.trim().to_string()))
        };
        let columns: [(&'static str, Option<Option<String>>); 7] = [
            ("name", text(&c.name)),
            ("id_number", text(&c.id_number)),
            ("phone", text(&c.phone)),
            ("address", text(&c.address)),
            ("letter_date", text(&c.letter_date)),
            ("summary", text(&c.summary)),
            ("category", text(&c.category)),
        ];
        for (column, value) in columns {
            if let Some(value) = value {
                tx.execute(
                    &format!("UPDATE cases SET {column} = ?2 WHERE id = ?1"),
                    params![case_id, value],
                )?;
                changed.push(column);
            }
        }
        if let Some(v) = c.urgent {
            tx.execute(
                "UPDATE cases SET urgent = ?2 WHERE id = ?1",
                params![case_id, v],
            )?;
            changed.push("urgent");
        }
        if let Some(v) = c.cosigners {
            tx.execute(
                "UPDATE cases SET cosigners = ?2 WHERE id = ?1",
                params![case_id, v.max(0)],
            )?;
            changed.push("cosigners");
        }
        // The flag and the purpose class say the same thing about accusations: kept in step.
        if let Some(v) = c.accusation.filter(|_| c.purpose.is_none()) {
            tx.execute(
                "UPDATE cases SET accusation = ?2, purpose = CASE WHEN ?2 THEN 'accusation'
                    WHEN purpose = 'accusation' THEN 'demand' ELSE purpose END WHERE id = ?1",
                params![case_id, v],
            )?;
            changed.push("accusation");
        }
        if let Some(p) = c.purpose {
            tx.execute(
                "UPDATE cases SET purpose = ?2, accusation = ?3 WHERE id = ?1",
                params![case_id, p.as_str(), p == Purpose::Accusation],
            )?;
            changed.push("purpose");
        }
        if let Some(v) = &c.accused {
            let list = serde_json::to_string(v).map_err(|e| RegistryError::Io(e.to_string()))?;
            tx.execute(
                "UPDATE cases SET accused = ?2 WHERE id = ?1",
                params![case_id, list],
            )?;
            changed.push("accused");
        }
        if !changed.is_empty() {
            let detail = changed.join(", ");
            record(
                &tx,
                Record {
                    case_id,
                    actor,
                    address,
                    event: "corrected",
                    detail: Some(&detail),
                    due: None,
                    audit: "correct",
                },
            )?;
        }
        tx.commit()?;
        Ok(Ok(changed))
    }
}
