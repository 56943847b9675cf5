//! The analyst's page (`/stats`) and `GET /api/stats`: a period's figures with 环比 and 同比
//! (`stats::report` over one read of the register), tables and bar charts drawn here as
//! SVG by `stats::charts`. Reads are audited with the period; no petitioner is shown.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login};
use super::{ApiError, AppState};
use crate::domain::Act;
use crate::stats::charts::{self, Style};
use crate::stats::{Count, Period, Report};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    /// `2026-11`, `2026-Q4`, `2026-H2`, `2026` or `2026-01-05..2026-02-01`; this month
    /// when absent.
    period: Option<String>,
}

/// The period asked for, or a refusal in both languages.
fn period_of(q: &StatsQuery, today: chrono::NaiveDate) -> Result<Period, ApiError> {
    match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(Period::month_of(today)),
        Some(p) => Period::parse(p).map_err(|zh| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("period `{p}` is not a month, quarter, half, year or range")).zh(zh)
        }),
    }
}

/// The report of `period`, read once from the register and audited.
async fn read(state: &AppState, user: &CurrentUser, period: Period, today: chrono::NaiveDate) -> Result<Report, ApiError> {
    user.require(Act::ReadStats)?;
    let categories: Vec<String> = state.config().vocabulary.categories.iter().map(|c| c.name.clone()).collect();
    let home = state.config().bureau.region.clone();
    let (actor, address) = (user.actor(), user.address.clone());
    state
        .with_registry(move |r| {
            let setting = crate::stats::Setting { categories: &categories, today };
            let report = crate::registry::stats_report(&**r, &period, setting, home.as_deref())?;
            r.audit(&actor, &format!("read-stats period={}", period.code()), None, address.as_deref())?;
            Ok(report)
        })
        .await
}

pub async fn api(State(state): State<AppState>, user: CurrentUser, Query(q): Query<StatsQuery>) -> Result<Json<Report>, ApiError> {
    let today = chrono::Local::now().date_naive();
    let period = period_of(&q, today)?;
    Ok(Json(read(&state, &user, period, today).await?))
}

