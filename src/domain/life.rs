//! The case life as a pure function: given a case's state, what is asked, by whom, on
//! which day and under which rules, `decide` answers the transition to store (new status,
//! route, deadline, field changes, history entries) or why it is refused. The register
//! loads the state, calls `decide` and writes the answer in one transaction; it decides
//! nothing itself.
//!
//! Deadlines (《信访工作条例》 Art. 22: transfer or assign within 15 days; Art. 33: handle
//! within 60 days, one extension of up to 30 days) come from `Rules::deadlines`; the
//! accusation guard (Art. 22 and the seeds' rule that accusation material never goes to
//! the accused) from `routing::refuse_accused`.

use super::policy::{may, roles_for, Act};
use super::vocab::{EventKind, Purpose, Role, RouteKind, Satisfaction, Status, Step};
use crate::bodies::BodyNames;
use crate::deadline::Deadlines;
use chrono::NaiveDate;
use serde::Deserialize;

/// A route decision.
#[derive(Debug, Clone, Deserialize)]
pub struct Route {
    pub kind: RouteKind,
    /// The competent body (transfer, assign).
    pub body: Option<String>,
    /// The reason (refuse, not accepted again).
    pub reason: Option<String>,
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

/// Why a change was not made: shown to the user as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NotFound,
    /// The case is not in a state this change applies to.
    WrongState(Why),
    /// Something needed is missing or not allowed (a body, a reason, the accused).
    Invalid(Why),
    /// The user's role may not make this change.
    Forbidden(Why),
}

/// A refusal's reason in the API's English and in the pages' Chinese.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    pub en: String,
    pub zh: String,
}

impl Why {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Why {
        Why { en: en.into(), zh: zh.into() }
    }
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// What `decide` needs to know of a case.
#[derive(Debug, Clone)]
pub struct CaseState<'a> {
    pub status: Status,
    /// The running deadline, if any.
    pub due: Option<NaiveDate>,
    /// Whether the one extension was used already.
    pub extended: bool,
    /// The letter's text (the guard looks for the accused in it).
    pub text: &'a str,
    pub accusation: bool,
    /// Bodies the letter accuses.
    pub accused: &'a [String],
    /// The day it was registered (the routing limit runs from it).
    pub registered: NaiveDate,
    pub urgent: bool,
    /// For a matter from a higher body: when they want the report. No deadline the case
    /// life sets runs past it.
    pub report_due: Option<NaiveDate>,
    /// The route taken, if any.
    pub route: Option<RouteKind>,
    /// Whether the body's result (办理结果) is recorded.
    pub has_result: bool,
    /// Whether it waits for a leader's instruction.
    pub with_leader: bool,
}

/// What is asked of a case.
#[derive(Debug, Clone)]
pub enum Action {
    Route(Route),
    Step { step: Step, note: Option<String> },
    /// A person checked the register entry against the letter.
    Confirm,
    Correct(Corrections),
    /// The case is given to an officer of the bureau (a user's name), or taken back (None).
    Handler(Option<String>),
    /// An overdue body is chased (督办) with a new date.
    Supervise { due: NaiveDate, note: Option<String> },
    /// The petitioner's evaluation of the reply, given on `at`.
    Evaluate { result: Satisfaction, at: NaiveDate },
}

/// The rules a bureau configures.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub deadlines: &'a Deadlines,
    pub names: &'a BodyNames,
}

/// What happens to the running deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Keep,
    Set(NaiveDate),
    Clear,
}

/// A field change, checked and trimmed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A text field (`name`, `id_number`, `phone`, `address`, `letter_date`, `summary`,
    /// `category`) set to a value, trimmed, or cleared (`None`: a blank was given).
    Text(&'static str, Option<String>),
    Urgent(bool),
    Cosigners(i64),
    /// The accusation flag; the purpose follows it (`accusation`, or `demand` when an
    /// accusation is cleared).
    Accusation(bool),
    /// The purpose class; the accusation flag follows it.
    Purpose(Purpose),
    Accused(Vec<String>),
}

impl Change {
    /// The field's name, as the history lists it.
    pub fn field(&self) -> &'static str {
        match self {
            Change::Text(column, _) => column,
            Change::Urgent(_) => "urgent",
            Change::Cosigners(_) => "cosigners",
            Change::Accusation(_) => "accusation",
            Change::Purpose(_) => "purpose",
            Change::Accused(_) => "accused",
        }
    }
}

/// A corrected field's name for people (the history's entry lists the fields' codes).
pub fn field_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "name" => "信访人",
        "id_number" => "身份证号",
        "phone" => "电话",
        "address" => "地址",
        "letter_date" => "来信日期",
        "summary" => "事由",
        "category" => "类别",
        "urgent" => "紧急",
        "cosigners" => "联名人数",
        "accusation" => "检举控告标记",
        "purpose" => "信访目的",
        "accused" => "被检举对象",
        _ => return None,
    })
}

/// One history entry (and its audit entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub event: EventKind,
    pub detail: Option<String>,
    /// The audit log's action code.
    pub audit: String,
}

/// The answer to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The new status (None: stays).
    pub status: Option<Status>,
    /// The route taken and the body it goes to.
    pub route: Option<(RouteKind, Option<String>)>,
    pub due: Due,
    pub changes: Vec<Change>,
    /// In the order they happened.
    pub entries: Vec<Entry>,
}

impl Transition {
    fn entry(event: EventKind, detail: Option<String>, audit: impl Into<String>) -> Entry {
        Entry { event, detail, audit: audit.into() }
    }

    /// The deadline to show after the change, as stored (`YYYY-MM-DD`).
    pub fn due_text(&self) -> Option<String> {
        match self.due {
            Due::Set(d) => Some(d.to_string()),
            Due::Keep | Due::Clear => None,
        }
    }
}

