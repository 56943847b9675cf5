//! Server-rendered pages in Chinese: sign-in, upload with progress, the inbox of letters
//! being taken in, the case list with search, and a case page. Values are HTML-escaped;
//! lists mask personal data; opening a case is audited.

use super::api::{self, masked};
use crate::domain::{Act, Purpose, Refusal, RouteKind, Status, Step};
use super::auth::{self, CurrentUser, MaybeUser};
use super::{ApiError, AppState};
use crate::registry::cases::CaseFilter;
use crate::registry::users::Login;
use axum::extract::{ConnectInfo, Form, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(esc).unwrap_or_else(|| "—".into())
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif;margin:0;color:#222;background:#f6f6f4}\
header{background:#8b1a1a;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}\
header a{color:#fff;text-decoration:none}header .who{margin-left:auto}\
main{padding:20px 24px;max-width:1200px}table{border-collapse:collapse;width:100%;background:#fff}\
th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}th{background:#eee;white-space:nowrap}td.n{white-space:nowrap}\
.error{color:#a00}.ok{color:#060}.muted{color:#777}form.inline{display:inline}\
.split{display:flex;gap:20px}.split>*{flex:1}iframe{width:100%;height:80vh;border:1px solid #ccc}\
input,select,button{font-size:1em;padding:4px 8px}\
.scan{position:relative;margin-bottom:12px;border:1px solid #ccc}.scan img{width:100%;display:block}\
.box{position:absolute;background:rgba(255,230,0,.25);outline:1px solid rgba(200,160,0,.6)}\
.box.field{background:rgba(255,120,0,.30);outline:2px solid rgba(230,90,0,.9)}";

pub fn page(title: &str, user: Option<&CurrentUser>, body: &str) -> Html<String> {
    let nav = match user {
        Some(u) => format!(
            "<a href=\"/upload\">上传来信</a><a href=\"/inbox\">收件</a><a href=\"/cases\">案件</a><a href=\"/binder\">归档装订</a>\
             <span class=\"who\">{}（{}）<form class=\"inline\" method=\"post\" action=\"/logout\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button>退出</button></form></span>",
            esc(&u.user.name),
            u.user.role.label(),
            esc(&u.csrf)
        ),
        None => String::new(),
    };
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{} · 信访件管理</title>\
         <style>{STYLE}</style></head><body><header><strong>信访件管理</strong>{nav}</header><main>{body}</main></body></html>",
        esc(title)
    ))
}

/// A `<select>` keeping the chosen value.
fn select(name: &str, chosen: &Option<String>, options: &[(&str, &str)]) -> String {
    let opts: String = options
        .iter()
        .map(|(v, label)| {
            let sel = if chosen.as_deref().unwrap_or("") == *v {
                " selected"
            } else {
                ""
            };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(v), esc(label))
        })
        .collect();
    format!("<select name=\"{name}\">{opts}</select>")
}

/// A stored time for people: `2026-11-22 08:33`.
fn when(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

pub async fn home(MaybeUser(user): MaybeUser) -> Response {
    match user {
        Some(_) => Redirect::to("/inbox").into_response(),
        None => to_login(),
    }
}

fn login_page(message: Option<&str>) -> Html<String> {
    let message = message
        .map(|m| format!("<p class=\"error\">{}</p>", esc(m)))
        .unwrap_or_default();
    page(
        "登录",
        None,
        &format!(
            "<h1>登录</h1>{message}<form method=\"post\" action=\"/login\">\
             <p><label>用户名 <input name=\"username\" autocomplete=\"username\" required></label></p>\
             <p><label>密码 <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
             <p><button>登录</button></p></form>"
        ),
    )
}

pub async fn login_form() -> Html<String> {
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
                    (header::SET_COOKIE, auth::session_cookie(&session.token, state.config().server.secure_cookies)),
                    (header::LOCATION, "/inbox".to_string()),
                ],
            )
                .into_response())
        }
        Login::Wrong { failures } => {
            auth::slow_down(failures).await;
            Ok((
                StatusCode::UNAUTHORIZED,
                login_page(Some("用户名或密码不对。")),
            )
                .into_response())
        }
        Login::Throttled => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some("这个用户名近来登录失败次数太多，请 15 分钟后再试。")),
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
                .find(|(k, _)| *k == auth::COOKIE)
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
                    auth::COOKIE
                ),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
}

