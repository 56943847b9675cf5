//! The case life beyond routing, as pages and API: the leader's page `/leader` (what waits
//! for an instruction, risk cases first, and the open risk cases), and the petitioner's
//! evaluation of a reply (`POST /cases/{id}/evaluation`, `POST /api/cases/{id}/evaluation`).
//! Steps themselves (submit-to-leader, instruct, supervise, result) go through the case
//! page's step form and `POST /api/cases/{id}/step` like the others.

use super::auth::{CurrentUser, MaybeUser};
use super::cases::{apply, apply_outcome, list_row, refused};
use super::html::{render, to_login};
use super::{ApiError, AppState};
use crate::domain::{Act, Action, Satisfaction, Step};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// How many cases the leader's page lists of each kind.
const ROWS: i64 = 100;

pub async fn leader_page(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else { return Ok(to_login()) };
    user.require(Act::Step(Step::Instruct))?;
    let (actor, address) = (user.actor(), user.address.clone());
    // (Accusation cases are listed too, masked by `list_row` as every list is: a leader
    // must see that one waits; opening it shields the accuser.)
    let ((waiting, waiting_count), (risks, risk_count)) = state
        .with_registry(move |r| {
            let waiting = r.with_leader(ROWS, true)?;
            let risks = r.open_risks(ROWS, true)?;
            r.audit(&actor, "list-leader", None, address.as_deref())?;
            Ok((waiting, risks))
        })
        .await?;
    let context = minijinja::context! {
        waiting => waiting.into_iter().map(list_row).collect::<Vec<_>>(),
        waiting_count,
        risks => risks.into_iter().map(list_row).collect::<Vec<_>>(),
        risk_count,
    };
    Ok(render("leader.html", "待批示", Some(&user), context)?.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    pub result: Satisfaction,
    /// The day the petitioner gave it (YYYY-MM-DD; today when absent).
    pub at: Option<String>,
}

fn evaluation(result: Satisfaction, at: Option<&str>) -> Result<Action, ApiError> {
    let at = match at.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d").map_err(|_| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("at {a:?} is not YYYY-MM-DD"))
                .zh(format!("「{a}」不是日期，请按 年-月-日 填写。"))
        })?,
        None => chrono::Local::now().date_naive(),
    };
    Ok(Action::Evaluate { result, at })
}

/// `POST /api/cases/{id}/evaluation` `{"result": "satisfied"|"basically"|"unsatisfied", "at"}`.
pub async fn evaluate_api(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<EvaluationRequest>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::Evaluate, &headers)?;
    apply(&state, &user, id, evaluation(req.result, req.at.as_deref())?).await?;
    Ok(Json(json!({"case_id": id, "result": req.result})))
}

#[derive(Deserialize)]
pub struct EvaluationForm {
    csrf: Option<String>,
    result: Satisfaction,
    at: Option<String>,
}

pub async fn evaluate_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<EvaluationForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Evaluate)?;
    user.check_csrf(f.csrf.as_deref())?;
    match apply_outcome(&state, &user, id, evaluation(f.result, f.at.as_deref())?).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=evaluation")).into_response()),
        Err(refusal) => refused(&user, "未能记录评价", id, refusal),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub level: crate::domain::review::Level,
    /// The day the request was received (YYYY-MM-DD).
    pub received_at: String,
    /// The request's own words (a standard sentence when absent).
    pub text: Option<String>,
    /// An officer's reason to accept a request made after the 30 days.
    pub accept_late: Option<String>,
}

/// Registers a review or re-review request about case `id`: the linked case, or why not.
async fn register_review(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    req: ReviewRequest,
) -> Result<Result<crate::intake::IntakeReport, crate::domain::Refusal>, ApiError> {
    use crate::domain::review::{decide_request, Basis};
    let received = chrono::NaiveDate::parse_from_str(req.received_at.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("received_at {:?} is not YYYY-MM-DD", req.received_at))
            .zh("收到请求的日期不是日期，请按 年-月-日 填写。")
    })?;
    let role = user.user.role;
    let (config, data, actor) = (state.config().clone(), state.data().to_path_buf(), user.actor());
    let address = user.address.clone();
    state
        .with_registry(move |r| {
            let Some(original) = r.case(id)? else { return Ok(Err(crate::domain::Refusal::NotFound)) };
            // (Reading the first case to take its petitioner over is a read of it.)
            r.audit(&actor, "read-case-for-review", Some(id), address.as_deref())?;
            let replied = original
                .events
                .iter()
                .rev()
                .find(|e| e.action == crate::domain::EventKind::Reply)
                .and_then(|e| chrono::NaiveDate::parse_from_str(e.at.get(..10)?, "%Y-%m-%d").ok());
            let basis = Basis { status: original.summary.status, replied, level: original.review.as_ref().map(|r| r.level) };
            let today = chrono::Local::now().date_naive();
            let accepted = match decide_request(&basis, req.level, received, req.accept_late.as_deref(), role, today) {
                Ok(a) => a,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let checked = crate::reception::review_request(&original, req.level, received, accepted, req.text.as_deref());
            let report = crate::reception::register(&checked, &data, &config, &actor).map_err(|e| ApiError::internal(e.to_string()))?;
            // The first case's history says so, with the new case's number.
            let detail = format!("{}请求已登记为 {}", req.level.label(), report.registration_number);
            r.note_event(id, &actor, address.as_deref(), crate::domain::EventKind::ReviewRequested, &detail, "review-request")?;
            Ok(Ok(report))
        })
        .await
}

/// `POST /api/cases/{id}/review-request`: 201 with the linked case, or the refusal (422
/// late, with the last day; 409 no written answer yet).
pub async fn review_api(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<ReviewRequest>,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::Route, &headers)?;
    let level = req.level;
    let report = register_review(&state, &user, id, req).await?.map_err(super::cases::refusal)?;
    let body = json!({
        "case_id": report.case_id,
        "registration_number": report.registration_number,
        "review_of": id,
        "level": level,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: Option<String>,
    level: crate::domain::review::Level,
    received_at: String,
    text: Option<String>,
    accept_late: Option<String>,
}

pub async fn review_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Route)?;
    user.check_csrf(f.csrf.as_deref())?;
    let req = ReviewRequest { level: f.level, received_at: f.received_at, text: f.text, accept_late: f.accept_late };
    match register_review(&state, &user, id, req).await? {
        Ok(r) => Ok(Redirect::to(&format!("/cases/{}?saved=review-request", r.case_id)).into_response()),
        Err(refusal) => refused(&user, "未能登记复查、复核请求", id, refusal),
    }
}
