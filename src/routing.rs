//! Where a case should go, and where it must never go. The routing table (county or
//! district, category) -> competent body comes from `data/routing.toml` or the bureau's
//! own file; the officer confirms the suggestion. Accusation material (检举、揭发、控告) is
//! never sent to the body it accuses: a route to a body the letter names as accused, or
//! that an officer marked as accused, is refused with the reason.

use crate::bodies::{normalize, BodyNames};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// County or district as written in addresses ("嘉鱼县", "江宁区"), or "*".
    pub county: String,
    /// Content category, or "*".
    pub category: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoutingTable {
    pub rules: Vec<RouteRule>,
}

pub const DEFAULT_ROUTING: &str = include_str!("../data/routing.toml");

impl Default for RoutingTable {
    fn default() -> Self {
        toml::from_str(DEFAULT_ROUTING).expect("embedded data/routing.toml is valid")
    }
}

impl RoutingTable {
    /// The first rule matching the letter's county (found in its address) and category.
    pub fn suggest(&self, address: Option<&str>, category: Option<&str>) -> Option<&str> {
        let address = address.unwrap_or("");
        self.rules
            .iter()
            .find(|r| {
                (r.county == "*" || address.contains(&r.county))
                    && (r.category == "*" || Some(r.category.as_str()) == category)
            })
            .map(|r| r.body.as_str())
    }
}

/// Words that make a letter accusation material by law (检举控告类).
const ACCUSATION_WORDS: [&str; 5] = ["检举", "揭发", "控告", "举报", "告发"];

pub fn is_accusation(text: &str) -> bool {
    ACCUSATION_WORDS.iter().any(|w| text.contains(w))
}

/// What the guard needs to know of a case.
#[derive(Debug, Clone, Copy)]
pub struct GuardCase<'a> {
    /// The letter's text as read and corrected.
    pub text: &'a str,
    /// The case is marked as accusation material (检举控告类).
    pub accusation: bool,
    /// Bodies an officer marked as accused.
    pub accused: &'a [String],
}

/// Where something of the case would go, for the refusal's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The body a case is transferred or assigned to, or a document's main addressee (主送).
    To,
    /// A copy (抄送).
    Copy,
    /// The person or body a document is served on (受送达人).
    Served,
}

impl Recipient {
    fn chinese(self) -> &'static str {
        match self {
            Recipient::To => "主送",
            Recipient::Copy => "抄送",
            Recipient::Served => "受送达人",
        }
    }
}

/// The accusation guard, the one check that every route, transfer, assignment and
/// document goes through (《信访工作条例》(2022) 第三十条 forbids passing accusation material
/// to the accused; 第四十六条（五） holds to account those who do). Every recipient is refused
/// when it is, by `names`, the same body as one the case marks as accused; and, when the
/// case is accusation material or its text reads as one (so clearing the flag does not
/// open the way), when the letter's text names it.
pub fn check_recipients(
    names: &BodyNames,
    case: GuardCase<'_>,
    recipients: &[(Recipient, &str)],
) -> Result<(), String> {
    let read_text = case.accusation || is_accusation(case.text);
    for &(role, body) in recipients {
        if normalize(body).is_empty() {
            continue;
        }
        let marked = case.accused.iter().find(|a| names.same(a, body));
        let named = read_text && names.mentioned_in(case.text, body);
        if marked.is_some() || named {
            let why = match marked {
                Some(a) => format!("已标记为被反映对象（{a}）"),
                None => "是来信检举控告的对象".to_string(),
            };
            return Err(format!(
                "检举控告材料不得转送、交办给被检举控告的单位或者人员（《信访工作条例》第三十条）：{}“{}”{}",
                role.chinese(),
                body.trim(),
                why
            ));
        }
    }
    Ok(())
}

/// Why routing `case` to `body` is refused, or `None` when it may go there.
pub fn refuse_accused(names: &BodyNames, case: GuardCase<'_>, body: &str) -> Option<String> {
    check_recipients(names, case, &[(Recipient::To, body)]).err()
}

