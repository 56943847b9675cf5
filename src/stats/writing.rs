//! Sentences written from a period's figures for the analysis report and the bulletin
//! ("本月共登记群众来信X件，环比上升Y%……"): each a draft the analyst edits before the
//! document is final. Only figures are told: no petitioner, and no accusation's repeats.

use super::{Change, Count, Report};

/// The fields the period documents' templates use, with what each says.
pub const FIELDS: &[(&str, &str)] = &[
    ("期间", "统计期间，如 2026年11月"),
    ("概况", "收信总量与环比、同比，初信、重复件、联名信"),
    ("分类情况", "按类别和目的的分布"),
    ("地区分布", "来信较多的县（市、区）"),
    ("办理情况", "转送、交办、办理，及时受理率、按期办结率，超期件"),
    ("热点问题", "较上一期增长最多的类别与地区"),
];

/// "上升 12.5%" as a clause: "环比上升12.5%（上一期8件）", "环比持平", or, with nothing
/// before, "上一期没有来信".
fn compared(name: &str, c: &Change, before_label: &str) -> String {
    match c.percent {
        None => format!("{before_label}没有来信"),
        Some(_) => format!("{name}{}（{before_label}{}件）", c.words().replace(' ', ""), c.before),
    }
}

/// A share in per cent with one decimal ("占37.5%").
fn share(n: i64, of: i64) -> String {
    if of == 0 { String::new() } else { format!("，占{:.1}%", 100.0 * n as f64 / of as f64) }
}

/// "甲、乙和丙".
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}和{last}", rest.join("、")),
    }
}

/// The lines with letters, most first (the order they have when equal).
fn leading(counts: &[Count], n: usize) -> Vec<&Count> {
    let mut v: Vec<&Count> = counts.iter().filter(|c| c.count > 0 && !c.code.is_empty()).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count));
    v.truncate(n);
    v
}