fn forbidden(role: Role, act: Act) -> Refusal {
    let roles: Vec<&str> = roles_for(act).iter().map(|r| r.label()).collect();
    Refusal::Forbidden(Why::new(
        format!("the {} role may not do this (only {})", role.as_str(), roles.join("、")),
        format!("{}无权进行此操作（仅限{}）。", role.label(), roles.join("、")),
    ))
}

fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Decides what `action` by a user of `role` does to `case` on `today`.
pub fn decide(
    case: &CaseState<'_>,
    action: &Action,
    role: Role,
    today: NaiveDate,
    rules: Rules<'_>,
) -> Result<Transition, Refusal> {
    let mut t = decide_uncapped(case, action, role, today, rules)?;
    // A matter from above is due when they want the report, if that comes first; a
    // supervision's new date is the one chosen (the report is late by then).
    let supervised = matches!(action, Action::Supervise { .. });
    if let (Due::Set(d), Some(theirs), false) = (t.due, case.report_due, supervised) {
        if theirs < d {
            t.due = Due::Set(theirs);
        }
    }
    Ok(t)
}

fn decide_uncapped(
    case: &CaseState<'_>,
    action: &Action,
    role: Role,
    today: NaiveDate,
    rules: Rules<'_>,
) -> Result<Transition, Refusal> {
    match action {
        Action::Route(route) => decide_route(case, route, role, today, rules),
        Action::Step { step, note } => decide_step(case, *step, note.as_deref(), role, today, rules),
        Action::Confirm => {
            if !may(role, Act::Correct) {
                return Err(forbidden(role, Act::Correct));
            }
            if !correctable(case.status) {
                return Err(Refusal::WrongState(Why::new(
                    format!("a case that is {} is not confirmed any more", case.status),
                    format!("案件{}，无须再确认。", case.status.label()),
                )));
            }
            Ok(Transition {
                status: None,
                route: None,
                due: Due::Keep,
                changes: Vec::new(),
                entries: vec![Transition::entry(EventKind::Confirmed, None, "confirm")],
            })
        }
        Action::Correct(c) => decide_corrections(case, c, role, rules),
        Action::Supervise { due, note } => decide_supervision(case, *due, note.as_deref(), role, today),
        Action::Evaluate { result, at } => {
            if !may(role, Act::Evaluate) {
                return Err(forbidden(role, Act::Evaluate));
            }
            if !matches!(case.status, Status::Replied | Status::Closed) {
                return Err(Refusal::WrongState(Why::new(
                    format!("an evaluation is of a reply; this case is {}", case.status),
                    format!("满意度评价针对已作出的答复，此件{}。", case.status.label()),
                )));
            }
            if *at > today {
                return Err(Refusal::Invalid(Why::new("the evaluation's day is after today", "评价日期晚于今天。")));
            }
            Ok(Transition {
                status: None,
                route: None,
                due: Due::Keep,
                changes: vec![
                    Change::Text("satisfaction", Some(result.as_str().to_string())),
                    Change::Text("evaluated_at", Some(at.to_string())),
                ],
                entries: vec![Transition::entry(EventKind::Evaluation, Some(format!("{}（{at}）", result.label())), "evaluate")],
            })
        }
        Action::Handler(name) => {
            if !may(role, Act::Route) {
                return Err(forbidden(role, Act::Route));
            }
            if case.status.is_finished() || case.status == Status::Voided {
                return Err(Refusal::WrongState(Why::new(
                    format!("a case that is {} is not given to anyone any more", case.status),
                    format!("案件{}，不再指定承办人。", case.status.label()),
                )));
            }
            let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
            let detail = name.clone().unwrap_or_else(|| "（取消指定）".into());
            Ok(Transition {
                status: None,
                route: None,
                due: Due::Keep,
                changes: vec![Change::Text("handler", name)],
                entries: vec![Transition::entry(EventKind::Handler, Some(detail), "set-handler")],
            })
        }
    }
}

fn decide_route(
    case: &CaseState<'_>,
    route: &Route,
    role: Role,
    today: NaiveDate,
    rules: Rules<'_>,
) -> Result<Transition, Refusal> {
    if !may(role, Act::Route) {
        return Err(forbidden(role, Act::Route));
    }
    if case.status != Status::Registered {
        return Err(Refusal::WrongState(Why::new(
            format!("only a registered case can be routed; this one is {}", case.status),
            format!("只有已登记的案件可以转办，此件{}。", case.status.label()),
        )));
    }
    let body = trimmed(&route.body);
    let reason = trimmed(&route.reason);
    let d = rules.deadlines;
    let (status, due) = match route.kind {
        RouteKind::Transfer | RouteKind::Assign => {
            let Some(body) = body else {
                return Err(Refusal::Invalid(Why::new(
                    format!("{} needs the competent body", route.kind.as_str()),
                    format!("{}须填写有权处理的机关。", route.kind.label()),
                )));
            };
            let guard = crate::routing::GuardCase {
                text: case.text,
                accusation: case.accusation,
                accused: case.accused,
            };
            if let Some(why) = crate::routing::refuse_accused(rules.names, guard, body) {
                return Err(Refusal::Invalid(Why::new(
                    format!("accusation material may not go to the accused (2022 regulation, art. 30): {why}"),
                    why,
                )));
            }
            let limit = if route.kind == RouteKind::Transfer { d.acknowledge } else { d.handle };
            (Status::Routed, Due::Set(d.due(today, limit)))
        }
        RouteKind::Direct => (Status::Awaiting, Due::Set(d.due(today, d.handle))),
        RouteKind::Refuse | RouteKind::NotAgain => {
            if reason.is_none() {
                return Err(Refusal::Invalid(Why::new(
                    format!("{} needs the reason the petitioner will be told", route.kind.as_str()),
                    format!("{}须填写告知信访人的理由。", route.kind.label()),
                )));
            }
            (Status::Replied, Due::Clear)
        }
    };
    let detail = match (body.filter(|_| route.kind.sends_to_body()), reason) {
        (Some(b), _) => format!("{} {b}", route.kind.label()),
        (None, Some(r)) => format!("{}：{r}", route.kind.label()),
        (None, None) => route.kind.label().to_string(),
    };
    let body = body.filter(|_| route.kind.sends_to_body()).map(str::to_string);
    Ok(Transition {
        status: Some(status),
        route: Some((route.kind, body)),
        due,
        changes: Vec::new(),
        entries: vec![Transition::entry(
            route.kind.event(),
            Some(detail),
            format!("route-{}", route.kind.as_str()),
        )],
    })
}

