//! Names of bodies (机关、单位) compared the way people mean them, for the accusation
//! guard: "鱼岳镇人民政府", "鱼岳镇政府", "鱼岳镇 人民政府" (a space), "鱼岳镇\u{200b}人民政府"
//! (a zero-width space), "中共鱼岳镇委员会" and "嘉鱼县鱼岳镇" are one body; "市教育局" and
//! "县教育局" are two. The forms come from `data/bodies.toml` (or the bureau's own file):
//! prefixes and leadership suffixes dropped, the place levels, and alias groups. Pure
//! functions over owned tables; nothing here knows about cases.

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

pub const DEFAULT_BODIES: &str = include_str!("../data/bodies.toml");

/// The alias table as written in the file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BodyForms {
    pub party_prefixes: Vec<String>,
    pub leadership_suffixes: Vec<String>,
    pub levels: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<AliasGroup>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AliasGroup {
    pub names: Vec<String>,
}

/// The table ready for comparing: suffixes longest first, alias names as keys.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyNames {
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    levels: Vec<String>,
    /// Each group's keys; the first is the group's canonical key.
    aliases: Vec<Vec<String>>,
}

impl Default for BodyNames {
    fn default() -> Self {
        let forms: BodyForms = toml::from_str(DEFAULT_BODIES).expect("embedded data/bodies.toml is valid");
        BodyNames::new(forms)
    }
}

/// A name with everything that does not tell bodies apart removed: NFKC (full-width
/// letters and digits become plain), whitespace, format characters (zero-width spaces,
/// joiners, the BOM, bidi marks) and punctuation.
pub fn normalize(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace() && !is_format(*c) && !is_punctuation(*c))
        .collect()
}

/// Unicode general category Cf, the characters that show nothing (the ranges that occur in
/// text: soft hyphen, Arabic/Syriac marks, the zero-width and bidi controls, word joiner
/// and invisible operators, BOM, interlinear annotation, tags).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}'
        // Not Cf but shown as nothing: variation selectors, the combining grapheme
        // joiner, Hangul fillers, the blank Braille pattern, Khmer inherent vowels,
        // musical-symbol formatting, shorthand format controls.
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{034F}' | '\u{115F}'
        | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{17B4}' | '\u{17B5}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{1BCA0}'..='\u{1BCA3}')
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '·' | '•' | '・' | '（' | '）' | '【' | '】' | '《' | '》' | '〈' | '〉' | '“' | '”'
            | '‘' | '’' | '「' | '」' | '『' | '』' | '、' | '，' | '。' | '：' | '；' | '—' | '－')
}