impl RoutingTable {
    /// The suggested body, unless the guard would refuse it: the route box never proposes
    /// the accused.
    pub fn suggest_guarded(
        &self,
        names: &BodyNames,
        case: GuardCase<'_>,
        address: Option<&str>,
        category: Option<&str>,
    ) -> Option<&str> {
        self.suggest(address, category)
            .filter(|body| refuse_accused(names, case, body).is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_routes_every_category() {
        let t = RoutingTable::default();
        assert_eq!(
            t.suggest(Some("湖北省咸宁市嘉鱼县"), Some("教育")),
            Some("县教育局")
        );
        assert_eq!(
            t.suggest(None, Some("没有的类别")),
            Some("县人民政府办公室")
        );
        let local: RoutingTable = toml::from_str(
            "[[rules]]\ncounty = \"嘉鱼县\"\ncategory = \"教育\"\nbody = \"嘉鱼县教育局\"\n",
        )
        .unwrap();
        assert_eq!(
            local.suggest(Some("湖北省咸宁市嘉鱼县鱼岳镇"), Some("教育")),
            Some("嘉鱼县教育局")
        );
        assert_eq!(
            local.suggest(Some("江苏省南京市江宁区"), Some("教育")),
            None
        );
    }

    fn case<'a>(text: &'a str, accusation: bool, accused: &'a [String]) -> GuardCase<'a> {
        GuardCase { text, accusation, accused }
    }

    #[test]
    fn accusations_never_go_to_the_accused() {
        let n = BodyNames::default();
        let text = "我实名举报鱼岳镇人民政府违规占用耕地，镇领导收受好处。";
        assert!(is_accusation(text));
        let why = refuse_accused(&n, case(text, true, &[]), "鱼岳镇人民政府").unwrap();
        assert!(why.contains("不得转送") && why.contains("第三十条"), "{why}");
        assert!(refuse_accused(&n, case(text, true, &[]), "县自然资源局").is_none());
        // An officer can mark the accused body when the letter names it another way.
        let marked = vec!["县自然资源局".to_string()];
        assert!(refuse_accused(&n, case(text, true, &marked), "县自然资源局").is_some());
        assert!(refuse_accused(&n, case(text, true, &marked), "县自然资源和规划局").is_some());
        // A complaint that merely mentions a body is not accusation material.
        let plea = "请鱼岳镇人民政府帮忙解决用水问题";
        assert!(refuse_accused(&n, case(plea, false, &[]), "鱼岳镇人民政府").is_none());
        // Clearing the flag does not open the way: the text itself still accuses.
        assert!(refuse_accused(&n, case(text, false, &[]), "鱼岳镇政府").is_some());
    }

    #[test]
    fn variants_of_the_accused_are_refused_and_other_bodies_are_not() {
        let n = BodyNames::default();
        let accused = vec!["鱼岳镇人民政府".to_string()];
        let c = case("来信反映土地问题", true, &accused);
        for v in ["鱼岳镇政府", "鱼岳镇 人民政府", "鱼岳镇\u{200b}人民政府", "鱼岳镇", "中共鱼岳镇委员会"] {
            assert!(refuse_accused(&n, c, v).is_some(), "{v}");
        }
        let accused = vec!["县教育局".to_string()];
        let c = case("来信反映学校乱收费", true, &accused);
        for ok in ["市人民政府", "县人民政府", "市教育局", "县人民政府办公室"] {
            assert!(refuse_accused(&n, c, ok).is_none(), "{ok}");
        }
        // Every recipient counts, not only the first.
        let refused = check_recipients(
            &n,
            c,
            &[(Recipient::To, "县人民政府"), (Recipient::Copy, "县 教育局")],
        )
        .unwrap_err();
        assert!(refused.contains("抄送"), "{refused}");
    }

    #[test]
    fn the_suggestion_never_proposes_the_accused() {
        let n = BodyNames::default();
        let t = RoutingTable::default();
        let accused = vec!["县教育局".to_string()];
        let c = case("举报学校", true, &accused);
        assert_eq!(t.suggest(None, Some("教育")), Some("县教育局"));
        assert_eq!(t.suggest_guarded(&n, c, None, Some("教育")), None);
    }
}
