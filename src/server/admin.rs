//! The administrator's pages and API: users (add, change role, disable and enable, reset a
//! password; each ends the user's sessions), the audit log read with filters (user, case,
//! action in Chinese, dates) and exported, and the API's own description.
//!
//! The service keeps one enabled administrator at least: the last one cannot be disabled
//! or given another role, and nobody disables their own account from here.

use super::auth::{CurrentUser, MaybeUser};
use super::html::{render, to_login, when};
use super::{ApiError, AppState};
use crate::domain::{Act, Role};
use crate::export::{Column, Format};
use crate::registry::cases::{AuditEntry, AuditFilter, CaseFilter};
use crate::registry::users::{normalize_name, password_problem, random_password, UserRow};
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn openapi() -> Json<Value> {
    Json(serde_json::from_str(include_str!("openapi.json")).expect("openapi.json is valid JSON"))
}

/// Entries per page of the viewer; an export holds at most `EXPORT_ROWS`.
const PAGE: i64 = 100;
const EXPORT_ROWS: i64 = 50_000;

/// The audit log's filters, in the API's query and the viewer's address alike. Empty
/// values (an untouched form field) mean "any".
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    /// A user's name (or an actor as written, `cli:…`).
    pub user: Option<String>,
    /// A case's id or registration number.
    pub case: Option<String>,
    /// An action code (`messages::audit_actions`).
    pub action: Option<String>,
    /// First and last day, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
    /// `csv` or `xlsx` on the viewer: the filtered entries as a file.
    pub format: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl AuditQuery {
    /// The registry's filter: dates parsed, a registration number looked up.
    fn filter(&self, r: &mut crate::registry::Registry, limit: i64) -> Result<Option<AuditFilter>, ApiError> {
        let date = |v: &Option<String>, what: &str| {
            given(v)
                .map(|d| {
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                        ApiError::new(StatusCode::BAD_REQUEST, "invalid", format!("{what} must be YYYY-MM-DD"))
                            .zh("日期应写作“年-月-日”，如 2026-12-01。")
                    })
                })
                .transpose()
        };
        let case_id = match given(&self.case) {
            None => None,
            Some(c) => match c.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    let found = r.list_cases(&CaseFilter { q: Some(c.to_string()), limit: Some(5), ..Default::default() })?;
                    match found.cases.into_iter().find(|k| k.registration_number.eq_ignore_ascii_case(c)) {
                        Some(k) => Some(k.id),
                        // No such case: nothing matches.
                        None => return Ok(None),
                    }
                }
            },
        };
        let actor = given(&self.user).map(|u| if u.contains(':') { u.to_string() } else { format!("user:{}", normalize_name(u)) });
        Ok(Some(AuditFilter {
            actor,
            case_id,
            action: given(&self.action).map(str::to_string),
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            before_id: self.before_id,
            limit,
        }))
    }

    /// The viewer's address with these filters and another page key.
    fn url(&self, before_id: Option<i64>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("user", &self.user),
            ("case", &self.case),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v.to_string())))
        .collect();
        if let Some(b) = before_id {
            pairs.push(("before_id", b.to_string()));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(q) if !q.is_empty() => format!("/admin/audit?{q}"),
            _ => "/admin/audit".into(),
        }
    }

    /// How the entry for this read describes it.
    fn audit_action(&self, verb: &str) -> String {
        let mut parts = vec![verb.to_string()];
        for (k, v) in [("user", &self.user), ("case", &self.case), ("action", &self.action), ("from", &self.from), ("to", &self.to)] {
            if let Some(v) = given(v) {
                parts.push(format!("{k}={v:?}"));
            }
        }
        parts.join(" ")
    }
}

/// Reads the log for `q` and writes the entry for reading it.
async fn read_log(state: &AppState, user: &CurrentUser, q: AuditQuery, limit: i64, verb: &'static str) -> Result<Vec<AuditEntry>, ApiError> {
    let (actor, address) = (user.actor(), user.address.clone());
    state
        .with_registry(move |r| {
            let entries = match q.filter(r, limit)? {
                Some(f) => r.audit_log(&f)?,
                None => Vec::new(),
            };
            let case_id = given(&q.case).and_then(|c| c.parse().ok());
            r.audit(&actor, &q.audit_action(verb), case_id, address.as_deref())?;
            Ok(entries)
        })
        .await
}

/// `GET /api/audit`: entries, newest first, with the same filters as the viewer.
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Administer)?;
    let limit = q.limit.unwrap_or(200).clamp(1, 5000);
    let entries = read_log(&state, &user, q, limit, "read-audit").await?;
    Ok(Json(json!({"entries": entries})))
}

