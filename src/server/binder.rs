//! The archivist's page for the yearly bound file: start a binding as a background job,
//! watch its progress (the page refreshes itself, no JavaScript), and download the volumes,
//! catalogues and manifest from `DATA/binders/YEAR/`. One binding runs at a time; its state
//! lives in memory (the output is reproducible, so a binding cut short by a restart is
//! simply started again).

use super::auth::CurrentUser;
use super::html::render;
use super::{ApiError, AppState};
use crate::domain::{Act, JobStatus};
use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// The current or last binding.
#[derive(Debug, Clone, Serialize)]
pub struct BinderJob {
    pub year: i32,
    /// Running, done or failed.
    pub status: JobStatus,
    pub done: usize,
    pub total: usize,
    pub message: String,
    pub files: Vec<String>,
}

pub type Shared = Arc<Mutex<Option<BinderJob>>>;

fn folder(state: &AppState, year: i32) -> std::path::PathBuf {
    state.data().join("binders").join(year.to_string())
}

/// Starts a binding unless one is running. Returns false when one is.
fn start(state: &AppState, user: &CurrentUser, year: i32, include_open: bool) -> bool {
    let shared = state.binder_job();
    {
        let mut job = shared.lock().unwrap_or_else(|e| e.into_inner());
        if job.as_ref().is_some_and(|j| j.status == JobStatus::Running) {
            return false;
        }
        *job = Some(BinderJob {
            year,
            status: JobStatus::Running,
            message: "准备中".into(),
            done: 0,
            total: 0,
            files: Vec::new(),
        });
    }
    let (state, actor, address) = (state.clone(), user.actor(), user.address.clone());
    std::thread::spawn(move || {
        let set = |f: &dyn Fn(&mut BinderJob)| {
            if let Some(j) = shared.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                f(j);
            }
        };
        let config = state.config();
        let out = folder(&state, year);
        // A panic in the binding is a failed binding, not a job left "running" until the
        // service restarts.
        let result = crate::guard::catch(|| -> Result<crate::binder::Manifest, String> {
            let registry = crate::registry::open(state.data(), config.bureau.registration.clone())
                .map_err(|e| e.to_string())?;
            registry
                .audit(&actor, &format!("binder {year}"), None, address.as_deref())
                .map_err(|e| e.to_string())?;
            let generator = state.generator();
            let progress = |done: usize, total: usize| {
                set(&|j| {
                    j.done = done;
                    j.total = total;
                    j.message = "装订中".into();
                })
            };
            let bound = crate::binder::bind_year(
                &*registry,
                state.data(),
                config,
                generator.engine(),
                year,
                include_open,
                &out,
                &progress,
            )
            .map_err(|e| e.to_string())?;
            match bound {
                crate::binder::YearBinding::Bound(m) => Ok(m),
                crate::binder::YearBinding::Nothing(_) => Err(format!("{year} 年没有可装订的文件")),
            }
        })
        .unwrap_or_else(|panic| Err(format!("装订意外中止（程序错误：{panic}）")));
        match result {
            Ok(m) => set(&|j| {
                j.status = JobStatus::Done;
                j.message = format!(
                    "{} 件，{} 卷；未装订 {} 项{}",
                    m.items.len(),
                    m.volumes.len(),
                    m.excluded.len(),
                    m.excluded
                        .iter()
                        .map(|x| format!("；{}：{}", x.what, x.reason))
                        .collect::<String>()
                );
                j.files = m
                    .volumes
                    .iter()
                    .map(|v| v.file.clone())
                    .chain(["catalogue.csv", "catalogue.xlsx", "manifest.json"].map(String::from))
                    .collect();
            }),
            Err(e) => set(&|j| {
                j.status = JobStatus::Failed;
                j.message = e.clone();
            }),
        }
    });
    true
}

#[derive(Deserialize)]
pub struct StartBody {
    year: i32,
    #[serde(default)]
    include_open: bool,
}

/// `POST /api/binder`: 202 when started, 409 when a binding is running.
pub async fn api_start(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Json(b): Json<StartBody>,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::Bind, &headers)?;
    if !start(&state, &user, b.year, b.include_open) {
        return Err(ApiError::new(StatusCode::CONFLICT, "busy", "a binding is running"));
    }
    Ok((StatusCode::ACCEPTED, Json(status_json(&state))).into_response())
}

fn status_json(state: &AppState) -> serde_json::Value {
    serde_json::json!({ "job": *state.binder_job().lock().unwrap_or_else(|e| e.into_inner()) })
}

/// `GET /api/binder`: the current or last binding.
pub async fn api_status(State(state): State<AppState>, user: CurrentUser) -> Result<Json<serde_json::Value>, ApiError> {
    user.require(Act::Bind)?;
    Ok(Json(status_json(&state)))
}

#[derive(Deserialize)]
pub struct StartForm {
    csrf: Option<String>,
    year: i32,
    include_open: Option<String>,
}

/// `POST /binder`: the page's form.
pub async fn form_start(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<StartForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Bind)?;
    user.check_csrf(f.csrf.as_deref())?;
    start(&state, &user, f.year, f.include_open.is_some());
    Ok(Redirect::to("/binder").into_response())
}

/// `GET /binder`.
pub async fn page_view(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(Act::Bind)?;
    let job = state.binder_job().lock().unwrap_or_else(|e| e.into_inner()).clone();
    let year = job
        .as_ref()
        .map(|j| j.year)
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now()));
    let job = job.map(|j| {
        minijinja::context! {
            year => j.year,
            state => match j.status {
                JobStatus::Queued | JobStatus::Running => "进行中",
                JobStatus::Done => "已完成",
                JobStatus::Failed => "失败",
            },
            running => j.status == JobStatus::Running,
            message => j.message,
            done => j.done,
            total => j.total,
            progress_max => j.total.max(1),
            files => j.files,
        }
    });
    Ok(render("binder.html", "归档装订", Some(&user), minijinja::context! { year, job })?.into_response())
}

/// `GET /binders/{year}/{file}`: a volume, catalogue or manifest.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((year, file)): Path<(i32, String)>,
) -> Result<Response, ApiError> {
    user.require(Act::Bind)?;
    // Only names the binder writes; nothing that could leave the folder.
    let allowed = file == "catalogue.csv"
        || file == "catalogue.xlsx"
        || file == "manifest.json"
        || (file.ends_with(".pdf") && file.starts_with(&format!("{year}-")) && !file.contains(['/', '\\']) && !file.contains(".."));
    if !allowed {
        return Err(ApiError::not_found("file"));
    }
    let path = folder(&state, year).join(&file);
    let bytes = tokio::fs::read(&path).await.map_err(|_| ApiError::not_found("file"))?;
    let (actor, address) = (user.actor(), user.address.clone());
    let what = format!("read-binder {year}/{file}");
    state.with_registry(move |r| Ok(r.audit(&actor, &what, None, address.as_deref())?)).await?;
    let mime = match file.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, no-store")], Body::from(bytes)).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/binder", get(page_view).post(form_start))
        .route("/binders/{year}/{file}", get(download))
        .route("/api/binder", get(api_status).post(api_start))
}
