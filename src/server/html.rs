//! The pages' common parts: HTML escaping, the page frame with its navigation and style,
//! form controls, times for people, the redirect to sign-in.

use super::auth::CurrentUser;
use axum::response::{Html, IntoResponse, Redirect, Response};

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

pub fn opt(s: &Option<String>) -> String {
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
pub fn select(name: &str, chosen: &Option<String>, options: &[(&str, &str)]) -> String {
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
pub fn when(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

