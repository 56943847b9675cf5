//! Registering what does not come as a scan: the reception page `GET/POST /cases/new`
//! (a visit or a call typed while the person is there, a matter from above, an online
//! petition; plain form, no JavaScript) and `POST /api/cases` (JSON, answering 201 with the
//! case's id and number). Both go through `reception`: the record kept as the original,
//! filed, numbered like a letter.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login};
use super::{ApiError, AppState};
use crate::domain::{Act, Channel};
use crate::reception::{Petition, ReceptionError};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// Registers a petition on a blocking thread: the report, or why not.
async fn register(state: &AppState, user: &CurrentUser, p: Petition) -> Result<Result<crate::intake::IntakeReport, ReceptionError>, ApiError> {
    let (config, data, actor) = (state.config().clone(), state.data().to_path_buf(), user.actor());
    tokio::task::spawn_blocking(move || {
        let today = chrono::Local::now().date_naive();
        crate::reception::check(&p, &config, today).and_then(|c| crate::reception::register(&c, &data, &config, &actor))
    })
    .await
    .map_err(|e| ApiError::internal(format!("a worker thread failed: {e}")))
}

fn refused(e: ReceptionError) -> ApiError {
    match e {
        ReceptionError::Invalid { field, why } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{field}: {why}")).zh(why)
        }
        ReceptionError::Failed(e) => ApiError::internal(e.to_string()),
    }
}

/// `POST /api/cases`: 201 `{"case_id", "registration_number", "channel"}`; the same
/// petition sent again answers 200 with `duplicate_of`.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Json(p): Json<Petition>,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::TakeIn, &headers)?;
    let channel = p.channel;
    let report = register(&state, &user, p).await?.map_err(refused)?;
    let status = if report.duplicate_of.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    let body = json!({
        "case_id": report.case_id,
        "registration_number": report.registration_number,
        "channel": channel,
        "duplicate_of": report.duplicate_of,
    });
    // (No `repeat_of`: the person's earlier case may be an accusation, which the one
    // typing must not learn; the case page shows the link to those who may see it.)
    Ok((status, Json(body)).into_response())
}

/// The form's fields (all text; blanks are absent).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct ReceptionForm {
    csrf: Option<String>,
    channel: Option<String>,
    received_at: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    summary: Option<String>,
    category: Option<String>,
    text: Option<String>,
    cosigners: Option<String>,
    urgent: Option<String>,
    from_body: Option<String>,
    from_number: Option<String>,
    report_due: Option<String>,
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl ReceptionForm {
    fn petition(&self) -> Result<Petition, ReceptionError> {
        let channel = match blank(&self.channel) {
            Some(c) => Some(c.parse::<Channel>().map_err(|_| ReceptionError::Invalid { field: "channel".into(), why: "来源不正确".into() })?),
            None => None,
        };
        let cosigners = match blank(&self.cosigners) {
            Some(n) => Some(n.parse::<u32>().map_err(|_| ReceptionError::Invalid { field: "cosigners".into(), why: format!("同行人数「{n}」不是数字") })?),
            None => None,
        };
        Ok(Petition {
            channel,
            received_at: blank(&self.received_at),
            name: blank(&self.name),
            id_number: blank(&self.id_number),
            phone: blank(&self.phone),
            address: blank(&self.address),
            summary: blank(&self.summary),
            category: blank(&self.category),
            text: blank(&self.text),
            cosigners,
            urgent: Some(self.urgent.as_deref() == Some("true")),
            external_id: None,
            from_body: blank(&self.from_body),
            from_number: blank(&self.from_number),
            report_due: blank(&self.report_due),
        })
    }
}

fn form_page(state: &AppState, user: &CurrentUser, form: &ReceptionForm, error: Option<String>) -> Result<Response, ApiError> {
    let channels: Vec<(&str, &str)> =
        Channel::ALL.iter().filter(|c| **c != Channel::Letter).map(|c| (c.as_str(), c.label())).collect();
    let categories: Vec<String> = state.config().vocabulary.categories.iter().map(|c| c.name.clone()).collect();
    let context = minijinja::context! {
        channels => minijinja::value::Serde(&channels),
        categories,
        f => minijinja::value::Serde(form),
        chosen => form.channel.clone().unwrap_or_else(|| "visit".into()),
        today => chrono::Local::now().date_naive().to_string(),
        error,
    };
    Ok(render("reception.html", "来访来电登记", Some(user), context)?.into_response())
}

pub async fn page(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else { return Ok(to_login()) };
    user.require(Act::TakeIn)?;
    form_page(&state, &user, &ReceptionForm::default(), None)
}

/// The form posted: the case page of the new case, or the form again with what was typed
/// and why it was not registered.
pub async fn submit(State(state): State<AppState>, user: CurrentUser, Form(f): Form<ReceptionForm>) -> Result<Response, ApiError> {
    user.require(Act::TakeIn)?;
    user.check_csrf(f.csrf.as_deref())?;
    let result = match f.petition() {
        Ok(p) => register(&state, &user, p).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) if r.duplicate_of.is_some() => Ok(Redirect::to(&format!("/cases/{}?saved=duplicate", r.case_id)).into_response()),
        Ok(r) => Ok(Redirect::to(&format!("/cases/{}?saved=registered", r.case_id)).into_response()),
        Err(ReceptionError::Invalid { why, .. }) => form_page(&state, &user, &f, Some(why)),
        Err(ReceptionError::Failed(e)) => Err(ApiError::internal(e.to_string())),
    }
}

pub fn router() -> Router<AppState> {
    // (`POST /api/cases` is routed with the list, `GET /api/cases`, in `cases::router`.)
    Router::new().route("/cases/new", get(page).post(submit))
}
