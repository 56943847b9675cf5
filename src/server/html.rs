//! The pages' common parts: the templates (`templates/*.html`, compiled in, auto-escaped),
//! the frame every page is rendered in (with the links the user's role may open and its
//! home), errors shown as pages to browsers, times for people, the redirect to sign-in.

use super::auth::CurrentUser;
use crate::domain::{may, Act, Role};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};



const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif;margin:0;color:#222;background:#f6f6f4}\
header{background:#8b1a1a;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}\
header a{color:#fff;text-decoration:none}header .who{margin-left:auto}\
main{padding:20px 24px;max-width:1200px}table{border-collapse:collapse;width:100%;background:#fff}\
th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}th{background:#eee;white-space:nowrap}td.n{white-space:nowrap}\
.error{color:#a00}.ok{color:#060}.muted{color:#777}form.inline{display:inline}\
.risk{color:#c00}tr.risk-row td{background:#fff0f0}#risks{margin-bottom:16px}\
.risk-banner{background:#fff0f0;border-left:6px solid #c00;padding:8px 12px}\
.instruction{background:#fff8e0;border-left:6px solid #b8860b;padding:8px 12px}\
.split{display:flex;gap:20px}.split>*{flex:1}iframe{width:100%;height:80vh;border:1px solid #ccc}\
input,select,button{font-size:1em;padding:4px 8px}\
.scan-view{overflow:auto;max-height:85vh;margin-bottom:12px;border:1px solid #ccc;cursor:grab}\
.scan{position:relative;width:100%}.scan img{width:100%;display:block;user-select:none}.zoom{margin:4px 0}\
.box{position:absolute;background:rgba(255,230,0,.25);outline:1px solid rgba(200,160,0,.6)}\
.box.field{background:rgba(255,120,0,.30);outline:2px solid rgba(230,90,0,.9)}";

/// The pages' templates, compiled into the program and parsed once. Values are
/// HTML-escaped by the templates (auto-escaping for `.html`); undefined values are errors.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("message.html", include_str!("templates/message.html")),
    ("upload.html", include_str!("templates/upload.html")),
    ("reception.html", include_str!("templates/reception.html")),
    ("leader.html", include_str!("templates/leader.html")),
    ("uploaded.html", include_str!("templates/uploaded.html")),
    ("inbox.html", include_str!("templates/inbox.html")),
    ("cases.html", include_str!("templates/cases.html")),
    ("queue.html", include_str!("templates/queue.html")),
    ("case.html", include_str!("templates/case.html")),
    ("case_fields.html", include_str!("templates/case_fields.html")),
    ("binder.html", include_str!("templates/binder.html")),
    ("stats.html", include_str!("templates/stats.html")),
    ("reports.html", include_str!("templates/reports.html")),
    ("users.html", include_str!("templates/users.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("password.html", include_str!("templates/password.html")),
    ("account.html", include_str!("templates/account.html")),
    ("generate_form.html", include_str!("templates/generate_form.html")),
    ("person.html", include_str!("templates/person.html")),
    ("generate_retry.html", include_str!("templates/generate_retry.html")),
];

static PAGES: std::sync::LazyLock<minijinja::Environment<'static>> = std::sync::LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // An error's debug report lists the template's variables: the log must not get them.
    env.set_debug(false);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("the pages' templates parse (tested)");
    }
    env.add_global("style", minijinja::Value::from_safe_string(STYLE.to_string()));
    env
});

/// Renders page `name` with `context` (a serialisable map) in the frame: `title` and the
/// signed-in user are added. A template error is a server error (logged), not a page.
pub fn render(
    name: &str,
    title: &str,
    user: Option<&CurrentUser>,
    context: minijinja::Value,
) -> Result<Html<String>, super::ApiError> {
    // The signed-in user as the frame shows them, with the pages their role may open.
    let user = user.map(|u| {
        // (The paths are the constants above: safe as they are.)
        let links: Vec<_> = nav(u.user.role)
            .map(|(href, label)| minijinja::context! { href => minijinja::Value::from_safe_string(href.into()), label })
            .collect();
        minijinja::context! { name => &u.user.name, role => u.user.role.label(), csrf => &u.csrf, links }
    });
    let frame = minijinja::context! { title, user };
    PAGES
        .get_template(name)
        .and_then(|t| t.render(minijinja::context! { ..frame, ..context }))
        .map(Html)
        .map_err(|e| super::ApiError::internal(format!("page {name}: {e}")))
}

/// The header's pages, each with what its user must be allowed to do.
const PAGES_FOR: &[(&str, &str, Act)] = &[
    ("/upload", "上传来信", Act::TakeIn),
    ("/cases/new", "来访来电登记", Act::TakeIn),
    ("/inbox", "收件", Act::Read),
    ("/queue", "待核对", Act::Correct),
    ("/cases", "案件", Act::ReadList),
    ("/cases/mine", "我的案件", Act::Route),
    ("/leader", "待批示", Act::Step(crate::domain::Step::Instruct)),
    ("/binder", "归档装订", Act::Bind),
    ("/stats", "统计", Act::ReadStats),
    ("/admin/users", "用户", Act::Administer),
    ("/admin/audit", "审计日志", Act::Administer),
];

/// The pages a role may open, as the header links them.
pub fn nav(role: Role) -> impl Iterator<Item = (&'static str, &'static str)> {
    PAGES_FOR.iter().filter(move |(_, _, act)| may(role, *act)).map(|(href, label, _)| (*href, *label))
}

/// Where a role lands after signing in: its daily page.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Mailroom => "/queue",
        Role::Officer => "/cases",
        Role::Leader => "/leader",
        Role::Admin => "/admin/users",
        Role::Archivist => "/binder",
        Role::Analyst => "/stats",
    }
}

/// A short page with one message and a way back (refusals of forms).
pub fn message_page(title: &str, user: Option<&CurrentUser>, message: &str, back: &str) -> Result<Html<String>, super::ApiError> {
    render("message.html", title, user, minijinja::context! { message, back })
}


/// A stored time for people: `2026-11-22 08:33`.
pub fn when(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// Errors of pages, shown as pages: a browser's request (it accepts `text/html`) for a page
/// outside `/api/` that is answered with an error (ours in JSON, or axum's own plain-text
/// rejection of a malformed path, query or form) gets the error's Chinese sentence in the
/// site's frame with a way back (its home), keeping the status and headers; one that needs
/// signing in is sent to the sign-in form. Programs (and the API) get JSON, axum's own
/// rejections too (`as_json`).
pub async fn errors_as_pages(
    axum::extract::State(state): axum::extract::State<super::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let browser = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let token = super::auth::token_of(req.headers());
    let response = next.run(req).await;
    let status = response.status();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if !browser {
        return as_json(response).await;
    }
    if status == StatusCode::UNAUTHORIZED {
        return to_login();
    }
    let (mut parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    // axum's own rejections are plain text: their status says which.
    let code = error["error"]["code"].as_str().unwrap_or(code_of(status));
    let message = error["error"]["message_zh"].as_str().unwrap_or_else(|| super::messages::zh(code)).to_string();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let user = match token {
        Some((token, via_cookie)) => state
            .with_registry(move |r| Ok(r.session_user(&token)?))
            .await
            .ok()
            .flatten()
            .map(|(user, csrf)| CurrentUser { user, csrf, via_cookie, address: None }),
        None => None,
    };
    let back = user.as_ref().map_or("/", |u| home(u.user.role));
    let title = match status {
        StatusCode::NOT_FOUND => "没有这个页面",
        StatusCode::FORBIDDEN => "无权访问",
        s if s.is_server_error() => "服务出错",
        _ => "未能完成",
    };
    let back = minijinja::Value::from_safe_string(back.into());
    let page = match render("message.html", title, user.as_ref(), minijinja::context! { message, back }) {
        Ok(page) => page,
        Err(_) => Html(format!("<!doctype html><meta charset=utf-8><p>{}</p>", super::messages::zh("internal"))),
    };
    (parts, page).into_response()
}

/// The error code for an answer that came without one (axum's own rejections).
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// An error answer for a program: ours are JSON already; axum's own rejections (a
/// malformed path parameter, query, body or content type: plain text; a wrong method:
/// empty) get the same `{"error": {"code", "message", "message_zh"}}`, keeping the status
/// and the `Allow` header.
async fn as_json(response: Response) -> Response {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = if text.is_empty() {
        parts.status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let mut answer = super::ApiError::new(parts.status, code_of(parts.status), message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses_and_escapes() {
        assert!(super::PAGES.templates().count() >= super::TEMPLATES.len());
        let page = super::render(
            "message.html",
            "<标题>",
            None,
            minijinja::context! { message => "<script>alert(1)</script>", back => "/cases/1" },
        )
        .unwrap()
        .0;
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"), "{page}");
        assert!(page.contains("<title>&lt;标题&gt; · 信访件管理</title>"), "{page}");
    }
}
