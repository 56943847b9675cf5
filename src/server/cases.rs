//! Cases: the list with search and filters (masked), one case (audited; an accuser shown
//! only to officers who say why), corrections and confirmation, routes and steps of the
//! case life (`domain::decide` through `Cases::apply`), and the case's files: original,
//! filing copy, page previews. Pages in Chinese and the JSON API side by side.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login, when};
use super::{ApiError, AppState};
use crate::domain::{Act, Purpose, Refusal, RouteKind, Status, Step};
use crate::privacy;
use crate::registry::cases::{CaseFilter, CaseSummary, PageKey, Sort};
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    /// `overdue` or `soon` (due within 3 days).
    due: Option<String>,
    /// A user's name: the cases given to that officer ("我的案件" is the signed-in user's).
    handler: Option<String>,
    /// Registered from this day to that (both included; a statistics figure's letters).
    from: Option<String>,
    to: Option<String>,
    /// A purpose class code (`accusation`, …).
    purpose: Option<String>,
    /// The order (`registry::cases::Sort` codes; newest first when absent).
    sort: Option<String>,
    /// Where the page begins (the "下一页" link's key, `PageKey::encode`d).
    after: Option<String>,
}

/// The registration days of a list (`from` and `to`, both included, either alone), as the
/// register's range `[from, to + 1)`; a day not written YYYY-MM-DD is refused.
pub fn registered_param(from: Option<&str>, to: Option<&str>) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, ApiError> {
    let day = |s: Option<&str>| -> Result<Option<chrono::NaiveDate>, ApiError> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("`{s}` is not a day written YYYY-MM-DD")).zh("日期应写作 2026-11-30。")
            }),
        }
    };
    // Four-digit years only: the register compares its times as text.
    let (earliest, latest) = (chrono::NaiveDate::from_ymd_opt(1000, 1, 1), chrono::NaiveDate::from_ymd_opt(9999, 12, 31));
    let (Some(earliest), Some(latest)) = (earliest, latest) else {
        return Ok(None);
    };
    Ok(match (day(from)?, day(to)?) {
        (None, None) => None,
        (f, t) => Some((
            f.unwrap_or(earliest).clamp(earliest, latest),
            t.and_then(|t| t.succ_opt()).unwrap_or(latest).clamp(earliest, latest),
        )),
    })
}

/// A purpose class code, or a clear refusal.
pub fn purpose_param(purpose: Option<&str>) -> Result<Option<Purpose>, ApiError> {
    match purpose.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(code) => Purpose::parse(code).map(Some).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("purpose `{code}` is not suggestion, accusation or demand"))
                .zh("来信目的不认识。")
        }),
    }
}

/// Roles that read lists but not cases (the analyst) get the list of a figure, masked,
/// and may not search it (a name typed would tell whether that person wrote).
fn may_search(user: &CurrentUser, q: Option<&str>) -> Result<(), ApiError> {
    if q.is_some_and(|q| !q.trim().is_empty()) && !user.may(Act::Read) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this role reads lists of figures, not searches")
            .zh("统计分析角色只能查看统计数字对应的案件列表，不能检索。"));
    }
    Ok(())
}

/// The order asked for, or a clear refusal.
pub fn sort_param(sort: Option<&str>) -> Result<Sort, ApiError> {
    match sort.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Sort::Newest),
        Some(code) => Sort::parse(code).ok_or_else(|| {
            let codes: Vec<&str> = Sort::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("sort must be one of {}", codes.join(", ")))
                .zh("排序方式不认识。")
        }),
    }
}

/// The page key given for `sort`, or a clear refusal (a key of another order, or typed).
pub fn after_param(sort: Sort, after: Option<&str>) -> Result<Option<PageKey>, ApiError> {
    match after.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => PageKey::parse(sort, text).map(Some).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("after `{text}` is not a page key of sort {}", sort.as_str()))
                .zh("翻页位置无效，请从第一页重新浏览。")
        }),
    }
}

/// Whether a search leaves accusation cases out: when something is typed by a user who may
/// not see accusers (the letters' text and the exact columns name the accuser; a list
/// without a search shows them masked, as before).
fn searches_without_accusers(user: &CurrentUser, q: Option<&str>) -> bool {
    q.is_some_and(|q| !q.trim().is_empty()) && !user.may(Act::SeeAccuser)
}

/// The register's filter for the list page's address (its page, its export).
fn list_filter(q: &ListQuery, user: &CurrentUser) -> Result<CaseFilter, ApiError> {
    let sort = sort_param(q.sort.as_deref())?;
    Ok(CaseFilter {
        q: q.q.clone(),
        status: status_filter(q.status.as_deref())?,
        category: q.category.clone().filter(|s| !s.is_empty()),
        handler: q.handler.clone().filter(|s| !s.is_empty()),
        without_accusations: searches_without_accusers(user, q.q.as_deref()),
        overdue: q.due.as_deref() == Some("overdue"),
        due_within: (q.due.as_deref() == Some("soon")).then_some(3),
        registered: registered_param(q.from.as_deref(), q.to.as_deref())?,
        purpose: purpose_param(q.purpose.as_deref())?,
        sort,
        after: after_param(sort, q.after.as_deref())?,
        limit: None,
    })
}

/// Cases per page on the list page.
const PAGE: i64 = 50;

