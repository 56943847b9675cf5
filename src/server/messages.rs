//! The one table of error codes to Chinese sentences: the pages show them, and the API
//! sends them as `message_zh` beside the English `message`. Intake's codes come with their
//! own sentences (`ingest::ErrorCode::message_zh`). Also the audit log's action codes in
//! Chinese, for the administrator's viewer.

use crate::domain::{RouteKind, Step};

/// The audit log's own action codes and their names (the case life's routes and steps
/// are named by their vocabulary, `route-…` and the step's code).
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("logout", "退出"),
    ("register", "登记"),
    ("confirm", "确认登记内容"),
    ("correct", "更正登记内容"),
    ("set-handler", "指定承办人"),
    ("risk-seen", "首阅风险件"),
    ("list-leader", "查看待批示"),
    ("read-case-for-review", "登记复查复核请求时查看原案"),
    ("review-request", "登记复查复核请求"),
    ("evaluate", "记录满意度评价"),
    ("clear-accusation", "解除检举控告标记"),
    ("generate", "生成文书"),
    ("adopted", "记录建议采纳情况"),
    ("void-document", "作废文书"),
    ("draft-document", "生成文书草稿"),
    ("read-case", "查看案件"),
    ("read-case-masked", "查看案件（身份已遮蔽）"),
    ("unmask-accuser", "查看检举控告人身份"),
    ("read-original", "查看来信原件"),
    ("read-filed", "查看归档副本"),
    ("read-page", "查看扫描页"),
    ("read-person", "查看同一信访人的来信"),
    ("list-cases", "查询案件列表"),
    ("export-cases", "导出案件列表"),
    ("list-queue", "查看待核对"),
    ("list-inbox", "查看收件"),
    ("list-documents", "查看文书列表"),
    ("read-document", "下载文书"),
    ("read-job", "查看处理进度"),
    ("read-audit", "查看审计日志"),
    ("read-stats", "查看统计"),
    ("export-audit", "导出审计日志"),
    ("list-users", "查看用户"),
    ("binder", "装订年度案卷"),
    ("binder-preview", "查看装订预览"),
    ("read-binder", "下载案卷文件"),
    ("user-add", "新增用户"),
    ("user-role", "更改用户角色"),
    ("user-reset-password", "重置用户密码"),
    ("user-disable", "停用用户"),
    ("user-enable", "启用用户"),
    ("password-change", "修改本人密码"),
    ("contact-change", "修改本人姓名或电话"),
];

/// Every action code the viewer can filter by, with its name: the table's, then the
/// routes and steps.
pub fn audit_actions() -> Vec<(String, String)> {
    AUDIT_ACTIONS
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .chain(RouteKind::ALL.iter().map(|k| (format!("route-{}", k.as_str()), format!("办理：{}", k.label()))))
        .chain(Step::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())))
        .collect()
}

