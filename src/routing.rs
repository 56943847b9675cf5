//! Where a case should go, and where it must never go. The routing table (county or
//! district, category) -> competent body comes from `data/routing.toml` or the bureau's
//! own file; the officer confirms the suggestion. Accusation material (检举、揭发、控告) is
//! never sent to the body it accuses: a route to a body the letter names as accused, or
//! that an officer marked as accused, is refused with the reason.

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

/// The core of a body's name, for matching it in a letter: "嘉鱼县鱼岳镇人民政府" ->
/// "嘉鱼县鱼岳镇", "县住房和城乡建设局" -> "住房和城乡建设局".
fn core_name(body: &str) -> &str {
    let body = body.trim();
    let body = body.strip_suffix("人民政府").unwrap_or(body);
    let body = body
        .strip_prefix('县')
        .or_else(|| body.strip_prefix('市'))
        .unwrap_or(body);
    body
}

/// Why routing accusation material to `body` is refused, or `None` when it may go there.
pub fn refuse_accused(text: &str, accused: &[String], body: &str) -> Option<String> {
    let core = core_name(body);
    let marked = accused.iter().any(|a| {
        let a = core_name(a);
        !a.is_empty() && (a == core || body.contains(a) || a.ends_with(core))
    });
    let named = is_accusation(text) && core.chars().count() >= 3 && text.contains(core);
    (marked || named).then(|| {
        format!(
            "检举控告材料不得转送、交办给被检举控告的单位：{body} 是本件反映的对象（《信访工作条例》）"
        )
    })
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

    #[test]
    fn accusations_never_go_to_the_accused() {
        let text = "我实名举报鱼岳镇人民政府违规占用耕地，镇领导收受好处。";
        assert!(is_accusation(text));
        let why = refuse_accused(text, &[], "鱼岳镇人民政府").unwrap();
        assert!(why.contains("不得转送"), "{why}");
        assert!(refuse_accused(text, &[], "县自然资源局").is_none());
        // An officer can mark the accused body when the letter names it another way.
        let marked = vec!["县自然资源局".to_string()];
        assert!(refuse_accused(text, &marked, "县自然资源局").is_some());
        // A complaint that merely mentions a body is not accusation material.
        assert!(
            refuse_accused("请鱼岳镇人民政府帮忙解决用水问题", &[], "鱼岳镇人民政府").is_none()
        );
    }
}