/// The list page's address with the same filters, in `sort`'s order, from `after` on.
fn list_url(q: &ListQuery, sort: Sort, after: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = [
        ("q", &q.q),
        ("status", &q.status),
        ("category", &q.category),
        ("due", &q.due),
        ("handler", &q.handler),
        ("from", &q.from),
        ("to", &q.to),
        ("purpose", &q.purpose),
    ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
        .collect();
    if sort != Sort::Newest {
        pairs.push(("sort", sort.as_str().to_string()));
    }
    if let Some(a) = after {
        pairs.push(("after", a.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(query) if !query.is_empty() => format!("/cases?{query}"),
        _ => "/cases".into(),
    }
}

/// A case as the lists show it (the case list, the queue): masked, times for people.
pub fn list_row(c: CaseSummary) -> minijinja::Value {
    let c = masked(c);
    minijinja::context! {
        id => c.id,
        number => c.registration_number,
        status => c.status.label(),
        registered => when(&c.registered_at),
        due => c.due_at,
        unnamed => c.name.is_none(),
        name => c.name,
        phone => c.phone,
        category => c.category,
        summary => c.summary,
        urgent => c.urgent,
        risk => c.risk.iter().map(|k| k.label()).collect::<Vec<_>>(),
        channel => (c.channel != crate::domain::Channel::Letter).then(|| c.channel.label()),
        repeat_of => c.repeat_of,
        handler => c.handler,
    }
}

/// The open risk cases shown above a list (its first page, unfiltered): they must reach a
/// leader the same day.
const RISK_ROWS: i64 = 20;

#[derive(Deserialize)]
pub struct QueueQuery {
    done: Option<u8>,
}

/// The mailroom's queue (待核对): registered letters nobody has confirmed, oldest first,
/// each a link to its review; "确认并下一件" on the case page walks it.
pub async fn queue_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Correct)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let sees_accusers = user.may(Act::SeeAccuser);
    let (cases, count) = state
        .with_registry(move |r| {
            let queue = r.to_check(PAGE, sees_accusers)?;
            r.audit(&actor, "list-queue", None, address.as_deref())?;
            Ok(queue)
        })
        .await?;
    let first = cases.first().map(|c| c.id);
    let cases: Vec<_> = cases.into_iter().map(list_row).collect();
    let done = q.done.is_some() && count == 0;
    let context = minijinja::context! { cases, count, first, done, shown => PAGE.min(count) };
    Ok(render("queue.html", "待核对", Some(&user), context)?.into_response())
}

pub async fn list_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::ReadList)?;
    may_search(&user, q.q.as_deref())?;
    let (actor, address) = (user.actor(), user.address.clone());
    let filter = CaseFilter { limit: Some(PAGE), ..list_filter(&q, &user)? };
    let (sort, purpose) = (filter.sort, filter.purpose);
    // Risk cases on top of the first page of the whole list (a search or filter shows
    // what was asked; its rows carry the mark).
    let pinned = filter.after.is_none() && filter.q.is_none() && !filter.filtered();
    let (list, risks) = state
        .with_registry(move |r| {
            let list = r.list_cases(&filter)?;
            // (Accusation cases among them masked, as in the list below.)
            let risks = if pinned { Some(r.open_risks(RISK_ROWS, true)?) } else { None };
            r.audit(&actor, &filter.audit_action(), None, address.as_deref())?;
            Ok((list, risks))
        })
        .await?;
    let (risks, risk_count) = match risks {
        Some((rows, n)) => (rows.into_iter().map(list_row).collect::<Vec<_>>(), n),
        None => (Vec::new(), 0),
    };
    let total = list.total.words();
    // The pages keep the filters and the order: the same query with another key.
    let next = list.next.as_deref().map(|k| list_url(&q, sort, Some(k)));
    let first = q.after.as_ref().filter(|a| !a.is_empty()).map(|_| list_url(&q, sort, None));
    // The sortable headings: a link to their order (the other way round when it is the
    // current one), with an arrow on the current one.
    let heading = |label: &str, up: Sort, down: Sort, first: Sort| {
        let (link, arrow) = match sort {
            s if s == up => (down, "↑"),
            s if s == down => (up, "↓"),
            _ => (first, ""),
        };
        minijinja::context! { label, href => list_url(&q, link, None), arrow, title => link.label() }
    };
    let headings = minijinja::context! {
        number => heading("登记号", Sort::Oldest, Sort::Newest, Sort::Oldest),
        due => heading("期限", Sort::DueSoonest, Sort::DueLatest, Sort::DueSoonest),
        handler => heading("承办人", Sort::Handler, Sort::Handler, Sort::Handler),
    };
    let cases: Vec<_> = list.cases.into_iter().map(list_row).collect();
    let select = |name: &str, chosen: &Option<String>, options: Vec<(&str, &str)>| {
        minijinja::context! { name, chosen => chosen.clone().unwrap_or_default(), options => minijinja::value::Serde(&options) }
    };
    let selects = vec![
        select(
            "status",
            &q.status,
            std::iter::once(("", "全部状态"))
                .chain(Status::ALL.iter().map(|s| (s.as_str(), s.label())))
                .collect(),
        ),
        select(
            "category",
            &q.category,
            std::iter::once(("", "全部类别"))
                .chain(state.config().vocabulary.categories.iter().map(|c| (c.name.as_str(), c.name.as_str())))
                .collect(),
        ),
        select("due", &q.due, vec![("", "全部期限"), ("overdue", "已超期"), ("soon", "3日内到期")]),
    ];
    let export = |f: &str| {
        let base = list_url(&q, sort, None);
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{}{sep}format={f}", base.replacen("/cases", "/cases/export", 1))
    };
    let (csv, xlsx) = (export("csv"), export("xlsx"));
    let handler = q.handler.clone().filter(|h| !h.is_empty());
    let sort_code = (sort != Sort::Newest).then_some(sort.as_str());
    // A figure's letters: the days and the purpose, said and kept by the search form.
    let kept: Vec<(&str, String)> = [("from", &q.from), ("to", &q.to), ("purpose", &q.purpose)]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
    let scope = match (&q.from, &q.to, purpose) {
        (None, None, None) => None,
        (from, to, purpose) => Some(format!(
            "{}{}{}",
            from.as_deref().map(|f| format!("登记自 {f} ")).unwrap_or_default(),
            to.as_deref().map(|t| format!("至 {t} ")).unwrap_or_default(),
            purpose.map(|p| format!("目的：{}", p.label())).unwrap_or_default()
        )),
    };
    let context = minijinja::context! {
        q => q.q.clone().unwrap_or_default(), selects, cases, total, next, first, csv, xlsx,
        export_rows => EXPORT_ROWS, handler, headings, sort => sort_code, kept, scope,
        opens_cases => user.may(Act::Read), searches => user.may(Act::Read), risks, risk_count,
    };
    Ok(render("cases.html", "案件", Some(&user), context)?.into_response())
}

/// Rows an export holds at most (a city's year), read a thousand at a time.
const EXPORT_ROWS: usize = 50_000;

#[derive(Deserialize)]
pub struct ExportFormat {
    format: String,
}

