//! The web service (`xinfang serve`): axum on tokio, server-rendered pages in Chinese for
//! the mailroom and the officers, a JSON API under /api (described at /api/openapi.json),
//! intake workers that take jobs from the persisted queue, and an optional hot folder.
//!
//! Handlers never speak SQL: they open the register (`registry::Registry`) on a blocking
//! thread and call its methods. Every read or change of a case is written to the audit log
//! with the user and the client's address.

mod api;
mod auth;
mod binder;
mod docs;
mod pages;
mod watch;
mod worker;

use crate::config::Config;
use crate::registry::{Registry, RegistryError};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
                None => Registry::open(&state.inner.data, state.inner.config.bureau.registration.clone())?,
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

/// An error answered as `{"error": {"code", "message"}}` with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
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
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
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

/// The router, for the server and for tests.
pub fn router(state: AppState) -> Router {
    let upload_limit = (state.config().limits.max_file_bytes as usize)
        .saturating_mul(4)
        .max(1 << 20);
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/upload", get(pages::upload_form).post(pages::upload))
        .route("/inbox", get(pages::inbox))
        .route("/cases", get(pages::cases))
        .route("/cases/{id}", get(pages::case).post(pages::review))
        .route("/cases/{id}/route", post(pages::route))
        .route("/cases/{id}/step", post(pages::step))
        .route("/cases/{id}/documents", post(docs::generate_form))
        .route("/api/cases/{id}/documents", get(docs::list).post(docs::generate))
        .route("/api/documents/{id}/{format}", get(docs::file))
        .route("/api/documents/{id}/adoption", post(docs::adoption))
        .route("/binder", get(binder::page_view).post(binder::form_start))
        .route("/binders/{year}/{file}", get(binder::download))
        .route("/api/binder", get(binder::api_status).post(binder::api_start))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/session", post(api::session))
        .route("/api/letters", post(api::letters))
        .route("/api/jobs/{id}", get(api::job))
        .route("/api/cases", get(api::cases))
        .route("/api/cases/{id}", get(api::case).patch(api::correct))
        .route("/api/cases/{id}/route", post(api::route))
        .route("/api/cases/{id}/step", post(api::advance))
        .route("/api/cases/{id}/original", get(api::original))
        .route("/api/cases/{id}/pages/{page}", get(api::page_preview))
        .route("/api/cases/{id}/filed", get(api::filed))
        .route("/api/audit", get(api::audit))
        .layer(DefaultBodyLimit::max(upload_limit))
        .with_state(state)
}

/// Runs the service until Ctrl-C or SIGTERM. Jobs left running by an earlier stop are
/// queued again first.
pub fn serve(config: Config, options: ServeOptions) -> Result<(), String> {
    let registry = Registry::open(&options.data, config.bureau.registration.clone())
        .map_err(|e| format!("{}: {e}", options.data.display()))?;
    let requeued = registry.requeue_running().map_err(|e| e.to_string())?;
    if requeued > 0 {
        eprintln!("xinfang serve: {requeued} unfinished jobs queued again");
    }
    // Templates are checked when the service starts: a bureau's broken copy stops it here,
    // with the file and line, not in front of an officer.
    let templates = registry.dirs.templates.clone();
    drop(registry);
    crate::documents::Generator::check_templates(Some(&templates)).map_err(|e| e.to_string())?;
    let generator = Arc::new(crate::documents::Generator::new(&config).map_err(|e| e.to_string())?);
    let wake = worker::Wake::default();
    let state = AppState {
        inner: Arc::new(Inner {
            config,
            data: options.data.clone(),
            wake: wake.clone(),
            generator,
            pool: Default::default(),
            binder: Default::default(),
        }),
    };
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
        eprintln!("xinfang serve: listening on http://{}", options.listen);
        axum::serve(
            listener,
            router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
    });
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    wake.notify_all();
    for w in workers {
        let _ = w.join();
    }
    if let Some(w) = watcher {
        let _ = w.join();
    }
    result
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
