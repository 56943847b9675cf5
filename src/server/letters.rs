//! Letters coming in: the upload page and `POST /upload` (without JavaScript), the JSON
//! upload `POST /api/letters` (streamed to the spool, checked, queued), the inbox of
//! intake jobs and `GET /api/jobs/{id}`.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login, when};
use super::{ApiError, AppState};
use crate::domain::Act;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

pub async fn upload_form(MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else { return Ok(to_login()) };
    user.require(Act::TakeIn)?;
    Ok(render("upload.html", "上传来信", Some(&user), minijinja::context! {})?.into_response())
}

/// The upload form without JavaScript: files are queued and the inbox is shown.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    user.require(Act::TakeIn)?;
    // The form's csrf field is checked before any file is taken (receive_files).
    let (accepted, rejected) = receive_files(&state, &user, multipart, true).await?;
    let rejected: Vec<_> = rejected.iter().map(|r| minijinja::context! { file => &r.file, message => r.message_zh }).collect();
    let context = minijinja::context! { accepted => accepted.len(), rejected };
    Ok(render("uploaded.html", "上传来信", Some(&user), context)?.into_response())
}

pub async fn inbox(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let jobs = state
        .with_registry(move |r| {
            let jobs = r.recent_jobs(100)?;
            r.audit(&actor, "list-inbox", None, address.as_deref())?;
            Ok(jobs)
        })
        .await?;
    // Uploads refused at the door (kept in failed/ with their reason), newest first.
    let failed = crate::store::DataDirs::new(state.data()).failed;
    let refused = tokio::task::spawn_blocking(move || super::spool::refused(&failed, 50))
        .await
        .unwrap_or_default();
    let refused: Vec<_> = refused
        .iter()
        .map(|r| {
            let at: chrono::DateTime<chrono::Local> = r.at.into();
            minijinja::context! { file => &r.file, reason => super::messages::zh(&r.code), at => at.format("%Y-%m-%d %H:%M").to_string() }
        })
        .collect();
    let pending = jobs.iter().any(|j| !j.status.is_final());
    let jobs: Vec<_> = jobs
        .iter()
        .map(|j| {
            minijinja::context! {
                file => &j.file_name,
                status => j.status.label(),
                error => j.error.as_ref().map(|e| super::messages::zh(&e.code)),
                case_id => j.case_id.filter(|_| j.registration_number.is_some()),
                number => &j.registration_number,
                duplicate => j.duplicate,
                created => when(&j.created_at),
            }
        })
        .collect();
    let keep_days = state.config().server.keep_refused_days;
    Ok(render("inbox.html", "收件", Some(&user), minijinja::context! { pending, jobs, refused, keep_days })?.into_response())
}

/// One uploaded file's outcome.
#[derive(Debug, serde::Serialize)]
pub struct Accepted {
    pub file: String,
    pub job_id: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct Rejected {
    pub file: String,
    pub code: &'static str,
    pub message: String,
    pub message_zh: &'static str,
    #[serde(skip)]
    pub status: StatusCode,
}

/// Takes the `file` parts of a multipart body: each is written to the spool folder as it
/// arrives, checked (size while streaming, kind), and queued as a job; a file that fails
/// the checks is kept in `failed/` with the reason beside it. With `form`, the body comes
/// from the page's form: its `csrf` field must come, and be right, before any file is
/// spooled or queued (a refused request takes no registration number).
pub async fn receive_files(
    state: &AppState,
    user: &CurrentUser,
    mut multipart: Multipart,
    form: bool,
) -> Result<(Vec<Accepted>, Vec<Rejected>), ApiError> {
    let dirs = crate::store::DataDirs::new(state.data());
    let max = state.config().limits.max_file_bytes;
    let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
    let mut csrf_checked = !form;
    let quota = state.config().server.max_spool_bytes;
    // Folder sizes, the file writes and the checks run off the async threads.
    let (spool, failed) = (dirs.spool.clone(), dirs.failed.clone());
    let used = tokio::task::spawn_blocking(move || super::spool::used_bytes(&spool) + super::spool::used_bytes(&failed))
        .await
        .map_err(|e| ApiError::internal(format!("spool: {e}")))?;
    let malformed = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        ApiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_upload" },
            format!("the upload is malformed: {}", e.body_text()),
        )
    };
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            // Other fields are short: read at most 4 KiB of each.
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                if value.len() + chunk.len() > 4096 {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "field_too_large",
                        format!("the form field {name:?} is longer than 4 KiB"),
                    ));
                }
                value.extend_from_slice(&chunk);
            }
            if form && name == "csrf" {
                user.check_csrf(std::str::from_utf8(&value).ok())?;
                csrf_checked = true;
            }
            continue;
        }
        if !csrf_checked {
            // (A bearer client needs no csrf field; a cookie session is refused here.)
            user.check_csrf(None)?;
            csrf_checked = true;
        }
        if used >= quota {
            return Err(ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "spool_full",
                "the upload folders are full; the administrator must clear failed/ or raise [server] max_spool_bytes",
            ));
        }
        let file_name = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
            .filter(|n| !n.is_empty() && !n.starts_with('.'))
            .unwrap_or_else(|| "upload".into());
        let tmp = tempfile::Builder::new()
            .prefix(super::spool::UPLOAD_PREFIX)
            .rand_bytes(super::spool::UPLOAD_RANDOM)
            .tempfile_in(&dirs.spool)
            .map_err(|e| ApiError::internal(format!("spool: {e}")))?;
        let mut out = tokio::fs::File::from_std(
            tmp.as_file().try_clone().map_err(|e| ApiError::internal(format!("spool: {e}")))?,
        );
        let mut size: u64 = 0;
        let mut head = Vec::with_capacity(64);
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_upload",
                format!("the upload broke off: {e}"),
            )
        })? {
            size += chunk.len() as u64;
            if head.len() < 64 {
                head.extend_from_slice(&chunk[..chunk.len().min(64 - head.len())]);
            }
            // Past the limit nothing more is written; the rest is only counted.
            if size <= max {
                out.write_all(&chunk)
                    .await
                    .map_err(|e| ApiError::internal(format!("spool: {e}")))?;
            }
        }
        out.flush().await.map_err(|e| ApiError::internal(format!("spool: {e}")))?;
        drop(out);
        let (spool_dir, failed_dir) = (dirs.spool.clone(), dirs.failed.clone());
        let kept = tokio::task::spawn_blocking(move || keep_upload(tmp, &file_name, &head, size, max, &spool_dir, &failed_dir))
            .await
            .map_err(|e| ApiError::internal(format!("spool: {e}")))??;
        match kept {
            Kept::Refused(r) => rejected.push(r),
            Kept::Spooled { file_name, path } => {
                let (name, spool, actor) =
                    (file_name.clone(), path.display().to_string(), user.actor());
                let job_id = state
                    .with_registry(move |r| Ok(r.enqueue(&name, &spool, &actor)?))
                    .await?;
                accepted.push(Accepted {
                    file: file_name,
                    job_id,
                });
            }
        }
    }
    if !accepted.is_empty() {
        state.inner.wake.notify_all();
    }
    Ok((accepted, rejected))
}