/// `/cases/export?format=csv|xlsx&…`: the list as filtered, every page, masked as the list
/// is, as a file; the export is audited with its filters.
pub async fn export(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(f): Query<ExportFormat>,
    Query(list): Query<ListQuery>,
) -> Result<Response, ApiError> {
    use crate::export::{Column, Format};
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::ReadList)?;
    may_search(&user, list.q.as_deref())?;
    let format = Format::parse(&f.format).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", "format must be csv or xlsx").zh("导出格式只能是 CSV 或 XLSX。")
    })?;
    let mut filter = CaseFilter { after: None, limit: Some(1000), ..list_filter(&list, &user)? };
    let (actor, address) = (user.actor(), user.address.clone());
    let cases = state
        .with_registry(move |r| {
            let mut all: Vec<CaseSummary> = Vec::new();
            // (The first page lists exact hits first; later pages may meet them again.)
            let mut seen = std::collections::HashSet::new();
            loop {
                let page = r.list_cases(&filter)?;
                all.extend(page.cases.into_iter().filter(|c| seen.insert(c.id)));
                match page.next.as_deref().and_then(|k| PageKey::parse(filter.sort, k)) {
                    Some(k) if all.len() < EXPORT_ROWS => filter.after = Some(k),
                    _ => break,
                }
            }
            all.truncate(EXPORT_ROWS);
            filter.after = None;
            r.audit(&actor, &filter.audit_action().replacen("list-cases", "export-cases", 1), None, address.as_deref())?;
            Ok(all)
        })
        .await?;
    const COLUMNS: [Column; 12] = [
        Column::text("登记号"),
        Column::text("登记时间"),
        Column::text("状态"),
        Column::text("去向"),
        Column::text("办理期限"),
        Column::text("信访人"),
        Column::text("电话"),
        Column::text("类别"),
        Column::text("事由"),
        Column::text("紧急"),
        Column::text("重复件前案"),
        Column::text("承办人"),
    ];
    let rows: Vec<Vec<String>> = cases
        .into_iter()
        .map(masked)
        .map(|c| {
            let route = c.route_kind.map(|k| format!("{} {}", k.label(), c.route_body.as_deref().unwrap_or_default()));
            vec![
                c.registration_number,
                when(&c.registered_at),
                c.status.label().to_string(),
                route.unwrap_or_default().trim().to_string(),
                c.due_at.unwrap_or_default(),
                c.name.unwrap_or_default(),
                c.phone.unwrap_or_default(),
                c.category.unwrap_or_default(),
                c.summary.unwrap_or_default(),
                if c.urgent { "紧急".into() } else { String::new() },
                c.repeat_of.unwrap_or_default(),
                c.handler.unwrap_or_default(),
            ]
        })
        .collect();
    super::admin::download("cases", format, "案件", &COLUMNS, &rows)
}

/// Cases listed on a person's page at most.
const PERSON_CASES: i64 = 200;

/// `/cases/{id}/person`: every case of the person who wrote case `id` (same ID number, or
/// same name and phone), masked as lists are, audited. Accusation cases take part only as
/// the case page shows an accuser: for an officer who gives the reason (`unmask`, audited
/// as `unmask-accuser`); without it the page of an accusation case asks for the reason
/// (or is refused to roles that may not see accusers), and another case's page leaves
/// accusation cases out.
pub async fn person_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Read)?;
    let reason = q.unmask.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    let (actor, address) = (user.actor(), user.address.clone());
    let role = user.user.role;
    let found = state
        .with_registry(move |r| {
            let accusation = r.is_accusation(id)?;
            let full = crate::domain::policy::sees_identity(true, role, reason.as_deref());
            if accusation && !full {
                return Ok(None);
            }
            let cases = r.same_person(id, PERSON_CASES)?;
            let shows_accuser = full && cases.iter().any(|c| c.accusation);
            if !cases.is_empty() {
                let action = match (&reason, shows_accuser) {
                    (Some(why), true) => format!("unmask-accuser: {why}"),
                    _ => "read-person".to_string(),
                };
                r.audit(&actor, &action, Some(id), address.as_deref())?;
            }
            Ok(Some((cases, full)))
        })
        .await?;
    let Some((cases, full)) = found else {
        if !user.may(Act::SeeAccuser) {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "need_to_know", "an accuser's letters are linked for the officers handling them only")
                .zh("检举控告人的其他来信仅承办人可见。"));
        }
        let context = minijinja::context! { id, ask => true, count => 0, cases => Vec::<minijinja::Value>::new(), name => None::<String>, number => "", capped => PERSON_CASES, left_out => false };
        return Ok(render("person.html", "同一信访人的来信", Some(&user), context)?.into_response());
    };
    let Some(this) = cases.iter().find(|c| c.id == id).cloned() else {
        return Err(ApiError::not_found("case"));
    };
    let left_out = !full && cases.iter().any(|c| c.accusation);
    let cases: Vec<_> = cases.into_iter().filter(|c| full || !c.accusation).map(list_row).collect();
    let this = masked(this);
    let context = minijinja::context! {
        id,
        ask => false,
        number => this.registration_number,
        name => this.name,
        count => cases.len(),
        cases,
        capped => PERSON_CASES,
        left_out,
    };
    Ok(render("person.html", "同一信访人的来信", Some(&user), context)?.into_response())
}

