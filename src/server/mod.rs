//! The web service (`xinfang serve`): axum on tokio, server-rendered pages in Chinese for
//! the mailroom and the officers, a JSON API under /api (described at /api/openapi.json),
//! intake workers that take jobs from the persisted queue, and an optional hot folder.
//! One module per resource, each with its own `router()` (pages and API side by side):
//! `auth` (sign-in, sessions), `letters` (uploads, jobs, inbox), `cases`, `documents`,
//! `binder`, `admin` (audit, API description); `html` holds the pages' frame.
//!
//! Handlers never speak SQL: they open the register (`registry::Registry`) on a blocking
//! thread and call its methods. Every read or change of a case is written to the audit log
//! with the user and the client's address.

mod admin;
mod auth;
mod binder;
mod cases;
mod documents;
mod html;
mod letters;
mod life;
mod listen;
mod messages;
mod reception;
mod spool;
mod reports;
mod stats;
mod watch;
mod worker;

use crate::config::Config;
use crate::registry::{Registry, RegistryError};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    data: PathBuf,
    /// Wakes the intake workers when a job is queued.
    wake: worker::Wake,
    /// Official documents: fonts loaded once.
    generator: Arc<crate::documents::Generator>,
    /// Open connections to the register, reused by requests.
    pool: std::sync::Mutex<Vec<Registry>>,
    /// The current or last yearly binding.
    binder: binder::Shared,
}

/// Most idle connections kept open.
const POOL_SIZE: usize = 8;

impl AppState {
    /// The shared state for the register in `data` (already opened and migrated): the
    /// document generator with its fonts, an empty connection pool. No worker runs until
    /// `worker::start` is given it (`serve` does; the fuzz target of uploads does not).
    pub fn open(config: Config, data: &Path) -> Result<AppState, String> {
        let generator = Arc::new(crate::documents::Generator::new(&config).map_err(|e| e.to_string())?);
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                data: data.to_path_buf(),
                wake: worker::Wake::default(),
                generator,
                pool: Default::default(),
                binder: Default::default(),
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn data(&self) -> &Path {
        &self.inner.data
    }

    pub fn generator(&self) -> Arc<crate::documents::Generator> {
        self.inner.generator.clone()
    }

    pub fn binder_job(&self) -> binder::Shared {
        self.inner.binder.clone()
    }

    /// Runs `f` with the register on a blocking thread, on a pooled connection.
    pub async fn with_registry<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Registry) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = state.inner.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut registry = match pooled {
                Some(r) => r,
                None => crate::registry::open(&state.inner.data, state.inner.config.bureau.registration.clone())?,
            };
            let result = f(&mut registry);
            let mut pool = state.inner.pool.lock().unwrap_or_else(|e| e.into_inner());
            if pool.len() < POOL_SIZE {
                pool.push(registry);
            }
            result
        })
        .await
        .map_err(|e| ApiError::internal(format!("a worker thread failed: {e}")))?
    }
}

/// An error answered as `{"error": {"code", "message", "message_zh"}}` with its HTTP
/// status; pages show it in the site's frame (`html::errors_as_pages`).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The Chinese sentence, when more precise than the code's (`messages::zh`).
    pub message_zh: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            message_zh: None,
        }
    }
    /// The same error with its own Chinese sentence.
    pub fn zh(mut self, message_zh: impl Into<String>) -> Self {
        self.message_zh = Some(message_zh.into());
        self
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage_failed",
            e.to_string(),
        )
    }
}

impl IntoResponse for ApiError {
    /// A server-side failure's message names files and database errors: it goes to the
    /// service's log, and the client gets the code and a plain sentence.
    fn into_response(self) -> Response {
        let message = if self.status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(status = self.status.as_u16(), code = self.code, "{}", self.message);
            "the service could not do this; the administrator will find the details in its log".to_string()
        } else {
            self.message
        };
        let message_zh = match self.message_zh {
            Some(m) if self.status != StatusCode::INTERNAL_SERVER_ERROR => m,
            _ => messages::zh(self.code).to_string(),
        };
        let body = serde_json::json!({"error": {"code": self.code, "message": message, "message_zh": message_zh}});
        (self.status, Json(body)).into_response()
    }
}

/// Options of `xinfang serve`.
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub watch: Option<PathBuf>,
    pub workers: usize,
}

/// The router, for the server and for tests. Every request body is held to
/// `[server] max_body_bytes` (64 KiB) except the two upload routes, which take up to four
/// files' worth; every answer carries the security headers (`security_headers`).
pub fn router(state: AppState) -> Router {
    let upload_limit = (state.config().limits.max_file_bytes as usize)
        .saturating_mul(4)
        .max(1 << 20);
    let body_limit = state.config().server.max_body_bytes;
    Router::new()
        .merge(auth::router())
        .merge(letters::router(upload_limit))
        .merge(cases::router())
        .merge(documents::router())
        .merge(binder::router())
        .merge(admin::router())
        .merge(stats::router())
        .merge(reports::router())
        .merge(reception::router())
        .fallback(|| async { ApiError::not_found("page").zh("没有这个页面：地址可能有误，或页面已不存在。") })
        .layer(DefaultBodyLimit::max(body_limit))
        // A body that says it is too large is refused before a byte of it is read (and
        // before a client waiting on `Expect: 100-continue` sends it).
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| async move {
                let limit = match req.uri().path() {
                    "/upload" | "/api/letters" => upload_limit,
                    _ => body_limit,
                };
                let declared = req
                    .headers()
                    .get(axum::http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if declared.is_some_and(|n| n > limit as u64) {
                    return ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        format!("the request body is larger than {limit} bytes"),
                    )
                    .into_response();
                }
                next.run(req).await
            },
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), html::errors_as_pages))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(request_log))
        .with_state(state)
}

