//! Statistics (信访统计): the figures of a period, counted from one row per case the
//! register gives (`StatRow`), so that the page, the CLI and the API say the same. What is
//! counted: letters received by purpose, category, channel and status now; first letters
//! and repeats; joint letters, the people in them and collective ones (5 or more); routes
//! taken; 及时受理率 (routed within the route limit, 《信访工作条例》 Art. 22: 15 days);
//! 按期办结率 (closed within the handling limit, Art. 33: 60 days, one extension); cases past
//! their limit now, by body; days to route and to close (mean, 90th percentile). Each
//! beside the period before (环比) and the same period a year before (同比). Voided
//! registrations are not letters and are left out.

pub mod charts;
pub mod period;
pub mod writing;

use crate::domain::{Channel, Purpose, RouteKind, Satisfaction, Status};
use crate::regions::REGIONS;
pub use period::{Period, PeriodKind};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A case as statistics read it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    pub id: i64,
    pub registered: NaiveDate,
    pub status: Status,
    /// How it came (every case is a letter until other channels are registered).
    pub channel: Channel,
    pub purpose: Purpose,
    pub category: Option<String>,
    /// As registered, until `locate` turns it into `county` (never shown, never kept).
    pub address: Option<String>,
    /// The county the address names (GB/T 2260 code), found once by `locate`.
    pub county: Option<String>,
    /// 联名人数 (0: not a joint letter).
    pub cosigners: i64,
    /// The earlier case this letter repeats (its registration number), if it is a repeat.
    pub repeat_of: Option<String>,
    pub route: Option<RouteKind>,
    pub body: Option<String>,
    /// The current step's limit.
    pub due: Option<NaiveDate>,
    /// The day it was routed (its first route), and the day it had to be routed by.
    pub routed: Option<NaiveDate>,
    pub route_due: Option<NaiveDate>,
    /// The day it was closed, and the handling limit then (the latest set before).
    pub closed: Option<NaiveDate>,
    pub close_due: Option<NaiveDate>,
    /// The petitioner's evaluation of the reply, if given.
    pub satisfaction: Option<crate::domain::Satisfaction>,
}

/// One line of a breakdown: its code (for links), its name, how many.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// A share: `met` of `of` (none when `of` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub met: i64,
    pub of: i64,
}

impl Rate {
    pub fn percent(&self) -> Option<f64> {
        (self.of > 0).then(|| 100.0 * self.met as f64 / self.of as f64)
    }

    /// 93.8%, or — when there is nothing to measure.
    pub fn words(&self) -> String {
        self.percent().map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
    }
}

/// Days between two events over the cases that had both.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Days {
    pub cases: i64,
    pub mean: Option<f64>,
    /// The 90th percentile (nearest rank).
    pub p90: Option<i64>,
}

impl Days {
    /// 平均 10.0 天，90% 在 20 天内（3 件）, or — when no case had both events.
    pub fn words(&self) -> String {
        match (self.mean, self.p90) {
            (Some(mean), Some(p90)) => format!("平均 {mean:.1} 天，90% 在 {p90} 天内（{} 件）", self.cases),
            _ => "—".to_string(),
        }
    }

    fn of(mut days: Vec<i64>) -> Days {
        days.sort_unstable();
        let n = days.len();
        if n == 0 {
            return Days { cases: 0, mean: None, p90: None };
        }
        let rank = (9 * n).div_ceil(10).max(1);
        Days {
            cases: n as i64,
            mean: Some(days.iter().sum::<i64>() as f64 / n as f64),
            p90: Some(days[rank - 1]),
        }
    }
}