pub async fn case_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Read)?;
    let who = user.clone();
    let unmask = q.unmask.clone();
    let st = state.clone();
    let (read, previews, documents, filed) = state
        .with_registry(move |r| {
            let d = read_case_for(r, st.config(), id, &who, unmask.as_deref())?;
            let documents = r.documents(id)?;
            // (A case registered without files, like the benchmarks' synthetic ones, has no
            // filing copy to frame.)
            let filed = r.case_files(id)?.is_some_and(|(_, filed)| filed.exists());
            Ok(d.map(|d| {
                // The scans show the accuser as plainly as the fields.
                let previews = if d.identity_shown {
                    crate::store::DataDirs::new(st.data()).read_previews(&d.detail.sha256)
                } else {
                    Vec::new()
                };
                (d, previews, documents, filed)
            }))
        })
        .await?
        .ok_or_else(|| ApiError::not_found("case"))?;
    let ReadCase { detail, identity_shown, suggested } = read;
    let c = &detail.summary;
    // Lines holding a field's value are marked more strongly than the other lines read.
    let values: Vec<String> = [&c.name, &c.phone, &c.id_number, &detail.address, &c.summary]
        .into_iter()
        .flatten()
        .filter(|v| v.chars().count() >= 2)
        .cloned()
        .collect();
    let pct = |v: u32, of: u32| format!("{:.2}", 100.0 * v as f32 / of.max(1) as f32);
    let scans: Vec<_> = previews
        .iter()
        .map(|(p, _)| {
            let boxes: Vec<_> = p
                .lines
                .iter()
                .map(|l| {
                    let field = values.iter().any(|v| {
                        l.text.contains(v.as_str()) || (v.contains(l.text.as_str()) && l.text.chars().count() >= 4)
                    });
                    minijinja::context! {
                        field,
                        text => &l.text,
                        left => pct(l.x, p.width),
                        top => pct(l.y, p.height),
                        width => pct(l.w, p.width),
                        height => pct(l.h, p.height),
                    }
                })
                .collect();
            minijinja::context! { page => p.page, boxes }
        })
        .collect();
    // Masked values are never put in a form: saving it would write the stars back.
    let editable = user.may(Act::Correct) && identity_shown && crate::domain::life::correctable(c.status);
    let read_only = (!crate::domain::life::correctable(c.status)).then(|| format!("案件{}，登记内容不再更正。", c.status.label()));
    let row = |label: &str, value: Option<String>| minijinja::context! { label, value, input => false };
    let input = |name: &str, label: &str, value: &Option<String>| {
        // A date picker only for a date it can show (anything else stays visible as text).
        let iso = |v: &Option<String>| {
            v.as_deref().is_none_or(|d| d.is_empty() || chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        };
        let kind = if name == "letter_date" && iso(value) { "date" } else { "text" };
        minijinja::context! { name, label, value => value.clone().filter(|v| !v.is_empty()), input => true, kind }
    };
    // A choice among options (value, label); shown read-only as the chosen option's label.
    let choice = |name: &str, label: &str, value: Option<String>, options: Vec<(String, String)>| {
        let shown = options.iter().find(|o| Some(&o.0) == value.as_ref()).map(|o| o.1.clone()).or(value.clone());
        minijinja::context! { name, label, value, shown, options, input => true, kind => "select" }
    };
    let rows_before = vec![
        row("登记号", Some(c.registration_number.clone())),
        row("状态", Some(c.status.label().into())),
        row("办理期限", c.due_at.clone()),
        row(
            "去向",
            Some(match &c.route_kind {
                Some(k) => format!("{} {}", k.label(), c.route_body.as_deref().unwrap_or_default()),
                None => "未转办".into(),
            }),
        ),
        row("承办人", c.handler.clone()),
        input("name", "信访人", &c.name),
        input("id_number", "身份证号", &c.id_number),
        input("phone", "电话", &c.phone),
        input("address", "地址", &detail.address),
        input("letter_date", "来信日期", &detail.letter_date),
        input("summary", "事由", &c.summary),
        choice("category", "类别", c.category.clone(), categories(&state, c.category.as_deref())),
        choice(
            "urgent",
            "紧急",
            Some(if c.urgent { "true" } else { "false" }.into()),
            vec![("false".into(), "否".into()), ("true".into(), "是".into())],
        ),
        minijinja::context! { name => "cosigners", label => "联名人数", value => c.cosigners.to_string(), input => true, kind => "number" },
    ];
    let rows_after = vec![
        row("重复件", Some(c.repeat_of.clone().unwrap_or_else(|| "否".into()))),
        row("页数", Some(detail.pages.to_string())),
        row("登记", Some(format!("{} {}", when(&c.registered_at), super::admin::actor_for_people(&detail.registered_by)))),
    ];
    let suggested = suggested.unwrap_or_default();
    let route = (c.status == Status::Registered && user.may(Act::Route)).then(|| {
        let kinds: Vec<_> = RouteKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
        minijinja::context! { kinds => minijinja::value::Serde(&kinds), suggested => suggested.clone() }
    });
    let overdue = c.due_at.as_deref().is_some_and(|d| d < chrono::Local::now().date_naive().to_string().as_str());
    let steps: Vec<_> = Step::ALL
        .iter()
        .filter(|&&s| crate::domain::life::step_applies(s, c.status) && user.may(Act::Step(s)))
        // The limit is extended once at most: no button after that.
        .filter(|&&s| s != Step::Extend || !detail.events.iter().any(|e| e.action == Step::Extend.event()))
        // Supervision is for an overdue case; a submitted one waits for its instruction.
        .filter(|&&s| s != Step::Supervise || overdue)
        .filter(|&&s| s != Step::SubmitToLeader || detail.with_leader.is_none())
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let to = c.route_body.clone().unwrap_or_else(|| suggested.clone());
    // The officers the case can be given to (not once it is finished).
    let handler_form = if user.may(Act::Route) && !c.status.is_finished() && c.status != Status::Voided {
        Some(minijinja::context! { options => handlers(&state).await?, chosen => c.handler.clone().unwrap_or_default() })
    } else {
        None
    };
    let contact = if user.may(Act::WriteDocuments) { super::auth::own_contact(&state, &user).await? } else { Default::default() };
    let offer = crate::documents::offer(&detail, &documents, chrono::Local::now().date_naive());
    let (documents, generate) = super::documents::section(&state, &user, &documents, &to, contact, offer);
    // Fields the engine read with little confidence: the reviewer checks them first.
    let confidence: crate::model::FieldConfidence =
        serde_json::from_value(detail.extraction["field_confidence"].clone()).unwrap_or_default();
    let doubtful: Vec<&str> = confidence
        .doubtful()
        .into_iter()
        .map(|(field, _)| match field {
            "name" => "信访人",
            "id_number" => "身份证号",
            "phone" => "电话",
            _ => "地址",
        })
        .collect();
    let saved = match q.saved.as_deref() {
        Some(route) if route.starts_with("route-") => match RouteKind::parse(&route["route-".len()..]) {
            Some(RouteKind::Transfer) => Some("已转送。"),
            Some(RouteKind::Assign) => Some("已交办。"),
            Some(RouteKind::Direct) => Some("已记录：本机关直接办理。"),
            Some(RouteKind::Refuse) => Some("已记录：不予受理。"),
            Some(RouteKind::NotAgain) => Some("已记录：不再受理。"),
            None => Some("已保存。"),
        },
        Some("confirm") => Some("已确认。"),
        Some("confirm-next") => Some("上一件已确认，这是待核对的下一件。"),
        Some("accept" | "extend" | "reply" | "close" | "archive") => Some("已记录。"),
        Some("void") => Some("已作废：登记号保留并标为作废，不再办理。"),
        Some("handler") => Some("已指定承办人。"),
        Some("evaluation") => Some("满意度评价已记录。"),
        Some("review-request") => Some("已登记为新的案件，与原案关联，期限为收到请求之日起30日。"),
        Some("submit-to-leader") => Some("已呈报领导，待批示。"),
        Some("instruct") => Some("批示已记录。"),
        Some("supervise") => Some("已督办，新期限见上。"),
        Some("result") => Some("办理结果已记录。"),
        Some("registered") => Some("已登记。接待记录已作为原件保存，可打印归档副本交来访人核对签字。"),
        Some("duplicate") => Some("这份记录此前已登记过（内容、日期和登记人都相同），未重复登记。"),
        Some("document") => Some("文书已生成，见下方“文书”。"),
        Some("void-document") => Some("文书已作废：文号保留，不再归档。"),
        Some(_) => Some("已保存。"),
        None => None,
    };
    let events: Vec<_> = detail
        .events
        .iter()
        .map(|e| {
            // A correction lists its fields' codes: shown by their names.
            let detail = match (e.action, &e.detail) {
                (crate::domain::EventKind::Corrected, Some(d)) => Some(
                    d.split(", ").map(|f| crate::domain::life::field_label(f).unwrap_or(f)).collect::<Vec<_>>().join("、"),
                ),
                (_, d) => d.clone(),
            };
            minijinja::context! {
                at => when(&e.at),
                actor => super::admin::actor_for_people(&e.actor),
                action => e.action.label(),
                detail,
                due => &e.due_at,
            }
        })
        .collect();
    let purposes: Vec<_> = purposes();
    // Who confirmed the entry, and when (the queue holds it until someone does).
    let confirmed = detail
        .events
        .iter()
        .find(|e| e.action == crate::domain::EventKind::Confirmed)
        .map(|e| format!("登记内容已于 {} 由 {} 确认。", when(&e.at), super::admin::actor_for_people(&e.actor)));
    // No petitioner found at all: perhaps not a letter (a bureau's own list scanned with
    // the post). The mailroom looks, and voids it if so.
    let not_a_letter = c.status == Status::Registered && c.name.is_none() && c.id_number.is_none() && c.phone.is_none();
    let risk = risk_lines(&detail);
    let supervisions = detail.events.iter().filter(|e| e.action == crate::domain::EventKind::Supervise).count();
    let evaluate = (user.may(Act::Evaluate) && matches!(c.status, Status::Replied | Status::Closed)).then(|| {
        let options: Vec<(&str, &str)> = crate::domain::Satisfaction::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
        minijinja::context! { options => minijinja::value::Serde(&options), today => chrono::Local::now().date_naive().to_string() }
    });
    let risk_seen = detail
        .events
        .iter()
        .find(|e| e.action == crate::domain::EventKind::RiskSeen)
        .map(|e| format!("首阅：{} {}", super::admin::actor_for_people(&e.actor), when(&e.at)));
    let context = minijinja::context! {
        id,
        risk,
        risk_seen,
        overdue,
        supervisions,
        evaluate,
        instruction => &detail.instruction,
        with_leader => &detail.with_leader,
        result => &detail.result,
        review => detail.review.as_ref().map(|r| minijinja::context! { of => r.of, number => &r.of_number, level => r.level.label() }),
        request_review => (user.may(Act::Route) && matches!(c.status, Status::Replied | Status::Closed | Status::Archived)).then(|| {
            let level = if detail.review.is_some() { "re-review" } else { "review" };
            let label = if detail.review.is_some() { "复核" } else { "复查" };
            minijinja::context! { level, label, today => chrono::Local::now().date_naive().to_string() }
        }),
        satisfaction => detail.satisfaction.map(|s| format!("{}（{}）", s.label(), detail.evaluated_at.clone().unwrap_or_default())),
        channel => c.channel.label(),
        from_above => detail.from_above.as_ref().map(|a| {
            let mut s = format!("转交机关 {}", a.body);
            if let Some(n) = &a.number { s.push_str(&format!("，文号 {n}")); }
            if let Some(d) = a.report_due { s.push_str(&format!("，报告期限 {d}")); }
            s
        }),
        confirmed,
        not_a_letter,
        number => &c.registration_number,
        saved,
        doubtful,
        editable,
        read_only,
        rows_before,
        rows_after,
        purposes,
        purpose => detail.purpose.as_str(),
        purpose_label => detail.purpose.label(),
        accused => detail.accused.join("、"),
        can_clear => user.may(Act::ClearAccusation),
        route,
        steps,
        handler_form,
        documents,
        generate,
        events,
        text => &detail.text,
        masked => !identity_shown,
        filed,
        // A person's other letters: for a named writer, and not from a shielded accuser.
        person => (identity_shown && (c.name.is_some() || c.id_number.is_some())).then(|| {
            let reason = q.unmask.as_deref().map(str::trim).filter(|r| !r.is_empty() && c.accusation);
            match reason.and_then(|r| serde_urlencoded::to_string([("unmask", r)]).ok()) {
                Some(query) => format!("/cases/{id}/person?{query}"),
                None => format!("/cases/{id}/person"),
            }
        }),
        can_unmask => user.may(Act::SeeAccuser),
        scans,
    };
    Ok(render("case.html", &c.registration_number, Some(&user), context)?.into_response())
}

