//! The JSON API under /api. Every case read is audited with the user and address; lists
//! mask ID numbers and phones (and names); a single case, opened on purpose, shows them.

use super::auth::{self, CurrentUser};
use super::{ApiError, AppState};
use crate::domain::{Act, Refusal, Status};
use crate::privacy;
use crate::registry::cases::{CaseFilter, CaseSummary};
use crate::registry::users::Login;
use axum::body::Body;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use std::net::SocketAddr;

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

pub async fn openapi() -> Json<Value> {
    Json(serde_json::from_str(include_str!("openapi.json")).expect("openapi.json is valid JSON"))
}

#[derive(Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

pub async fn session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let address = peer.ip().to_string();
    let login = {
        let (name, password, address) = (c.username.clone(), c.password, address.clone());
        state
            .with_registry(move |r| Ok(r.login(&name, &password, Some(&address))?))
            .await?
    };
    match login {
        Login::Ok(user) => {
            let u = user.clone();
            let (session, user) = state
                .with_registry(move |r| {
                    let s = r.create_session(&u)?;
                    r.audit(&format!("user:{}", u.name), "login", None, Some(&address))?;
                    Ok((s, u))
                })
                .await?;
            let body = json!({"token": session.token, "csrf": session.csrf, "user": user});
            Ok((
                [(header::SET_COOKIE, auth::session_cookie(&session.token, state.config().server.secure_cookies))],
                Json(body),
            )
                .into_response())
        }
        Login::Wrong { failures } => {
            auth::slow_down(failures).await;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "wrong user name or password",
            ))
        }
        Login::Throttled => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed sign-ins for this name; try again in 15 minutes",
        )),
    }
}

/// Signs out an API client: the bearer token (or cookie) of the request stops working.
pub async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (token, via_cookie) = auth::token_of(&headers).ok_or_else(|| {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
    })?;
    if via_cookie {
        user.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))?;
    }
    let (actor, address) = (user.actor(), user.address.clone());
    state
        .with_registry(move |r| {
            r.end_session(&token)?;
            r.audit(&actor, "logout", None, address.as_deref())?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({"signed_out": true})))
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
    let dirs = crate::registry::DataDirs::new(state.data());
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
            .prefix("upload-")
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
        return Ok((status, Json(json!({"error": {"code": first.code, "message": first.message}, "rejected": rejected}))).into_response());
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
    Ok(Json(serde_json::to_value(job).expect("a job serialises")))
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// `true`: only cases whose current step is past due.
    pub overdue: Option<bool>,
    /// Only cases due within this many days.
    pub due_within: Option<i64>,
    pub limit: Option<i64>,
}

/// A case as lists show it: name, phone and ID number masked.
pub fn masked(mut c: CaseSummary) -> CaseSummary {
    c.name = c.name.as_deref().map(privacy::mask_name);
    c.phone = c.phone.as_deref().map(privacy::mask_phone);
    c.id_number = c.id_number.as_deref().map(privacy::mask_id);
    c
}

pub async fn cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CaseQuery>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let status = status_filter(q.status.as_deref())?;
    let list = state
        .with_registry(move |r| {
            let filter = CaseFilter {
                q: q.q,
                status,
                category: q.category.filter(|s| !s.is_empty()),
                overdue: q.overdue.unwrap_or(false),
                due_within: q.due_within,
                limit: q.limit,
            };
            let list = r.list_cases(&filter)?;
            r.audit(&actor, &filter.audit_action(), None, address.as_deref())?;
            Ok(list)
        })
        .await?;
    let list: Vec<CaseSummary> = list.into_iter().map(masked).collect();
    Ok(Json(json!({"cases": list})))
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

pub async fn case(
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

fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::NotFound => ApiError::not_found("case"),
        Refusal::WrongState(m) => ApiError::new(StatusCode::CONFLICT, "wrong_state", m),
        Refusal::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", m),
        Refusal::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
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
    let t = apply(&state, &user, id, crate::domain::Action::Step { step, note: req.note }).await?;
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
