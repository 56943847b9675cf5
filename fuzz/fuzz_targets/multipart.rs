//! Any body as a multipart upload to `POST /api/letters`, through the real router with a
//! real register (SQLite in a temporary folder) and a signed-in mailroom user: the
//! streaming receiver (`server::api::receive_files`: field names, file names, sizes, the
//! spool). A refusal of any kind is fine; a 500, a panic or a hang is a finding. No
//! intake worker runs, so accepted files stay queued in the spool (its quota bounds them).
#![no_main]
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower_service::Service;

struct Setup {
    router: axum::Router,
    token: String,
    runtime: tokio::runtime::Runtime,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let data = std::env::temp_dir().join(format!("xinfang-fuzz-multipart-{}", std::process::id()));
        let mut config = xinfang::config::Config::default();
        config.server.max_spool_bytes = 64 << 20;
        let registry = xinfang::registry::open(&data, config.bureau.registration.clone())
            .expect("register opens");
        let user = registry.add_user("fuzz", xinfang::domain::Role::Mailroom, "Fuzz-upload-2026").expect("user");
        let token = registry.create_session(&user).expect("session").token;
        drop(registry);
        let state = xinfang::server::AppState::open(config, &data).expect("state");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Setup { router: xinfang::server::router(state), token, runtime }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let mut request = Request::post("/api/letters")
        .header(header::AUTHORIZATION, format!("Bearer {}", s.token))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XFUZZ")
        .header(header::CONTENT_LENGTH, data.len())
        .body(Body::from(data.to_vec()))
        .expect("request");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 4000))));
    let mut router = s.router.clone();
    let response = s.runtime.block_on(router.call(request)).expect("infallible");
    assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "a 500 for an upload body");
});