/// Who acted, for people: a user's name, or the command line's account.
pub fn actor_for_people(actor: &str) -> String {
    match actor.split_once(':') {
        Some(("user", name)) => name.to_string(),
        Some(("cli", name)) => format!("命令行（{name}）"),
        _ => actor.to_string(),
    }
}

/// The viewer (`/admin/audit`): filters, a page of entries, the next page, and the
/// filtered entries as CSV or XLSX.
pub async fn audit_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Administer)?;
    if let Some(format) = given(&q.format) {
        let format = Format::parse(format).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", "format must be csv or xlsx").zh("导出格式只能是 CSV 或 XLSX。")
        })?;
        let entries = read_log(&state, &user, AuditQuery { before_id: None, ..q }, EXPORT_ROWS, "export-audit").await?;
        const COLUMNS: [Column; 6] = [
            Column::text("时间"),
            Column::text("用户"),
            Column::text("操作"),
            Column::text("详情"),
            Column::text("案件"),
            Column::text("地址"),
        ];
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let (name, details) = super::messages::audit_zh(&e.action);
                vec![
                    when(&e.at),
                    actor_for_people(&e.actor),
                    name,
                    details,
                    e.case_number.clone().unwrap_or_default(),
                    e.address.clone().unwrap_or_default(),
                ]
            })
            .collect();
        return download("audit", format, "审计日志", &COLUMNS, &rows);
    }
    let entries = read_log(&state, &user, q.clone(), PAGE + 1, "read-audit").await?;
    let more = entries.len() as i64 > PAGE;
    let next = more.then(|| entries.get(PAGE as usize - 1).map(|e| q.url(Some(e.id)))).flatten();
    let first = q.before_id.map(|_| q.url(None));
    let rows: Vec<_> = entries
        .iter()
        .take(PAGE as usize)
        .map(|e| {
            let (name, details) = super::messages::audit_zh(&e.action);
            minijinja::context! {
                at => when(&e.at),
                actor => actor_for_people(&e.actor),
                action => name,
                details,
                case_id => e.case_id,
                case_number => &e.case_number,
                address => &e.address,
            }
        })
        .collect();
    let users: Vec<String> = state.with_registry(|r| Ok(r.users()?)).await?.into_iter().map(|u| u.name).collect();
    let actions = super::messages::audit_actions();
    let export = |f: &str| {
        let base = q.url(None);
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}format={f}")
    };
    let context = minijinja::context! {
        rows,
        next,
        first,
        users,
        actions,
        chosen => minijinja::context! {
            user => given(&q.user).unwrap_or_default(),
            case => given(&q.case).unwrap_or_default(),
            action => given(&q.action).unwrap_or_default(),
            from => given(&q.from).unwrap_or_default(),
            to => given(&q.to).unwrap_or_default(),
        },
        csv => export("csv"),
        xlsx => export("xlsx"),
        export_rows => EXPORT_ROWS,
    };
    Ok(render("audit.html", "审计日志", Some(&user), context)?.into_response())
}

