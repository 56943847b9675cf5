//! Who is asking: a session token from the `Authorization: Bearer` header (API clients) or
//! the `xinfang_session` cookie (browsers; HttpOnly, SameSite=Strict). Requests that change
//! something with a cookie must carry the session's CSRF token (form field `csrf` or header
//! `X-CSRF-Token`); bearer clients need none, since browsers never send that header alone.
//! Also the routes that sign in and out: the sign-in form and `/api/session`.

use super::html::{render, to_login};
use super::{ApiError, AppState};
use crate::registry::users::Login;
use axum::extract::{Form, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use crate::domain::Act;
use crate::registry::life::Actor;
use crate::registry::users::User;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use std::net::SocketAddr;

pub const COOKIE: &str = "xinfang_session";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf: String,
    /// True when the session came from the cookie (CSRF applies).
    pub via_cookie: bool,
    pub address: Option<String>,
}

impl CurrentUser {
    /// Refuses users whose role may not do `act` (`domain::policy`).
    pub fn require(&self, act: Act) -> Result<(), ApiError> {
        if self.may(act) {
            Ok(())
        } else {
            let roles: Vec<&str> = crate::domain::policy::roles_for(act).iter().map(|r| r.label()).collect();
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("the {} role may not do this", self.user.role),
            )
            .zh(format!("{}无权进行此操作（仅限{}）。", self.user.role.label(), roles.join("、"))))
        }
    }

    /// Whether the user's role may do `act`.
    pub fn may(&self, act: Act) -> bool {
        crate::domain::may(self.user.role, act)
    }

    /// Checks the CSRF token of a cookie session.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), ApiError> {
        if !self.via_cookie || given == Some(self.csrf.as_str()) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "the form is stale or did not come from this site; reload the page",
            ))
        }
    }

    /// An API call that changes something: the user's role must be allowed `act`, and a
    /// cookie session must send its CSRF token in the `X-CSRF-Token` header.
    pub fn authorize_change(&self, act: Act, headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
        self.require(act)?;
        self.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
    }

    pub fn actor(&self) -> String {
        format!("user:{}", self.user.name)
    }

    /// The user as the case life and the audit log see them.
    pub fn as_actor(&self) -> Actor {
        Actor {
            role: self.user.role,
            name: self.actor(),
            address: self.address.clone(),
        }
    }
}

/// The session token of a request and whether it came from the cookie.
pub fn token(parts: &Parts) -> Option<(String, bool)> {
    token_of(&parts.headers)
}

/// The session token in these headers and whether it came from the cookie.
pub fn token_of(headers: &axum::http::HeaderMap) -> Option<(String, bool)> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some((bearer.trim().to_string(), false));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| (v.to_string(), true))
}

pub fn address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized =
            || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first");
        let (token, via_cookie) = token(parts).ok_or_else(unauthorized)?;
        let found = state
            .with_registry(move |r| Ok(r.session_user(&token)?))
            .await?;
        let (user, csrf) = found.ok_or_else(unauthorized)?;
        Ok(CurrentUser {
            user,
            csrf,
            via_cookie,
            address: address(parts),
        })
    }
}

/// A page's user, if signed in (pages redirect to the login form instead of failing).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(u) => Ok(MaybeUser(Some(u))),
            Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}

/// The `Set-Cookie` value for a new session; `Secure` when `[server] secure_cookies` says
/// the service is reached over HTTPS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200{secure}")
}

/// Slows a wrong login down: a second more for each recent failure, at most five.
pub async fn slow_down(failures: i64) {
    let secs = failures.clamp(0, 5) as u64;
    tokio::time::sleep(std::time::Duration::from_millis(300 + secs * 1000)).await;
}

/// Each role's home: its daily page.
pub async fn home(MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    Ok(Redirect::to(super::html::home(user.user.role)).into_response())
}

fn login_page(message: Option<&str>) -> Result<Html<String>, ApiError> {
    render("login.html", "登录", None, minijinja::context! { message })
}