/// The figures of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: String,
    pub label: String,
    pub from: NaiveDate,
    /// The last day included.
    pub to: NaiveDate,
    pub received: i64,
    pub by_purpose: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_channel: Vec<Count>,
    /// Each category's letters by channel: one row per `by_category` line, one count per
    /// `Channel::ALL` (the stacked chart).
    pub category_channels: Vec<Vec<i64>>,
    pub by_status: Vec<Count>,
    /// By the county the address names (GB/T 2260 code), most first; 未识别 last.
    pub by_region: Vec<Count>,
    pub first: i64,
    pub repeats: i64,
    /// The earlier cases most written about again in the period (at most ten, accusation
    /// letters left out: counting them would tell how often an accuser wrote).
    pub most_repeated: Vec<Count>,
    /// Letters signed by two or more, the people who signed them, and those by five or more.
    pub joint: i64,
    pub joint_people: i64,
    pub collective: i64,
    pub by_route: Vec<Count>,
    pub not_routed: i64,
    /// 及时受理率: routed by the route limit, of those routed.
    pub routed_in_time: Rate,
    /// 按期办结率: closed by the handling limit, of those closed.
    pub closed_in_time: Rate,
    /// Past their limit on `today` and not yet closed, by the body handling them.
    pub overdue_by_body: Vec<Count>,
    /// Each receiving body's timeliness: what it was given, closed in time, past due now.
    pub by_body: Vec<BodyFigures>,
    pub overdue: i64,
    pub days_to_route: Days,
    pub days_to_close: Days,
    /// 参评率: letters answered whose petitioner gave an evaluation, of those answered.
    pub evaluated: Rate,
    /// 满意率: 满意 and 基本满意, of those evaluated; and each answer's count.
    pub satisfied: Rate,
    pub by_satisfaction: Vec<Count>,
}

/// One receiving body's part of a period's letters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyFigures {
    pub body: String,
    /// Letters transferred or assigned to it.
    pub given: i64,
    /// Closed by the handling limit, of those closed.
    pub closed_in_time: Rate,
    /// Past their limit now and not closed.
    pub overdue: i64,
}

/// A letter signed jointly by this many or more is collective (集体).
pub const COLLECTIVE: i64 = 5;

/// The statuses of cases not yet closed.
fn open(status: Status) -> bool {
    matches!(status, Status::Registered | Status::Routed | Status::Awaiting | Status::Replied)
}

/// What figures are counted with: the vocabulary's categories in order, and the day "now"
/// is.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub categories: &'a [String],
    pub today: NaiveDate,
}

/// Finds each row's county in its address, once (`home`: the bureau's own area, `[bureau]
/// region`), and drops the address: the figures need no more of it.
pub fn locate(rows: &mut [StatRow], home: Option<&str>) {
    for row in rows {
        row.county = row.address.take().and_then(|a| REGIONS.county_of(&a, home)).map(|d| d.code.clone());
    }
}