/// The conditions a list or a read of the log was asked with (`q="工资" status=registered
/// overdue`), in words: 检索“工资” 状态=已登记 已超期.
fn conditions_zh(details: &str) -> String {
    static WORD: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#"([a-z_]+)=("(?:[^"\\]|\\.)*"|\S+)|(\S+)"#).expect("a valid pattern"));
    WORD.captures_iter(details)
        .map(|c| {
            let Some(key) = c.get(1) else {
                return match &c[3] {
                    "overdue" => "已超期".to_string(),
                    other => other.to_string(),
                };
            };
            let raw = &c[2];
            let value = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string());
            match key.as_str() {
                "q" => format!("检索“{value}”"),
                "status" => format!("状态={}", crate::domain::Status::parse(&value).map(|s| s.label().to_string()).unwrap_or(value)),
                "category" => format!("类别={value}"),
                "handler" => format!("承办人={value}"),
                "due_within" => format!("{value}日内到期"),
                "before_id" | "after" => "（翻页）".to_string(),
                "sort" => crate::registry::cases::Sort::parse(&value).map(|s| s.label().to_string()).unwrap_or(value),
                "user" => format!("用户={value}"),
                "case" => format!("案件={value}"),
                "action" => format!("操作={}", audit_zh(&value).0),
                "purpose" => format!("目的={}", crate::domain::Purpose::parse(&value).map(|p| p.label().to_string()).unwrap_or(value)),
                "from" => format!("自{value}"),
                "to" => format!("至{value}"),
                "period" => format!("期间={}", crate::stats::Period::parse(&value).map(|p| p.label()).unwrap_or(value)),
                other => format!("{other}={value}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An audit entry's action for people: (its name in Chinese, the details written after
/// the code, if any). An unknown code is shown as it is.
pub fn audit_zh(action: &str) -> (String, String) {
    let cut = action.find([' ', ':']).unwrap_or(action.len());
    let (code, details) = (&action[..cut], action[cut..].trim_start_matches([' ', ':']).trim());
    let name = AUDIT_ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.to_string())
        .or_else(|| {
            let route = code.strip_prefix("route-").and_then(RouteKind::parse);
            route.map(|k| format!("办理：{}", k.label())).or_else(|| Step::parse(code).map(|s| s.label().to_string()))
        })
        .unwrap_or_else(|| code.to_string());
    // A user's new role is written last, by its code (`user-add 张三 mailroom`): shown by
    // its name (the user's own name may be a role's code too).
    let details = match (code, details.rsplit_once(' ')) {
        ("user-add" | "user-role", Some((user, role))) => match crate::domain::Role::parse(role) {
            Some(r) => format!("{user} {}", r.label()),
            None => details.to_string(),
        },
        _ if details.contains('=') || details == "overdue" || details.starts_with("overdue ") => conditions_zh(details),
        _ => details.to_string(),
    };
    (name, details)
}

/// The Chinese sentence for an error code; a general one for a code not in the table.
pub fn zh(code: &str) -> &'static str {
    match code {
        "unauthorized" => "请先登录。",
        "forbidden" => "您的角色无权进行此操作。",
        "csrf" => "页面已过期，请刷新后重试。",
        "bad_credentials" => "用户名或密码不正确。",
        "too_many_attempts" => "登录失败次数过多，请稍后再试。",
        "bad_request" => "请求的内容不正确。",
        "method_not_allowed" => "此地址不接受这种请求方式。",
        "unsupported_media_type" => "请求内容的类型不对（例如应为 JSON）。",
        "bad_upload" => "上传的内容无法读取，请重新选择文件上传。",
        "no_file" => "没有选择要上传的文件。",
        "field_too_large" => "表单中填写的内容过长。",
        "too_large" => "提交的内容超过允许的大小。",
        "spool_full" => "待处理的文件已占满存储空间，请稍后再上传或联系管理员。",
        "busy" => "正在进行中，请稍后再试。",
        "already_bound" => "该年度已经装订过；要重新装订，请明确选择“重新装订”。",
        "already_void" => "该文书已作废，作废原因保留不变。",
        "wrong_state" => "案件当前的状态不允许此操作。",
        "refused" => "此操作未被接受，请按提示补充或更正后重试。",
        "need_to_know" => "查看检举控告人的身份须填写理由。",
        "not_found" => "没有找到要访问的内容。",
        "invalid" => "填写的内容不完整或不正确。",
        "unknown_kind" => "没有这种文书。",
        "template_error" => "文书模板有误，请联系管理员。",
        "missing_fields" => "生成文书还缺少需要填写的内容。",
        "unprintable" => "文书字体里没有某些字，请改用常用字后再生成。",
        "render_failed" => "文书排版失败，请联系管理员。",
        "internal" => "服务出现错误，管理员可在日志中查看详情。",
        _ => crate::ingest::ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == code)
            .map(|c| c.message_zh())
            .unwrap_or("操作未能完成，请联系管理员。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's own sources (each test adds the others it reads).
    const SERVER: [&str; 7] = [
        include_str!("mod.rs"),
        include_str!("auth.rs"),
        include_str!("letters.rs"),
        include_str!("cases.rs"),
        include_str!("documents.rs"),
        include_str!("binder.rs"),
        include_str!("admin.rs"),
    ];

    /// Every action the server, the CLI and the case life write to the audit log has a
    /// Chinese name: the string literals in front of `audit(` calls and in the life's
    /// entries are read from the sources.
    #[test]
    fn every_audit_action_has_a_chinese_name() {
        let sources = SERVER.iter().chain(&[
            include_str!("../cli.rs"),
            include_str!("../domain/life.rs"),
            include_str!("../registry/sqlite/cases.rs"),
            include_str!("../registry/sqlite/documents.rs"),
        ]);
        // The literals in each statement that writes or names an action (from the marker to
        // the statement's end), the users' codes wherever they are formatted, and the one
        // written by SQL.
        let literal = regex::Regex::new(r#""([a-z]+(?:-[a-z]+)*)(?:"|: | \{)"#).unwrap();
        let anywhere = regex::Regex::new(r#""(user-[a-z-]+) |VALUES \(\?1, \?2, '([a-z-]+)'"#).unwrap();
        let markers = ["audit(", "let action =", "let what =", "Transition::entry(", "audit: ", "read_log("];
        let mut seen = std::collections::BTreeSet::new();
        for src in sources {
            for m in markers {
                for (i, _) in src.match_indices(m) {
                    let rest = &src[i + m.len()..];
                    let end = rest.find(';').unwrap_or(rest.len()).min(400);
                    for c in literal.captures_iter(&rest[..end]) {
                        seen.insert(c[1].to_string());
                    }
                }
            }
            for c in anywhere.captures_iter(src) {
                seen.insert(c.get(1).or(c.get(2)).unwrap().as_str().to_string());
            }
        }
        for code in ["register", "login", "logout", "generate", "adopted", "read-page", "binder", "user-add", "user-enable", "password-change", "export-audit"] {
            assert!(seen.contains(code), "the scan misses `{code}`: {seen:?}");
        }
        for code in &seen {
            let (name, _) = audit_zh(code);
            assert!(!name.chars().any(|c| c.is_ascii_lowercase()), "`{code}` has no Chinese name");
        }
        assert_eq!(audit_zh("route-transfer").0, "办理：转送");
        assert_eq!(audit_zh("unmask-accuser: 核实"), ("查看检举控告人身份".into(), "核实".into()));
        assert_eq!(audit_zh("binder 2026"), ("装订年度案卷".into(), "2026".into()));
        assert_eq!(audit_zh("user-add analyst analyst"), ("新增用户".into(), "analyst 统计分析".into()));
        assert_eq!(
            audit_zh(r#"list-cases q="工 资" status=registered overdue before_id=9"#),
            ("查询案件列表".into(), "检索“工 资” 状态=已登记 已超期 （翻页）".into())
        );
        assert_eq!(audit_zh(r#"list-cases handler=张三 sort=due after="2026-12-01~7""#).1, "承办人=张三 按期限从近到远 （翻页）");
        assert_eq!(audit_zh(r#"read-audit user="张三" action="user-add""#).1, "用户=张三 操作=新增用户");
        assert_eq!(audit_zh("something-new"), ("something-new".into(), String::new()));
    }

    /// Every code the service answers with has its own sentence: the codes written in the
    /// server's sources (`ApiError::new(…, "code", …)` and the like), the document
    /// generator's and intake's.
    #[test]
    fn every_code_has_its_own_chinese_sentence() {
        let general = zh("no such code");
        let sources = SERVER.iter().chain(&[include_str!("spool.rs"), include_str!("../documents/mod.rs")]);
        let mut codes = std::collections::BTreeSet::new();
        for src in sources {
            // The code is the string after the status in `ApiError::new(status, "code", …)`.
            for (i, _) in src.match_indices("ApiError::new(") {
                let rest = &src[i..];
                let (Some(comma), Some(q)) = (rest.find(','), rest.find('"')) else { continue };
                // (Only whitespace between: a code computed at run time is listed below.)
                if q < comma || !rest[comma + 1..q].trim().is_empty() {
                    continue;
                }
                let word: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
                assert!(word.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{word}");
                codes.insert(word);
            }
        }
        // Codes chosen at run time: the upload's refusals, the generator's kinds.
        for code in ["too_large", "bad_upload", "no_file", "spool_full", "field_too_large"] {
            codes.insert(code.to_string());
        }
        for code in ["method_not_allowed", "unsupported_media_type", "already_bound"] {
            codes.insert(code.to_string());
        }
        for kind in ["missing_fields", "unprintable", "unknown_kind", "template_error", "not_found", "refused", "invalid", "render_failed", "storage_failed"] {
            codes.insert(kind.to_string());
        }
        for c in crate::ingest::ErrorCode::ALL {
            codes.insert(c.as_str().to_string());
        }
        assert!(codes.len() > 25, "{codes:?}");
        for code in &codes {
            let s = zh(code);
            assert_ne!(s, general, "no sentence for `{code}`");
            assert!(!s.chars().any(|c| c.is_ascii_lowercase()), "`{code}`: {s}");
        }
    }
}