/// A table as a file to save: `NAME-YYYYMMDD.csv` or `.xlsx`.
pub fn download(name: &str, format: Format, sheet: &str, columns: &[Column], rows: &[Vec<String>]) -> Result<Response, ApiError> {
    let bytes = crate::export::write(format, sheet, columns, rows, crate::clock::now().naive_utc()).map_err(|e| ApiError::internal(format!("export {name}: {e}")))?;
    let file = format!("{name}-{}.{}", chrono::Local::now().format("%Y%m%d"), format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The users page's forms: one operation on one user.
#[derive(Deserialize)]
pub struct UserForm {
    csrf: Option<String>,
    /// `add`, `role`, `disable`, `enable` or `reset`.
    op: String,
    name: String,
    role: Option<String>,
    /// For `add`: the first password (a random one when empty).
    password: Option<String>,
}

/// The users page, with what was just done (and a new password, shown once).
async fn users_view(state: &AppState, user: &CurrentUser, notice: Option<String>, new_password: Option<(String, String)>) -> Result<Response, ApiError> {
    let (actor, address) = (user.actor(), user.address.clone());
    let users = state
        .with_registry(move |r| {
            let users = r.users()?;
            r.audit(&actor, "list-users", None, address.as_deref())?;
            Ok(users)
        })
        .await?;
    let me = user.user.name.clone();
    let users: Vec<_> = users
        .into_iter()
        .map(|u| {
            minijinja::context! {
                me => u.name == me,
                audit => AuditQuery { user: Some(u.name.clone()), ..Default::default() }.url(None),
                name => u.name,
                role => u.role.as_str(),
                role_label => u.role.label(),
                disabled => u.disabled,
                created => when(&u.created_at),
                sessions => u.sessions,
            }
        })
        .collect();
    let roles: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let context = minijinja::context! { users, roles, notice, new_password };
    Ok(render("users.html", "用户", Some(user), context)?.into_response())
}

pub async fn users_page(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Administer)?;
    users_view(&state, &user, None, None).await
}

fn refused(message: &str, zh: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", message).zh(zh)
}

/// Whether taking `target`'s administrator rights away would leave no enabled one.
fn last_admin(users: &[UserRow], target: &UserRow) -> bool {
    target.role == Role::Admin && !target.disabled && users.iter().filter(|u| u.role == Role::Admin && !u.disabled).count() <= 1
}

pub async fn users_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<UserForm>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Administer)?;
    user.check_csrf(f.csrf.as_deref())?;
    let name = normalize_name(&f.name);
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) || name.contains(':') {
        return Err(refused("a user name needs 1 to 64 characters, without control characters or colons", "用户名须为 1 至 64 个字符，不含控制字符和冒号。"));
    }
    let role = match given(&f.role) {
        Some(r) => Some(Role::parse(r).ok_or_else(|| refused("no such role", "没有这个角色。"))?),
        None => None,
    };
    let op = f.op.clone();
    let password = given(&f.password).map(str::to_string);
    if op == "add" {
        if let Some(problem) = password.as_deref().and_then(|p| password_problem(&name, p)) {
            return Err(refused(&problem.en, &problem.zh));
        }
    }
    let (actor, address, me) = (user.actor(), user.address.clone(), user.user.name.clone());
    let (notice, shown) = state
        .with_registry(move |r| {
            let users = r.users()?;
            let target = users.iter().find(|u| u.name == name);
            let exists = || target.ok_or_else(|| ApiError::not_found("user").zh(format!("没有用户“{name}”。")));
            let done = match op.as_str() {
                "add" => {
                    if target.is_some() {
                        return Err(ApiError::new(StatusCode::CONFLICT, "invalid", "the user exists").zh(format!(
                            "用户“{name}”已存在：要改其角色或密码，请用列表中该用户一行的按钮。"
                        )));
                    }
                    let role = role.ok_or_else(|| refused("choose a role", "请选择角色。"))?;
                    let (password, shown) = match password {
                        Some(p) => (p, None),
                        None => {
                            let p = random_password();
                            (p.clone(), Some((name.clone(), p)))
                        }
                    };
                    r.add_user(&name, role, &password)?;
                    (format!("user-add {name} {role}"), format!("已新增用户“{name}”（{}）。", role.label()), shown)
                }
                "role" => {
                    let t = exists()?;
                    let role = role.ok_or_else(|| refused("choose a role", "请选择角色。"))?;
                    if role != Role::Admin && last_admin(&users, t) {
                        return Err(refused("the last administrator keeps the role", "这是唯一启用的管理员，不能改为其他角色。"));
                    }
                    r.set_role(&name, role)?;
                    (format!("user-role {name} {role}"), format!("“{name}”的角色已改为{}，其已登录的会话已结束。", role.label()), None)
                }
                "disable" => {
                    let t = exists()?;
                    if name == me {
                        return Err(refused("you cannot disable yourself", "不能停用自己的账号。"));
                    }
                    if last_admin(&users, t) {
                        return Err(refused("the last administrator stays enabled", "这是唯一启用的管理员，不能停用。"));
                    }
                    r.set_disabled(&name, true)?;
                    (format!("user-disable {name}"), format!("已停用“{name}”，其已登录的会话已结束。"), None)
                }
                "enable" => {
                    exists()?;
                    r.set_disabled(&name, false)?;
                    (format!("user-enable {name}"), format!("已启用“{name}”。"), None)
                }
                "reset" => {
                    exists()?;
                    let p = random_password();
                    r.reset_password(&name, &p)?;
                    (format!("user-reset-password {name}"), format!("已重置“{name}”的密码，其已登录的会话已结束。"), Some((name.clone(), p)))
                }
                _ => return Err(refused("unknown operation", "没有这个操作。")),
            };
            r.audit(&actor, &done.0, None, address.as_deref())?;
            Ok((done.1, done.2))
        })
        .await?;
    users_view(&state, &user, Some(notice), shown).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/audit", get(audit))
        .route("/admin/audit", get(audit_page))
        .route("/admin/users", get(users_page).post(users_form))
}