pub async fn upload_form(MaybeUser(user): MaybeUser) -> Result<Response, ApiError> {
    let Some(user) = user else { return Ok(to_login()) };
    user.require(Act::TakeIn)?;
    let csrf = esc(&user.csrf);
    let body = format!(
        "<h1>上传来信</h1><p class=\"muted\">可一次选择多份扫描件（PNG、JPEG、TIFF、PDF、DOCX）。上传后逐件识别、登记、生成归档副本。</p>\
         <form id=\"upload\" method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><input id=\"files\" type=\"file\" name=\"file\" multiple required></p>\
         <p><button id=\"send\">上传</button> <progress id=\"bar\" max=\"100\" value=\"0\" hidden></progress> <span id=\"pct\"></span></p></form>\
         <table id=\"jobs\" hidden><thead><tr><th>文件</th><th>状态</th><th>登记号</th></tr></thead><tbody></tbody></table>\
         <script>\
         const form=document.getElementById('upload');\
         form.addEventListener('submit',e=>{{e.preventDefault();const fd=new FormData();\
         for(const f of document.getElementById('files').files)fd.append('file',f);\
         const x=new XMLHttpRequest();x.open('POST','/api/letters');x.setRequestHeader('X-CSRF-Token','{csrf}');\
         const bar=document.getElementById('bar');bar.hidden=false;\
         x.upload.onprogress=p=>{{if(p.lengthComputable){{bar.value=100*p.loaded/p.total;document.getElementById('pct').textContent=Math.round(bar.value)+'%';}}}};\
         x.onload=()=>{{const r=JSON.parse(x.responseText);const t=document.getElementById('jobs');t.hidden=false;const tb=t.querySelector('tbody');\
         for(const j of (r.jobs||[])){{const tr=document.createElement('tr');tr.dataset.job=j.job_id;tr.innerHTML='<td></td><td>排队中</td><td></td>';tr.children[0].textContent=j.file;tb.appendChild(tr);}}\
         for(const j of (r.rejected||[])){{const tr=document.createElement('tr');tr.innerHTML='<td></td><td class=error></td><td></td>';tr.children[0].textContent=j.file;tr.children[1].textContent='未收：'+j.message;tb.appendChild(tr);}}\
         if(r.error&&!(r.rejected||[]).length){{const tr=document.createElement('tr');tr.innerHTML='<td></td><td class=error></td><td></td>';tr.children[1].textContent=r.error.message;tb.appendChild(tr);}}\
         poll();}};x.send(fd);}});\
         const names={{queued:'排队中',running:'识别中',done:'已登记',failed:'失败'}};\
         function poll(){{let pending=0;for(const tr of document.querySelectorAll('tr[data-job]')){{if(tr.dataset.final)continue;pending++;\
         fetch('/api/jobs/'+tr.dataset.job).then(r=>r.json()).then(j=>{{tr.children[1].textContent=names[j.status]+(j.duplicate?'（此前已登记）':'')+(j.error?'：'+j.error.message:'');\
         if(j.registration_number){{tr.children[2].innerHTML='<a></a>';tr.children[2].firstChild.href='/cases/'+j.case_id;tr.children[2].firstChild.textContent=j.registration_number;}}\
         if(j.status==='done'||j.status==='failed')tr.dataset.final='1';}});}}if(pending)setTimeout(poll,1000);}}\
         </script>"
    );
    Ok(page("上传来信", Some(&user), &body).into_response())
}

