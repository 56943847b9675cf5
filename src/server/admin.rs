//! The administrator's API: the audit log, and the API's own description.

use super::auth::CurrentUser;
use super::{ApiError, AppState};
use crate::domain::Act;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn openapi() -> Json<Value> {
    Json(serde_json::from_str(include_str!("openapi.json")).expect("openapi.json is valid JSON"))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    pub case: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Administer)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let entries = state
        .with_registry(move |r| {
            // Newest first: the entry for this read is written after the read.
            let entries = r.audit_log(q.case, q.limit.unwrap_or(200).clamp(1, 5000))?;
            r.audit(&actor, "read-audit", q.case, address.as_deref())?;
            Ok(entries)
        })
        .await?;
    Ok(Json(json!({"entries": entries})))
}


pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/audit", get(audit))
}
