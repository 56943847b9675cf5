//! The archivist's page for the yearly bound file: what a year's binding will take in and
//! what it leaves out (with the reason, in the archivist's words), start a binding as a
//! background job, watch its progress (the page refreshes itself, no JavaScript), and
//! download the volumes, catalogues and manifest from `DATA/binders/YEAR/`. Binding a year
//! again must be asked for; the earlier set is kept beside it as a dated copy. One binding
//! runs at a time; its state lives in memory (the output is reproducible, so a binding cut
//! short by a restart is simply started again).

use super::auth::CurrentUser;
use super::html::render;
use super::{ApiError, AppState};
use crate::domain::{Act, JobStatus};
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
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
    /// What the binding left out, and why.
    pub excluded: Vec<crate::binder::Excluded>,
    /// Where the year's earlier binding was set aside (its folder's name), if there was one.
    pub set_aside: Option<String>,
}

pub type Shared = Arc<Mutex<Option<BinderJob>>>;

fn folder(state: &AppState, year: i32) -> std::path::PathBuf {
    state.data().join("binders").join(year.to_string())
}

/// Whether the year has a binding in its folder.
fn bound_before(state: &AppState, year: i32) -> bool {
    folder(state, year).join("manifest.json").exists()
}

/// Starts a binding unless one is running (409 `busy`), or the year is bound already and
/// `replace` was not asked for (409 `already_bound`).
fn start(state: &AppState, user: &CurrentUser, year: i32, include_open: bool, replace: bool) -> Result<(), ApiError> {
    if !(1900..=9999).contains(&year) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", "the year must be 1900-9999").zh("年度应为四位数字的年份。"));
    }
    let shared = state.binder_job();
    {
        let mut job = shared.lock().unwrap_or_else(|e| e.into_inner());
        if job.as_ref().is_some_and(|j| j.status == JobStatus::Running) {
            return Err(ApiError::new(StatusCode::CONFLICT, "busy", "a binding is running"));
        }
        if bound_before(state, year) && !replace {
            return Err(ApiError::new(StatusCode::CONFLICT, "already_bound", format!("{year} is bound already; ask to replace it"))
                .zh(format!("{year} 年已经装订过。要重新装订，请勾选“重新装订”（原装订会另存为带日期的副本）。")));
        }
        *job = Some(BinderJob {
            year,
            status: JobStatus::Running,
            message: "准备中".into(),
            done: 0,
            total: 0,
            files: Vec::new(),
            excluded: Vec::new(),
            set_aside: None,
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
            let aside = crate::binder::set_aside(&out).map_err(|e| e.to_string())?;
            set(&|j| j.set_aside = aside.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()));
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
                crate::binder::YearBinding::Nothing(excluded) => {
                    set(&|j| j.excluded = excluded.clone());
                    Err(format!("{year} 年没有可装订的文件"))
                }
            }
        })
        .unwrap_or_else(|panic| Err(format!("装订意外中止（程序错误：{panic}）")));
        // A failed binding does not cost the year its earlier one: that set goes back.
        let aside = shared.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|j| j.set_aside.clone());
        let result = match (result, aside) {
            (Err(e), Some(aside)) => match crate::binder::put_back(&out, &out.with_file_name(&aside)) {
                Ok(()) => {
                    set(&|j| j.set_aside = None);
                    Err(format!("{e}；原有装订保持不变"))
                }
                Err(put) => Err(format!("{e}；原有装订留在 {aside}（未能放回：{put}）")),
            },
            (result, _) => result,
        };
        match result {
            Ok(m) => set(&|j| {
                j.status = JobStatus::Done;
                j.message = format!("{} 件，{} 卷；未装订 {} 项", m.items.len(), m.volumes.len(), m.excluded.len());
                j.excluded = m.excluded.clone();
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
    Ok(())
}

#[derive(Deserialize)]
pub struct StartBody {
    year: i32,
    #[serde(default)]
    include_open: bool,
    /// Bind a year that is bound already (the earlier set is kept as a dated copy).
    #[serde(default)]
    replace: bool,
}

/// `POST /api/binder`: 202 when started, 409 when a binding is running.
pub async fn api_start(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Json(b): Json<StartBody>,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::Bind, &headers)?;
    start(&state, &user, b.year, b.include_open, b.replace)?;
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
    replace: Option<String>,
}

/// `POST /binder`: the page's form.
pub async fn form_start(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<StartForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Bind)?;
    user.check_csrf(f.csrf.as_deref())?;
    start(&state, &user, f.year, f.include_open.is_some(), f.replace.is_some())?;
    Ok(Redirect::to(&format!("/binder?year={}", f.year)).into_response())
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    year: Option<i32>,
    include_open: Option<String>,
}

