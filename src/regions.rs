//! Regions of addresses: the county-level division (GB/T 2260 code) an address names, from
//! `data/divisions.csv` (made by `scripts/divisions.py` from the PyPI package `cpca`). A
//! county name is found whole (汉川市, 孝南区; a short form like 汉川 is not a name). A
//! name that several places bear (鼓楼区 is in six prefectures) is taken where the address
//! also names its prefecture or province, else in the bureau's own area (`home`, a code
//! such as 420900), else it is left unknown rather than guessed.

use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The divisions as shipped.
pub const DIVISIONS: &str = include_str!("../data/divisions.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Six digits: 2 province, 2 prefecture, 2 county.
    pub code: String,
    pub name: String,
    pub level: Level,
}

/// The table and a matcher over its names.
pub struct Regions {
    divisions: Vec<Division>,
    by_code: HashMap<String, usize>,
    /// For each distinct name, the divisions bearing it.
    bearers: Vec<Vec<usize>>,
    matcher: AhoCorasick,
}

/// The shipped table, read once.
pub static REGIONS: LazyLock<Regions> = LazyLock::new(|| Regions::parse(DIVISIONS).expect("data/divisions.csv is well formed"));

impl Regions {
    /// Reads `code,name,level` lines (a `#` line and the header skipped).
    pub fn parse(text: &str) -> Result<Regions, String> {
        let mut divisions = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.starts_with("code,") || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(',');
            let (Some(code), Some(name), Some(level)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!("divisions line {}: not code,name,level", n + 1));
            };
            let level = match level {
                "province" => Level::Province,
                "prefecture" => Level::Prefecture,
                "county" => Level::County,
                other => return Err(format!("divisions line {}: level `{other}`", n + 1)),
            };
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("divisions line {}: code `{code}`", n + 1));
            }
            divisions.push(Division { code: code.into(), name: name.into(), level });
        }
        let by_code = divisions.iter().enumerate().map(|(i, d)| (d.code.clone(), i)).collect();
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut bearers: Vec<Vec<usize>> = Vec::new();
        for (i, d) in divisions.iter().enumerate() {
            let k = *index.entry(d.name.as_str()).or_insert_with(|| {
                names.push(d.name.clone());
                bearers.push(Vec::new());
                names.len() - 1
            });
            bearers[k].push(i);
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| e.to_string())?;
        Ok(Regions { divisions, by_code, bearers, matcher })
    }

    pub fn get(&self, code: &str) -> Option<&Division> {
        self.by_code.get(code).map(|&i| &self.divisions[i])
    }

    /// The county-level division `address` names, or `None` (none named, or a name borne by
    /// several places the address and `home` do not tell apart).
    pub fn county_of(&self, address: &str, home: Option<&str>) -> Option<&Division> {
        let mut counties: Vec<usize> = Vec::new();
        let mut context: Vec<&str> = Vec::new();
        for m in self.matcher.find_iter(address) {
            for &i in &self.bearers[m.pattern().as_usize()] {
                let d = &self.divisions[i];
                match d.level {
                    Level::County => counties.push(i),
                    _ => context.push(&d.code),
                }
            }
        }
        // The place the address itself says (its prefecture, else its province), then the
        // bureau's own area.
        let within = |d: &Division, area: &str| {
            let prefix = area.trim_end_matches("00");
            !prefix.is_empty() && d.code.starts_with(prefix)
        };
        let pick = |keep: &dyn Fn(&Division) -> bool| -> Option<usize> {
            let mut found = counties.iter().copied().filter(|&i| keep(&self.divisions[i]));
            let first = found.next()?;
            // Several different places: not told apart.
            found.all(|i| i == first).then_some(first)
        };
        let chosen = if counties.len() == 1 {
            Some(counties[0])
        } else {
            pick(&|d| context.iter().any(|c| c.ends_with("00") && !c.ends_with("0000") && within(d, c)))
                .or_else(|| pick(&|d| context.iter().any(|c| c.ends_with("0000") && within(d, c))))
                .or_else(|| home.and_then(|h| pick(&|d| within(d, h))))
        };
        chosen.map(|i| &self.divisions[i])
    }

    /// A county with its prefecture for people: 孝感市汉川市 (the prefecture left out when
    /// there is none, as for a province's directly governed counties).
    pub fn full_name(&self, code: &str) -> Option<String> {
        let d = self.get(code)?;
        let prefecture = self.get(&format!("{}00", &code[..4])).filter(|p| p.code != d.code);
        Some(match prefecture {
            Some(p) => format!("{}{}", p.name, d.name),
            None => d.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_their_county_once_and_ambiguity_is_not_guessed() {
        let r = &*REGIONS;
        let county = |a: &str, home: Option<&str>| r.county_of(a, home).map(|d| d.code.clone());
        assert_eq!(county("湖北省汉川市马口镇柳桥村3组", None).as_deref(), Some("420984"));
        assert_eq!(r.full_name("420984").as_deref(), Some("孝感市汉川市"));
        // 鼓楼区 is in several prefectures: the address's own prefecture tells which.
        let gulou: Vec<&Division> = r.divisions.iter().filter(|d| d.name == "鼓楼区").collect();
        assert!(gulou.len() >= 3, "{gulou:?}");
        assert_eq!(county("江苏省南京市鼓楼区中山路1号", None).as_deref(), Some("320106"));
        assert_eq!(county("福州市鼓楼区五四路", None).as_deref(), Some("350102"));
        // Not told apart: unknown, unless it is the bureau's own area.
        assert_eq!(county("鼓楼区中山路1号", None), None);
        assert_eq!(county("鼓楼区中山路1号", Some("320100")).as_deref(), Some("320106"));
        // A short form or no place at all.
        assert_eq!(county("汉川马口镇", None), None);
        assert_eq!(county("", None), None);
        assert!(Regions::parse("code,name,level\n12,x,county\n").is_err());
        assert!(r.divisions.len() > 3000);
    }
}
