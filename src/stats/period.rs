//! The periods statistics are asked for: a month (`2026-11`), a quarter (`2026-Q4`), a half
//! (`2026-H2`), a year (`2026`) or a range of days (`2026-01-05..2026-02-01`, both days
//! included); with the period before (环比) and the same period a year before (同比).

use chrono::{Datelike, Months, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    Year,
    Range,
}

/// Days `from` up to `to` (not included), and how they were named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    /// The day after the last.
    pub to: NaiveDate,
}

/// A period's first day of a month's months: `Some` when the month exists.
fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

impl Period {
    /// The month of `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        let from = month_start(day.year(), day.month()).expect("a day's month exists");
        Period { kind: PeriodKind::Month, from, to: from + Months::new(1) }
    }

    /// Reads `2026-11`, `2026-Q4`, `2026-H2`, `2026` or `2026-01-05..2026-02-01`; the error
    /// says in Chinese what is expected.
    pub fn parse(text: &str) -> Result<Period, String> {
        let text = text.trim();
        let bad = || format!("统计期间“{text}”无法识别：请写 2026-11（月）、2026-Q4（季度）、2026-H2（半年）、2026（年）或 2026-01-05..2026-02-01（日期范围）。");
        let year = |y: &str| -> Option<i32> { (y.len() == 4).then(|| y.parse().ok()).flatten().filter(|y| (1900..=2999).contains(y)) };
        let span = |kind, from: NaiveDate, months: u32| Period { kind, from, to: from + Months::new(months) };
        if let Some((a, b)) = text.split_once("..") {
            let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
            let (from, last) = (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?);
            if last < from || (last - from).num_days() > 3660 {
                return Err(format!("统计期间“{text}”：结束日期须不早于开始日期，且不超过十年。"));
            }
            return Ok(Period { kind: PeriodKind::Range, from, to: last.succ_opt().ok_or_else(bad)? });
        }
        if let Some(y) = year(text) {
            return Ok(span(PeriodKind::Year, month_start(y, 1).ok_or_else(bad)?, 12));
        }
        let (y, rest) = text.split_once('-').ok_or_else(bad)?;
        let y = year(y).ok_or_else(bad)?;
        let numbered = |prefix: char, max: u32| -> Option<u32> {
            let n: u32 = rest.strip_prefix(prefix).or_else(|| rest.strip_prefix(prefix.to_ascii_lowercase()))?.parse().ok()?;
            (1..=max).contains(&n).then_some(n)
        };
        if let Some(q) = numbered('Q', 4) {
            return Ok(span(PeriodKind::Quarter, month_start(y, 3 * q - 2).ok_or_else(bad)?, 3));
        }
        if let Some(h) = numbered('H', 2) {
            return Ok(span(PeriodKind::Half, month_start(y, 6 * h - 5).ok_or_else(bad)?, 6));
        }
        let m: u32 = (rest.len() <= 2).then(|| rest.parse().ok()).flatten().ok_or_else(bad)?;
        Ok(span(PeriodKind::Month, month_start(y, m).ok_or_else(bad)?, 1))
    }

    /// The last day in the period.
    pub fn last_day(&self) -> NaiveDate {
        self.to.pred_opt().unwrap_or(self.to)
    }

    fn months(&self) -> Option<u32> {
        match self.kind {
            PeriodKind::Month => Some(1),
            PeriodKind::Quarter => Some(3),
            PeriodKind::Half => Some(6),
            PeriodKind::Year => Some(12),
            PeriodKind::Range => None,
        }
    }

    /// The period just before, of the same length (环比).
    pub fn previous(&self) -> Period {
        match self.months() {
            Some(m) => Period { kind: self.kind, from: self.from - Months::new(m), to: self.from },
            None => Period { kind: self.kind, from: self.from - (self.to - self.from), to: self.from },
        }
    }

    /// The same period a year before (同比).
    pub fn year_before(&self) -> Period {
        Period { kind: self.kind, from: self.from - Months::new(12), to: self.to - Months::new(12) }
    }

    /// As it is written in addresses and the CLI (`Period::parse` reads it back).
    pub fn code(&self) -> String {
        let y = self.from.year();
        match self.kind {
            PeriodKind::Month => format!("{y}-{:02}", self.from.month()),
            PeriodKind::Quarter => format!("{y}-Q{}", (self.from.month() - 1) / 3 + 1),
            PeriodKind::Half => format!("{y}-H{}", (self.from.month() - 1) / 6 + 1),
            PeriodKind::Year => format!("{y}"),
            PeriodKind::Range => format!("{}..{}", self.from, self.last_day()),
        }
    }

    /// In words: 2026年11月, 2026年第四季度, 2026年下半年, 2026年, 2026年1月5日至2月1日.
    pub fn label(&self) -> String {
        let y = self.from.year();
        match self.kind {
            PeriodKind::Month => format!("{y}年{}月", self.from.month()),
            PeriodKind::Quarter => {
                format!("{y}年第{}季度", ["一", "二", "三", "四"][((self.from.month() - 1) / 3) as usize])
            }
            PeriodKind::Half => format!("{y}年{}半年", if self.from.month() == 1 { "上" } else { "下" }),
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::Range => {
                let last = self.last_day();
                let end = if last.year() == y {
                    format!("{}月{}日", last.month(), last.day())
                } else {
                    format!("{}年{}月{}日", last.year(), last.month(), last.day())
                };
                format!("{y}年{}月{}日至{end}", self.from.month(), self.from.day())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_read_named_and_compared() {
        let p = Period::parse("2026-11").unwrap();
        assert_eq!((p.from, p.to, p.label(), p.code()), (d(2026, 11, 1), d(2026, 12, 1), "2026年11月".into(), "2026-11".into()));
        assert_eq!(p.previous().code(), "2026-10");
        assert_eq!(p.year_before().code(), "2025-11");
        let q = Period::parse("2026-Q1").unwrap();
        assert_eq!((q.from, q.to), (d(2026, 1, 1), d(2026, 4, 1)));
        assert_eq!((q.label(), q.previous().code()), ("2026年第一季度".into(), "2025-Q4".into()));
        let h = Period::parse("2026-h2").unwrap();
        assert_eq!((h.from, h.to, h.label()), (d(2026, 7, 1), d(2027, 1, 1), "2026年下半年".into()));
        assert_eq!(h.previous().code(), "2026-H1");
        let y = Period::parse("2026").unwrap();
        assert_eq!((y.previous().code(), y.year_before().code()), ("2025".into(), "2025".into()));
        let r = Period::parse("2026-01-05..2026-02-01").unwrap();
        assert_eq!((r.from, r.to, r.last_day()), (d(2026, 1, 5), d(2026, 2, 2), d(2026, 2, 1)));
        assert_eq!(r.label(), "2026年1月5日至2月1日");
        assert_eq!(r.previous(), Period { kind: PeriodKind::Range, from: d(2025, 12, 8), to: d(2026, 1, 5) });
        assert_eq!(Period::parse(&r.code()).unwrap(), r);
        // A leap day's year before is the last day of February.
        let leap = Period::parse("2028-02-29..2028-02-29").unwrap();
        assert_eq!(leap.year_before().from, d(2027, 2, 28));
        for bad in ["", "2026-13", "2026-Q5", "2026-H3", "26-11", "2026-02-10..2026-01-01", "abc", "2026-1x"] {
            let e = Period::parse(bad).unwrap_err();
            assert!(e.contains("统计期间"), "{bad}: {e}");
        }
    }
}