/// Rows of the preview's list of what will be bound; the counts cover all.
const PREVIEW_ROWS: usize = 200;

/// `GET /binder?year=&include_open=`: the year's preview (what will be bound, what is left
/// out and why), its earlier binding, the running or last binding, and the form.
pub async fn page_view(State(state): State<AppState>, user: CurrentUser, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    user.require(Act::Bind)?;
    let job = state.binder_job().lock().unwrap_or_else(|e| e.into_inner()).clone();
    let year = q
        .year
        .or(job.as_ref().map(|j| j.year))
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now()))
        .clamp(1900, 9999);
    let include_open = q.include_open.is_some();
    let st = state.clone();
    let (actor, address) = (user.actor(), user.address.clone());
    // While a binding runs the page refreshes every 2 s: it shows the progress only, and
    // the plan (a look at every case and file of the year) waits until it is done.
    let running = job.as_ref().is_some_and(|j| j.status == JobStatus::Running);
    let (sources, excluded) = if running {
        Default::default()
    } else {
        state
            .with_registry(move |r| {
                let found = crate::binder::sources(&**r, st.data(), st.config(), year, include_open)
                    .map_err(|e| ApiError::internal(format!("binder preview {year}: {e}")))?;
                r.audit(&actor, &format!("binder-preview {year}"), None, address.as_deref())?;
                Ok(found)
            })
            .await?
    };
    let letters = sources.iter().filter(|s| s.letter).count();
    let items: Vec<_> = sources
        .iter()
        .take(PREVIEW_ROWS)
        .map(|s| {
            let letter = s.letter;
            // The list names no petitioner: the volumes do, the page need not.
            let title = if !s.writer.is_empty() {
                s.title.replace(&s.writer, &crate::privacy::mask_name(&s.writer))
            } else {
                s.title.clone()
            };
            minijinja::context! { kind => if letter { "来信" } else { "文书" }, number => &s.number, case => &s.case, title, date => &s.date }
        })
        .collect();
    let open_left = excluded.iter().filter(|x| x.open).count();
    let earlier = {
        let out = folder(&state, year);
        let manifest: Option<crate::binder::Manifest> =
            std::fs::read(out.join("manifest.json")).ok().and_then(|b| serde_json::from_slice(&b).ok());
        manifest.map(|m| {
            let when = std::fs::metadata(out.join("manifest.json"))
                .and_then(|m| m.modified())
                .map(|t| chrono::DateTime::<chrono::Local>::from(t).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let files: Vec<String> = m
                .volumes
                .iter()
                .map(|v| v.file.clone())
                .chain(["catalogue.csv", "catalogue.xlsx", "manifest.json"].map(String::from))
                .collect();
            minijinja::context! { when, items => m.items.len(), volumes => m.volumes.len(), files, aside => crate::binder::set_aside_list(&out) }
        })
    };
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
            set_aside => j.set_aside,
        }
    });
    let context = minijinja::context! {
        year,
        include_open,
        job,
        earlier,
        items,
        count => sources.len(),
        letters,
        documents => sources.len() - letters,
        shown => PREVIEW_ROWS.min(sources.len()),
        excluded => minijinja::value::Serde(&excluded[..excluded.len().min(PREVIEW_ROWS)]),
        excluded_count => excluded.len(),
        running,
        open_left,
    };
    Ok(render("binder.html", "归档装订", Some(&user), context)?.into_response())
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
