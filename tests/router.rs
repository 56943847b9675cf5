//! In-process router tests: every route `server::router` declares, for every role, signed
//! in by bearer token and by cookie (with and without the CSRF token), and not signed in.
//! Requests go through the real router with a real register (SQLite in a temporary
//! folder) and one registered letter, by `tower::ServiceExt::oneshot`: no socket, no
//! process. The expectations come from the policy table (`domain::may`), and a route added
//! to the router without a line here fails `the_matrix_names_every_declared_route`.

mod util;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use tower::ServiceExt;
use xinfang::domain::{may, Act, Role, Step};

/// What a route asks of its caller.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Anyone (sign-in, the API description).
    Public,
    /// Any signed-in user (sign-out; the home page, which sends each to their page).
    SignedIn,
    Act(Act),
}

/// How a route's request is sent.
#[derive(Clone, Copy, Debug)]
enum Send {
    /// No body.
    Empty,
    /// A page form (`csrf` as a form field).
    Form(&'static str),
    /// JSON (`X-CSRF-Token` header for cookie sessions).
    Json(&'static str),
    /// A multipart upload; `form` puts the CSRF token in a form field (the upload page).
    Multipart { form: bool },
}

struct Route {
    method: &'static str,
    /// As declared in the router.
    declared: &'static str,
    /// With example values.
    path: &'static str,
    need: Need,
    send: Send,
}

const fn r(method: &'static str, declared: &'static str, path: &'static str, need: Need, send: Send) -> Route {
    Route { method, declared, path, need, send }
}

/// Every route with the act it needs and how it is called; case 1 is the registered letter.
const ROUTES: &[Route] = &[
    r("GET", "/", "/", Need::SignedIn, Send::Empty),
    r("GET", "/login", "/login", Need::Public, Send::Empty),
    r("POST", "/login", "/login", Need::Public, Send::Form("username=nobody&password=wrong-password")),
    r("POST", "/logout", "/logout", Need::SignedIn, Send::Form("")),
    r("GET", "/upload", "/upload", Need::Act(Act::TakeIn), Send::Empty),
    r("POST", "/upload", "/upload", Need::Act(Act::TakeIn), Send::Multipart { form: true }),
    r("GET", "/inbox", "/inbox", Need::Act(Act::Read), Send::Empty),
    r("GET", "/queue", "/queue", Need::Act(Act::Correct), Send::Empty),
    r("GET", "/cases", "/cases", Need::Act(Act::ReadList), Send::Empty),
    r("GET", "/cases/{id}", "/cases/1", Need::Act(Act::Read), Send::Empty),
    r("GET", "/cases/{id}/person", "/cases/1/person", Need::Act(Act::Read), Send::Empty),
    r("POST", "/cases/{id}/handler", "/cases/1/handler", Need::Act(Act::Route), Send::Form("handler=officer")),
    r("POST", "/api/cases/{id}/handler", "/api/cases/1/handler", Need::Act(Act::Route), Send::Json(r#"{"handler":"officer"}"#)),
    r("GET", "/cases/mine", "/cases/mine", Need::SignedIn, Send::Empty),
    r("POST", "/cases/{id}", "/cases/1", Need::Act(Act::Correct), Send::Form("action=save&category=%E5%85%B6%E4%BB%96")),
    r("POST", "/cases/{id}/route", "/cases/1/route", Need::Act(Act::Route), Send::Form("kind=direct")),
    r("POST", "/cases/{id}/step", "/cases/1/step", Need::Act(Act::Step(Step::Accept)), Send::Form("step=accept")),
    r("POST", "/cases/{id}/documents", "/cases/1/documents", Need::Act(Act::WriteDocuments), Send::Form("kind=acceptance-notice")),
    r("GET", "/api/cases/{id}/documents", "/api/cases/1/documents", Need::Act(Act::Read), Send::Empty),
    r("POST", "/api/cases/{id}/documents", "/api/cases/1/documents", Need::Act(Act::WriteDocuments), Send::Json(r#"{"kind":"acceptance-notice"}"#)),
    r("GET", "/api/documents/{id}/{format}", "/api/documents/1/pdf", Need::Act(Act::Read), Send::Empty),
    r("POST", "/api/documents/{id}/adoption", "/api/documents/1/adoption", Need::Act(Act::WriteDocuments), Send::Json(r#"{"adopted":true}"#)),
    r("POST", "/api/documents/{id}/void", "/api/documents/1/void", Need::Act(Act::WriteDocuments), Send::Json(r#"{"reason":"测试"}"#)),
    r("POST", "/documents/{id}/void", "/documents/1/void", Need::Act(Act::WriteDocuments), Send::Form("reason=%E6%B5%8B%E8%AF%95")),
    r("GET", "/binder", "/binder", Need::Act(Act::Bind), Send::Empty),
    r("POST", "/binder", "/binder", Need::Act(Act::Bind), Send::Form("year=2019")),
    r("GET", "/binders/{year}/{file}", "/binders/2019/manifest.json", Need::Act(Act::Bind), Send::Empty),
    r("GET", "/api/binder", "/api/binder", Need::Act(Act::Bind), Send::Empty),
    r("POST", "/api/binder", "/api/binder", Need::Act(Act::Bind), Send::Json(r#"{"year":2019}"#)),
    r("GET", "/api/openapi.json", "/api/openapi.json", Need::Public, Send::Empty),
    r("POST", "/api/session", "/api/session", Need::Public, Send::Json(r#"{"username":"nobody","password":"wrong-password"}"#)),
    r("DELETE", "/api/session", "/api/session", Need::SignedIn, Send::Empty),
    r("POST", "/api/letters", "/api/letters", Need::Act(Act::TakeIn), Send::Multipart { form: false }),
    r("GET", "/cases/new", "/cases/new", Need::Act(Act::TakeIn), Send::Empty),
    r("GET", "/leader", "/leader", Need::Act(Act::Step(Step::Instruct)), Send::Empty),
    r("POST", "/cases/{id}/review-request", "/cases/1/review-request", Need::Act(Act::Route), Send::Form("level=review&received_at=2026-12-01")),
    r("POST", "/api/cases/{id}/review-request", "/api/cases/1/review-request", Need::Act(Act::Route), Send::Json(r#"{"level":"review","received_at":"2026-12-01"}"#)),
    r("POST", "/cases/{id}/evaluation", "/cases/1/evaluation", Need::Act(Act::Evaluate), Send::Form("result=satisfied")),
    r("POST", "/api/cases/{id}/evaluation", "/api/cases/1/evaluation", Need::Act(Act::Evaluate), Send::Json(r#"{"result":"satisfied"}"#)),
    r("POST", "/cases/new", "/cases/new", Need::Act(Act::TakeIn), Send::Form("channel=phone&text=%E8%AF%A2%E9%97%AE%E4%BD%8F%E6%88%BF%E8%A1%A5%E8%B4%B4")),
    r("POST", "/api/cases", "/api/cases", Need::Act(Act::TakeIn), Send::Json(r#"{"channel":"phone","text":"询问住房补贴"}"#)),
    r("GET", "/api/jobs/{id}", "/api/jobs/1", Need::Act(Act::Read), Send::Empty),
    r("GET", "/api/cases", "/api/cases", Need::Act(Act::ReadList), Send::Empty),
    r("GET", "/api/cases/{id}", "/api/cases/1", Need::Act(Act::Read), Send::Empty),
    r("PATCH", "/api/cases/{id}", "/api/cases/1", Need::Act(Act::Correct), Send::Json(r#"{"category":"其他"}"#)),
    r("POST", "/api/cases/{id}/route", "/api/cases/1/route", Need::Act(Act::Route), Send::Json(r#"{"kind":"direct"}"#)),
    r("POST", "/api/cases/{id}/step", "/api/cases/1/step", Need::Act(Act::Step(Step::Accept)), Send::Json(r#"{"step":"accept"}"#)),
    r("GET", "/api/cases/{id}/original", "/api/cases/1/original", Need::Act(Act::Read), Send::Empty),
    r("GET", "/api/cases/{id}/pages/{page}", "/api/cases/1/pages/1", Need::Act(Act::Read), Send::Empty),
    r("GET", "/api/cases/{id}/filed", "/api/cases/1/filed", Need::Act(Act::Read), Send::Empty),
    r("GET", "/api/audit", "/api/audit", Need::Act(Act::Administer), Send::Empty),
    r("GET", "/admin/audit", "/admin/audit", Need::Act(Act::Administer), Send::Empty),
    r("GET", "/admin/users", "/admin/users", Need::Act(Act::Administer), Send::Empty),
    r("POST", "/admin/users", "/admin/users", Need::Act(Act::Administer), Send::Form("op=enable&name=officer")),
    r("GET", "/account/password", "/account/password", Need::SignedIn, Send::Empty),
    r("GET", "/account", "/account", Need::SignedIn, Send::Empty),
    r("POST", "/account", "/account", Need::SignedIn, Send::Form("full_name=%E6%9D%8E%E6%98%8E&phone=0715-1234567")),
    // (New passwords that differ: refused before any is checked.)
    r("POST", "/account/password", "/account/password", Need::SignedIn, Send::Form("old=x&new=aaaaaaaa1&again=aaaaaaaa2")),
    r("GET", "/cases/export", "/cases/export?format=csv", Need::Act(Act::ReadList), Send::Empty),
    r("GET", "/stats", "/stats?period=2026-11", Need::Act(Act::ReadStats), Send::Empty),
    r("GET", "/api/stats", "/api/stats?period=2026-Q4", Need::Act(Act::ReadStats), Send::Empty),
    r("GET", "/stats/reports", "/stats/reports?period=2026-11", Need::Act(Act::ReadStats), Send::Empty),
    r("POST", "/stats/reports", "/stats/reports", Need::Act(Act::WriteReports), Send::Form("period=2026-11&kind=bulletin&action=draft")),
    r("POST", "/stats/reports/{id}/void", "/stats/reports/1/void", Need::Act(Act::WriteReports), Send::Form("reason=%E6%B5%8B%E8%AF%95")),
    r("GET", "/api/reports", "/api/reports", Need::Act(Act::ReadStats), Send::Empty),
    r("POST", "/api/reports", "/api/reports", Need::Act(Act::WriteReports), Send::Json(r#"{"kind":"bulletin","period":"2026-11","draft":true,"formats":["pdf"]}"#)),
    r("GET", "/api/reports/{id}/{format}", "/api/reports/1/pdf", Need::Act(Act::ReadStats), Send::Empty),
    r("POST", "/api/reports/{id}/void", "/api/reports/1/void", Need::Act(Act::WriteReports), Send::Json(r#"{"reason":"测试"}"#)),
];

/// The register with one letter and a user of every role, and the router on it.
struct Fixture {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    router: axum::Router,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut config = xinfang::config::Config::default();
        config.ocr.engine = "tesseract".into();
        // A typed DOCX: read without OCR, but through the real intake and register.
        let bytes = std::fs::read(util::root().join("samples/letters/12-typed.docx")).unwrap();
        let mut engine = xinfang::ingest::ocr::Engine::new(&config.ocr).unwrap();
        xinfang::intake::intake_bytes("12-typed.docx", &bytes, &data, &config, &mut engine, "test").unwrap();
        let registry = xinfang::registry::open(&data, config.bureau.registration.clone()).unwrap();
        for &role in Role::ALL {
            registry.add_user(role.as_str(), role, "a long passphrase 2026").unwrap();
        }
        drop(registry);
        let state = xinfang::server::AppState::open(config, &data).unwrap();
        Fixture { _dir: dir, data, router: xinfang::server::router(state) }
    }

    /// A register of `n` synthetic cases (no real letter: the register keeps them apart),
    /// with a user of each role.
    fn synthetic(n: u64) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = xinfang::config::Config::default();
        let mut registry = xinfang::registry::open(&data, config.bureau.registration.clone()).unwrap();
        let today = chrono::Local::now().date_naive();
        let first = today - chrono::Duration::days(120);
        let v = &config.vocabulary;
        let batch: Vec<_> = (0..n).map(|i| xinfang::synth::case(5, i, n, first, today, today, v)).collect();
        registry.add_synthetic(&batch, "test").unwrap();
        for &role in Role::ALL {
            registry.add_user(role.as_str(), role, "a long passphrase 2026").unwrap();
        }
        drop(registry);
        let state = xinfang::server::AppState::open(config, &data).unwrap();
        Fixture { _dir: dir, data, router: xinfang::server::router(state) }
    }

    /// A fresh session for the user of `role` (sign-out routes end the one they are given).
    fn session(&self, role: Role) -> xinfang::registry::users::Session {
        let registry = xinfang::registry::open(&self.data, Default::default()).unwrap();
        let user = registry.user(role.as_str()).unwrap().unwrap();
        registry.create_session(&user).unwrap()
    }

    async fn send(&self, route: &Route, auth: Auth) -> (StatusCode, String, String) {
        let mut req = Request::builder().method(route.method).uri(route.path);
        let csrf = match &auth {
            Auth::None => None,
            Auth::Bearer(token) => {
                req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
                None
            }
            Auth::Cookie { token, csrf } => {
                req = req.header(header::COOKIE, format!("xinfang_session={token}"));
                csrf.clone()
            }
        };
        let body = match route.send {
            Send::Empty => {
                if let Some(c) = &csrf {
                    req = req.header("x-csrf-token", c);
                }
                Body::empty()
            }
            Send::Form(fields) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                let fields = match &csrf {
                    Some(c) if fields.is_empty() => format!("csrf={c}"),
                    Some(c) => format!("{fields}&csrf={c}"),
                    None => fields.to_string(),
                };
                Body::from(fields)
            }
            Send::Json(json) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                if let Some(c) = &csrf {
                    req = req.header("x-csrf-token", c);
                }
                Body::from(json)
            }
            Send::Multipart { form } => {
                req = req.header(header::CONTENT_TYPE, "multipart/form-data; boundary=XB");
                let mut body = String::new();
                if let Some(c) = &csrf {
                    if form {
                        body += &format!("--XB\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n");
                    } else {
                        req = req.header("x-csrf-token", c);
                    }
                }
                body += "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n\
                         Content-Type: text/plain\r\n\r\nnot a letter\r\n--XB--\r\n";
                Body::from(body)
            }
        };
        let mut req = req.body(body).unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 4000))));
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, location, String::from_utf8_lossy(&bytes).into_owned())
    }
}

enum Auth {
    None,
    Bearer(String),
    Cookie { token: String, csrf: Option<String> },
}

fn changes(route: &Route) -> bool {
    route.method != "GET"
}

fn error_code(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(String::from))
        .unwrap_or_default()
}

#[test]
fn the_matrix_names_every_declared_route() {
    let declared: BTreeSet<(String, String)> = util::declared_routes().into_iter().collect();
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.declared.to_string())).collect();
    assert!(declared.len() >= 30, "routes found: {declared:?}");
    assert_eq!(declared, listed, "the router and this test's matrix disagree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role_with_and_without_csrf() {
    let f = Fixture::new();
    let mut checked = 0;
    for route in ROUTES {
        let what = format!("{} {}", route.method, route.path);
        // Not signed in: the API says 401; pages send the browser to the sign-in form.
        let (status, location, body) = f.send(route, Auth::None).await;
        match route.need {
            // (A wrong password is a 401 here: these send one.)
            Need::Public => assert!(status.as_u16() < 500, "{what}: {status} {body}"),
            _ => assert!(
                status == StatusCode::UNAUTHORIZED || (status == StatusCode::SEE_OTHER && location == "/login"),
                "{what} without signing in: {status} {location} {body}"
            ),
        }
        if matches!(route.need, Need::Public) {
            checked += 1;
            continue;
        }
        for &role in Role::ALL {
            let allowed = match route.need {
                Need::Public | Need::SignedIn => true,
                Need::Act(act) => may(role, act),
            };
            let who = format!("{what} as {role}");
            // By bearer token: no CSRF token needed.
            let s = f.session(role);
            let (status, _, body) = f.send(route, Auth::Bearer(s.token)).await;
            if allowed {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status) && status.as_u16() < 500,
                    "{who}: {status} {body}"
                );
            } else {
                assert_eq!((status, error_code(&body).as_str()), (StatusCode::FORBIDDEN, "forbidden"), "{who}: {body}");
            }
            // By cookie: a change without the session's CSRF token is refused, with it not.
            if changes(route) {
                let s = f.session(role);
                let (status, _, body) = f.send(route, Auth::Cookie { token: s.token, csrf: None }).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} by cookie without CSRF: {body}");
                if allowed {
                    assert_eq!(error_code(&body), "csrf", "{who} by cookie without CSRF: {body}");
                }
                let s = f.session(role);
                let (status, _, body) =
                    f.send(route, Auth::Cookie { token: s.token, csrf: Some("not-the-token".into()) }).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} by cookie with a wrong CSRF token: {body}");
                let s = f.session(role);
                let (status, _, body) = f.send(route, Auth::Cookie { token: s.token, csrf: Some(s.csrf) }).await;
                if allowed {
                    assert!(
                        ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status) && status.as_u16() < 500,
                        "{who} by cookie with CSRF: {status} {body}"
                    );
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{who} by cookie with CSRF: {body}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "checked {checked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_a_request_id_and_the_security_headers() {
    let f = Fixture::new();
    let mut ids = BTreeSet::new();
    for path in ["/login", "/api/openapi.json", "/api/cases", "/no-such-page"] {
        let req = Request::get(path).body(Body::empty()).unwrap();
        let response = f.router.clone().oneshot(req).await.unwrap();
        let h = response.headers();
        let id = h.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert_eq!(id.len(), 8, "{path}: {id:?}");
        assert!(ids.insert(id), "{path}: a request id repeats");
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store", "{path}");
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_corrected_to_blank_is_cleared() {
    let f = Fixture::new();
    let patch = Route {
        method: "PATCH",
        declared: "/api/cases/{id}",
        path: "/api/cases/1",
        need: Need::Act(Act::Correct),
        send: Send::Json(r#"{"phone":"  "}"#),
    };
    let read = Route { method: "GET", send: Send::Empty, ..patch };
    let (_, _, before) = f.send(&read, Auth::Bearer(f.session(Role::Mailroom).token)).await;
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert!(before["phone"].is_string(), "the sample letter has a phone: {before}");
    let patch = Route { method: "PATCH", send: Send::Json(r#"{"phone":"  "}"#), ..read };
    let (status, _, body) = f.send(&patch, Auth::Bearer(f.session(Role::Mailroom).token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""changed":["phone"]"#), "{body}");
    let read = Route { method: "GET", send: Send::Empty, ..patch };
    let (status, _, body) = f.send(&read, Auth::Bearer(f.session(Role::Mailroom).token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(case["phone"], serde_json::Value::Null, "{body}");
}

/// A browser's GET: it accepts HTML, signed in by cookie when a token is given.
async fn browse(f: &Fixture, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8");
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("xinfang_session={t}"));
    }
    let response = f.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, location, String::from_utf8_lossy(&bytes).into_owned())
}

/// Each role lands on its page, its header links only pages it may open (each of which
/// opens), and a browser never gets raw JSON: errors are pages in the frame, in Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lands_somewhere_and_errors_are_pages_in_chinese() {
    let f = Fixture::new();
    let links = ["/upload", "/cases/new", "/inbox", "/queue", "/cases", "/leader", "/binder", "/stats", "/admin/users", "/admin/audit"];
    for &role in Role::ALL {
        let s = f.session(role);
        let (status, location, body) = browse(&f, "/", Some(&s.token)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{role}: {body}");
        assert!(links.contains(&location.as_str()), "{role}: home {location}");
        let (status, _, page) = browse(&f, &location, Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK, "{role} at {location}: {page}");
        assert!(page.contains("退出") && page.contains(role.label()), "{role}: {page}");
        for link in links {
            let shown = page.contains(&format!("<a href=\"{link}\">"));
            let (status, _, body) = browse(&f, link, Some(&s.token)).await;
            if shown {
                assert_eq!(status, StatusCode::OK, "{role} follows {link}: {body}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} at {link}");
                assert!(body.starts_with("<!doctype html>") && body.contains("无权"), "{role} at {link}: {body}");
                assert!(!body.contains("forbidden") && !body.contains("{\"error\""), "{role} at {link}: {body}");
            }
        }
    }
    // A page that does not exist: 404 in the frame, with the way home.
    let s = f.session(Role::Officer);
    let (status, _, body) = browse(&f, "/no-such-page", Some(&s.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("没有这个页面") && body.contains("href=\"/cases\""), "{body}");
    // axum's own rejection of a malformed path: a page too, in Chinese.
    let (status, _, body) = browse(&f, "/cases/abc", Some(&s.token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.starts_with("<!doctype html>") && body.contains("请求的内容不正确"), "{body}");
    // Not signed in: to the sign-in form, not a JSON 401.
    let (status, location, _) = browse(&f, "/binder", None).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    // The API keeps JSON, with the Chinese sentence beside the English.
    let (status, _, body) = browse(&f, "/api/no-such", Some(&s.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(v["error"]["message_zh"].as_str().unwrap().contains("没有"), "{v}");
    let a = f.session(Role::Analyst);
    let req = Request::get("/api/cases/1").header(header::AUTHORIZATION, format!("Bearer {}", a.token));
    let response = f.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"]["code"], "forbidden");
    assert!(v["error"]["message_zh"].as_str().unwrap().contains("无权"), "{v}");
}

/// The mailroom's queue: the registered letter waits there; "确认并下一件" with 紧急
/// corrected confirms it, gives it the urgent routing limit, and (none left) comes back to
/// the queue, now empty; a confirmed entry offers no second confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_walked_with_confirm_and_next_and_urgency_shortens_the_limit() {
    let f = Fixture::new();
    let s = f.session(Role::Mailroom);
    let (status, _, page) = browse(&f, "/queue", Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("共 1 件") && page.contains("href=\"/cases/1\""), "{page}");
    let (_, _, case_page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(case_page.contains("id=\"confirm-next\"") && case_page.contains("name=\"urgent\""), "{case_page}");
    let read = |f: &Fixture| {
        let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
        registry.case(1).unwrap().unwrap()
    };
    let before = read(&f);
    assert!(!before.summary.urgent);
    let walk = Route {
        method: "POST",
        declared: "/cases/{id}",
        path: "/cases/1",
        need: Need::Act(Act::Correct),
        send: Send::Form("action=confirm-next&urgent=true&cosigners=3"),
    };
    let (status, location, body) = f.send(&walk, Auth::Cookie { token: s.token.clone(), csrf: Some(s.csrf.clone()) }).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/queue?done=1"), "{body}");
    let after = read(&f);
    assert!(after.summary.urgent);
    assert_eq!(after.summary.cosigners, 3);
    let registered = chrono::NaiveDate::parse_from_str(&after.summary.registered_at[..10], "%Y-%m-%d").unwrap();
    let config = xinfang::config::Config::default();
    let d = &config.deadlines;
    assert_eq!(after.summary.due_at.as_deref(), Some(d.due(registered, d.route_urgent).to_string().as_str()));
    assert_ne!(after.summary.due_at, before.summary.due_at);
    let (_, _, page) = browse(&f, "/queue?done=1", Some(&s.token)).await;
    assert!(page.contains("已全部确认") && page.contains("共 0 件"), "{page}");
    let (_, _, case_page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(!case_page.contains("id=\"confirm-next\"") && case_page.contains("id=\"confirmed\""), "{case_page}");
    // A count that is not a number is refused in words, and nothing is saved.
    let bad = Route { send: Send::Form("action=save&cosigners=three"), ..walk };
    let (status, _, body) = f.send(&bad, Auth::Cookie { token: s.token.clone(), csrf: Some(s.csrf.clone()) }).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("联名人数"), "{body}");
    assert_eq!(read(&f).summary.cosigners, 3);
}

/// The case page frames the filing copy (a letter with no scan shows it there): PDFs may be
/// framed by this site's own pages, nothing else by any page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filing_copy_may_be_framed_by_the_case_page_only() {
    let f = Fixture::new();
    let s = f.session(Role::Officer);
    for (path, frame) in [("/api/cases/1/filed", "SAMEORIGIN"), ("/cases/1", "DENY"), ("/api/cases/1", "DENY")] {
        let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {}", s.token));
        let response = f.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers().get(header::X_FRAME_OPTIONS).unwrap(), frame, "{path}");
    }
    let (_, _, page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(page.contains("<iframe src=\"/api/cases/1/filed\""), "{page}");
}

/// A page registered by mistake is voided from the case page with its reason: it leaves the
/// queue, keeps its number marked 已作废, and can no longer be corrected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailroom_voids_a_registration_made_by_mistake() {
    let f = Fixture::new();
    let s = f.session(Role::Mailroom);
    let cookie = || Auth::Cookie { token: s.token.clone(), csrf: Some(s.csrf.clone()) };
    let (_, _, page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(page.contains("<button name=\"step\" value=\"void\">作废</button>"), "{page}");
    let step = |send| Route { method: "POST", declared: "/cases/{id}/step", path: "/cases/1/step", need: Need::Act(Act::Step(Step::Void)), send };
    // No reason: refused in words, nothing changes.
    let (status, _, body) = f.send(&step(Send::Form("step=void&note=")), cookie()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("作废须写明原因"), "{body}");
    let (status, location, body) = f.send(&step(Send::Form("step=void&note=%E6%9C%AC%E5%8D%95%E4%BD%8D%E5%80%BC%E7%8F%AD%E8%A1%A8")), cookie()).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/cases/1?saved=void"), "{body}");
    let (_, _, page) = browse(&f, "/cases/1?saved=void", Some(&s.token)).await;
    assert!(page.contains("已作废") && page.contains("本单位值班表"), "{page}");
    assert!(!page.contains("id=\"confirm\"") && !page.contains("name=\"summary\""), "{page}");
    let (_, _, queue) = browse(&f, "/queue", Some(&s.token)).await;
    assert!(queue.contains("共 0 件"), "{queue}");
}

/// A form post as a browser sends it (cookie and CSRF token); answers status, location,
/// body.
async fn post_form(f: &Fixture, path: &str, fields: &str, s: &xinfang::registry::users::Session) -> (StatusCode, String, String) {
    let route = Route { method: "POST", declared: "", path: Box::leak(path.to_string().into_boxed_str()), need: Need::Public, send: Send::Form(Box::leak(fields.to_string().into_boxed_str())) };
    f.send(&route, Auth::Cookie { token: s.token.clone(), csrf: Some(s.csrf.clone()) }).await
}

fn alive(f: &Fixture, token: &str) -> bool {
    let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
    registry.session_user(token).unwrap().is_some()
}

/// The administrator in the browser: adds a user (a password made and shown once, which
/// signs in), changes a role and resets a password (each ends the user's sessions), cannot
/// lock the service out (the last administrator stays), and reads it all back in the
/// audit viewer in Chinese, filtered, and exported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_manages_users_and_reads_the_audit_log() {
    let f = Fixture::new();
    let admin = f.session(Role::Admin);
    let (status, location, _) = browse(&f, "/", Some(&admin.token)).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/admin/users"));
    let (_, _, page) = browse(&f, "/admin/users", Some(&admin.token)).await;
    for role in Role::ALL {
        assert!(page.contains(&format!("<td>{}", role.as_str())), "{role}: {page}");
    }
    // Added without a password: one is made and shown once; it signs in.
    let (status, _, page) = post_form(&f, "/admin/users", "op=add&name=%E5%BC%A0%E4%B8%89&role=mailroom&password=", &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已新增用户“张三”（收发登记）"), "{page}");
    let password = page.split("id=\"new-password\">").nth(1).and_then(|r| r.split('<').next()).unwrap().to_string();
    assert_eq!(password.len(), 20, "{page}");
    let login = Route { method: "POST", declared: "/login", path: "/login", need: Need::Public, send: Send::Form(Box::leak(format!("username=%E5%BC%A0%E4%B8%89&password={password}").into_boxed_str())) };
    let (status, location, _) = f.send(&login, Auth::None).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/queue"));
    // Adding the same name again is refused: a role or password changes by its own button.
    let (status, _, body) = post_form(&f, "/admin/users", "op=add&name=%E5%BC%A0%E4%B8%89&role=officer&password=", &admin).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A weak password is refused in Chinese.
    let (status, _, body) = post_form(&f, "/admin/users", "op=add&name=li&role=officer&password=short", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(body.as_bytes()).contains("密码至少需要 8 个字符"), "{body}");
    // A role change ends the user's sessions.
    let officer = f.session(Role::Officer);
    let (status, _, page) = post_form(&f, "/admin/users", "op=role&name=officer&role=archivist", &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("角色已改为{}", Role::Archivist.label())), "{page}");
    assert!(!alive(&f, &officer.token));
    // So does a reset, and the old password stops working.
    let mailroom = f.session(Role::Mailroom);
    let (_, _, page) = post_form(&f, "/admin/users", "op=reset&name=mailroom", &admin).await;
    assert!(page.contains("id=\"new-password\""), "{page}");
    assert!(!alive(&f, &mailroom.token));
    // The last administrator keeps the role, and nobody disables themselves.
    let (status, _, body) = post_form(&f, "/admin/users", "op=role&name=admin&role=officer", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("唯一启用的管理员"), "{body}");
    let (status, _, body) = post_form(&f, "/admin/users", "op=disable&name=admin", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("不能停用自己"), "{body}");
    let (_, _, page) = post_form(&f, "/admin/users", "op=disable&name=analyst", &admin).await;
    assert!(page.contains("已停用“analyst”"), "{page}");

    // The audit viewer: the actions in Chinese, filtered by user and action.
    let (status, _, page) = browse(&f, "/admin/audit?user=admin&action=user-add", Some(&admin.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>新增用户</td>") && page.contains("张三"), "{page}");
    assert!(!page.contains("<td>停用用户</td>") && !page.contains(">user-add<"), "{page}");
    let (_, _, page) = browse(&f, "/admin/audit?action=user-disable", Some(&admin.token)).await;
    assert!(page.contains("<td>停用用户</td>") && !page.contains("<td>新增用户</td>"), "{page}");
    let (status, _, page) = browse(&f, "/admin/audit?from=2026-13-01", Some(&admin.token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("年-月-日"), "{page}");
    let (_, _, page) = browse(&f, "/admin/audit?case=NO-SUCH-NUMBER", Some(&admin.token)).await;
    assert!(page.contains("没有符合条件的记录"), "{page}");
    // Exported with the same filters.
    let (status, _, csv) = browse(&f, "/admin/audit?user=admin&format=csv", Some(&admin.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}时间,用户,操作,详情,案件,地址\r\n"), "{csv}");
    assert!(csv.contains(",admin,新增用户,张三 收发登记,"), "{csv}");
    assert!(!csv.contains("user:"), "{csv}");
}

/// Everyone changes their own password: the old one must be right and the new one typed
/// twice alike; afterwards every session of theirs has ended and the new one signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_changes_their_own_password() {
    let f = Fixture::new();
    let s = f.session(Role::Archivist);
    let other = f.session(Role::Archivist);
    let (status, _, page) = browse(&f, "/account/password", Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"again\""), "{page}");
    let (status, _, page) = post_form(&f, "/account/password", "old=wrong-password&new=a+new+passphrase+9&again=a+new+passphrase+9", &s).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("原密码不正确"), "{page}");
    let (status, _, page) = post_form(&f, "/account/password", "old=a+long+passphrase+2026&new=password&again=password", &s).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("常见密码") || page.contains("最常见"), "{page}");
    assert!(alive(&f, &s.token));
    let (status, _, page) = post_form(&f, "/account/password", "old=a+long+passphrase+2026&new=a+new+passphrase+9&again=a+new+passphrase+9", &s).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("密码已修改"), "{page}");
    assert!(!alive(&f, &s.token) && !alive(&f, &other.token));
    let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
    let login = registry.login("archivist", "a new passphrase 9", None).unwrap();
    assert!(matches!(login, xinfang::registry::users::Login::Ok(_)), "{login:?}");
}

/// The case list exported as CSV and XLSX: the same rows, masked as the list is; the XLSX
/// read back by LibreOffice gives the CSV's cells.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_list_exports_the_same_rows_as_csv_and_xlsx() {
    let f = Fixture::new();
    let s = f.session(Role::Officer);
    let (_, _, page) = browse(&f, "/cases?status=registered", Some(&s.token)).await;
    let link = page.split("id=\"export-csv\"").next().and_then(|p| p.rsplit("href=\"").next()).unwrap_or_default();
    assert!(link.contains("status=registered") && link.contains("format=csv"), "{link}");
    let (status, _, csv) = browse(&f, "/cases/export?status=registered&format=csv", Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("登记号,登记时间,状态"), "{csv}");
    let detail = {
        let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
        registry.case(1).unwrap().unwrap()
    };
    let name = detail.summary.name.clone().unwrap();
    assert!(lines[1].starts_with(&detail.summary.registration_number), "{csv}");
    assert!(!lines[1].contains(&name), "the name is masked: {csv}");
    assert!(lines[1].contains(&xinfang::privacy::mask_name(&name)), "{csv}");
    // Nothing for another status.
    let (_, _, none) = browse(&f, "/cases/export?status=closed&format=csv", Some(&s.token)).await;
    assert_eq!(none.trim_start_matches('\u{feff}').lines().count(), 1, "{none}");

    let req = Request::get("/cases/export?status=registered&format=xlsx").header(header::COOKIE, format!("xinfang_session={}", s.token));
    let response = f.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cases.xlsx"), &bytes).unwrap();
    let out = std::process::Command::new("libreoffice")
        .args(["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir"])
        .arg(dir.path())
        .arg(dir.path().join("cases.xlsx"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs = std::fs::read_to_string(dir.path().join("cases.csv")).unwrap();
    let cells = |text: &str| -> Vec<Vec<String>> {
        text.trim_start_matches('\u{feff}')
            .lines()
            .map(|l| l.split(',').map(|c| c.trim_matches('"').to_string()).collect())
            .collect()
    };
    assert_eq!(cells(&theirs), cells(&csv), "LibreOffice's reading of the XLSX vs our CSV");
}

/// The API's description matches the router: every `/api/` route is described with its
/// method, every operation answers its errors as documented JSON, and the document kinds
/// it lists are the generator's.
#[test]
fn the_openapi_document_describes_every_api_route() {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(util::root().join("src/server/openapi.json")).unwrap()).unwrap();
    let described: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    let api: BTreeSet<(String, String)> =
        // (The description does not describe itself.)
        util::declared_routes().into_iter().filter(|(_, p)| p.starts_with("/api/") && p != "/api/openapi.json").collect();
    assert_eq!(described, api, "openapi.json and the router disagree");
    for (method, path) in &api {
        let op = &doc["paths"][path][method.to_lowercase()];
        for (code, answer) in op["responses"].as_object().unwrap() {
            if code.starts_with('4') || code.starts_with('5') {
                assert_eq!(
                    answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Error",
                    "{method} {path} {code}"
                );
            }
        }
        let has_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty()) || op.get("requestBody").is_some();
        if has_input {
            assert!(op["responses"].get("400").is_some(), "{method} {path}: 400 undocumented");
        }
    }
    let kinds: Vec<&str> = doc["paths"]["/api/cases/{id}/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let mut built_in: Vec<&str> = xinfang::documents::BUILT_IN.iter().map(|(k, _)| *k).collect();
    built_in.sort();
    assert_eq!(kinds, built_in);
}

/// axum's own rejections (a malformed path parameter, query, JSON body, content type, a
/// wrong method) answer the API's JSON error, not plain text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_every_error_as_json() {
    let f = Fixture::new();
    let s = f.session(Role::Officer);
    let cases: [(&str, &str, Option<(&str, &str)>, StatusCode); 8] = [
        ("GET", "/api/cases/abc", None, StatusCode::BAD_REQUEST),
        ("GET", "/api/cases?before_id=x", None, StatusCode::BAD_REQUEST),
        ("GET", "/api/cases?sort=name", None, StatusCode::BAD_REQUEST),
        ("GET", "/api/cases?sort=due&after=12", None, StatusCode::BAD_REQUEST),
        ("GET", "/api/cases?sort=due&before_id=12", None, StatusCode::BAD_REQUEST),
        ("POST", "/api/cases/1/route", Some(("text/plain", "kind=direct")), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("POST", "/api/cases/1/route", Some(("application/json", "{\"kind\":")), StatusCode::BAD_REQUEST),
        ("PUT", "/api/cases/1", None, StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (method, path, body, status) in cases {
        let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {}", s.token));
        let body = match body {
            Some((kind, text)) => {
                req = req.header(header::CONTENT_TYPE, kind);
                Body::from(text)
            }
            None => Body::empty(),
        };
        let response = f.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        assert_eq!(response.status(), status, "{method} {path}");
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{method} {path}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(response.headers().get(header::ALLOW).is_some(), "{method} {path}: Allow kept");
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert!(v["error"]["code"].is_string() && !v["error"]["message"].as_str().unwrap().is_empty(), "{v}");
        assert!(!v["error"]["message_zh"].as_str().unwrap().is_ascii(), "{v}");
    }
}

/// An officer's own name and phone start the documents form's 承办人 and 联系电话; a
/// refused generation names what is missing and keeps everything typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documents_form_starts_from_the_officer_and_keeps_what_was_typed() {
    let f = Fixture::new();
    let s = f.session(Role::Officer);
    let (status, _, page) = post_form(&f, "/account", "full_name=%E6%9D%8E%E6%98%8E&phone=0715-1234567", &s).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已保存") && page.contains("value=\"李明\""), "{page}");
    let (_, _, page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(page.contains("name=\"承办人\" rows=\"2\" style=\"width:95%\">李明</textarea>"), "{page}");
    assert!(page.contains(">0715-1234567</textarea>"), "{page}");
    // A reply needs 事实 and more: refused, with the typed values kept and the kind chosen.
    let (status, _, page) = post_form(&f, "/cases/1/documents", "kind=reply&to=&%E5%BB%BA%E8%AE%AE=%E5%8A%A0%E5%BC%BA%E5%B7%A1%E6%9F%A5&%E6%89%BF%E5%8A%9E%E4%BA%BA=%E6%9D%8E%E6%98%8E", &s).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("请先填写：「事实」"), "{page}");
    assert!(!page.contains("--set"), "{page}");
    assert!(page.contains(">加强巡查</textarea>") && page.contains(">李明</textarea>"), "{page}");
    assert!(page.contains("<option value=\"reply\" selected>"), "{page}");
    assert!(page.contains("<details open>"), "{page}");
}

/// A person's page lists every case of the same writer (same ID number, or name and
/// phone), masked; an accuser's letters are linked for the officers handling them only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_person_page_lists_the_same_writers_letters() {
    let f = Fixture::new();
    // A second letter, corrected to the same writer as the first.
    let mut config = xinfang::config::Config::default();
    config.ocr.engine = "tesseract".into();
    let bytes = std::fs::read(util::root().join("samples/letters/11-born-digital.pdf")).unwrap();
    let mut engine = xinfang::ingest::ocr::Engine::new(&config.ocr).unwrap();
    xinfang::intake::intake_bytes("11-born-digital.pdf", &bytes, &f.data, &config, &mut engine, "test").unwrap();
    let first = {
        let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
        registry.case(1).unwrap().unwrap().summary
    };
    let (name, phone) = (first.name.clone().unwrap(), first.phone.clone().unwrap());
    let officer = f.session(Role::Officer);
    let patch = |body: String| Route { method: "PATCH", declared: "", path: "/api/cases/2", need: Need::Public, send: Send::Json(Box::leak(body.into_boxed_str())) };
    let (status, _, body) = f.send(&patch(serde_json::json!({"name": name, "phone": phone}).to_string()), Auth::Bearer(officer.token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, page) = browse(&f, "/cases/1/person", Some(&officer.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("共 2 件") && page.contains("（本件）") && page.contains("href=\"/cases/2\""), "{page}");
    assert!(!page.contains(&name) && page.contains(&xinfang::privacy::mask_name(&name)), "masked: {page}");
    let (_, _, case_page) = browse(&f, "/cases/1", Some(&officer.token)).await;
    assert!(case_page.contains("id=\"person-link\""), "{case_page}");
    // The second becomes an accusation: the mailroom no longer sees it linked, nor its
    // page; the officer does.
    let (status, _, body) = f.send(&patch(r#"{"accusation": true}"#.to_string()), Auth::Bearer(officer.token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mailroom = f.session(Role::Mailroom);
    let (_, _, page) = browse(&f, "/cases/1/person", Some(&mailroom.token)).await;
    assert!(page.contains("共 1 件") && !page.contains("href=\"/cases/2\""), "{page}");
    let (status, _, _) = browse(&f, "/cases/2/person", Some(&mailroom.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The officer, too, sees the accuser's letters only with a reason, which is audited.
    let (_, _, page) = browse(&f, "/cases/1/person", Some(&officer.token)).await;
    assert!(page.contains("共 1 件") && page.contains("检举控告件未列出"), "{page}");
    let (status, _, page) = browse(&f, "/cases/2/person", Some(&officer.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"unmask\"") && !page.contains("href=\"/cases/1\""), "{page}");
    let (_, _, page) = browse(&f, "/cases/1/person?unmask=%E6%A0%B8%E6%9F%A5", Some(&officer.token)).await;
    assert!(page.contains("共 2 件") && page.contains("href=\"/cases/2\""), "{page}");
    let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
    let filter = xinfang::registry::cases::AuditFilter { action: Some("unmask-accuser".into()), limit: 5, ..Default::default() };
    let entries = registry.audit_log(&filter).unwrap();
    assert_eq!(entries.first().map(|e| e.action.as_str()), Some("unmask-accuser: 核查"), "{entries:?}");
}

/// A case is given to a named officer (a step in its history); "我的案件" lists the
/// signed-in officer's own; only enabled officers and administrators can be chosen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_are_given_to_officers_and_listed_as_theirs() {
    let f = Fixture::new();
    let admin = f.session(Role::Admin);
    let officer = f.session(Role::Officer);
    let (_, _, page) = browse(&f, "/cases/1", Some(&admin.token)).await;
    assert!(page.contains("id=\"handler\"") && page.contains("<option value=\"officer\">"), "{page}");
    assert!(!page.contains("<option value=\"mailroom\">"), "only officers and administrators: {page}");
    let (status, location, body) = post_form(&f, "/cases/1/handler", "handler=mailroom", &admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{location} {body}");
    assert!(body.contains("不是可指定的承办人"), "{body}");
    let (status, location, body) = post_form(&f, "/cases/1/handler", "handler=officer", &admin).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/cases/1?saved=handler"), "{body}");
    let (_, _, page) = browse(&f, "/cases/1?saved=handler", Some(&officer.token)).await;
    assert!(page.contains("已指定承办人") && page.contains("指定承办人 officer"), "{page}");
    // 我的案件: the officer's own, by name in the address; another officer's list is empty.
    let (status, location, _) = browse(&f, "/cases/mine", Some(&officer.token)).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/cases?handler=officer&sort=due"));
    let (_, _, page) = browse(&f, &location, Some(&officer.token)).await;
    assert!(page.contains("officer 承办的案件") && page.contains("共 1 件") && page.contains("href=\"/cases/1\""), "{page}");
    let (_, _, page) = browse(&f, "/cases?handler=admin", Some(&officer.token)).await;
    assert!(page.contains("共 0 件"), "{page}");
    // The API says the same; taking it back clears it.
    let take_back = Route { method: "POST", declared: "", path: "/api/cases/1/handler", need: Need::Public, send: Send::Json(r#"{"handler":null}"#) };
    let (status, _, body) = f.send(&take_back, Auth::Bearer(officer.token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"handler\":null"), "{body}");
    let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
    assert_eq!(registry.case(1).unwrap().unwrap().summary.handler, None);
}

/// The list sorts by 登记号, 期限 and 承办人 from its headings; every page keeps the order
/// and the filters; the API pages any order with `next_after` and answers each case once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_sorts_by_its_columns_and_pages_in_that_order() {
    let f = Fixture::synthetic(61);
    let s = f.session(Role::Officer);
    // The API: every page of the deadline order, each case once, soonest first, those
    // without a deadline last.
    let mut seen: Vec<(i64, Option<String>)> = Vec::new();
    let mut path = "/api/cases?sort=due&limit=7".to_string();
    loop {
        let route = Route { method: "GET", declared: "", path: Box::leak(path.clone().into_boxed_str()), need: Need::Public, send: Send::Empty };
        let (status, _, body) = f.send(&route, Auth::Bearer(s.token.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["total"], 61, "{v}");
        assert!(v["next_before"].is_null(), "before_id is the default order's only: {v}");
        for c in v["cases"].as_array().unwrap() {
            seen.push((c["id"].as_i64().unwrap(), c["due_at"].as_str().map(String::from)));
        }
        match v["next_after"].as_str() {
            Some(k) => path = format!("/api/cases?sort=due&limit=7&after={}", urlencoding(k)),
            None => break,
        }
    }
    let mut ids: Vec<i64> = seen.iter().map(|(id, _)| *id).collect();
    ids.sort();
    assert_eq!(ids, (1..=61).collect::<Vec<_>>(), "each case once");
    let dues: Vec<Option<&String>> = seen.iter().map(|(_, d)| d.as_ref()).collect();
    let valued = dues.iter().take_while(|d| d.is_some()).count();
    assert!(valued > 0 && dues[valued..].iter().all(|d| d.is_none()), "no deadline comes last: {dues:?}");
    assert!(dues[..valued].windows(2).all(|w| w[0] <= w[1]), "soonest first: {dues:?}");

    // The page: the heading sorts, its arrow says how, and the next page keeps both.
    let unescape = |p: String| p.replace("&#x2f;", "/").replace("&amp;", "&");
    let (_, _, page) = browse(&f, "/cases?status=routed", Some(&s.token)).await;
    assert!(unescape(page).contains("href=\"/cases?status=routed&sort=due\""), "the filter is kept");
    let (_, _, page) = browse(&f, "/cases?sort=due", Some(&s.token)).await;
    let page = unescape(page);
    assert!(page.contains("期限 ↑"), "{page}");
    assert!(page.contains("sort=due-desc"), "the heading turns the order round: {page}");
    assert!(page.contains("name=\"sort\" value=\"due\""), "a new search keeps the order: {page}");
    let next = page.split("\">下一页").next().and_then(|p| p.rsplit("href=\"").next()).unwrap_or_default().to_string();
    assert!(next.contains("sort=due") && next.contains("after="), "{next}");
    let (status, _, page2) = browse(&f, &next, Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page2.contains("回到第一页") && page2.contains("期限 ↑"), "{page2}");
    // A key that is not one is a page in Chinese, not a server error.
    let (status, _, bad) = browse(&f, "/cases?sort=due&after=nonsense", Some(&s.token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("翻页位置无效"), "{bad}");
}

/// The statistics page and the API say the same as the register counted by hand in SQL,
/// for a month with its 环比 and 同比; a period that is not one is a page in Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_page_and_api_agree_with_the_register() {
    let f = Fixture::synthetic(400);
    let s = f.session(Role::Analyst);
    let today = chrono::Local::now().date_naive();
    let month = xinfang::stats::Period::month_of(today).previous();
    let route = Route { method: "GET", declared: "", path: Box::leak(format!("/api/stats?period={}", month.code()).into_boxed_str()), need: Need::Public, send: Send::Empty };
    let (status, _, body) = f.send(&route, Auth::Bearer(s.token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    // The same counts straight from the table.
    let conn = rusqlite::Connection::open(f.data.join("xinfang.db")).unwrap();
    let count = |p: &xinfang::stats::Period, extra: &str| -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM cases WHERE registered_at >= ?1 AND registered_at < ?2 AND status <> 'voided' {extra}"),
            [p.from.to_string(), p.to.to_string()],
            |r| r.get(0),
        )
        .unwrap()
    };
    let received = count(&month, "");
    assert!(received > 0, "the synthetic register has letters last month");
    assert_eq!(v["figures"]["received"], received, "{v}");
    assert_eq!(v["previous"]["received"], count(&month.previous(), ""));
    assert_eq!(v["year_before"]["received"], count(&month.year_before(), ""));
    let accusations = v["figures"]["by_purpose"].as_array().unwrap().iter().find(|c| c["code"] == "accusation").unwrap()["count"].clone();
    assert_eq!(accusations, count(&month, "AND purpose = 'accusation'"));
    let sum: i64 = v["figures"]["by_category"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(sum, received, "every letter in one category line");
    let repeats = count(&month, "AND repeat_of IS NOT NULL");
    assert_eq!(v["figures"]["repeats"], repeats);
    // The page shows the same figures, and an analyst sees no petitioner.
    let (status, _, page) = browse(&f, &format!("/stats?period={}", month.code()), Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let received_link = page.split("id=\"received-count\" href=\"").nth(1).and_then(|p| p.split('"').next()).unwrap_or_default().replace("&#x2f;", "/").replace("&amp;", "&");
    assert!(page.contains(&format!(">{received}</a>")) && received_link.starts_with("/cases?from="), "{page}");
    assert!(page.contains(&month.label()) && page.contains("<svg"), "{page}");
    let a_name: String = conn.query_row("SELECT name FROM cases WHERE name IS NOT NULL LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(!page.contains(&a_name), "no petitioner on the statistics page");
    // The read is audited with its period, in words.
    let logged: String = conn.query_row("SELECT action FROM audit WHERE action LIKE 'read-stats%' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(logged, format!("read-stats period={}", month.code()));
    // Each figure's link lists exactly its letters, masked, to the analyst too (who may
    // neither open a case nor search).
    let (status, _, list) = browse(&f, &received_link, Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.contains(&format!("共 {received} 件")), "{received_link}: {list}");
    assert!(!list.contains("href=\"/cases/1\"") && !list.contains("name=\"q\""), "no case page, no search for the analyst");
    let category = v["figures"]["by_category"].as_array().unwrap().iter().find(|c| c["count"].as_i64().unwrap() > 0).unwrap().clone();
    let link = format!("{received_link}&category={}", urlencoding(category["code"].as_str().unwrap()));
    let (_, _, list) = browse(&f, &link, Some(&s.token)).await;
    assert!(list.contains(&format!("共 {} 件", category["count"])), "{link}: {list}");
    let (status, _, _) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, refused) = browse(&f, &format!("{received_link}&q=%E5%BC%A0"), Some(&s.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("不能检索"), "{refused}");
    let (status, _, bad) = browse(&f, "/stats?period=2026-13", Some(&s.token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("统计期间“2026-13”无法识别"), "{bad}");
    // Officers read cases, not statistics.
    let o = f.session(Role::Officer);
    let (status, _, _) = browse(&f, "/stats", Some(&o.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Percent-encodes a query value (a page key holds `~` and perhaps a name).
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("k", s)]).unwrap().trim_start_matches("k=").to_string()
}

/// A search by someone who may not see accusers leaves accusation cases out: typing a
/// person's name or ID number must not tell the mailroom that this person accused someone.
/// The officers handling them find them; a list without a search shows them masked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_do_not_reveal_accusers_to_those_who_may_not_see_them() {
    let f = Fixture::new();
    let officer = f.session(Role::Officer);
    let mailroom = f.session(Role::Mailroom);
    let name = {
        let registry = xinfang::registry::open(&f.data, Default::default()).unwrap();
        registry.case(1).unwrap().unwrap().summary.name.unwrap()
    };
    let patch = Route { method: "PATCH", declared: "", path: "/api/cases/1", need: Need::Public, send: Send::Json(r#"{"accusation": true}"#) };
    let (status, _, body) = f.send(&patch, Auth::Bearer(officer.token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let q: String = serde_urlencoded::to_string([("q", name.as_str())]).unwrap();
    let count = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap()["cases"].as_array().unwrap().len();
    for (who, token, expected) in [("mailroom", &mailroom.token, 0), ("officer", &officer.token, 1)] {
        let search = Route { method: "GET", declared: "", path: Box::leak(format!("/api/cases?{q}").into_boxed_str()), need: Need::Public, send: Send::Empty };
        let (status, _, body) = f.send(&search, Auth::Bearer(token.clone())).await;
        assert_eq!(status, StatusCode::OK, "{who}: {body}");
        assert_eq!(count(&body), expected, "{who} searching the accuser's name: {body}");
        let (_, _, csv) = browse(&f, &format!("/cases/export?format=csv&{q}"), Some(token)).await;
        assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 1 + expected, "{who}'s export: {csv}");
    }
    // Without a search the mailroom's list still holds it, masked.
    let (_, _, page) = browse(&f, "/cases", Some(&mailroom.token)).await;
    assert!(page.contains("href=\"/cases/1\"") && !page.contains(&name), "{page}");
}

/// After 延期 the case page offers the 延期办理告知书 with the step's reason; a document
/// is voided from the page with a reason; a draft comes back as a PDF and is not recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_offers_documents_voids_them_and_previews_drafts() {
    let f = Fixture::new();
    let s = f.session(Role::Officer);
    let (status, _, body) = post_form(&f, "/cases/1/route", "kind=assign&body=%E5%98%89%E9%B1%BC%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C", &s).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // 延期, with its reason.
    let (status, _, body) = post_form(&f, "/cases/1/step", "step=extend&note=%E9%9C%80%E7%8E%B0%E5%9C%BA%E6%A0%B8%E6%9F%A5", &s).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(page.contains("id=\"offer\"") && page.contains("第三十四条"), "{page}");
    assert!(page.contains("<option value=\"extension-notice\" selected>"), "{page}");
    assert!(page.contains(">需现场核查</textarea>"), "the step's reason filled in: {page}");
    // A draft of it: the PDF itself, nothing recorded.
    let (status, _, body) = post_form(&f, "/cases/1/documents", "kind=extension-notice&draft=1&%E5%BB%B6%E6%9C%9F%E7%90%86%E7%94%B1=%E9%9C%80%E7%8E%B0%E5%9C%BA%E6%A0%B8%E6%9F%A5", &s).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.starts_with("%PDF"), "a draft is the PDF");
    let docs = || xinfang::registry::open(&f.data, Default::default()).unwrap().documents(1).unwrap();
    assert!(docs().is_empty(), "a draft is not recorded");
    // Generated for real, the offer goes.
    let (status, _, body) = post_form(&f, "/cases/1/documents", "kind=extension-notice&%E5%BB%B6%E6%9C%9F%E7%90%86%E7%94%B1=%E9%9C%80%E7%8E%B0%E5%9C%BA%E6%A0%B8%E6%9F%A5", &s).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = browse(&f, "/cases/1", Some(&s.token)).await;
    assert!(!page.contains("id=\"offer\""), "{page}");
    let id = docs()[0].id;
    // Voided from the page: marked 作废 with its reason, the number kept.
    let (status, location, body) = post_form(&f, &format!("/documents/{id}/void"), "reason=%E6%B5%8B%E8%AF%95%E9%87%8D%E5%A4%8D", &s).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/cases/1?saved=void-document"), "{body}");
    let (_, _, page) = browse(&f, "/cases/1?saved=void-document", Some(&s.token)).await;
    assert!(page.contains("<strong class=\"due\">作废</strong>") && page.contains("作废原因：测试重复"), "{page}");
    assert!(docs()[0].number.is_some());
    let (status, _, body) = post_form(&f, &format!("/documents/{id}/void"), "reason=again", &s).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}