/// The upload form without JavaScript: files are queued and the inbox is shown.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    user.require(Act::TakeIn)?;
    // The form's csrf field is checked before any file is taken (receive_files).
    let (accepted, rejected) = api::receive_files(&state, &user, multipart, true).await?;
    let rows: String = rejected
        .iter()
        .map(|r| {
            format!(
                "<li class=\"error\">{}：{}</li>",
                esc(&r.file),
                esc(&r.message)
            )
        })
        .collect();
    let body = format!(
        "<h1>已收到 {} 份</h1><ul>{rows}</ul><p><a href=\"/inbox\">查看收件</a></p>",
        accepted.len()
    );
    Ok(page("上传来信", Some(&user), &body).into_response())
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
    let pending = jobs
        .iter()
        .any(|j| !j.status.is_final());
    let rows: String = jobs
        .iter()
        .map(|j| {
            let case = match (&j.case_id, &j.registration_number) {
                (Some(id), Some(n)) => format!(
                    "<a href=\"/cases/{id}\">{}</a>{}",
                    esc(n),
                    if j.duplicate {
                        "（此前已登记）"
                    } else {
                        ""
                    }
                ),
                _ => "—".into(),
            };
            let status = match &j.error {
                Some(e) => format!("<span class=\"error\">失败：{}</span>", esc(&e.message)),
                None => j.status.label().to_string(),
            };
            format!(
                "<tr><td>{}</td><td>{status}</td><td>{case}</td><td>{}</td></tr>",
                esc(&j.file_name),
                esc(&when(&j.created_at))
            )
        })
        .collect();
    let refresh = if pending {
        "<meta http-equiv=\"refresh\" content=\"3\">"
    } else {
        ""
    };
    let body = format!(
        "{refresh}<h1>收件</h1><table><thead><tr><th>文件</th><th>状态</th><th>登记号</th><th>上传时间</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Ok(page("收件", Some(&user), &body).into_response())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    /// `overdue` or `soon` (due within 3 days).
    due: Option<String>,
}

pub async fn cases(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let filter = CaseFilter {
        q: q.q.clone(),
        status: api::status_filter(q.status.as_deref())?,
        category: q.category.clone().filter(|s| !s.is_empty()),
        overdue: q.due.as_deref() == Some("overdue"),
        due_within: (q.due.as_deref() == Some("soon")).then_some(3),
        limit: None,
    };
    let list = state
        .with_registry(move |r| {
            let list = r.list_cases(&filter)?;
            r.audit(&actor, &filter.audit_action(), None, address.as_deref())?;
            Ok(list)
        })
        .await?;
    let rows: String = list
        .into_iter()
        .map(masked)
        .map(|c| {
            format!(
                "<tr><td class=\"n\"><a href=\"/cases/{}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                c.id,
                esc(&c.registration_number),
                c.status.label(),
                c.due_at.as_deref().map(esc).unwrap_or_else(|| "—".into()),
                opt(&c.name),
                opt(&c.phone),
                opt(&c.category),
                opt(&c.summary),
                if c.urgent { "紧急 " } else { "" },
                c.repeat_of.map(|r| format!("重复件（前案 {}）", esc(&r))).unwrap_or_default()
            )
        })
        .collect();
    let rows = if rows.is_empty() {
        "<tr><td colspan=\"8\" class=\"muted\">没有符合条件的案件。</td></tr>".to_string()
    } else {
        rows
    };
    let body = format!(
        "<h1>案件</h1><form method=\"get\" action=\"/cases\"><input name=\"q\" placeholder=\"全文检索，如：物业\" value=\"{}\"> \
         {} {} {} <button>检索</button></form>\
         <table><thead><tr><th>登记号</th><th>状态</th><th>期限</th><th>信访人</th><th>电话</th><th>类别</th><th>事由</th><th>标记</th></tr></thead><tbody>{rows}</tbody></table>",
        esc(q.q.as_deref().unwrap_or("")),
        select(
            "status",
            &q.status,
            &std::iter::once(("", "全部状态"))
                .chain(Status::ALL.iter().map(|s| (s.as_str(), s.label())))
                .collect::<Vec<_>>(),
        ),
        select(
            "category",
            &q.category,
            &std::iter::once(("", "全部类别"))
                .chain(state.config().vocabulary.categories.iter().map(|c| (c.name.as_str(), c.name.as_str())))
                .collect::<Vec<_>>(),
        ),
        select("due", &q.due, &[("", "全部期限"), ("overdue", "已超期"), ("soon", "3日内到期")]),
    );
    Ok(page("案件", Some(&user), &body).into_response())
}