/// The states a step applies to, and the state it leads to (None: stays).
pub fn step_transition(step: Step) -> (&'static [Status], Option<Status>) {
    use Status::*;
    match step {
        Step::Accept => (&[Routed], Some(Awaiting)),
        Step::Extend => (&[Routed, Awaiting], None),
        Step::Reply => (&[Routed, Awaiting], Some(Replied)),
        Step::Close => (&[Replied], Some(Closed)),
        Step::Archive => (&[Closed], Some(Archived)),
        Step::Void => (&[Registered], Some(Voided)),
        Step::Supervise => (&[Routed, Awaiting], None),
        Step::Result => (&[Routed, Awaiting, Replied], None),
        Step::SubmitToLeader | Step::Instruct => (&[Registered, Routed, Awaiting, Replied], None),
    }
}

fn decide_supervision(case: &CaseState<'_>, due: NaiveDate, note: Option<&str>, role: Role, today: NaiveDate) -> Result<Transition, Refusal> {
    let step = Step::Supervise;
    if !may(role, Act::Step(step)) {
        return Err(forbidden(role, Act::Step(step)));
    }
    wrong_state(case, step)?;
    if case.due.is_none_or(|d| d >= today) {
        return Err(Refusal::WrongState(Why::new(
            "only an overdue case is supervised",
            "只有已超期的案件才需督办。",
        )));
    }
    if due <= today {
        return Err(Refusal::Invalid(Why::new("the new date must be after today", "督办的新期限须晚于今天。")));
    }
    let mut detail = format!("新期限 {due}");
    if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
        detail.push_str(&format!("；{n}"));
    }
    Ok(Transition {
        status: None,
        route: None,
        due: Due::Set(due),
        changes: Vec::new(),
        entries: vec![Transition::entry(EventKind::Supervise, Some(detail), "supervise")],
    })
}

/// Refuses a step the case's status does not admit.
fn wrong_state(case: &CaseState<'_>, step: Step) -> Result<(), Refusal> {
    let from = step_transition(step).0;
    if from.contains(&case.status) {
        return Ok(());
    }
    let codes: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let labels: Vec<&str> = from.iter().map(|s| s.label()).collect();
    Err(Refusal::WrongState(Why::new(
        format!("{} applies to a case that is {}; this one is {}", step.as_str(), codes.join(" or "), case.status),
        format!("{}只适用于{}的案件，此件{}。", step.label(), labels.join("或"), case.status.label()),
    )))
}

/// A step's written text (the instruction, the result), required.
fn written<'a>(note: Option<&'a str>, en: &str, zh: &str) -> Result<&'a str, Refusal> {
    note.map(str::trim).filter(|n| !n.is_empty()).ok_or_else(|| Refusal::Invalid(Why::new(en, zh)))
}

/// Whether `step` can be taken on a case in `status` (for showing its button).
pub fn step_applies(step: Step, status: Status) -> bool {
    step_transition(step).0.contains(&status)
}

fn decide_step(
    case: &CaseState<'_>,
    step: Step,
    note: Option<&str>,
    role: Role,
    today: NaiveDate,
    rules: Rules<'_>,
) -> Result<Transition, Refusal> {
    if !may(role, Act::Step(step)) {
        return Err(forbidden(role, Act::Step(step)));
    }
    wrong_state(case, step)?;
    let to = step_transition(step).1;
    let d = rules.deadlines;
    let mut changes = Vec::new();
    let due = match step {
        Step::Accept => Due::Set(d.due(today, d.handle)),
        Step::Extend => {
            if case.extended {
                return Err(Refusal::Invalid(Why::new(
                    "the limit was extended once already",
                    "办理期限已延长过一次，不能再延长。",
                )));
            }
            Due::Set(d.due(case.due.unwrap_or(today), d.extension))
        }
        Step::Void => {
            // Whoever cannot read an accusation letter cannot judge it is not a letter.
            if case.accusation && !may(role, Act::SeeAccuser) {
                return Err(forbidden(role, Act::SeeAccuser));
            }
            if note.map(str::trim).is_none_or(str::is_empty) {
                return Err(Refusal::Invalid(Why::new(
                    "voiding a registration needs the reason",
                    "作废须写明原因（如：非信访件、重复扫描），原因记入案件历史。",
                )));
            }
            Due::Clear
        }
        Step::Close => {
            // A case sent to a body, or handled here, closes on its result.
            if case.route.is_some_and(|r| matches!(r, RouteKind::Transfer | RouteKind::Assign | RouteKind::Direct)) && !case.has_result {
                return Err(Refusal::Invalid(Why::new(
                    "a routed case closes only once the body's result is recorded (step result)",
                    "办结前须先记录办理结果（承办单位的办结报告或本机关的处理结果）。",
                )));
            }
            Due::Clear
        }
        Step::Reply | Step::Archive => Due::Clear,
        Step::Supervise => {
            return Err(Refusal::Invalid(Why::new("supervision needs the new date", "督办须给出新的办理期限。")));
        }
        Step::Result => {
            let text = written(note, "the result needs its text", "须写明办理结果（承办单位办结报告的要点）。")?;
            changes.push(Change::Text("result", Some(text.to_string())));
            Due::Keep
        }
        Step::SubmitToLeader => {
            if case.with_leader {
                return Err(Refusal::WrongState(Why::new(
                    "the case waits for a leader's instruction already",
                    "此件已呈报领导，正待批示。",
                )));
            }
            changes.push(Change::Text("with_leader", Some(today.to_string())));
            Due::Keep
        }
        Step::Instruct => {
            let text = written(note, "an instruction needs its text", "须写明批示内容。")?;
            changes.push(Change::Text("instruction", Some(text.to_string())));
            changes.push(Change::Text("with_leader", None));
            Due::Keep
        }
    };
    Ok(Transition {
        status: to,
        route: None,
        due,
        changes,
        entries: vec![Transition::entry(step.event(), note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string), step.as_str())],
    })
}