/// Where an upload went: refused (kept in `failed/` with its reason), or into the spool.
enum Kept {
    Refused(Rejected),
    Spooled { file_name: String, path: std::path::PathBuf },
}

/// Checks a streamed upload (`size` bytes, starting with `head`) and moves it to the spool
/// or, refused, to `failed/` with a `.reason.txt` beside it. Blocking: file system work.
fn keep_upload(
    tmp: tempfile::NamedTempFile,
    file_name: &str,
    head: &[u8],
    size: u64,
    max: u64,
    spool: &std::path::Path,
    failed: &std::path::Path,
) -> Result<Kept, ApiError> {
    let file_name = file_name.to_string();
    let problem = if size == 0 {
            Some((
                StatusCode::BAD_REQUEST,
                "empty_file",
                "the file is empty".to_string(),
            ))
        } else if size > max {
            Some((
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("the file has {size} bytes; the limit is {max}"),
            ))
        } else if !known_kind(head, tmp.path()) {
            Some((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_format",
                "not a PNG, JPEG, TIFF, PDF or DOCX file".to_string(),
            ))
        } else {
            None
        };
    let spool_name = format!(
        "{}-{file_name}",
        tmp.path().file_name().unwrap_or_default().to_string_lossy()
    );
    match problem {
        Some((status, code, message)) => {
            let kept = failed.join(spool_name);
            let _ = tmp.persist(&kept);
            let _ = std::fs::write(
                kept.with_file_name(format!(
                    "{}.reason.txt",
                    kept.file_name().unwrap_or_default().to_string_lossy()
                )),
                format!("[{code}] {message}\n"),
            );
            Ok(Kept::Refused(Rejected {
                file: file_name,
                code,
                message,
                message_zh: super::messages::zh(code),
                status,
            }))
        }
        None => {
            let path = spool.join(spool_name);
            tmp.persist(&path)
                .map_err(|e| ApiError::internal(format!("spool: {}", e.error)))?;
            Ok(Kept::Spooled { file_name, path })
        }
    }
}

/// True when the upload is a kind intake reads. A zip is only a DOCX if its entries say so,
/// so for a zip the whole file is looked at.
fn known_kind(head: &[u8], path: &std::path::Path) -> bool {
    if head.starts_with(b"PK\x03\x04") {
        return std::fs::read(path)
            .map(|bytes| crate::ingest::decode::sniff(&bytes).is_some())
            .unwrap_or(false);
    }
    crate::ingest::decode::sniff(head).is_some()
}

pub async fn letters(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::TakeIn, &headers)?;
    let (accepted, rejected) = receive_files(&state, &user, multipart, false).await?;
    if accepted.is_empty() {
        let Some(first) = rejected.first() else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "no_file",
                "no `file` part in the upload",
            ));
        };
        let status = first.status;
        return Ok((status, Json(json!({"error": {"code": first.code, "message": first.message, "message_zh": first.message_zh}, "rejected": rejected}))).into_response());
    }
    let jobs: Vec<Value> = accepted
        .iter()
        .map(|a| json!({"file": a.file, "job_id": a.job_id, "status": "queued", "url": format!("/api/jobs/{}", a.job_id)}))
        .collect();
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"jobs": jobs, "rejected": rejected})),
    )
        .into_response())
}

pub async fn job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let job = state
        .with_registry(move |r| {
            let job = r.job(id)?;
            if let Some(j) = &job {
                r.audit(&actor, "read-job", j.case_id, address.as_deref())?;
            }
            Ok(job)
        })
        .await?;
    let job = job.ok_or_else(|| ApiError::not_found("job"))?;
    let mut value = serde_json::to_value(&job).expect("a job serialises");
    // The reason in Chinese beside the English, as every error answer has it.
    if let (Some(e), Some(error)) = (&job.error, value.get_mut("error").and_then(Value::as_object_mut)) {
        error.insert("message_zh".into(), Value::from(super::messages::zh(&e.code)));
    }
    Ok(Json(value))
}


/// The upload routes take up to `upload_limit` bytes of body.
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/upload",
            get(upload_form).post(upload.layer(DefaultBodyLimit::max(upload_limit))),
        )
        .route("/inbox", get(inbox))
        .route(
            "/api/letters",
            post(letters.layer(DefaultBodyLimit::max(upload_limit))),
        )
        .route("/api/jobs/{id}", get(job))
}