/// The risks read on arrival, each kind with the words it was read from
/// ("扬言极端行为：“自焚”").
fn risk_lines(detail: &crate::registry::cases::CaseDetail) -> Vec<String> {
    let read: Vec<crate::model::Risk> =
        serde_json::from_value(detail.extraction["fields"]["risk"].clone()).unwrap_or_default();
    detail
        .summary
        .risk
        .iter()
        .map(|kind| {
            let words: Vec<String> =
                read.iter().filter(|r| r.kind == *kind).map(|r| format!("“{}”", r.evidence)).collect();
            if words.is_empty() { kind.label().to_string() } else { format!("{}：{}", kind.label(), words.join("、")) }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
    /// An officer's reason for seeing an accuser's identity (audited).
    unmask: Option<String>,
}

/// The vocabulary's categories as the review form offers them, the case's own first when
/// it is not among them (a bureau's list changed since).
fn categories(state: &AppState, current: Option<&str>) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "（未分类）".to_string())];
    let listed = &state.config().vocabulary.categories;
    if let Some(c) = current.filter(|c| !listed.iter().any(|l| l.name == *c)) {
        options.push((c.to_string(), c.to_string()));
    }
    options.extend(listed.iter().map(|l| (l.name.clone(), l.name.clone())));
    options
}

/// Purpose classes by law, as the review form offers them (the most common first).
fn purposes() -> Vec<(&'static str, &'static str)> {
    [Purpose::Demand, Purpose::Suggestion, Purpose::Accusation]
        .into_iter()
        .map(|p| (p.as_str(), p.label()))
        .collect()
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: Option<String>,
    action: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    letter_date: Option<String>,
    summary: Option<String>,
    category: Option<String>,
    /// `true` or `false` (紧急).
    urgent: Option<String>,
    /// 联名人数.
    cosigners: Option<String>,
    purpose: Option<Purpose>,
    accused: Option<String>,
    /// Why the accusation flag or an accused body is cleared (officers only).
    reason: Option<String>,
}