/// Whether a case's entry may still be corrected: until it is closed. A closed case's
/// entry is what was decided and filed: it is read, no longer changed.
pub fn correctable(status: Status) -> bool {
    !(status.is_finished() || status == Status::Voided)
}

fn decide_corrections(case: &CaseState<'_>, c: &Corrections, role: Role, rules: Rules<'_>) -> Result<Transition, Refusal> {
    if !may(role, Act::Correct) {
        return Err(forbidden(role, Act::Correct));
    }
    if !correctable(case.status) {
        return Err(Refusal::WrongState(Why::new(
            format!("a case that is {} can no longer be corrected", case.status),
            format!("案件{}，登记内容不能再更正。", case.status.label()),
        )));
    }
    let mut entries = Vec::new();
    // Clearing the accusation flag, or taking a body off the accused list, opens a route
    // to that body: officers only, with a written reason, audited.
    let clears_flag = case.accusation
        && (c.accusation == Some(false) || c.purpose.is_some_and(|p| p != Purpose::Accusation));
    let dropped: Vec<&str> = match &c.accused {
        Some(new) => case
            .accused
            .iter()
            .filter(|old| {
                let old = crate::bodies::normalize(old);
                !new.iter().any(|n| crate::bodies::normalize(n) == old)
            })
            .map(String::as_str)
            .collect(),
        None => Vec::new(),
    };
    if clears_flag || !dropped.is_empty() {
        if !may(role, Act::ClearAccusation) {
            return Err(Refusal::Forbidden(Why::new(
                format!("only an officer may clear the accusation flag or the accused list (the {role} role may not)"),
                format!("只有承办人员可以撤销检举控告标记或被反映对象（{}不可以）。", role.label()),
            )));
        }
        let Some(reason) = trimmed(&c.reason) else {
            return Err(Refusal::Invalid(Why::new(
                "clearing the accusation flag or the accused list needs a written reason",
                "撤销检举控告标记或被反映对象须写明理由。",
            )));
        };
        let mut what = Vec::new();
        if clears_flag {
            what.push("检举控告标记".to_string());
        }
        if !dropped.is_empty() {
            what.push(format!("被反映对象 {}", dropped.join("、")));
        }
        let detail = format!("撤销{}，理由：{reason}", what.join("、"));
        entries.push(Transition::entry(EventKind::AccusationCleared, Some(detail), "clear-accusation"));
    }
    if let Some(d) = c.letter_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            return Err(Refusal::Invalid(Why::new(
                format!("the letter's date {d:?} is not a date (YYYY-MM-DD)"),
                format!("来信日期「{d}」不是日期，请按 年-月-日 填写。"),
            )));
        }
    }
    if let Some(id) = c.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if !crate::idnum::is_valid(id) && !crate::idnum::is_plausible_legacy(id) {
            return Err(Refusal::Invalid(Why::new(
                "the ID number fails the GB 11643 check",
                "身份证号码未通过 GB 11643 校验，请核对。",
            )));
        }
    }
    let texts = [
        ("name", &c.name),
        ("id_number", &c.id_number),
        ("phone", &c.phone),
        ("address", &c.address),
        ("letter_date", &c.letter_date),
        ("summary", &c.summary),
        ("category", &c.category),
    ];
    // Nothing a page cannot print (a pasted control character would break the documents).
    for (column, v) in &texts {
        if v.as_deref().is_some_and(|v| v.chars().any(|ch| ch.is_control() && ch != '\n')) {
            let label = field_label(column).unwrap_or(column);
            return Err(Refusal::Invalid(Why::new(
                format!("{column} holds a control character"),
                format!("「{label}」中含有不可打印的控制字符，请删去后再保存。"),
            )));
        }
    }
    let mut changes: Vec<Change> = texts
    .into_iter()
    // A field given blank is cleared (a wrongly read ID number is taken out this way).
    .filter_map(|(column, v)| v.as_ref().map(|_| Change::Text(column, trimmed(v).map(str::to_string))))
    .collect();
    changes.extend(c.urgent.map(Change::Urgent));
    changes.extend(c.cosigners.map(|n| Change::Cosigners(n.max(0))));
    // The flag and the purpose class say the same thing about accusations: the purpose
    // wins when both are given.
    changes.extend(c.accusation.filter(|_| c.purpose.is_none()).map(Change::Accusation));
    changes.extend(c.purpose.map(Change::Purpose));
    changes.extend(c.accused.clone().map(Change::Accused));
    // A letter found urgent (or not) while it waits to be routed: its routing limit is
    // counted again from registration with the other table.
    let due = match c.urgent {
        Some(urgent) if urgent != case.urgent && case.status == Status::Registered => {
            let d = rules.deadlines;
            Due::Set(d.due(case.registered, if urgent { d.route_urgent } else { d.route }))
        }
        _ => Due::Keep,
    };
    if !changes.is_empty() {
        let fields: Vec<&str> = changes.iter().map(Change::field).collect();
        entries.push(Transition::entry(EventKind::Corrected, Some(fields.join(", ")), "correct"));
    }
    Ok(Transition { status: None, route: None, due, changes, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn case(status: Status) -> CaseState<'static> {
        CaseState {
            status,
            due: Some(day("2026-12-01")),
            extended: false,
            text: "反映某小区物业乱收费问题。",
            accusation: false,
            accused: &[],
            registered: day("2026-11-16"),
            urgent: false,
            report_due: None,
            route: None,
            has_result: false,
            with_leader: false,
        }
    }

    fn with<T>(f: impl FnOnce(Rules<'_>) -> T) -> T {
        let deadlines = Deadlines::default();
        let names = BodyNames::default();
        f(Rules { deadlines: &deadlines, names: &names })
    }

    fn route(kind: RouteKind, body: Option<&str>, reason: Option<&str>) -> Route {
        Route { kind, body: body.map(String::from), reason: reason.map(String::from) }
    }

    /// Every status × every route and step, by an officer (an archivist for archiving):
    /// the resulting status, or the refusal's kind.
    #[test]
    fn every_status_and_action() {
        let today = day("2026-11-30");
        let routes = [
            route(RouteKind::Transfer, Some("市住房和城乡建设局"), None),
            route(RouteKind::Assign, Some("某区人民政府"), None),
            route(RouteKind::Direct, None, None),
            route(RouteKind::Refuse, None, Some("已通过诉讼途径解决")),
            route(RouteKind::NotAgain, None, Some("同一事项已复核终结")),
        ];
        // Columns: transfer assign direct refuse not_again, then the steps but supervise
        // (which takes a date: tested on its own): accept extend result reply close archive
        // void submit-to-leader instruct.
        let expected: [(Status, [&str; 14]); 7] = [
            (Status::Registered, ["routed", "routed", "awaiting", "replied", "replied", "state", "state", "state", "state", "state", "state", "voided", "registered", "registered"]),
            (Status::Routed, ["state", "state", "state", "state", "state", "awaiting", "routed", "routed", "replied", "state", "state", "state", "routed", "routed"]),
            (Status::Awaiting, ["state", "state", "state", "state", "state", "state", "awaiting", "awaiting", "replied", "state", "state", "state", "awaiting", "awaiting"]),
            (Status::Replied, ["state", "state", "state", "state", "state", "state", "state", "replied", "state", "closed", "state", "state", "replied", "replied"]),
            (Status::Closed, ["state", "state", "state", "state", "state", "state", "state", "state", "state", "state", "archived", "state", "state", "state"]),
            (Status::Archived, ["state"; 14]),
            (Status::Voided, ["state"; 14]),
        ];
        with(|rules| {
            for (status, row) in expected {
                let c = case(status);
                let mut got = Vec::new();
                for r in &routes {
                    got.push(decide(&c, &Action::Route(r.clone()), Role::Officer, today, rules));
                }
                for &step in Step::ALL.iter().filter(|s| **s != Step::Supervise) {
                    let role = match step {
                        Step::Archive => Role::Archivist,
                        Step::Instruct => Role::Leader,
                        _ => Role::Officer,
                    };
                    // (A void, a result and an instruction need their text; the other
                    // steps take a note as they come.)
                    let note = matches!(step, Step::Void | Step::Result | Step::Instruct).then(|| "非信访件".to_string());
                    got.push(decide(&c, &Action::Step { step, note }, role, today, rules));
                }
                let got: Vec<&str> = got
                    .iter()
                    .map(|t| match t {
                        Ok(t) => t.status.unwrap_or(status).as_str(),
                        Err(Refusal::WrongState(_)) => "state",
                        Err(e) => panic!("{status:?}: unexpected {e:?}"),
                    })
                    .collect();
                assert_eq!(got, row, "{status:?}");
            }
        });
    }

    #[test]
    fn every_role_is_held_to_the_policy_for_every_action() {
        let today = day("2026-11-30");
        let r = route(RouteKind::Direct, None, None);
        let fix = Corrections { summary: Some("物业乱收费".into()), ..Default::default() };
        with(|rules| {
            for &role in Role::ALL {
                let cases: [(Action, Act, Status); 4] = [
                    (Action::Route(r.clone()), Act::Route, Status::Registered),
                    (Action::Confirm, Act::Correct, Status::Registered),
                    (Action::Correct(fix.clone()), Act::Correct, Status::Registered),
                    (Action::Step { step: Step::Archive, note: None }, Act::Step(Step::Archive), Status::Closed),
                ];
                for (action, act, status) in cases {
                    let got = decide(&case(status), &action, role, today, rules);
                    assert_eq!(got.is_ok(), may(role, act), "{role:?} {action:?}: {got:?}");
                    if let Err(e) = got {
                        assert!(matches!(e, Refusal::Forbidden(_)), "{e:?}");
                    }
                }
            }
        });
    }

    #[test]
    fn routes_set_the_deadlines_of_the_regulation() {
        let today = day("2026-11-30");
        with(|rules| {
            let c = case(Status::Registered);
            let t = decide(&c, &Action::Route(route(RouteKind::Transfer, Some("市住建局"), None)), Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2026-12-15")));
            assert_eq!(t.route, Some((RouteKind::Transfer, Some("市住建局".into()))));
            assert_eq!(t.entries[0].detail.as_deref(), Some("转送 市住建局"));
            assert_eq!(t.entries[0].audit, "route-transfer");
        for code in ["name", "id_number", "phone", "address", "letter_date", "summary", "category", "urgent", "cosigners", "accusation", "purpose", "accused"] {
            assert!(field_label(code).is_some(), "{code}");
        }
            let t = decide(&c, &Action::Route(route(RouteKind::Assign, Some("市住建局"), None)), Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2027-01-29")));
            let t = decide(&c, &Action::Route(route(RouteKind::Refuse, None, Some(" 已起诉 "))), Role::Officer, today, rules).unwrap();
            assert_eq!((t.due, t.entries[0].detail.as_deref()), (Due::Clear, Some("不予受理：已起诉")));
            // The case page's form always sends the suggested body: a refusal or a case
            // handled here goes to no body, and the history says why, not where.
            let t = decide(&c, &Action::Route(route(RouteKind::Refuse, Some("市住建局"), Some("已起诉"))), Role::Officer, today, rules).unwrap();
            assert_eq!(t.route, Some((RouteKind::Refuse, None)));
            assert_eq!(t.entries[0].detail.as_deref(), Some("不予受理：已起诉"));
            let t = decide(&c, &Action::Route(route(RouteKind::Direct, Some("市住建局"), None)), Role::Officer, today, rules).unwrap();
            assert_eq!((t.route, t.entries[0].detail.as_deref()), (Some((RouteKind::Direct, None)), Some("直接办理")));
            for bad in [route(RouteKind::Transfer, Some("  "), None), route(RouteKind::NotAgain, None, None)] {
                let e = decide(&c, &Action::Route(bad.clone()), Role::Officer, today, rules).unwrap_err();
                assert!(matches!(e, Refusal::Invalid(_)), "{e:?}");
            }
        });
    }

    #[test]
    fn a_matter_from_above_takes_their_deadline_when_it_is_earlier() {
        let today = day("2026-11-30");
        with(|rules| {
            let theirs = CaseState { report_due: Some(day("2026-12-20")), ..case(Status::Registered) };
            // Assigned: ours would be 60 days; theirs, 20 days on, comes first.
            let assign = Action::Route(route(RouteKind::Assign, Some("市住建局"), None));
            let t = decide(&theirs, &assign, Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2026-12-20")));
            // Transferred: ours (15 days, 2026-12-15) is earlier and stays.
            let transfer = Action::Route(route(RouteKind::Transfer, Some("市住建局"), None));
            let t = decide(&theirs, &transfer, Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2026-12-15")));
            // A supervision (their date passed) sets the date chosen.
            let late = CaseState { status: Status::Awaiting, due: Some(day("2026-11-20")), report_due: Some(day("2026-11-25")), ..case(Status::Awaiting) };
            let sup = Action::Supervise { due: day("2026-12-10"), note: None };
            assert_eq!(decide(&late, &sup, Role::Officer, today, rules).unwrap().due, Due::Set(day("2026-12-10")));
            // Extending does not run past their date either.
            let awaiting = CaseState { status: Status::Awaiting, ..theirs };
            let ext = Action::Step { step: Step::Extend, note: Some("需现场核查".into()) };
            assert_eq!(decide(&awaiting, &ext, Role::Officer, today, rules).unwrap().due, Due::Set(day("2026-12-20")));
        });
    }

    #[test]
    fn a_routed_case_closes_on_its_result_and_an_overdue_one_is_supervised() {
        let today = day("2026-11-30");
        with(|rules| {
            let close = Action::Step { step: Step::Close, note: None };
            let assigned = CaseState { route: Some(RouteKind::Assign), ..case(Status::Replied) };
            match decide(&assigned, &close, Role::Officer, today, rules) {
                Err(Refusal::Invalid(why)) => assert!(why.zh.contains("办理结果"), "{why:?}"),
                other => panic!("{other:?}"),
            }
            let bare = Action::Step { step: Step::Result, note: Some("  ".into()) };
            assert!(matches!(decide(&assigned, &bare, Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            let result = Action::Step { step: Step::Result, note: Some("已责令物业退还多收费用".into()) };
            let t = decide(&assigned, &result, Role::Officer, today, rules).unwrap();
            assert_eq!(t.changes, vec![Change::Text("result", Some("已责令物业退还多收费用".into()))]);
            let with_result = CaseState { has_result: true, ..assigned };
            assert_eq!(decide(&with_result, &close, Role::Officer, today, rules).unwrap().status, Some(Status::Closed));
            // A refusal is its own result.
            let refused = CaseState { route: Some(RouteKind::Refuse), ..case(Status::Replied) };
            assert!(decide(&refused, &close, Role::Officer, today, rules).is_ok());

            // Supervision: only overdue, a later date, the officer's.
            let late = CaseState { due: Some(day("2026-11-20")), ..case(Status::Awaiting) };
            let sup = |d: &str| Action::Supervise { due: day(d), note: Some("电话督办".into()) };
            let t = decide(&late, &sup("2026-12-10"), Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2026-12-10")));
            assert_eq!(t.entries[0].detail.as_deref(), Some("新期限 2026-12-10；电话督办"));
            assert!(matches!(decide(&late, &sup("2026-11-30"), Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            assert!(matches!(decide(&late, &sup("2026-12-10"), Role::Mailroom, today, rules), Err(Refusal::Forbidden(_))));
            let on_time = CaseState { due: Some(day("2026-12-05")), ..case(Status::Awaiting) };
            assert!(matches!(decide(&on_time, &sup("2026-12-10"), Role::Officer, today, rules), Err(Refusal::WrongState(_))));
            assert!(matches!(decide(&case(Status::Replied), &sup("2026-12-10"), Role::Officer, today, rules), Err(Refusal::WrongState(_))));
            // Through the plain step form without a date: told what is missing.
            let no_date = Action::Step { step: Step::Supervise, note: None };
            assert!(matches!(decide(&late, &no_date, Role::Officer, today, rules), Err(Refusal::Invalid(_))));
        });
    }

    #[test]
    fn a_leader_instructs_what_an_officer_submits_and_replies_are_evaluated() {
        let today = day("2026-11-30");
        with(|rules| {
            let c = case(Status::Routed);
            let submit = Action::Step { step: Step::SubmitToLeader, note: Some("涉及群体性，请领导阅示".into()) };
            let t = decide(&c, &submit, Role::Officer, today, rules).unwrap();
            assert_eq!(t.changes, vec![Change::Text("with_leader", Some("2026-11-30".into()))]);
            assert!(matches!(decide(&c, &submit, Role::Leader, today, rules), Err(Refusal::Forbidden(_))));
            let waiting = CaseState { with_leader: true, ..c.clone() };
            assert!(matches!(decide(&waiting, &submit, Role::Officer, today, rules), Err(Refusal::WrongState(_))));
            let instruct = Action::Step { step: Step::Instruct, note: Some("请住建局依法处理，月底前报结果。".into()) };
            assert!(matches!(decide(&waiting, &instruct, Role::Officer, today, rules), Err(Refusal::Forbidden(_))));
            let t = decide(&waiting, &instruct, Role::Leader, today, rules).unwrap();
            assert_eq!(t.changes[0], Change::Text("instruction", Some("请住建局依法处理，月底前报结果。".into())));
            assert_eq!(t.changes[1], Change::Text("with_leader", None));
            assert_eq!(t.entries[0].event, EventKind::Instruct);
            let empty = Action::Step { step: Step::Instruct, note: None };
            assert!(matches!(decide(&waiting, &empty, Role::Leader, today, rules), Err(Refusal::Invalid(_))));
            assert!(matches!(decide(&case(Status::Closed), &instruct, Role::Leader, today, rules), Err(Refusal::WrongState(_))));

            let eval = |at: &str| Action::Evaluate { result: Satisfaction::Basically, at: day(at) };
            let t = decide(&case(Status::Replied), &eval("2026-11-29"), Role::Officer, today, rules).unwrap();
            assert_eq!(
                t.changes,
                vec![Change::Text("satisfaction", Some("basically".into())), Change::Text("evaluated_at", Some("2026-11-29".into()))]
            );
            assert_eq!(t.entries[0].detail.as_deref(), Some("基本满意（2026-11-29）"));
            assert!(matches!(decide(&case(Status::Awaiting), &eval("2026-11-29"), Role::Officer, today, rules), Err(Refusal::WrongState(_))));
            assert!(matches!(decide(&case(Status::Replied), &eval("2026-12-01"), Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            assert!(matches!(decide(&case(Status::Replied), &eval("2026-11-29"), Role::Analyst, today, rules), Err(Refusal::Forbidden(_))));
        });
    }

    #[test]
    fn one_extension_on_top_of_the_running_limit() {
        let today = day("2026-11-30");
        with(|rules| {
            let mut c = case(Status::Awaiting);
            let ext = Action::Step { step: Step::Extend, note: Some("需现场核查".into()) };
            let t = decide(&c, &ext, Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(day("2026-12-31")));
            assert_eq!(t.status, None);
            c.extended = true;
            assert!(matches!(decide(&c, &ext, Role::Officer, today, rules), Err(Refusal::Invalid(_))));
        });
    }

    #[test]
    fn accusations_never_go_to_the_accused_and_clearing_needs_an_officer_and_a_reason() {
        let today = day("2026-11-30");
        let accused = vec!["某镇人民政府".to_string()];
        with(|rules| {
            let c = CaseState {
                accusation: true,
                accused: &accused,
                text: "检举某镇人民政府工作人员违规发放补贴。",
                ..case(Status::Registered)
            };
            let to_accused = route(RouteKind::Transfer, Some("某镇人民政府"), None);
            assert!(matches!(decide(&c, &Action::Route(to_accused.clone()), Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            let clear = Corrections { accusation: Some(false), ..Default::default() };
            assert!(matches!(decide(&c, &Action::Correct(clear.clone()), Role::Mailroom, today, rules), Err(Refusal::Forbidden(_))));
            assert!(matches!(decide(&c, &Action::Correct(clear.clone()), Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            let clear = Corrections { reason: Some("经核实系申诉".into()), ..clear };
            let t = decide(&c, &Action::Correct(clear.clone()), Role::Officer, today, rules).unwrap();
            assert_eq!(t.entries[0].event, EventKind::AccusationCleared);
            assert_eq!(t.entries[1].detail.as_deref(), Some("accusation"));
            assert_eq!(t.changes, vec![Change::Accusation(false)]);
            let drop = Corrections { accused: Some(vec![]), ..Default::default() };
            assert!(matches!(decide(&c, &Action::Correct(drop.clone()), Role::Officer, today, rules), Err(Refusal::Invalid(_))));
            // Adding a body to the list needs nothing.
            let add = Corrections { accused: Some(vec!["某镇人民政府".into(), "某村委会".into()]), ..Default::default() };
            assert_eq!(decide(&c, &Action::Correct(add.clone()), Role::Mailroom, today, rules).unwrap().entries.len(), 1);
        });
    }

    #[test]
    fn corrections_are_trimmed_checked_and_listed() {
        let today = day("2026-11-30");
        with(|rules| {
            let c = case(Status::Registered);
            let fix = Corrections {
                name: Some(" 王某 ".into()),
                phone: Some("   ".into()),
                cosigners: Some(-3),
                accusation: Some(true),
                purpose: Some(Purpose::Suggestion),
                ..Default::default()
            };
            let t = decide(&c, &Action::Correct(fix.clone()), Role::Mailroom, today, rules).unwrap();
            assert_eq!(
                t.changes,
                vec![
                    Change::Text("name", Some("王某".into())),
                    Change::Text("phone", None),
                    Change::Cosigners(0),
                    Change::Purpose(Purpose::Suggestion)
                ]
            );
            assert_eq!(t.entries[0].detail.as_deref(), Some("name, phone, cosigners, purpose"));
            let bad = Corrections { id_number: Some("110101199003071234".into()), ..Default::default() };
            assert!(matches!(decide(&c, &Action::Correct(bad.clone()), Role::Mailroom, today, rules), Err(Refusal::Invalid(_))));
            let none = decide(&c, &Action::Correct(Corrections::default()), Role::Mailroom, today, rules).unwrap();
            assert!(none.entries.is_empty());
        });
    }

    #[test]
    fn a_closed_case_is_read_only_and_refusals_are_said_in_chinese() {
        let today = day("2026-11-30");
        let fix = Corrections { summary: Some("物业乱收费".into()), ..Default::default() };
        with(|rules| {
            for &status in Status::ALL {
                let got = decide(&case(status), &Action::Correct(fix.clone()), Role::Officer, today, rules);
                match status {
                    Status::Closed | Status::Archived | Status::Voided => match got {
                        Err(Refusal::WrongState(why)) => assert!(why.zh.contains(status.label()), "{why:?}"),
                        other => panic!("{status:?}: {other:?}"),
                    },
                    _ => assert!(got.is_ok(), "{status:?}: {got:?}"),
                }
            }
            // Every refusal carries a Chinese sentence with no English in it.
            let refusals = [
                decide(&case(Status::Closed), &Action::Route(route(RouteKind::Direct, None, None)), Role::Officer, today, rules),
                decide(&case(Status::Registered), &Action::Route(route(RouteKind::Transfer, None, None)), Role::Officer, today, rules),
                decide(&case(Status::Registered), &Action::Route(route(RouteKind::Refuse, None, None)), Role::Officer, today, rules),
                decide(&case(Status::Registered), &Action::Step { step: Step::Close, note: None }, Role::Officer, today, rules),
                decide(&case(Status::Registered), &Action::Route(route(RouteKind::Direct, None, None)), Role::Archivist, today, rules),
            ];
            for r in refusals {
                let why = match r {
                    Err(Refusal::WrongState(w) | Refusal::Invalid(w) | Refusal::Forbidden(w)) => w,
                    other => panic!("{other:?}"),
                };
                assert!(!why.zh.chars().any(|c| c.is_ascii_alphabetic()), "{why:?}");
                assert!(!why.en.is_empty());
            }
        });
    }

    #[test]
    fn a_letter_found_urgent_before_routing_gets_the_urgent_limit() {
        let today = day("2026-11-30");
        with(|rules| {
            let d = rules.deadlines;
            let c = case(Status::Registered);
            let urgent = Corrections { urgent: Some(true), ..Default::default() };
            let t = decide(&c, &Action::Correct(urgent.clone()), Role::Mailroom, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(d.due(c.registered, d.route_urgent)));
            assert_eq!(t.changes, vec![Change::Urgent(true)]);
            // And back: the ordinary limit again.
            let c2 = CaseState { urgent: true, ..case(Status::Registered) };
            let calm = Corrections { urgent: Some(false), ..Default::default() };
            let t = decide(&c2, &Action::Correct(calm), Role::Mailroom, today, rules).unwrap();
            assert_eq!(t.due, Due::Set(d.due(c2.registered, d.route)));
            // Once routed the running limit is the body's: the flag alone changes.
            let t = decide(&case(Status::Routed), &Action::Correct(urgent.clone()), Role::Officer, today, rules).unwrap();
            assert_eq!(t.due, Due::Keep);
            // The same value again changes no limit.
            let t = decide(&c2, &Action::Correct(urgent), Role::Mailroom, today, rules).unwrap();
            assert_eq!(t.due, Due::Keep);
        });
    }

    #[test]
    fn a_registration_made_by_mistake_is_voided_with_its_reason_and_then_left_alone() {
        let today = day("2026-11-30");
        with(|rules| {
            let c = case(Status::Registered);
            let bare = Action::Step { step: Step::Void, note: Some("  ".into()) };
            match decide(&c, &bare, Role::Mailroom, today, rules) {
                Err(Refusal::Invalid(why)) => assert!(why.zh.contains("原因"), "{why:?}"),
                other => panic!("{other:?}"),
            }
            let void = Action::Step { step: Step::Void, note: Some("本单位值班表，误扫".into()) };
            let t = decide(&c, &void, Role::Mailroom, today, rules).unwrap();
            assert_eq!((t.status, t.due), (Some(Status::Voided), Due::Clear));
            assert_eq!(t.entries[0].event, EventKind::Void);
            assert!(matches!(decide(&c, &void, Role::Archivist, today, rules), Err(Refusal::Forbidden(_))));
            let fix = Corrections { summary: Some("x".into()), ..Default::default() };
            assert!(matches!(
                decide(&case(Status::Voided), &Action::Correct(fix), Role::Officer, today, rules),
                Err(Refusal::WrongState(_))
            ));
        });
    }
}
