//! The one table of error codes to Chinese sentences: the pages show them, and the API
//! sends them as `message_zh` beside the English `message`. Intake's codes come with their
//! own sentences (`ingest::ErrorCode::message_zh`).

/// The Chinese sentence for an error code; a general one for a code not in the table.
pub fn zh(code: &str) -> &'static str {
    match code {
        "unauthorized" => "请先登录。",
        "forbidden" => "您的角色无权进行此操作。",
        "csrf" => "页面已过期，请刷新后重试。",
        "bad_credentials" => "用户名或密码不正确。",
        "too_many_attempts" => "登录失败次数过多，请稍后再试。",
        "bad_request" => "请求的内容不正确。",
        "bad_upload" => "上传的内容无法读取，请重新选择文件上传。",
        "no_file" => "没有选择要上传的文件。",
        "field_too_large" => "表单中填写的内容过长。",
        "too_large" => "提交的内容超过允许的大小。",
        "spool_full" => "待处理的文件已占满存储空间，请稍后再上传或联系管理员。",
        "busy" => "正在进行中，请稍后再试。",
        "wrong_state" => "案件当前的状态不允许此操作。",
        "refused" => "此操作未被接受，请按提示补充或更正后重试。",
        "need_to_know" => "查看检举控告人的身份须填写理由。",
        "not_found" => "没有找到要访问的内容。",
        "invalid" => "填写的内容不完整或不正确。",
        "unknown_kind" => "没有这种文书。",
        "template_error" => "文书模板有误，请联系管理员。",
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

    /// Every code the service answers with has its own sentence: the codes written in the
    /// server's sources (`ApiError::new(…, "code", …)` and the like), the document
    /// generator's and intake's.
    #[test]
    fn every_code_has_its_own_chinese_sentence() {
        let general = zh("no such code");
        let sources = [
            include_str!("mod.rs"),
            include_str!("auth.rs"),
            include_str!("letters.rs"),
            include_str!("cases.rs"),
            include_str!("documents.rs"),
            include_str!("binder.rs"),
            include_str!("admin.rs"),
            include_str!("spool.rs"),
            include_str!("../documents/mod.rs"),
        ];
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
        for kind in ["unknown_kind", "template_error", "not_found", "refused", "invalid", "render_failed", "storage_failed"] {
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