pub async fn page(State(state): State<AppState>, MaybeUser(user): MaybeUser, Query(q): Query<StatsQuery>) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    let today = chrono::Local::now().date_naive();
    let period = period_of(&q, today)?;
    let report = read(&state, &user, period, today).await?;
    let f = &report.figures;
    // Every count links to its letters in the case list (masked as lists are).
    let base = format!("/cases?from={}&to={}", f.from, f.to);
    let link = |key: &str, c: &Count| -> Option<String> {
        (!c.code.is_empty()).then(|| {
            let value = serde_urlencoded::to_string([(key, c.code.as_str())]).unwrap_or_default();
            format!("{base}&{value}")
        })
    };
    let linked = |key: &str, counts: &[Count]| -> Vec<minijinja::Value> {
        counts.iter().map(|c| minijinja::context! { label => c.label.clone(), count => c.count, href => link(key, c) }).collect()
    };
    // Quick choices: this month, last month, this quarter, this year, and the periods around.
    let this_month = Period::month_of(today);
    let quarter = Period::parse(&format!("{}-Q{}", chrono::Datelike::year(&today), (chrono::Datelike::month(&today) - 1) / 3 + 1))
        .unwrap_or(this_month);
    let year = Period::parse(&chrono::Datelike::year(&today).to_string()).unwrap_or(this_month);
    let choices: Vec<(String, String)> = [
        ("本月", this_month),
        ("上月", this_month.previous()),
        ("本季度", quarter),
        ("本年", year),
        ("上一期", period.previous()),
        ("去年同期", period.year_before()),
    ]
    .into_iter()
    .map(|(label, p)| (format!("/stats?period={}", p.code()), format!("{label}（{}）", p.label())))
    .collect();
    let categories: Vec<_> = report
        .categories
        .iter()
        .zip(&f.by_category)
        .map(|(c, n)| {
            minijinja::context! {
                label => c.label.clone(), count => n.count, href => link("category", n),
                previous => c.vs_previous.before, vs_previous => c.vs_previous.words(),
                year_before => c.vs_year_before.before, vs_year_before => c.vs_year_before.words(),
            }
        })
        .collect();
    let context = minijinja::context! {
        period => period.code(),
        label => f.label.clone(),
        from => f.from.to_string(),
        to => f.to.to_string(),
        choices,
        received => f.received,
        previous_label => report.previous.label.clone(),
        previous => report.previous.received,
        vs_previous => report.received_vs_previous.words(),
        year_before_label => report.year_before.label.clone(),
        year_before => report.year_before.received,
        vs_year_before => report.received_vs_year_before.words(),
        categories,
        category_chart => charts::bars(&f.by_category, "按类别", Style::default(), &|c| link("category", c)),
        // Until other channels are registered every letter is a 来信: the category's list is
        // exactly its 来信 segment.
        channel_chart => charts::stacked(
            &f.by_category.iter().zip(&f.category_channels).map(|(c, v)| (c.label.clone(), v.clone())).collect::<Vec<_>>(),
            &crate::domain::Channel::ALL.iter().map(|c| c.label()).collect::<Vec<_>>(),
            "按类别和渠道",
            Style::default(),
            &|row, series| (crate::domain::Channel::ALL[series] == crate::domain::Channel::Letter).then(|| link("category", &f.by_category[row])).flatten(),
        ),
        received_href => base.clone(),
        trend_chart => charts::line(&report.trend, "近13个月收信", Style::default()),
        regions => shaded(&f.by_region),
        hot_spots => minijinja::value::Serde(&report.hot_spots),
        by_purpose => linked("purpose", &f.by_purpose),
        by_channel => minijinja::value::Serde(&f.by_channel),
        by_status => linked("status", &f.by_status),
        by_route => minijinja::value::Serde(&f.by_route),
        not_routed => f.not_routed,
        first => f.first,
        most_repeated => minijinja::value::Serde(&f.most_repeated),
        opens_cases => user.may(Act::Read),
        repeats => f.repeats,
        joint => f.joint,
        joint_people => f.joint_people,
        collective => f.collective,
        collective_min => crate::stats::COLLECTIVE,
        routed_in_time => f.routed_in_time.words(),
        routed_counts => format!("{} / {}", f.routed_in_time.met, f.routed_in_time.of),
        closed_in_time => f.closed_in_time.words(),
        evaluated => f.evaluated.words(),
        evaluated_counts => format!("{} / {}", f.evaluated.met, f.evaluated.of),
        satisfied => f.satisfied.words(),
        satisfied_counts => format!("{} / {}", f.satisfied.met, f.satisfied.of),
        closed_counts => format!("{} / {}", f.closed_in_time.met, f.closed_in_time.of),
        days_to_route => f.days_to_route.words(),
        days_to_close => f.days_to_close.words(),
        overdue => f.overdue,
        overdue_by_body => minijinja::value::Serde(&f.overdue_by_body),
        by_body => f.by_body.iter().take(30).map(|b| minijinja::context! {
            body => b.body.clone(), given => b.given, closed_in_time => b.closed_in_time.words(),
            closed => format!("{} / {}", b.closed_in_time.met, b.closed_in_time.of), overdue => b.overdue,
        }).collect::<Vec<_>>(),
        bodies => f.by_body.len(),
        api => format!("/api/stats?period={}", period.code()),
    };
    Ok(render("stats.html", "统计", Some(&user), context)?.into_response())
}

/// The regions with a grey cell shaded by count (darker, more) and the number written, so
/// print in black and white reads the same.
fn shaded(counts: &[Count]) -> Vec<minijinja::Value> {
    let max = counts.iter().filter(|c| !c.code.is_empty()).map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    counts
        .iter()
        .map(|c| {
            // From white (none) to mid grey (the most), text stays black and readable.
            let level = if c.code.is_empty() { 255 } else { 255 - (110.0 * c.count as f64 / max).round() as i64 };
            minijinja::context! { label => c.label.clone(), count => c.count, shade => format!("rgb({level},{level},{level})") }
        })
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/stats", get(page)).route("/api/stats", get(api))
}