/// Counts `rows` (the cases registered in `period`, voided ones among them left out) as of
/// `setting.today`; categories in the vocabulary's order, then any other, then 未分类.
pub fn figures(period: &Period, rows: &[StatRow], setting: Setting) -> Figures {
    let (categories, today) = (setting.categories, setting.today);
    let rows: Vec<&StatRow> = rows
        .iter()
        .filter(|r| r.status != Status::Voided && r.registered >= period.from && r.registered < period.to)
        .collect();
    let count = |f: &dyn Fn(&StatRow) -> bool| rows.iter().filter(|r| f(r)).count() as i64;
    let by_purpose = Purpose::ALL
        .iter()
        .map(|p| Count { code: p.as_str().into(), label: p.label().into(), count: count(&|r| r.purpose == *p) })
        .collect();
    let mut by_category: Vec<Count> = categories
        .iter()
        .map(|c| Count { code: c.clone(), label: c.clone(), count: count(&|r| r.category.as_deref() == Some(c)) })
        .collect();
    let mut others: Vec<String> = rows
        .iter()
        .filter_map(|r| r.category.clone())
        .filter(|c| !categories.contains(c))
        .collect();
    others.sort();
    others.dedup();
    for c in others {
        let n = count(&|r| r.category.as_deref() == Some(c.as_str()));
        by_category.push(Count { code: c.clone(), label: c, count: n });
    }
    by_category.push(Count { code: String::new(), label: "未分类".into(), count: count(&|r| r.category.is_none()) });
    let by_channel = Channel::ALL
        .iter()
        .map(|c| Count { code: c.as_str().into(), label: c.label().into(), count: count(&|r| r.channel == *c) })
        .collect();
    let category_channels = by_category
        .iter()
        .map(|k| {
            let code = (!k.code.is_empty()).then_some(k.code.as_str());
            Channel::ALL.iter().map(|c| count(&|r| r.category.as_deref() == code && r.channel == *c)).collect()
        })
        .collect();
    let by_status = Status::ALL
        .iter()
        .filter(|s| **s != Status::Voided)
        .map(|s| Count { code: s.as_str().into(), label: s.label().into(), count: count(&|r| r.status == *s) })
        .collect();
    let by_route = RouteKind::ALL
        .iter()
        .map(|k| Count { code: k.as_str().into(), label: k.label().into(), count: count(&|r| r.route == Some(*k)) })
        .collect();
    let in_time = |done: fn(&StatRow) -> Option<NaiveDate>, limit: fn(&StatRow) -> Option<NaiveDate>| {
        let measured: Vec<(NaiveDate, Option<NaiveDate>)> = rows.iter().filter_map(|r| done(r).map(|d| (d, limit(r)))).collect();
        Rate {
            met: measured.iter().filter(|(d, l)| l.is_none_or(|l| *d <= l)).count() as i64,
            of: measured.len() as i64,
        }
    };
    let overdue_rows: Vec<&&StatRow> = rows.iter().filter(|r| open(r.status) && r.due.is_some_and(|d| d < today)).collect();
    let mut bodies: Vec<String> = overdue_rows.iter().map(|r| r.body.clone().unwrap_or_default()).collect();
    bodies.sort();
    bodies.dedup();
    let mut overdue_by_body: Vec<Count> = bodies
        .into_iter()
        .map(|b| {
            let n = overdue_rows.iter().filter(|r| r.body.clone().unwrap_or_default() == b).count() as i64;
            let label = if b.is_empty() { "（未转交）".to_string() } else { b.clone() };
            Count { code: b, label, count: n }
        })
        .collect();
    overdue_by_body.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let mut bodies: HashMap<&str, BodyFigures> = HashMap::new();
    for r in rows.iter().filter(|r| matches!(r.route, Some(RouteKind::Transfer | RouteKind::Assign))) {
        let Some(body) = r.body.as_deref().filter(|b| !b.is_empty()) else { continue };
        let b = bodies.entry(body).or_insert_with(|| BodyFigures {
            body: body.to_string(),
            given: 0,
            closed_in_time: Rate { met: 0, of: 0 },
            overdue: 0,
        });
        b.given += 1;
        if let Some(closed) = r.closed {
            b.closed_in_time.of += 1;
            b.closed_in_time.met += i64::from(r.close_due.is_none_or(|l| closed <= l));
        }
        b.overdue += i64::from(open(r.status) && r.due.is_some_and(|d| d < today));
    }
    let mut by_body: Vec<BodyFigures> = bodies.into_values().collect();
    by_body.sort_by(|a, b| b.given.cmp(&a.given).then(a.body.cmp(&b.body)));
    let mut repeated: HashMap<&str, i64> = HashMap::new();
    for r in rows.iter().filter(|r| r.purpose != Purpose::Accusation) {
        if let Some(earlier) = r.repeat_of.as_deref() {
            *repeated.entry(earlier).or_default() += 1;
        }
    }
    let mut most_repeated: Vec<Count> =
        repeated.into_iter().map(|(n, count)| Count { code: n.to_string(), label: n.to_string(), count }).collect();
    most_repeated.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    most_repeated.truncate(10);
    let mut regions: HashMap<String, i64> = HashMap::new();
    for r in &rows {
        *regions.entry(r.county.clone().unwrap_or_default()).or_default() += 1;
    }
    let mut by_region: Vec<Count> = regions
        .into_iter()
        .map(|(code, count)| {
            let label = if code.is_empty() { "未识别".to_string() } else { REGIONS.full_name(&code).unwrap_or_else(|| code.clone()) };
            Count { code, label, count }
        })
        .collect();
    by_region.sort_by(|a, b| a.code.is_empty().cmp(&b.code.is_empty()).then(b.count.cmp(&a.count)).then(a.code.cmp(&b.code)));
    let days = |done: fn(&StatRow) -> Option<NaiveDate>| {
        Days::of(rows.iter().filter_map(|r| done(r).map(|d| (d - r.registered).num_days().max(0))).collect())
    };
    Figures {
        period: period.code(),
        label: period.label(),
        from: period.from,
        to: period.last_day(),
        received: rows.len() as i64,
        by_purpose,
        by_category,
        by_channel,
        category_channels,
        by_status,
        by_region,
        first: count(&|r| r.repeat_of.is_none()),
        repeats: count(&|r| r.repeat_of.is_some()),
        most_repeated,
        joint: count(&|r| r.cosigners >= 2),
        joint_people: rows.iter().filter(|r| r.cosigners >= 2).map(|r| r.cosigners).sum(),
        collective: count(&|r| r.cosigners >= COLLECTIVE),
        by_route,
        not_routed: count(&|r| r.route.is_none()),
        routed_in_time: in_time(|r| r.routed, |r| r.route_due),
        closed_in_time: in_time(|r| r.closed, |r| r.close_due),
        overdue: overdue_rows.len() as i64,
        overdue_by_body,
        by_body,
        days_to_route: days(|r| r.routed),
        days_to_close: days(|r| r.closed),
        evaluated: Rate {
            met: count(&|r| r.satisfaction.is_some()),
            of: count(&|r| matches!(r.status, Status::Replied | Status::Closed | Status::Archived)),
        },
        satisfied: Rate {
            met: count(&|r| matches!(r.satisfaction, Some(Satisfaction::Satisfied | Satisfaction::Basically))),
            of: count(&|r| r.satisfaction.is_some()),
        },
        by_satisfaction: Satisfaction::ALL
            .iter()
            .map(|s| Count { code: s.as_str().into(), label: s.label().into(), count: count(&|r| r.satisfaction == Some(*s)) })
            .collect(),
    }
}