impl BodyNames {
    pub fn new(forms: BodyForms) -> BodyNames {
        let clean = |v: &[String]| -> Vec<String> {
            let mut v: Vec<String> = v.iter().map(|s| normalize(s)).filter(|s| !s.is_empty()).collect();
            v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
            v
        };
        let mut names = BodyNames {
            prefixes: clean(&forms.party_prefixes),
            suffixes: clean(&forms.leadership_suffixes),
            levels: clean(&forms.levels),
            aliases: Vec::new(),
        };
        // Alias groups hold stems (the level in front dropped), so one group serves every
        // level: 市住建局 = 市住房和城乡建设局 as 县住建局 = 县住房和城乡建设局.
        names.aliases = forms
            .aliases
            .iter()
            .map(|g| {
                g.names
                    .iter()
                    .map(|n| names.stem(&names.key(n)).to_string())
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g: &Vec<String>| g.len() > 1)
            .collect();
        names
    }

    /// Parses a bureau's own table.
    pub fn from_toml(text: &str) -> Result<BodyNames, toml::de::Error> {
        Ok(BodyNames::new(toml::from_str(text)?))
    }

    fn ends_in_level(&self, s: &str) -> bool {
        self.levels.iter().any(|l| s.ends_with(l.as_str()))
    }

    fn starts_with_level(&self, s: &str) -> bool {
        self.levels.iter().any(|l| s.starts_with(l.as_str()))
    }

    /// A key that names no particular body: empty, or a level alone ("县" from
    /// "县人民政府"). It equals only the same generic key, and is never found inside
    /// another name.
    pub fn is_generic(&self, key: &str) -> bool {
        key.is_empty()
            || self.levels.iter().any(|l| l == key)
            || self.suffixes.iter().any(|l| l == key)
    }

    /// A key that is a level alone ("县" of "县人民政府"): the leadership of the bureau's
    /// own county, city or town, written without its name.
    fn is_level(&self, key: &str) -> bool {
        self.levels.iter().any(|l| l == key)
    }

    /// The body's key: normalised, a party prefix dropped, and the longest leadership
    /// suffix dropped that leaves the name ending in a place level.
    pub fn key(&self, name: &str) -> String {
        let mut n = normalize(name);
        if let Some(p) = self.prefixes.iter().find(|p| n.starts_with(p.as_str()) && n.len() > p.len()) {
            n = n[p.len()..].to_string();
        }
        for s in &self.suffixes {
            if let Some(rest) = n.strip_suffix(s.as_str()) {
                if self.ends_in_level(rest) {
                    return rest.to_string();
                }
            }
        }
        n
    }

    /// `long` is `short` with places in front: "嘉鱼县鱼岳镇" of "鱼岳镇", "嘉鱼县教育局"
    /// of "县教育局" (a name that starts with a level is relative to the bureau's place).
    fn qualifies(&self, long: &str, short: &str) -> bool {
        if long.len() <= short.len() {
            return false;
        }
        let Some(front) = long.strip_suffix(short) else {
            return false;
        };
        // "县" (县人民政府) may be any named county's leadership: 嘉鱼县人民政府 is it.
        if self.is_level(short) {
            return !front.is_empty();
        }
        if self.is_generic(short) || short.chars().count() < 2 {
            return false;
        }
        self.ends_in_level(front) || self.starts_with_level(short)
    }

    /// A name without a level in front: "县住建局" -> "住建局"; "住建局" as it is.
    fn stem<'a>(&self, key: &'a str) -> &'a str {
        self.levels
            .iter()
            .filter_map(|l| key.strip_prefix(l.as_str()))
            .find(|rest| rest.chars().count() >= 2)
            .unwrap_or(key)
    }

    /// The key with an alias group's member (whole, or with places in front) replaced by
    /// the group's canonical key.
    fn canonical(&self, key: &str) -> String {
        for group in &self.aliases {
            for alias in group {
                if let Some(front) = key.strip_suffix(alias.as_str()) {
                    if front.is_empty() || self.ends_in_level(front) {
                        return format!("{front}{}", group[0]);
                    }
                }
            }
        }
        key.to_string()
    }

    /// Whether two names are one body for the guard.
    pub fn same(&self, a: &str, b: &str) -> bool {
        let (na, nb) = (normalize(a), normalize(b));
        if na.is_empty() || nb.is_empty() {
            return false;
        }
        if na == nb {
            return true;
        }
        let (ka, kb) = (self.canonical(&self.key(a)), self.canonical(&self.key(b)));
        if ka.is_empty() || kb.is_empty() {
            return false;
        }
        ka == kb || self.qualifies(&ka, &kb) || self.qualifies(&kb, &ka)
    }

    /// Whether a letter's text names the body: its full name, or a key specific enough
    /// to be read as that body (three characters or more, not generic), or one of its
    /// aliases.
    pub fn mentioned_in(&self, text: &str, body: &str) -> bool {
        let text = normalize(text);
        let full = normalize(body);
        let own_key = self.key(body);
        if full.is_empty() || (self.is_generic(&own_key) && !self.is_level(&own_key)) {
            return false;
        }
        if text.contains(&full) {
            return true;
        }
        if self.is_generic(&own_key) {
            return false;
        }
        let key = self.canonical(&self.key(body));
        // The key, and the key with places in front taken off one by one (a letter names
        // 鱼岳镇 where the route says 嘉鱼县鱼岳镇).
        let mut forms = vec![key.clone()];
        for (i, _) in key.char_indices().skip(1) {
            let (front, tail) = key.split_at(i);
            let Some(level) = self.levels.iter().find(|l| front.ends_with(l.as_str())) else {
                continue;
            };
            if front == level.as_str() {
                continue; // "市信访局" is the city's, not any 信访局.
            }
            if self.ends_in_level(tail) {
                forms.push(tail.to_string()); // 嘉鱼县鱼岳镇 -> 鱼岳镇
            } else {
                forms.push(format!("{level}{tail}")); // 嘉鱼县教育局 -> 县教育局
            }
        }
        // And every alias of the body, at the same level.
        let mut more = Vec::new();
        for form in &forms {
            for group in &self.aliases {
                if let Some(front) = form.strip_suffix(group[0].as_str()) {
                    if front.is_empty() || self.ends_in_level(front) {
                        more.extend(group.iter().map(|a| format!("{front}{a}")));
                    }
                }
            }
        }
        forms.extend(more);
        forms
            .iter()
            .any(|k| !self.is_generic(k) && k.chars().count() >= 3 && text.contains(k.as_str()))
    }
}