/// The review form: corrections (only the fields that changed) and, with `confirm`, the
/// mailroom's confirmation that the register entry is right.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Correct)?;
    user.check_csrf(f.csrf.as_deref())?;
    let actor = user.as_actor();
    // "confirm-next": confirmed, then on to the oldest letter still waiting.
    let confirm = matches!(f.action.as_deref(), Some("confirm" | "confirm-next"));
    let next = f.action.as_deref() == Some("confirm-next");
    let sees_accusers = user.may(Act::SeeAccuser);
    let cosigners = match f.cosigners.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => Some(n),
            _ => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    super::html::message_page("更正未保存", Some(&user), "联名人数须是 0 或正整数。", &format!("/cases/{id}"))?,
                )
                    .into_response())
            }
        },
    };
    let urgent = match f.urgent.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let st = state.clone();
    let outcome = state
        .with_registry(move |r| {
            let Some(current) = r.case(id)? else {
                return Ok(Err(Refusal::NotFound));
            };
            let changed = |new: Option<String>, old: &Option<String>| {
                new.map(|v| v.trim().to_string()).filter(|v| {
                    Some(v.as_str()) != old.as_deref() && !(v.is_empty() && old.is_none())
                })
            };
            let s = &current.summary;
            let corrections = crate::domain::Corrections {
                name: changed(f.name, &s.name),
                id_number: changed(f.id_number, &s.id_number),
                phone: changed(f.phone, &s.phone),
                address: changed(f.address, &current.address),
                letter_date: changed(f.letter_date, &current.letter_date),
                summary: changed(f.summary, &s.summary),
                category: changed(f.category, &s.category),
                urgent: urgent.filter(|u| *u != s.urgent),
                cosigners: cosigners.filter(|n| *n != s.cosigners),
                purpose: f.purpose.filter(|p| *p != current.purpose),
                accused: f
                    .accused
                    .map(|a| crate::bodies::split_list(&a))
                    .filter(|a| *a != current.accused),
                reason: f.reason,
                ..Default::default()
            };
            let config = st.config();
            let rules = crate::domain::Rules { deadlines: &config.deadlines, names: &config.bodies };
            let result = r.apply(id, &crate::domain::Action::Correct(corrections), &actor, rules)?;
            if result.is_ok() && confirm {
                if let Err(refusal) = r.apply(id, &crate::domain::Action::Confirm, &actor, rules)? {
                    return Ok(Err(refusal));
                }
            }
            let following = if result.is_ok() && next { r.to_check(1, sees_accusers)?.0.first().map(|c| c.id) } else { None };
            Ok(result.map(|_| following))
        })
        .await?;
    match outcome {
        Ok(Some(following)) => Ok(Redirect::to(&format!("/cases/{following}?saved=confirm-next")).into_response()),
        Ok(None) if next => Ok(Redirect::to("/queue?done=1").into_response()),
        Ok(None) => Ok(Redirect::to(&format!(
            "/cases/{id}?saved={}",
            if confirm { "confirm" } else { "save" }
        ))
        .into_response()),
        Err(refusal) => refused(&user, "更正未保存", id, refusal),
    }
}

/// The page a refused form action answers with (422), or 404 for a case that is not there.
pub fn refused(user: &CurrentUser, title: &str, id: i64, refusal: Refusal) -> Result<Response, ApiError> {
    match refusal {
        Refusal::NotFound => Err(ApiError::not_found("case")),
        Refusal::Forbidden(why) => Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", why.en).zh(why.zh)),
        Refusal::WrongState(why) | Refusal::Invalid(why) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            super::html::message_page(title, Some(user), &why.zh, &format!("/cases/{id}"))?,
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct RouteForm {
    csrf: Option<String>,
    kind: RouteKind,
    body: Option<String>,
    reason: Option<String>,
}

/// The route form on the case page.
pub async fn route_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RouteForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Route)?;
    user.check_csrf(f.csrf.as_deref())?;
    let route = crate::domain::Route {
        kind: f.kind,
        body: f.body,
        reason: f.reason,
    };
    match apply_outcome(&state, &user, id, crate::domain::Action::Route(route)).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=route-{}", f.kind.as_str())).into_response()),
        Err(refusal) => refused(&user, "未能转办", id, refusal),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: Option<String>,
    step: Step,
    note: Option<String>,
    date: Option<String>,
}

/// The step buttons on the case page (accept, extend, reply, close, archive): plain forms,
/// so they work without JavaScript.
pub async fn step_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Step(f.step))?;
    user.check_csrf(f.csrf.as_deref())?;
    let note = f.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let step = f.step;
    match apply_outcome(&state, &user, id, step_action(step, note, f.date.as_deref())?).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved={}", step.as_str())).into_response()),
        Err(refusal) => refused(&user, "未能办理", id, refusal),
    }
}

/// Who may be given cases: enabled users whose role routes cases (officers, administrators).
async fn handlers(state: &AppState) -> Result<Vec<String>, ApiError> {
    let users = state.with_registry(|r| Ok(r.users()?)).await?;
    Ok(users
        .into_iter()
        .filter(|u| !u.disabled && crate::domain::may(u.role, Act::Route))
        .map(|u| u.name)
        .collect())
}

/// Gives case `id` to the officer `name` (or takes it back): the name must be one of
/// `handlers`.
async fn set_handler(state: &AppState, user: &CurrentUser, id: i64, name: Option<String>) -> Result<Result<crate::domain::Transition, Refusal>, ApiError> {
    let name = name.map(|n| crate::registry::users::normalize_name(&n)).filter(|n| !n.is_empty());
    if let Some(n) = &name {
        if !handlers(state).await?.contains(n) {
            return Ok(Err(Refusal::Invalid(crate::domain::Why::new(
                format!("{n:?} is not an enabled officer"),
                format!("“{n}”不是可指定的承办人（须为启用的承办或管理员账号）。"),
            ))));
        }
    }
    apply_outcome(state, user, id, crate::domain::Action::Handler(name)).await
}

#[derive(Deserialize)]
pub struct HandlerForm {
    csrf: Option<String>,
    handler: Option<String>,
}

/// The case page's 承办人 form.
pub async fn handler_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<HandlerForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Route)?;
    user.check_csrf(f.csrf.as_deref())?;
    match set_handler(&state, &user, id, f.handler).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=handler")).into_response()),
        Err(refusal) => refused(&user, "未能指定承办人", id, refusal),
    }
}

#[derive(Deserialize)]
pub struct HandlerRequest {
    /// A user's name; null or empty takes the case back.
    handler: Option<String>,
}

/// `POST /api/cases/{id}/handler`.
pub async fn handler_api(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<HandlerRequest>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::Route, &headers)?;
    match set_handler(&state, &user, id, req.handler).await? {
        Ok(t) => {
            let handler = t.changes.iter().find_map(|c| match c {
                crate::domain::life::Change::Text("handler", v) => Some(v.clone()),
                _ => None,
            });
            Ok(Json(json!({"case_id": id, "handler": handler.flatten()})))
        }
        Err(r) => Err(refusal(r)),
    }
}