/// A figure beside the same one before: the change in per cent (none from 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub now: i64,
    pub before: i64,
    pub percent: Option<f64>,
}

impl Change {
    pub fn new(now: i64, before: i64) -> Change {
        Change { now, before, percent: (before > 0).then(|| 100.0 * (now - before) as f64 / before as f64) }
    }

    /// 上升 12.5%, 下降 3.0%, 持平, or — when there was nothing before.
    pub fn words(&self) -> String {
        match self.percent {
            None => "—".into(),
            Some(p) if p.abs() < 0.05 => "持平".into(),
            Some(p) if p > 0.0 => format!("上升 {p:.1}%"),
            Some(p) => format!("下降 {:.1}%", -p),
        }
    }
}

/// A period's figures with the period before and the same period a year before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub figures: Figures,
    pub previous: Figures,
    pub year_before: Figures,
    /// Received: 环比 and 同比.
    pub received_vs_previous: Change,
    pub received_vs_year_before: Change,
    /// Each category: now, 环比, 同比 (in `figures.by_category`'s order).
    pub categories: Vec<CategoryChange>,
    /// The category × county cells that grew most since the period before (at most ten).
    pub hot_spots: Vec<HotSpot>,
    /// Letters per month, the 13 months up to the period's last (`trend`).
    pub trend: Vec<Count>,
}

/// The 13 months ending with the month of `last` (`[from, to)` to count).
pub fn trend_span(last: NaiveDate) -> (NaiveDate, NaiveDate) {
    let month = Period::month_of(last);
    (month.from - chrono::Months::new(12), month.to)
}

/// The 13 months of `trend_span(last)` with their counts (`YYYY-MM`, as the register
/// counts them), months without letters at 0.
pub fn trend(last: NaiveDate, counted: &[(String, i64)]) -> Vec<Count> {
    let (from, _) = trend_span(last);
    (0..13)
        .map(|k| {
            let month = Period::month_of(from + chrono::Months::new(k));
            let code = month.code();
            let count = counted.iter().find(|(m, _)| *m == code).map_or(0, |(_, n)| *n);
            Count { label: month.label(), code, count }
        })
        .collect()
}