/// Splits a field that may list several bodies (抄送: "县纪委、县监委；县审计局").
pub fn split_list(field: &str) -> Vec<String> {
    let field: String = field.nfkc().collect();
    field
        .split(['、', '，', ',', '；', ';', '\n', '/', '及'])
        .map(str::trim)
        .filter(|s| !normalize(s).is_empty())
        .map(str::to_string)
        .collect()
}

/// What the guard checks of a list field: each listed body, and each piece of one that
/// spaces divide ("县纪委 鱼岳镇人民政府" is two bodies; "鱼岳镇 人民政府" is one, and its
/// pieces name nothing on their own).
pub fn recipients_in(field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in split_list(field) {
        let pieces: Vec<&str> = item.split_whitespace().collect();
        if pieces.len() > 1 {
            out.extend(pieces.iter().map(|p| p.to_string()));
        }
        out.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_one_body_are_the_same() {
        let b = BodyNames::default();
        let accused = "鱼岳镇人民政府";
        for variant in [
            "鱼岳镇政府",
            "鱼岳镇 人民政府",
            "鱼岳镇\u{200b}人民政府",
            "鱼岳镇\u{3000}人民政府",
            "鱼岳镇党委",
            "中共鱼岳镇委员会",
            "鱼岳镇",
            "嘉鱼县鱼岳镇人民政府",
            "（鱼岳镇人民政府）",
        ] {
            assert!(b.same(accused, variant), "{variant}");
            assert!(b.same(variant, accused), "{variant} (other way)");
        }
        assert!(b.same("城关街道办事处", "城关街道"));
        assert!(b.same("城关街道办", "城关街道党工委"));
        assert!(b.same("县住房和城乡建设局", "县住建局"));
        assert!(b.same("嘉鱼县住建局", "县住房和城乡建设局"));
        assert!(b.same("县人民政府", "县人民政府办公室"));
        assert!(b.same("ＸＹ公司", "XY公司"));
        assert!(b.same("鱼岳镇人民政府", "鱼岳镇\u{FE0F}人民政府"));
        assert!(b.same("县人民政府", "嘉鱼县人民政府"));
        assert!(b.same("市住建局", "市住房和城乡建设局"));
        assert!(b.same("住建局", "县住房和城乡建设局"));
    }

    #[test]
    fn other_bodies_are_not_the_same() {
        let b = BodyNames::default();
        let accused = "县教育局";
        for other in ["市人民政府", "县人民政府", "市教育局", "人民政府", "政府", "", " ", "县"] {
            assert!(!b.same(accused, other), "{other:?}");
        }
        assert!(!b.same("鱼岳镇人民政府", "岳镇人民政府"));
        assert!(!b.same("鱼岳镇人民政府", "牌洲湾镇人民政府"));
        assert!(!b.same("县人民政府", "市人民政府"));
        assert!(!b.same("县人民政府", "嘉鱼县鱼岳镇人民政府"));
        assert!(!b.same("县住建局", "市住建局"));
        assert!(!b.same("市住建局", "县住房和城乡建设局"));
        assert!(!b.same("鱼岳镇人民政府", "人民政府"));
    }

    #[test]
    fn a_letter_names_a_body() {
        let b = BodyNames::default();
        let text = "我实名举报鱼岳镇 政府违规占用耕地，县住建局也不管。";
        assert!(b.mentioned_in(text, "鱼岳镇人民政府"));
        assert!(b.mentioned_in(text, "县住房和城乡建设局"));
        assert!(!b.mentioned_in(text, "县教育局"));
        assert!(!b.mentioned_in(text, "县人民政府"), "the level alone is not a mention");
        assert!(!b.mentioned_in(text, "人民政府"));
        assert!(b.mentioned_in(text, "嘉鱼县鱼岳镇人民政府"), "the letter names the town without its county");
        assert!(b.mentioned_in(text, "嘉鱼县住房和城乡建设局"));
        assert!(!b.mentioned_in("县信访局：我举报……", "市信访局"), "another level's body");
    }

    #[test]
    fn lists_split_on_chinese_separators() {
        assert_eq!(split_list("县纪委、县监委；县审计局, "), ["县纪委", "县监委", "县审计局"]);
        assert!(split_list(" 、\u{200b}").is_empty());
        assert_eq!(split_list("县纪委､县监委及县审计局"), ["县纪委", "县监委", "县审计局"]);
        assert_eq!(recipients_in("县纪委 鱼岳镇人民政府"), ["县纪委", "鱼岳镇人民政府", "县纪委 鱼岳镇人民政府"]);
    }
}