/// The fields of `FIELDS`, written from `report`.
pub fn sentences(report: &Report) -> Vec<(&'static str, String)> {
    let f = &report.figures;
    let label = f.label.clone();
    let mut out = vec![("期间", label.clone())];
    if f.received == 0 {
        out.push(("概况", format!("{label}，我局没有登记群众来信。")));
    } else {
        let mut s = format!(
            "{label}，我局共登记群众来信{}件，{}，{}。",
            f.received,
            compared("环比", &report.received_vs_previous, "上一期"),
            compared("同比", &report.received_vs_year_before, "去年同期"),
        );
        s.push_str(&format!("其中初次来信{}件、重复来信{}件", f.first, f.repeats));
        if f.joint > 0 {
            s.push_str(&format!("；联名信{}件，涉及{}人", f.joint, f.joint_people));
            if f.collective > 0 {
                s.push_str(&format!("，其中{}人以上的集体信{}件", super::COLLECTIVE, f.collective));
            }
        }
        s.push('。');
        out.push(("概况", s));
    }
    // Categories: the three with most letters and their shares; the purposes.
    let top = leading(&f.by_category, 3);
    let mut s = String::new();
    if !top.is_empty() {
        let named: Vec<String> = top.iter().map(|c| format!("{}类{}件{}", c.label, c.count, share(c.count, f.received))).collect();
        s.push_str(&format!("从反映的内容看，来信主要集中在{}。", listed(&named)));
        let first = top[0];
        if let Some(c) = report.categories.iter().find(|c| c.code == first.code) {
            if c.vs_previous.percent.is_some() {
                s.push_str(&format!("{}类环比{}。", first.label, c.vs_previous.words().replace(' ', "")));
            }
        }
    }
    if f.received > 0 {
        let purposes: Vec<String> = f.by_purpose.iter().map(|p| format!("{}类{}件", p.label, p.count)).collect();
        s.push_str(&format!("按信访目的分，{}。", purposes.join("、")));
    }
    out.push(("分类情况", if s.is_empty() { "本期没有可分类的来信。".into() } else { s }));
    // Regions.
    let regions = leading(&f.by_region, 3);
    let unknown = f.by_region.iter().find(|c| c.code.is_empty()).map_or(0, |c| c.count);
    let mut s = String::new();
    if !regions.is_empty() {
        let named: Vec<String> = regions.iter().map(|c| format!("{}（{}件）", c.label, c.count)).collect();
        s.push_str(&format!("从地区看，来信较多的是{}", listed(&named)));
        s.push_str(if unknown > 0 { "；" } else { "。" });
    }
    if unknown > 0 {
        s.push_str(&format!("{}件来信的地址未能确定到县（市、区）。", unknown));
    }
    out.push(("地区分布", if s.is_empty() { "本期没有来信。".into() } else { s }));
    // Handling.
    let route = |code: &str| f.by_route.iter().find(|c| c.code == code).map_or(0, |c| c.count);
    let mut s = format!(
        "本期来信中，转送{}件、交办{}件、直接办理{}件，尚未办理{}件。",
        route("transfer"),
        route("assign"),
        route("direct"),
        f.not_routed
    );
    let refused: i64 = f.by_route.iter().filter(|c| !matches!(c.code.as_str(), "transfer" | "assign" | "direct")).map(|c| c.count).sum();
    if refused > 0 {
        let named: Vec<String> = f.by_route.iter().filter(|c| c.count > 0 && !matches!(c.code.as_str(), "transfer" | "assign" | "direct")).map(|c| format!("{}{}件", c.label, c.count)).collect();
        s.push_str(&format!("另有{}。", named.join("、")));
    }
    if f.routed_in_time.of > 0 {
        s.push_str(&format!("及时受理率{}（{}件中{}件在期限内办理）", f.routed_in_time.words(), f.routed_in_time.of, f.routed_in_time.met));
        if let Some(mean) = f.days_to_route.mean {
            s.push_str(&format!("，登记至办理平均{mean:.1}天"));
        }
        s.push('。');
    }
    if f.closed_in_time.of > 0 {
        s.push_str(&format!("已办结{}件，按期办结率{}。", f.closed_in_time.of, f.closed_in_time.words()));
    }
    if f.evaluated.met > 0 {
        s.push_str(&format!(
            "已答复的{}件中{}件由信访人作出评价，参评率{}，满意率{}（满意、基本满意{}件）。",
            f.evaluated.of,
            f.evaluated.met,
            f.evaluated.words(),
            f.satisfied.words(),
            f.satisfied.met
        ));
    }
    if f.overdue > 0 {
        let bodies: Vec<String> = f
            .overdue_by_body
            .iter()
            .take(3)
            .map(|c| if c.code.is_empty() { format!("尚未转送、交办的{}件", c.count) } else { format!("{}{}件", c.label, c.count) })
            .collect();
        s.push_str(&format!("目前超过期限尚未办结的{}件，其中{}。", f.overdue, listed(&bodies)));
    } else if f.received > 0 {
        s.push_str("目前没有超过办理期限的来信。");
    }
    out.push(("办理情况", s));
    // Hot spots.
    let spots: Vec<String> = report
        .hot_spots
        .iter()
        .take(3)
        .map(|h| format!("{}的{}类问题（由{}件增至{}件）", h.region_name, h.category, h.before, h.now))
        .collect();
    let s = if spots.is_empty() {
        "与上一期相比，各地区、各类别的来信没有明显增长。".to_string()
    } else {
        format!("与上一期相比，增长较多的是{}，需重点关注。", listed(&spots))
    };
    out.push(("热点问题", s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_read_as_a_clerk_writes_them() {
        assert_eq!(compared("环比", &Change::new(5, 2), "上一期"), "环比上升150.0%（上一期2件）");
        assert_eq!(compared("同比", &Change::new(3, 3), "去年同期"), "同比持平（去年同期3件）");
        assert_eq!(compared("同比", &Change::new(3, 0), "去年同期"), "去年同期没有来信");
        assert_eq!(listed(&["甲".into(), "乙".into(), "丙".into()]), "甲、乙和丙");
        assert_eq!(listed(&["甲".into()]), "甲");
        assert_eq!(share(3, 8), "，占37.5%");
    }
}