/// A category in a county, now and the period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotSpot {
    pub category: String,
    pub region: String,
    pub region_name: String,
    pub now: i64,
    pub before: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryChange {
    pub code: String,
    pub label: String,
    pub vs_previous: Change,
    pub vs_year_before: Change,
}

/// The days a report reads: the period, the one before and the same a year before, as
/// ranges `[from, to)` in order, overlapping ones merged (a year's previous period is the
/// year before), so each case is read once and no more than needed.
pub fn ranges(period: &Period) -> Vec<(NaiveDate, NaiveDate)> {
    let mut all: Vec<(NaiveDate, NaiveDate)> =
        [period.year_before(), period.previous(), *period].iter().map(|p| (p.from, p.to)).collect();
    all.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (from, to) in all {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The report of `period` from the rows of `ranges(period)`.
pub fn report(period: &Period, rows: &[StatRow], setting: Setting) -> Report {
    let now = figures(period, rows, setting);
    let previous = figures(&period.previous(), rows, setting);
    let year_before = figures(&period.year_before(), rows, setting);
    // Category × county, now and before: the cells that grew most.
    let mut cells: HashMap<(String, String), (i64, i64)> = HashMap::new();
    let prev = period.previous();
    for r in rows.iter().filter(|r| r.status != Status::Voided) {
        let now_ = r.registered >= period.from && r.registered < period.to;
        let before_ = r.registered >= prev.from && r.registered < prev.to;
        if !(now_ || before_) {
            continue;
        }
        let (Some(category), Some(county)) = (r.category.clone(), r.county.clone()) else { continue };
        let cell = cells.entry((category, county)).or_default();
        if now_ {
            cell.0 += 1;
        } else {
            cell.1 += 1;
        }
    }
    let mut hot_spots: Vec<HotSpot> = cells
        .into_iter()
        .filter(|(_, (n, b))| n > b)
        .map(|((category, region), (now, before))| HotSpot {
            region_name: REGIONS.full_name(&region).unwrap_or_else(|| region.clone()),
            category,
            region,
            now,
            before,
        })
        .collect();
    hot_spots.sort_by(|a, b| (b.now - b.before).cmp(&(a.now - a.before)).then(b.now.cmp(&a.now)).then(a.region.cmp(&b.region)).then(a.category.cmp(&b.category)));
    hot_spots.truncate(10);
    let before = |f: &Figures, code: &str| f.by_category.iter().find(|c| c.code == code).map_or(0, |c| c.count);
    let categories = now
        .by_category
        .iter()
        .map(|c| CategoryChange {
            code: c.code.clone(),
            label: c.label.clone(),
            vs_previous: Change::new(c.count, before(&previous, &c.code)),
            vs_year_before: Change::new(c.count, before(&year_before, &c.code)),
        })
        .collect();
    Report {
        received_vs_previous: Change::new(now.received, previous.received),
        received_vs_year_before: Change::new(now.received, year_before.received),
        categories,
        hot_spots,
        trend: Vec::new(),
        figures: now,
        previous,
        year_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn row(id: i64, registered: &str) -> StatRow {
        StatRow {
            id,
            registered: d(registered),
            status: Status::Registered,
            channel: Channel::Letter,
            purpose: Purpose::Demand,
            category: Some("教育".into()),
            address: Some("湖北省孝感市孝南区书院街1号".into()),
            county: None,
            cosigners: 0,
            repeat_of: None,
            route: None,
            body: None,
            due: None,
            routed: None,
            route_due: None,
            closed: None,
            close_due: None,
            satisfaction: None,
        }
    }

    /// A hand-built month whose every figure is known.
    #[test]
    fn every_figure_of_a_small_month() {
        let cats = vec!["教育".to_string(), "民政".to_string()];
        let mut rows = vec![
            // Routed on day 10 of 15: in time; closed on time.
            StatRow {
                route: Some(RouteKind::Transfer),
                body: Some("区教育局".into()),
                routed: Some(d("2026-11-11")),
                route_due: Some(d("2026-11-16")),
                closed: Some(d("2026-11-20")),
                close_due: Some(d("2027-01-10")),
                status: Status::Closed,
                satisfaction: Some(Satisfaction::Basically),
                ..row(1, "2026-11-01")
            },
            // Routed late (day 20), still open and past its limit.
            StatRow {
                route: Some(RouteKind::Assign),
                body: Some("区民政局".into()),
                routed: Some(d("2026-11-22")),
                route_due: Some(d("2026-11-17")),
                due: Some(d("2026-11-25")),
                status: Status::Routed,
                category: Some("民政".into()),
                cosigners: 6,
                purpose: Purpose::Accusation,
                ..row(2, "2026-11-02")
            },
            // Closed late.
            StatRow {
                route: Some(RouteKind::Direct),
                routed: Some(d("2026-11-03")),
                route_due: Some(d("2026-11-18")),
                closed: Some(d("2026-11-29")),
                close_due: Some(d("2026-11-28")),
                status: Status::Closed,
                cosigners: 3,
                repeat_of: Some("XF-2026-000001".into()),
                ..row(3, "2026-11-03")
            },
            // Not routed, no category, a suggestion, in 汉川市.
            StatRow { category: None, purpose: Purpose::Suggestion, address: Some("汉川市马口镇".into()), ..row(4, "2026-11-30") },
            // Voided: not a letter.
            StatRow { status: Status::Voided, ..row(5, "2026-11-05") },
            // Outside the month: October (环比) and November a year before (同比).
            row(6, "2026-10-31"),
            row(7, "2026-10-01"),
            row(8, "2025-11-15"),
            StatRow { category: Some("交通".into()), address: Some("鼓楼区中山路".into()), ..row(9, "2026-11-12") },
        ];
        let p = Period::parse("2026-11").unwrap();
        let setting = Setting { categories: &cats, today: d("2026-12-01") };
        let unlocated = rows.clone();
        locate(&mut rows, None);
        assert!(rows.iter().all(|r| r.address.is_none()), "addresses are dropped once located");
        let f = figures(&p, &rows, setting);
        assert_eq!(f.received, 5);
        let counts = |v: &[Count]| v.iter().map(|c| (c.label.clone(), c.count)).collect::<Vec<_>>();
        assert_eq!(counts(&f.by_purpose), vec![("建议意见".into(), 1), ("检举控告".into(), 1), ("申诉求决".into(), 3)]);
        assert_eq!(
            counts(&f.by_category),
            vec![("教育".into(), 2), ("民政".into(), 1), ("交通".into(), 1), ("未分类".into(), 1)]
        );
        assert_eq!(f.by_channel[0], Count { code: "letter".into(), label: "来信".into(), count: 5 });
        assert_eq!(f.category_channels.len(), f.by_category.len());
        assert_eq!(f.category_channels[0], vec![2, 0, 0, 0, 0], "教育: two letters");
        assert_eq!(f.category_channels[3], vec![1, 0, 0, 0, 0], "未分类: one");
        assert_eq!((f.first, f.repeats), (4, 1));
        assert_eq!(counts(&f.most_repeated), vec![("XF-2026-000001".into(), 1)]);
        // An accusation's repeats are not listed (nor anything of the accuser's).
        let mut accused = rows.clone();
        accused[2].purpose = Purpose::Accusation;
        assert!(figures(&p, &accused, setting).most_repeated.is_empty());
        assert_eq!((f.joint, f.joint_people, f.collective), (2, 9, 1));
        assert_eq!(f.not_routed, 2);
        assert_eq!(counts(&f.by_route)[..3], [("转送".into(), 1), ("交办".into(), 1), ("直接办理".into(), 1)]);
        assert_eq!(f.routed_in_time, Rate { met: 2, of: 3 });
        assert_eq!(f.routed_in_time.words(), "66.7%");
        assert_eq!(f.closed_in_time, Rate { met: 1, of: 2 });
        // Two answered (closed), one evaluated 基本满意: 参评率 50%, 满意率 100%.
        assert_eq!((f.evaluated, f.satisfied), (Rate { met: 1, of: 2 }, Rate { met: 1, of: 1 }));
        assert_eq!(f.by_satisfaction.iter().map(|c| c.count).collect::<Vec<_>>(), [0, 1, 0]);
        assert_eq!((f.overdue, counts(&f.overdue_by_body)), (1, vec![("区民政局".into(), 1)]));
        // Bodies given letters (transferred or assigned; handled directly is the bureau's).
        let bodies: Vec<(String, i64, Rate, i64)> = f.by_body.iter().map(|b| (b.body.clone(), b.given, b.closed_in_time, b.overdue)).collect();
        assert_eq!(
            bodies,
            vec![
                ("区教育局".into(), 1, Rate { met: 1, of: 1 }, 0),
                ("区民政局".into(), 1, Rate { met: 0, of: 0 }, 1),
            ]
        );
        // Days to route: 10, 20, 0 → mean 10, p90 20; to close: 19, 26.
        assert_eq!(f.days_to_route, Days { cases: 3, mean: Some(10.0), p90: Some(20) });
        assert_eq!(f.days_to_close, Days { cases: 2, mean: Some(22.5), p90: Some(26) });
        assert_eq!(f.days_to_route.words(), "平均 10.0 天，90% 在 20 天内（3 件）");
        assert_eq!(Rate { met: 0, of: 0 }.words(), "—");
        // Regions: 孝南区 for most, 汉川市 once, 鼓楼区 alone not told apart.
        assert_eq!(
            counts(&f.by_region),
            vec![("孝感市孝南区".into(), 3), ("孝感市汉川市".into(), 1), ("未识别".into(), 1)]
        );
        let mut at_home = unlocated.clone();
        locate(&mut at_home, Some("320100"));
        assert_eq!(figures(&p, &at_home, setting).by_region[1].label, "南京市鼓楼区");

        // The comparisons.
        rows.push(row(10, "2025-11-30"));
        let r = report(&p, &rows, setting);
        assert_eq!((r.previous.received, r.year_before.received), (2, 2));
        assert_eq!(r.received_vs_previous, Change { now: 5, before: 2, percent: Some(150.0) });
        assert_eq!(r.received_vs_previous.words(), "上升 150.0%");
        assert_eq!(Change::new(3, 4).words(), "下降 25.0%");
        assert_eq!(Change::new(3, 0).words(), "—");
        assert_eq!(Change::new(3, 3).words(), "持平");
        let edu = &r.categories[0];
        assert_eq!((edu.label.as_str(), edu.vs_previous.before, edu.vs_year_before.before), ("教育", 2, 2));
        // 教育 in 孝南区: 2 now (cases 1 and 3), none the month before (October's are
        // 教育 in 孝南区 too: 2) — no growth; 民政 in 孝南区 grew 0 → 1.
        let spots: Vec<(String, String, i64, i64)> = r.hot_spots.iter().map(|h| (h.category.clone(), h.region_name.clone(), h.now, h.before)).collect();
        assert_eq!(spots, vec![("民政".into(), "孝感市孝南区".into(), 1, 0)]);
        let t = trend(d("2026-11-30"), &[("2026-11".into(), 5), ("2025-12".into(), 2)]);
        assert_eq!(t.len(), 13);
        assert_eq!((t[0].code.as_str(), t[0].count, t[12].code.as_str(), t[12].count), ("2025-11", 0, "2026-11", 5));
        assert_eq!((t[1].label.as_str(), t[1].count), ("2025年12月", 2));
        assert_eq!(trend_span(d("2026-11-30")), (d("2025-11-01"), d("2026-12-01")));
        assert_eq!(ranges(&p), vec![(d("2025-11-01"), d("2025-12-01")), (d("2026-10-01"), d("2026-12-01"))]);
        let y = Period::parse("2026").unwrap();
        assert_eq!(ranges(&y), vec![(d("2025-01-01"), d("2027-01-01"))]);
    }
}