/// Gives each request an id, sent back in `X-Request-Id` and put on every log line written
/// while the request is handled, and logs one line when it is answered: method, path,
/// status, milliseconds. Never the query string (a search names people) nor the body.
async fn request_log(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tracing::Instrument;
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("{:08x}", NEXT.fetch_add(1, Ordering::Relaxed));
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, ms = started.elapsed().as_millis() as u64, "answered"));
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Sends the service's log to standard error: `XINFANG_LOG` = error, warn, info (the
/// default) or debug.
pub fn init_logging() {
    let level = match std::env::var("XINFANG_LOG").unwrap_or_default().trim() {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .try_init();
}

/// Headers on every answer: nothing is cached (pages and files carry personal data), no
/// type sniffing, no framing (PDFs: by this site's pages only), no referrer; HTML pages also get a content
/// security policy (their scripts and styles are inline, so those stay allowed; nothing
/// loads from elsewhere).
async fn security_headers(mut response: Response) -> Response {
    use axum::http::header::{self, HeaderValue};
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A PDF is shown inside the case page (the filing copy of a letter with no scan):
    // framed by this site's own pages only; everything else by none.
    let pdf = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/pdf"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(if pdf { "SAMEORIGIN" } else { "DENY" }));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    response
}

/// Runs the service until Ctrl-C or SIGTERM. Jobs left running by an earlier stop are
/// queued again first.
pub fn serve(config: Config, options: ServeOptions) -> Result<(), String> {
    let registry = crate::registry::open(&options.data, config.bureau.registration.clone())
        .map_err(|e| format!("{}: {e}", options.data.display()))?;
    let requeued = registry.requeue_running().map_err(|e| e.to_string())?;
    if requeued > 0 {
        tracing::info!("{requeued} unfinished jobs queued again");
    }
    // Templates are checked when the service starts: a bureau's broken copy stops it here,
    // with the file and line, not in front of an officer.
    let templates = crate::store::DataDirs::new(&options.data).templates;
    drop(registry);
    crate::documents::Generator::check_templates(Some(&templates)).map_err(|e| e.to_string())?;
    let state = AppState::open(config, &options.data)?;
    let dirs = crate::store::DataDirs::new(&options.data);
    let expired = spool::expire_refused(&dirs.failed, state.config().server.keep_refused_days);
    if expired > 0 {
        tracing::info!("{expired} refused uploads past their keeping time removed from failed/");
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers = worker::start(state.clone(), options.workers, stop.clone())?;
    let watcher = options
        .watch
        .clone()
        .map(|dir| watch::start(state.clone(), dir, stop.clone()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        tracing::info!("listening on http://{}", options.listen);
        let server = &state.config().server;
        // Hourly: refused uploads past their keeping time go.
        let (failed, days) = (dirs.failed.clone(), server.keep_refused_days);
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                let failed = failed.clone();
                let _ = tokio::task::spawn_blocking(move || spool::expire_refused(&failed, days)).await;
            }
        });
        // Once a night, in the quiet hour (looked at every ten minutes, whenever the service
        // started): the search index tidied, step by step, until it is whole, the hour ends
        // or the service stops. Merging into one piece rewrites the index (26 s at a
        // million letters), so it is done once a day, not whenever pieces appear.
        let (tidy_hour, tidy_state, tidy_stop) = (server.tidy_hour, state.clone(), stop.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            let mut done_on = None;
            loop {
                every.tick().await;
                let today = chrono::Local::now().date_naive();
                if tidy_hour == quiet_hour_now() && done_on != Some(today) {
                    done_on = Some(today);
                    let (state, stop) = (tidy_state.clone(), tidy_stop.clone());
                    let _ = tokio::task::spawn_blocking(move || tidy_at_night(&state, tidy_hour, &stop)).await;
                }
            }
        });
        listen::serve(
            listener,
            router(state.clone()),
            server.max_connections,
            std::time::Duration::from_secs(server.header_timeout_seconds.max(1)),
            shutdown_signal(),
        )
        .await;
        Ok::<(), String>(())
    });
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    state.inner.wake.notify_all();
    for w in workers {
        let _ = w.join();
    }
    if let Some(w) = watcher {
        let _ = w.join();
    }
    result
}

/// The hour of the day now, local time (for `[server] tidy_hour`).
fn quiet_hour_now() -> u32 {
    use chrono::Timelike;
    chrono::Local::now().hour()
}

/// Tidies the search index (`registry::tidy_search_index`) while the quiet hour lasts and
/// the service runs; logs what it did.
fn tidy_at_night(state: &AppState, hour: u32, stop: &std::sync::atomic::AtomicBool) {
    let started = std::time::Instant::now();
    let over = || stop.load(std::sync::atomic::Ordering::SeqCst) || hour != quiet_hour_now();
    let done = crate::registry::open(&state.inner.data, state.inner.config.bureau.registration.clone())
        .and_then(|mut r| crate::registry::tidy_search_index(r.as_mut(), std::time::Duration::from_millis(20), &over));
    match done {
        Ok(0) => {}
        Ok(steps) => tracing::info!(steps, seconds = started.elapsed().as_secs(), "search index tidied"),
        Err(e) => tracing::warn!("tidying the search index: {e}"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
