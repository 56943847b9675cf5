//! Titles (题名) of the filing catalogue, after DA/T 22-2015: an item whose own title does
//! not say what it is about gets one composed for it, in `[ ]` as the standard asks for a
//! title the archivist wrote. A letter has no title: "[孙某关于学校违规收费问题的来信]".
//! A generated document prints only its kind ("信访事项转送函", the same on every case), so
//! its entry names the case: "[关于转送孙某反映学校违规收费问题的函]". The matter is cut to
//! a readable length at a clause's end, never mid-word into the next column.

/// Longest matter, in characters, a title carries.
const MATTER_CHARS: usize = 30;

/// The matter shortened: whole when short, else its first clause (or its first characters)
/// and "等问题".
pub fn short_matter(matter: &str) -> String {
    let chars: Vec<char> = matter.chars().collect();
    if chars.len() <= MATTER_CHARS {
        return matter.to_string();
    }
    let cut = chars[..MATTER_CHARS]
        .iter()
        .rposition(|c| "，；。、,;".contains(*c))
        .filter(|&at| at >= 8)
        .unwrap_or(MATTER_CHARS - 2);
    let head: String = chars[..cut].iter().collect();
    format!("{}等问题", head.trim_end_matches(['等', '的']))
}

/// A letter's catalogue title.
pub fn letter(name: Option<&str>, summary: Option<&str>) -> String {
    let who = name.filter(|n| !n.trim().is_empty()).unwrap_or("佚名");
    let matter = short_matter(&crate::documents::matter(summary));
    format!("[{who}关于{matter}的来信]")
}

/// A generated document's catalogue title, by its kind.
pub fn document(kind: &str, printed: &str, name: Option<&str>, summary: Option<&str>) -> String {
    let who = name.filter(|n| !n.trim().is_empty()).unwrap_or("佚名");
    let about = format!("{who}反映{}", short_matter(&crate::documents::matter(summary)));
    let title = match kind {
        "transfer" => format!("关于转送{about}的函"),
        "assignment" => format!("关于交办{about}的函"),
        "assignment-form" => format!("{about}的交办单"),
        "supervision" => format!("关于督办{about}的函"),
        "acceptance-notice" => format!("关于受理{about}的告知书"),
        "refusal-notice" => format!("关于不予受理{about}的告知书"),
        "no-further-notice" => format!("关于不再受理{about}的告知书"),
        "transfer-notice" => format!("关于{about}已转送有权处理机关的告知书"),
        "extension-notice" => format!("关于延期办理{about}的告知书"),
        "reply" => format!("对{about}的处理意见书"),
        "review-opinion" => format!("对{about}的复查意见书"),
        "re-review-opinion" => format!("对{about}的复核意见书"),
        "receipt" => format!("{about}有关文书的送达回证"),
        "feedback-form" => format!("{about}的办理结果反馈单"),
        "completion-report" => format!("关于{about}办理情况的报告"),
        "rec-improve-work" => format!("办理{about}中的改进工作建议书"),
        "rec-improve-policy" => format!("办理{about}中的完善政策建议书"),
        "rec-accountability" => format!("办理{about}中的追究责任建议书"),
        // A bureau's own kind: its printed title with the case.
        _ => format!("{printed}（{about}）"),
    };
    format!("[{title}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_say_what_the_item_is_about() {
        assert_eq!(letter(Some("孙红霞"), Some("关于学校违规收费问题的反映")), "[孙红霞关于学校违规收费问题的来信]");
        assert_eq!(letter(None, None), "[佚名关于有关问题的来信]");
        assert_eq!(
            document("transfer", "信访事项转送函", Some("孙红霞"), Some("关于学校违规收费问题的反映")),
            "[关于转送孙红霞反映学校违规收费问题的函]"
        );
        assert_eq!(
            document("reply", "信访事项处理意见书", Some("孙红霞"), Some("关于学校违规收费问题的反映")),
            "[对孙红霞反映学校违规收费问题的处理意见书]"
        );
    }

    #[test]
    fn a_long_summary_is_cut_at_a_clause() {
        let long = "要求支付2025年全年拖欠的工资，并赔偿因拖欠造成的损失，追究施工单位负责人的责任，公开处理结果".repeat(5);
        let s = short_matter(&long);
        assert!(s.chars().count() <= 34, "{s}");
        assert_eq!(s, "要求支付2025年全年拖欠的工资，并赔偿因拖欠造成的损失等问题");
        let t = letter(Some("王某"), Some(&long));
        assert!(t.starts_with("[王某关于要求支付") && t.ends_with("等问题的来信]"), "{t}");
    }
}