/// "我的案件": the list of the cases given to the signed-in user, the most pressing
/// deadline first.
pub async fn mine(MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    let q = ListQuery { handler: Some(user.user.name.clone()), ..Default::default() };
    Ok(Redirect::to(&list_url(&q, Sort::DueSoonest, None)).into_response())
}

/// The status filter of a list: empty is every status; an unknown code is refused.
pub fn status_filter(status: Option<&str>) -> Result<Option<Status>, ApiError> {
    match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(code) => code
            .parse()
            .map(Some)
            .map_err(|e: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e)),
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// Only the cases given to this officer (a user's name).
    pub handler: Option<String>,
    /// `true`: only cases whose current step is past due.
    pub overdue: Option<bool>,
    /// Only cases due within this many days.
    pub due_within: Option<i64>,
    /// Registered from this day to that (both included), voided ones left out.
    pub from: Option<String>,
    pub to: Option<String>,
    pub purpose: Option<String>,
    /// Keyset paging in the default order: the previous page's `next_before`.
    pub before_id: Option<i64>,
    /// The order (`newest`, `oldest`, `due`, `due-desc`, `handler`).
    pub sort: Option<String>,
    /// Keyset paging in any order: the previous page's `next_after`.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// A case as lists show it: name, phone and ID number masked.
pub fn masked(mut c: CaseSummary) -> CaseSummary {
    // A link to an accuser's other case would name them there.
    if c.accusation {
        c.repeat_of = None;
    }
    c.name = c.name.as_deref().map(privacy::mask_name);
    c.phone = c.phone.as_deref().map(privacy::mask_phone);
    c.id_number = c.id_number.as_deref().map(privacy::mask_id);
    c
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CaseQuery>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::ReadList)?;
    may_search(&user, q.q.as_deref())?;
    let (actor, address) = (user.actor(), user.address.clone());
    let status = status_filter(q.status.as_deref())?;
    let registered = registered_param(q.from.as_deref(), q.to.as_deref())?;
    let purpose = purpose_param(q.purpose.as_deref())?;
    let without_accusations = searches_without_accusers(&user, q.q.as_deref());
    let sort = sort_param(q.sort.as_deref())?;
    let after = match (after_param(sort, q.after.as_deref())?, q.before_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", "give after or before_id, not both")
                .zh("翻页位置只能给一个。"))
        }
        (None, Some(_)) if sort != Sort::Newest => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", "before_id pages the default order only; use after")
                .zh("此排序下请用 after 翻页。"))
        }
        (None, Some(id)) => Some(PageKey { value: None, id }),
        (after, None) => after,
    };
    let list = state
        .with_registry(move |r| {
            let filter = CaseFilter {
                q: q.q,
                status,
                category: q.category.filter(|s| !s.is_empty()),
                handler: q.handler.filter(|s| !s.is_empty()),
                without_accusations,
                overdue: q.overdue.unwrap_or(false),
                due_within: q.due_within,
                registered,
                purpose,
                sort,
                after,
                limit: q.limit,
            };
            let list = r.list_cases(&filter)?;
            r.audit(&actor, &filter.audit_action(), None, address.as_deref())?;
            Ok(list)
        })
        .await?;
    let cases: Vec<CaseSummary> = list.cases.into_iter().map(masked).collect();
    Ok(Json(json!({
        "cases": cases,
        "total": list.total.count,
        "total_is_estimate": list.total.estimate,
        "next_after": list.next,
        "next_before": if sort == Sort::Newest { list.next.as_deref().and_then(|k| k.parse::<i64>().ok()) } else { None },
    })))
}

/// Reads a case for a user and audits the read: an accusation case's accuser is shown
/// only to roles with `Act::SeeAccuser` and a reason (`unmask`), audited as
/// `unmask-accuser` with the reason; everyone else gets `CaseDetail::shield_accuser`.
/// The bool says whether the identity is shown.
pub fn read_case_for(
    r: &crate::registry::Registry,
    config: &crate::config::Config,
    id: i64,
    user: &CurrentUser,
    unmask: Option<&str>,
) -> Result<Option<ReadCase>, crate::registry::RegistryError> {
    let Some(d) = r.case(id)? else {
        return Ok(None);
    };
    // The suggestion is guarded with the letter's own text, before anything is masked.
    let suggested = config
        .routing
        .suggest_guarded(&config.bodies, d.guard_case(), d.address.as_deref(), d.summary.category.as_deref())
        .map(str::to_string);
    let address = user.address.as_deref();
    let accusation = d.summary.accusation;
    let reason = unmask.map(str::trim).filter(|r| !r.is_empty());
    let full = crate::domain::policy::sees_identity(accusation, user.user.role, reason);
    let action = match (accusation, full) {
        (false, _) => "read-case".to_string(),
        (true, true) => format!("unmask-accuser: {}", reason.unwrap_or_default()),
        (true, false) => "read-case-masked".to_string(),
    };
    r.audit(&user.actor(), &action, Some(id), address)?;
    // The first to open a risk case is kept (the event shows who saw it, and when).
    let mut d = d;
    // Whoever typed or took in the letter does not count: the first reader after them does.
    let first = d.summary.at_risk() && d.registered_by != user.actor() && !d.events.iter().any(|e| e.action == crate::domain::EventKind::RiskSeen);
    if first && r.mark_risk_seen(id, &user.actor(), address)? {
        d = r.case(id)?.unwrap_or(d);
    }
    let detail = if full { d } else { d.shield_accuser() };
    Ok(Some(ReadCase { detail, identity_shown: full, suggested }))
}

/// A case as read for a user: masked or not, and the route suggested for it.
pub struct ReadCase {
    pub detail: crate::registry::cases::CaseDetail,
    pub identity_shown: bool,
    pub suggested: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct UnmaskQuery {
    /// Why an officer needs to see an accuser's identity (written to the audit log).
    pub unmask: Option<String>,
}

pub async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(u): Query<UnmaskQuery>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Read)?;
    let who = user.clone();
    let st = state.clone();
    let read = state
        .with_registry(move |r| Ok(read_case_for(r, st.config(), id, &who, u.unmask.as_deref())?))
        .await?
        .ok_or_else(|| ApiError::not_found("case"))?;
    let ReadCase { detail, identity_shown, suggested } = read;
    let mut value = serde_json::to_value(detail).expect("a case serialises");
    value["suggested_route"] = json!(suggested);
    value["identity_shown"] = json!(identity_shown);
    Ok(Json(value))
}

