//! Who is asking: a session token from the `Authorization: Bearer` header (API clients) or
//! the `xinfang_session` cookie (browsers; HttpOnly, SameSite=Strict). Requests that change
//! something with a cookie must carry the session's CSRF token (form field `csrf` or header
//! `X-CSRF-Token`); bearer clients need none, since browsers never send that header alone.

use super::{ApiError, AppState};
use crate::domain::Act;
use crate::registry::life::Actor;
use crate::registry::users::User;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
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
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("the {} role may not do this", self.user.role),
            ))
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
