//! The analyst's period documents (信访情况分析报告, 信访工作动态): the page
//! `/stats/reports` with the sentences the figures give, to be edited, a draft previewed
//! (marked 草稿, unnumbered, not recorded) and the final document issued; the period's
//! documents listed with their files and a void form; `POST /api/reports` and
//! `GET /api/reports` for the same. Figures only: no petitioner is read or shown.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login};
use super::{ApiError, AppState};
use crate::documents::period::{PeriodRequest, KINDS, WRITTEN};
use crate::domain::Act;
use crate::stats::{writing, Period};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    kind: String,
    period: String,
    /// "pdf", "docx"; default both (a draft: the first).
    formats: Option<Vec<String>>,
    /// Sentences replaced and the analyst's own fields (建议, 收文机关, 签发人, 抄送…).
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    #[serde(default)]
    draft: bool,
    /// The document's date (YYYY-MM-DD); default today.
    date: Option<chrono::NaiveDate>,
}

fn period_of(text: &str) -> Result<Period, ApiError> {
    Period::parse(text).map_err(|zh| ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("period `{text}` is not a month, quarter, half, year or range")).zh(zh))
}

/// Generates as asked: a draft's file, or the recorded document.
async fn run(state: &AppState, user: &CurrentUser, req: PeriodRequest) -> Result<crate::documents::Generated, ApiError> {
    let generator = state.generator();
    let (actor, address) = (user.actor(), user.address.clone());
    let dirs = crate::store::DataDirs::new(state.data());
    state
        .with_registry(move |r| Ok(generator.generate_period(&mut **r, &dirs, &req, &actor, address.as_deref())))
        .await?
        .map_err(ApiError::from)
}

/// `POST /api/reports`: a draft answers the file; a final document 201 with its record.
pub async fn create(State(state): State<AppState>, user: CurrentUser, headers: HeaderMap, Json(body): Json<ReportBody>) -> Result<Response, ApiError> {
    user.authorize_change(Act::WriteReports, &headers)?;
    let formats = body.formats.unwrap_or_else(|| vec!["pdf".into(), "docx".into()]);
    if let Some(bad) = formats.iter().find(|f| !["pdf", "docx"].contains(&f.as_str())) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("unknown format {bad:?} (pdf, docx)")));
    }
    let pdf = formats.iter().any(|f| f == "pdf");
    let req = PeriodRequest {
        kind: body.kind,
        period: period_of(&body.period)?,
        inputs: body.fields,
        // A draft is one file: the PDF when asked for, else the DOCX.
        pdf,
        docx: formats.iter().any(|f| f == "docx") && !(body.draft && pdf),
        date: body.date,
        draft: body.draft,
    };
    let draft = req.draft;
    let g = run(&state, &user, req).await?;
    if draft {
        return super::documents::draft_file(g, pdf);
    }
    let record = g.record.ok_or_else(|| ApiError::internal("a recorded document has no record"))?;
    Ok((StatusCode::CREATED, Json(json!({"document": record, "pages": g.pages}))).into_response())
}

/// `GET /api/reports`: the period documents, newest first.
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Value>, ApiError> {
    user.require(Act::ReadStats)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let docs = state
        .with_registry(move |r| {
            r.audit(&actor, "read-reports", None, address.as_deref())?;
            Ok(r.period_documents(200)?)
        })
        .await?;
    Ok(Json(json!({"documents": docs})))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    period: Option<String>,
    kind: Option<String>,
    saved: Option<String>,
}