pub fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::NotFound => ApiError::not_found("case"),
        Refusal::WrongState(why) => ApiError::new(StatusCode::CONFLICT, "wrong_state", why.en).zh(why.zh),
        Refusal::Invalid(why) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", why.en).zh(why.zh),
        Refusal::Forbidden(why) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", why.en).zh(why.zh),
    }
}

pub async fn route(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(route): Json<crate::domain::Route>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::Route, &headers)?;
    let kind = route.kind;
    let t = apply(&state, &user, id, crate::domain::Action::Route(route)).await?;
    Ok(Json(json!({"case_id": id, "route": kind, "due_at": t.due_text()})))
}

#[derive(Deserialize)]
pub struct StepRequest {
    pub step: crate::domain::Step,
    pub note: Option<String>,
    /// The new date of a supervision (`supervise`), YYYY-MM-DD.
    pub date: Option<String>,
}

/// A step as the case life takes it: a supervision carries its new date.
fn step_action(step: Step, note: Option<String>, date: Option<&str>) -> Result<crate::domain::Action, ApiError> {
    let date = date.map(str::trim).filter(|d| !d.is_empty());
    match (step, date) {
        (Step::Supervise, Some(d)) => {
            let due = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("date {d:?} is not YYYY-MM-DD"))
                    .zh(format!("「{d}」不是日期，请按 年-月-日 填写。"))
            })?;
            Ok(crate::domain::Action::Supervise { due, note })
        }
        _ => Ok(crate::domain::Action::Step { step, note }),
    }
}

pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<StepRequest>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::Step(req.step), &headers)?;
    let step = req.step;
    let t = apply(&state, &user, id, step_action(step, req.note, req.date.as_deref())?).await?;
    Ok(Json(json!({"case_id": id, "step": step, "due_at": t.due_text()})))
}

pub async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(c): Json<crate::domain::Corrections>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::Correct, &headers)?;
    let t = apply(&state, &user, id, crate::domain::Action::Correct(c)).await?;
    let changed: Vec<&str> = t.changes.iter().map(|c| c.field()).collect();
    Ok(Json(json!({"case_id": id, "changed": changed})))
}

/// Applies an action of the case life for `user` on a blocking thread: the transition
/// stored, or the refusal as an API error.
pub async fn apply(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: crate::domain::Action,
) -> Result<crate::domain::Transition, ApiError> {
    apply_outcome(state, user, id, action).await?.map_err(refusal)
}

/// `apply`, with the refusal kept for a page to show.
pub async fn apply_outcome(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: crate::domain::Action,
) -> Result<Result<crate::domain::Transition, Refusal>, ApiError> {
    let actor = user.as_actor();
    let st = state.clone();
    state
        .with_registry(move |r| {
            let config = st.config();
            let rules = crate::domain::Rules { deadlines: &config.deadlines, names: &config.bodies };
            Ok(r.apply(id, &action, &actor, rules)?)
        })
        .await
}

/// The scans and copies of an accusation case show the accuser: only
/// roles that may see the accuser (`Act::SeeAccuser`) may open them.
pub fn need_to_know(r: &crate::registry::Registry, id: i64, role: crate::domain::Role) -> Result<(), ApiError> {
    let accusation = r.is_accusation(id)?;
    if accusation && !crate::domain::may(role, Act::SeeAccuser) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "need_to_know",
            "this is accusation material: only the officers handling it see the letter itself",
        ));
    }
    Ok(())
}

async fn case_file(
    state: AppState,
    user: CurrentUser,
    id: i64,
    filed: bool,
) -> Result<Response, ApiError> {
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let action = if filed { "read-filed" } else { "read-original" };
    let role = user.user.role;
    let paths = state
        .with_registry(move |r| {
            need_to_know(r, id, role)?;
            let p = r.case_files(id)?;
            if p.is_some() {
                r.audit(&actor, action, Some(id), address.as_deref())?;
            }
            Ok(p)
        })
        .await?;
    let (original, copy) = paths.ok_or_else(|| ApiError::not_found("case"))?;
    let path = if filed { copy } else { original };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    let kind = if filed {
        Some(crate::model::Kind::Pdf)
    } else {
        crate::ingest::decode::sniff(&bytes)
    };
    let mime = match kind {
        Some(crate::model::Kind::Pdf) => "application/pdf",
        Some(crate::model::Kind::Png) => "image/png",
        Some(crate::model::Kind::Jpeg) => "image/jpeg",
        Some(crate::model::Kind::Tiff) => "image/tiff",
        Some(crate::model::Kind::Docx) => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        None => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// A scanned page's review preview (JPEG), audited like the original.
pub async fn page_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, page)): Path<(i64, u32)>,
) -> Result<Response, ApiError> {
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let role = user.user.role;
    let dirs = crate::store::DataDirs::new(state.data());
    let previews = state
        .with_registry(move |r| {
            need_to_know(r, id, role)?;
            let p = r.sha256_of(id)?.map(|sha| dirs.read_previews(&sha)).unwrap_or_default();
            if !p.is_empty() {
                r.audit(&actor, "read-page", Some(id), address.as_deref())?;
            }
            Ok(p)
        })
        .await?;
    let path = previews
        .into_iter()
        .find(|(p, _)| p.page == page)
        .map(|(_, path)| path)
        .ok_or_else(|| ApiError::not_found("page"))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        Body::from(bytes),
    )
        .into_response())
}

pub async fn original(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    case_file(state, user, id, false).await
}

pub async fn filed(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    case_file(state, user, id, true).await
}


pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue", get(queue_page))
        .route("/cases", get(list_page))
        .route("/cases/export", get(export))
        .route("/cases/{id}", get(case_page).post(review))
        .route("/cases/{id}/person", get(person_page))
        .route("/cases/{id}/handler", post(handler_page))
        .route("/cases/mine", get(mine))
        .route("/cases/{id}/route", post(route_page))
        .route("/cases/{id}/step", post(step_page))
        .route("/api/cases", get(list).post(super::reception::create))
        .route("/api/cases/{id}", get(read).patch(correct))
        .route("/api/cases/{id}/route", post(route))
        .route("/api/cases/{id}/step", post(advance))
        .route("/api/cases/{id}/handler", post(handler_api))
        .route("/api/cases/{id}/evaluation", post(super::life::evaluate_api))
        .route("/cases/{id}/evaluation", post(super::life::evaluate_page))
        .route("/leader", get(super::life::leader_page))
        .route("/api/cases/{id}/review-request", post(super::life::review_api))
        .route("/cases/{id}/review-request", post(super::life::review_page))
        .route("/api/cases/{id}/original", get(original))
        .route("/api/cases/{id}/pages/{page}", get(page_preview))
        .route("/api/cases/{id}/filed", get(filed))
}