pub async fn login_form() -> Result<Html<String>, ApiError> {
    login_page(None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Result<Response, ApiError> {
    let address = peer.ip().to_string();
    let (name, password, addr) = (f.username.clone(), f.password, address.clone());
    let login = state
        .with_registry(move |r| Ok(r.login(&name, &password, Some(&addr))?))
        .await?;
    match login {
        Login::Ok(user) => {
            let role = user.role;
            let session = state
                .with_registry(move |r| {
                    r.audit(
                        &format!("user:{}", user.name),
                        "login",
                        None,
                        Some(&address),
                    )?;
                    Ok(r.create_session(&user)?)
                })
                .await?;
            Ok((
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, session_cookie(&session.token, state.config().server.secure_cookies)),
                    (header::LOCATION, super::html::home(role).to_string()),
                ],
            )
                .into_response())
        }
        Login::Wrong { failures } => {
            slow_down(failures).await;
            Ok((
                StatusCode::UNAUTHORIZED,
                login_page(Some("用户名或密码不对。"))?,
            )
                .into_response())
        }
        Login::Throttled => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some("这个用户名近来登录失败次数太多，请 15 分钟后再试。"))?,
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    user.check_csrf(f.csrf.as_deref())?;
    let token = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == COOKIE)
                .map(|(_, v)| v.to_string())
        });
    if let Some(token) = token {
        state
            .with_registry(move |r| Ok(r.end_session(&token)?))
            .await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!(
                    "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
                    COOKIE
                ),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
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
                [(header::SET_COOKIE, session_cookie(&session.token, state.config().server.secure_cookies))],
                Json(body),
            )
                .into_response())
        }
        Login::Wrong { failures } => {
            slow_down(failures).await;
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
    let (token, via_cookie) = token_of(&headers).ok_or_else(|| {
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


/// The signed-in user's own name and phone as documents print them (承办人, 联系电话).
pub async fn own_contact(state: &AppState, user: &CurrentUser) -> Result<(Option<String>, Option<String>), ApiError> {
    let name = user.user.name.clone();
    let me = state.with_registry(move |r| Ok(r.users()?.into_iter().find(|u| u.name == name))).await?;
    Ok(me.map(|u| (u.full_name, u.phone)).unwrap_or_default())
}

async fn account_page(state: &AppState, user: &CurrentUser, notice: Option<&str>, message: Option<&str>) -> Result<Response, ApiError> {
    let (full_name, phone) = own_contact(state, user).await?;
    let context = minijinja::context! {
        full_name => full_name.unwrap_or_default(),
        phone => phone.unwrap_or_default(),
        notice,
        message,
    };
    let page = render("account.html", "我的账号", Some(user), context)?;
    let status = if message.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, page).into_response())
}

pub async fn account_form(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    account_page(&state, &user, None, None).await
}

#[derive(Deserialize)]
pub struct ContactForm {
    csrf: Option<String>,
    full_name: Option<String>,
    phone: Option<String>,
}

/// Everyone keeps their own name and phone for the documents they sign.
pub async fn save_contact(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<ContactForm>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.check_csrf(f.csrf.as_deref())?;
    let bad = |v: &Option<String>| v.as_deref().is_some_and(|v| v.trim().chars().count() > 32 || v.chars().any(char::is_control));
    if bad(&f.full_name) || bad(&f.phone) {
        return account_page(&state, &user, None, Some("姓名和联系电话各不超过 32 个字符，且不含控制字符。")).await;
    }
    let (name, actor, address) = (user.user.name.clone(), user.actor(), user.address.clone());
    state
        .with_registry(move |r| {
            r.set_contact(&name, f.full_name.as_deref(), f.phone.as_deref())?;
            r.audit(&actor, "contact-change", None, address.as_deref())?;
            Ok(())
        })
        .await?;
    account_page(&state, &user, Some("已保存。"), None).await
}

pub async fn password_form(MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    let message: Option<String> = None;
    Ok(render("password.html", "修改密码", Some(&user), minijinja::context! { message })?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    old: String,
    new: String,
    again: String,
}

/// Everyone changes their own password: the old one must be right (a wrong one is slowed
/// down like a failed sign-in), the new one acceptable and typed twice alike. Every
/// session of the user ends, this one too: the next page is the sign-in form.
pub async fn change_password(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.check_csrf(f.csrf.as_deref())?;
    let again = |message: &str| -> Result<Response, ApiError> {
        let page = render("password.html", "修改密码", Some(&user), minijinja::context! { message })?;
        Ok((StatusCode::BAD_REQUEST, page).into_response())
    };
    if f.new != f.again {
        return again("两次输入的新密码不一致。");
    }
    if let Some(problem) = crate::registry::users::password_problem(&user.user.name, &f.new) {
        return again(&problem.zh);
    }
    let (name, actor, address) = (user.user.name.clone(), user.actor(), user.address.clone());
    let changed = state
        .with_registry(move |r| {
            let changed = r.change_password(&name, &f.old, &f.new)?;
            if changed {
                r.audit(&actor, "password-change", None, address.as_deref())?;
            }
            Ok(changed)
        })
        .await?;
    if !changed {
        slow_down(1).await;
        return again("原密码不正确。");
    }
    let page = render(
        "message.html",
        "修改密码",
        None,
        minijinja::context! { message => "密码已修改。请用新密码重新登录。", back => "/login", plain => true },
    )?;
    Ok((
        [(header::SET_COOKIE, format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"))],
        page,
    )
        .into_response())
}

/// Signing in and out: the home page (which sends each user to their page), the sign-in
/// form, changing one's password, and the API's sessions.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/account", get(account_form).post(save_contact))
        .route("/account/password", get(password_form).post(change_password))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/api/session", post(session).delete(end_session))
}