pub async fn case(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ApiError> {
    let Some(user) = user else {
        return Ok(to_login());
    };
    user.require(Act::Read)?;
    let who = user.clone();
    let unmask = q.unmask.clone();
    let st = state.clone();
    let (read, previews, documents) = state
        .with_registry(move |r| {
            let d = api::read_case_for(r, st.config(), id, &who, unmask.as_deref())?;
            let documents = r.documents(id)?;
            Ok(d.map(|d| {
                // The scans show the accuser as plainly as the fields.
                let previews = if d.identity_shown {
                    crate::store::DataDirs::new(st.data()).read_previews(&d.detail.sha256)
                } else {
                    Vec::new()
                };
                (d, previews, documents)
            }))
        })
        .await?
        .ok_or_else(|| ApiError::not_found("case"))?;
    let api::ReadCase { detail, identity_shown, suggested } = read;
    let c = &detail.summary;
    // Lines holding a field's value are marked more strongly than the other lines read.
    let values: Vec<String> = [&c.name, &c.phone, &c.id_number, &detail.address, &c.summary]
        .into_iter()
        .flatten()
        .filter(|v| v.chars().count() >= 2)
        .cloned()
        .collect();
    let scans: String = previews
        .iter()
        .map(|(p, _)| {
            let boxes: String = p
                .lines
                .iter()
                .map(|l| {
                    let field = values.iter().any(|v| {
                        l.text.contains(v.as_str()) || (v.contains(l.text.as_str()) && l.text.chars().count() >= 4)
                    });
                    let pct = |v: u32, of: u32| 100.0 * v as f32 / of.max(1) as f32;
                    format!(
                        "<div class=\"box{}\" title=\"{}\" style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\"></div>",
                        if field { " field" } else { "" },
                        esc(&l.text),
                        pct(l.x, p.width),
                        pct(l.y, p.height),
                        pct(l.w, p.width),
                        pct(l.h, p.height)
                    )
                })
                .collect();
            format!(
                "<div class=\"scan\"><img src=\"/api/cases/{id}/pages/{}\" alt=\"第{}页\">{boxes}</div>",
                p.page, p.page
            )
        })
        .collect();
    let viewer = if !identity_shown {
        let ask = if user.may(Act::SeeAccuser) {
            format!(
                "<form method=\"get\" action=\"/cases/{id}\"><p>查看实名及来信原件的理由（记入审计）：\
                 <input name=\"unmask\" required placeholder=\"如：承办核查需要\"> <button id=\"unmask\">查看实名</button></p></form>"
            )
        } else {
            String::new()
        };
        format!("<p class=\"muted\">检举控告件：检举人身份已隐去，来信原件仅承办人说明理由后可查看。</p>{ask}")
    } else if scans.is_empty() {
        format!("<iframe src=\"/api/cases/{id}/filed\" title=\"归档副本\"></iframe>")
    } else {
        format!("<p class=\"muted\">黄色为识别出的文字行，橙色为提取字段所在行。</p>{scans}")
    };
    // Masked values are never put in a form: saving it would write the stars back.
    let editable = user.may(Act::Correct) && identity_shown;
    let input = |name: &str, label: &str, value: &Option<String>| {
        let v = value.as_deref().map(esc).unwrap_or_default();
        if editable {
            format!("<tr><th><label for=\"f-{name}\">{label}</label></th><td><input id=\"f-{name}\" name=\"{name}\" value=\"{v}\" style=\"width:95%\"></td></tr>")
        } else {
            format!(
                "<tr><th>{label}</th><td>{}</td></tr>",
                if v.is_empty() { "—".into() } else { v }
            )
        }
    };
    let row = |k: &str, v: String| format!("<tr><th>{k}</th><td>{v}</td></tr>");
    let fields = [
        row("登记号", esc(&c.registration_number)),
        row("状态", c.status.label().into()),
        row(
            "办理期限",
            c.due_at.as_deref().map(esc).unwrap_or_else(|| "—".into()),
        ),
        row(
            "去向",
            match (&c.route_kind, &c.route_body) {
                (Some(k), b) => format!(
                    "{} {}",
                    k.label(),
                    b.as_deref().map(esc).unwrap_or_default()
                ),
                _ => "未转办".into(),
            },
        ),
        input("name", "信访人", &c.name),
        input("id_number", "身份证号", &c.id_number),
        input("phone", "电话", &c.phone),
        input("address", "地址", &detail.address),
        input("letter_date", "来信日期", &detail.letter_date),
        input("summary", "事由", &c.summary),
        input("category", "类别", &c.category),
        row("紧急", if c.urgent { "是".into() } else { "否".into() }),
        row("联名人数", c.cosigners.to_string()),
        if editable {
            format!(
                "<tr><th>信访目的</th><td>{}</td></tr><tr><th><label for=\"f-accused\">被反映对象</label></th>\
                 <td><input id=\"f-accused\" name=\"accused\" value=\"{}\" placeholder=\"检举控告的单位或个人，多个用顿号隔开\" style=\"width:95%\"></td></tr>{}",
                select("purpose", &Some(detail.purpose.as_str().to_string()), &purposes()),
                esc(&detail.accused.join("、")),
                if user.may(Act::ClearAccusation) {
                    "<tr><th><label for=\"f-reason\">更正理由</label></th><td><input id=\"f-reason\" name=\"reason\" \
                     placeholder=\"撤销检举控告标记或被反映对象时必填，记入审计\" style=\"width:95%\"></td></tr>"
                } else {
                    ""
                }
            )
        } else {
            row("信访目的", detail.purpose.label().to_string()) + &row("被反映对象", esc(&detail.accused.join("、")))
        },
        row(
            "重复件",
            c.repeat_of
                .as_deref()
                .map(esc)
                .unwrap_or_else(|| "否".into()),
        ),
        row("页数", detail.pages.to_string()),
        row(
            "登记",
            format!(
                "{} {}",
                esc(&when(&c.registered_at)),
                esc(&detail.registered_by)
            ),
        ),
    ]
    .concat();
    let form = if editable {
        format!(
            "<form method=\"post\" action=\"/cases/{id}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><table>{fields}</table>\
             <p><button name=\"action\" value=\"save\">保存更正</button> <button name=\"action\" value=\"confirm\" id=\"confirm\">确认无误</button></p></form>",
            esc(&user.csrf)
        )
    } else {
        format!("<table>{fields}</table>")
    };
    let suggested = suggested.as_deref().unwrap_or("");
    let route_form = if c.status == Status::Registered && user.may(Act::Route) {
        format!(
            "<h2>转办</h2><form method=\"post\" action=\"/cases/{id}/route\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p>{} 单位 <input name=\"body\" value=\"{}\" placeholder=\"有权处理的机关\"> 理由 <input name=\"reason\" placeholder=\"不予受理、不再受理时填写\"> \
             <button id=\"route\">提交</button></p><p class=\"muted\">建议去向按属地和类别得出（{}），请承办人确认。</p></form>",
            esc(&user.csrf),
            select("kind", &None, &RouteKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect::<Vec<_>>()),
            esc(suggested),
            esc(suggested)
        )
    } else {
        String::new()
    };
    let steps: String = Step::ALL
        .iter()
        .filter(|&&s| crate::domain::life::step_applies(s, c.status) && user.may(Act::Step(s)))
        .map(|s| format!("<button name=\"step\" value=\"{}\">{}</button> ", s.as_str(), s.label()))
        .collect();
    let step_form = if steps.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>办理</h2><form method=\"post\" action=\"/cases/{id}/step\" id=\"steps\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p>说明 <input name=\"note\" placeholder=\"如：延期理由、答复要点\"> {steps}</p></form>",
            esc(&user.csrf)
        )
    };
    let to = c.route_body.as_deref().unwrap_or(suggested);
    let documents = super::docs::section(&state, &user, id, &documents, to);
    // Fields the engine read with little confidence: the reviewer checks them first.
    let confidence: crate::model::FieldConfidence =
        serde_json::from_value(detail.extraction["field_confidence"].clone()).unwrap_or_default();
    let doubtful: Vec<&str> = confidence
        .doubtful()
        .into_iter()
        .map(|(field, _)| match field {
            "name" => "信访人",
            "id_number" => "身份证号",
            "phone" => "电话",
            _ => "地址",
        })
        .collect();
    let doubtful = if doubtful.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"error\" id=\"doubtful\">以下字段识别把握不大，请对照扫描件核对：{}</p>",
            doubtful.join("、")
        )
    };
    let saved = match q.saved.as_deref() {
        Some("route") => "<p class=\"ok\" id=\"saved\">已转办。</p>",
        Some("confirm") => "<p class=\"ok\" id=\"saved\">已确认。</p>",
        Some("accept" | "extend" | "reply" | "close" | "archive") => "<p class=\"ok\" id=\"saved\">已记录。</p>",
        Some("document") => "<p class=\"ok\" id=\"saved\">文书已生成，见下方“文书”。</p>",
        Some(_) => "<p class=\"ok\" id=\"saved\">已保存。</p>",
        None => "",
    };
    let events: String = detail
        .events
        .iter()
        .map(|e| {
            format!(
                "<li>{} {} {} {}{}</li>",
                esc(&when(&e.at)),
                esc(&e.actor),
                e.action.label(),
                e.detail.as_deref().map(esc).unwrap_or_default(),
                e.due_at
                    .as_deref()
                    .map(|d| format!("（期限 {}）", esc(d)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let body = format!(
        "<h1>{}</h1>{saved}<div class=\"split\"><div>{doubtful}{form}{route_form}{step_form}{documents}\
         <p><a href=\"/api/cases/{id}/original\">原件</a> · <a href=\"/api/cases/{id}/filed\">归档副本（PDF/A）</a></p>\
         <h2>经过</h2><ul>{events}</ul><h2>识别文字</h2><pre style=\"white-space:pre-wrap\">{}</pre></div>\
         <div>{viewer}</div></div>",
        esc(&c.registration_number),
        esc(&detail.text)
    );
    Ok(page(&c.registration_number, Some(&user), &body).into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
    /// An officer's reason for seeing an accuser's identity (audited).
    unmask: Option<String>,
}

/// Purpose classes by law, as the review form offers them (the most common first).
fn purposes() -> Vec<(&'static str, &'static str)> {
    [Purpose::Demand, Purpose::Suggestion, Purpose::Accusation]
        .into_iter()
        .map(|p| (p.as_str(), p.label()))
        .collect()
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: Option<String>,
    action: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    letter_date: Option<String>,
    summary: Option<String>,
    category: Option<String>,
    purpose: Option<Purpose>,
    accused: Option<String>,
    /// Why the accusation flag or an accused body is cleared (officers only).
    reason: Option<String>,
}

/// The review form: corrections (only the fields that changed) and, with `confirm`, the
/// mailroom's confirmation that the register entry is right.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Correct)?;
    user.check_csrf(f.csrf.as_deref())?;
    let actor = user.as_actor();
    let confirm = f.action.as_deref() == Some("confirm");
    let st = state.clone();
    let outcome = state
        .with_registry(move |r| {
            let Some(current) = r.case(id)? else {
                return Ok(Err(Refusal::NotFound));
            };
            let changed = |new: Option<String>, old: &Option<String>| {
                new.map(|v| v.trim().to_string()).filter(|v| {
                    Some(v.as_str()) != old.as_deref() && !(v.is_empty() && old.is_none())
                })
            };
            let s = &current.summary;
            let corrections = crate::domain::Corrections {
                name: changed(f.name, &s.name),
                id_number: changed(f.id_number, &s.id_number),
                phone: changed(f.phone, &s.phone),
                address: changed(f.address, &current.address),
                letter_date: changed(f.letter_date, &current.letter_date),
                summary: changed(f.summary, &s.summary),
                category: changed(f.category, &s.category),
                purpose: f.purpose.filter(|p| *p != current.purpose),
                accused: f
                    .accused
                    .map(|a| crate::bodies::split_list(&a))
                    .filter(|a| *a != current.accused),
                reason: f.reason,
                ..Default::default()
            };
            let config = st.config();
            let rules = crate::domain::Rules { deadlines: &config.deadlines, names: &config.bodies };
            let result = r.apply(id, &crate::domain::Action::Correct(corrections), &actor, rules)?;
            if result.is_ok() && confirm {
                if let Err(refusal) = r.apply(id, &crate::domain::Action::Confirm, &actor, rules)? {
                    return Ok(Err(refusal));
                }
            }
            Ok(result)
        })
        .await?;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!(
            "/cases/{id}?saved={}",
            if confirm { "confirm" } else { "save" }
        ))
        .into_response()),
        Err(refusal) => refused(&user, "更正未保存", id, refusal),
    }
}

/// The page a refused form action answers with (422), or 404 for a case that is not there.
fn refused(user: &CurrentUser, title: &str, id: i64, refusal: Refusal) -> Result<Response, ApiError> {
    match refusal {
        Refusal::NotFound => Err(ApiError::not_found("case")),
        Refusal::Forbidden(m) => Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", m)),
        Refusal::WrongState(m) | Refusal::Invalid(m) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                title,
                Some(user),
                &format!(
                    "<p class=\"error\">{}</p><p><a href=\"/cases/{id}\">返回</a></p>",
                    esc(&m)
                ),
            ),
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
pub struct RouteForm {
    csrf: Option<String>,
    kind: RouteKind,
    body: Option<String>,
    reason: Option<String>,
}

/// The route form on the case page.
pub async fn route(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RouteForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Route)?;
    user.check_csrf(f.csrf.as_deref())?;
    let route = crate::domain::Route {
        kind: f.kind,
        body: f.body,
        reason: f.reason,
    };
    match api::apply_outcome(&state, &user, id, crate::domain::Action::Route(route)).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=route")).into_response()),
        Err(refusal) => refused(&user, "未能转办", id, refusal),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: Option<String>,
    step: Step,
    note: Option<String>,
}

/// The step buttons on the case page (accept, extend, reply, close, archive): plain forms,
/// so they work without JavaScript.
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, ApiError> {
    user.require(Act::Step(f.step))?;
    user.check_csrf(f.csrf.as_deref())?;
    let note = f.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let step = f.step;
    match api::apply_outcome(&state, &user, id, crate::domain::Action::Step { step, note }).await? {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved={}", step.as_str())).into_response()),
        Err(refusal) => refused(&user, "未能办理", id, refusal),
    }
}
