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
    let sees_accusers = user.may(Act::SeeAccuser);
    let ((waiting, waiting_count), (risks, risk_count)) = state
        .with_registry(move |r| {
            let waiting = r.with_leader(ROWS, sees_accusers)?;
            let risks = r.open_risks(ROWS, sees_accusers)?;
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