/// `GET /stats/reports`: the form with the figures' sentences and the period's documents.
pub async fn page(State(state): State<AppState>, MaybeUser(user): MaybeUser, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::ReadStats)?;
    let today = chrono::Local::now().date_naive();
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => period_of(p)?,
        None => Period::month_of(today).previous(),
    };
    let kind = q.kind.clone().filter(|k| KINDS.iter().any(|(n, _)| n == k)).unwrap_or_else(|| "analysis-report".into());
    let generator = state.generator();
    let (actor, address) = (user.actor(), user.address.clone());
    let (report, docs) = state
        .with_registry(move |r| {
            let report = generator.period_report(&**r, &period, today).map_err(ApiError::from)?;
            r.audit(&actor, &format!("read-stats period={}", period.code()), None, address.as_deref())?;
            Ok((report, r.period_documents(200)?))
        })
        .await?;
    let sentences: Vec<_> = writing::sentences(&report)
        .into_iter()
        .filter(|(k, _)| *k != "期间")
        .map(|(k, v)| minijinja::context! { name => k, rows => (v.chars().count() / 40 + 2).min(8), text => v })
        .collect();
    let written: Vec<_> = WRITTEN
        .iter()
        .filter(|(k, _)| kind == "analysis-report" || matches!(*k, "抄送"))
        .map(|(k, what)| minijinja::context! { name => *k, what => *what, long => *k == "建议" })
        .collect();
    let docs: Vec<_> = docs
        .iter()
        .map(|d| {
            minijinja::context! {
                id => d.id, title => d.title.clone(), number => d.number.clone(), period => d.period.clone(),
                at => d.created_at.get(..16).unwrap_or(&d.created_at).replace('T', " "), by => d.created_by.clone(),
                pdf => d.pdf.is_some(), docx => d.docx.is_some(), void => d.is_void(), void_reason => d.void_reason.clone(),
            }
        })
        .collect();
    let kinds: Vec<_> = [("analysis-report", "信访情况分析报告"), ("bulletin", "信访工作动态")]
        .iter()
        .map(|(k, t)| minijinja::context! { kind => *k, title => *t, chosen => *k == kind, href => format!("/stats/reports?period={}&kind={k}", period.code()) })
        .collect();
    let context = minijinja::context! {
        period => period.code(), label => report.figures.label.clone(), kind, kinds, sentences, written, docs,
        may_write => user.may(Act::WriteReports), csrf => user.csrf.clone(), saved => q.saved,
        stats_href => format!("/stats?period={}", period.code()),
    };
    Ok(render("reports.html", "分析报告", Some(&user), context)?.into_response())
}

/// `POST /stats/reports`: the form's 预览草稿 (`action=draft`: the PDF in the browser) and
/// 定稿 (`action=issue`: recorded, back to the page).
pub async fn submit(State(state): State<AppState>, user: CurrentUser, Form(form): Form<Vec<(String, String)>>) -> Result<Response, ApiError> {
    user.require(Act::WriteReports)?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.to_string());
    user.check_csrf(get("csrf").as_deref())?;
    let period = period_of(&get("period").unwrap_or_default())?;
    let kind = get("kind").unwrap_or_default();
    let draft = get("action").as_deref() != Some("issue");
    let mut inputs = serde_json::Map::new();
    let names: Vec<&str> = writing::FIELDS.iter().chain(WRITTEN).map(|(k, _)| *k).filter(|k| *k != "期间").collect();
    for (k, v) in &form {
        // Only the fields the form has; a blank one keeps the figures' sentence.
        if names.contains(&k.as_str()) && !v.trim().is_empty() {
            inputs.insert(k.clone(), v.replace("\r\n", "\n").into());
        }
    }
    let req = PeriodRequest { kind: kind.clone(), period, inputs, pdf: true, docx: !draft, date: None, draft };
    let g = run(&state, &user, req).await?;
    if draft {
        return super::documents::draft_file(g, true);
    }
    Ok(Redirect::to(&format!("/stats/reports?period={}&kind={kind}&saved=issued", period.code())).into_response())
}

/// `GET /api/reports/{id}/{format}`: a period document's PDF (inline) or DOCX.
pub async fn file(State(state): State<AppState>, user: CurrentUser, Path((id, format)): Path<(i64, String)>) -> Result<Response, ApiError> {
    user.require(Act::ReadStats)?;
    super::documents::serve_file(&state, &user, id, &format, true).await
}

#[derive(Deserialize)]
pub struct VoidBody {
    reason: String,
}

/// `POST /api/reports/{id}/void` `{"reason": "…"}`: the number stays taken.
pub async fn void(State(state): State<AppState>, user: CurrentUser, headers: HeaderMap, Path(id): Path<i64>, Json(body): Json<VoidBody>) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::WriteReports, &headers)?;
    let d = super::documents::run_void(&state, &user, id, body.reason, true).await?;
    Ok(Json(json!({"document": d})))
}

/// `POST /stats/reports/{id}/void`: the page's 作废 form.
pub async fn void_form(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, Form(form): Form<Vec<(String, String)>>) -> Result<Response, ApiError> {
    user.require(Act::WriteReports)?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.to_string());
    user.check_csrf(get("csrf").as_deref())?;
    let d = super::documents::run_void(&state, &user, id, get("reason").unwrap_or_default(), true).await?;
    let period = d.period.unwrap_or_default();
    Ok(Redirect::to(&format!("/stats/reports?period={period}&kind={}&saved=void-document", d.kind)).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats/reports", get(page).post(submit))
        .route("/stats/reports/{id}/void", post(void_form))
        .route("/api/reports", get(list).post(create))
        .route("/api/reports/{id}/{format}", get(file))
        .route("/api/reports/{id}/void", post(void))
}
