//! Deadlines (《信访工作条例》 time limits) from configuration: each step has a number of
//! days, counted in calendar days or working days (weekends and the configured holidays
//! left out, the configured make-up working days counted), from the day after the start.
//! The national table is the default; provinces differ, so every number is configuration.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;

/// One step's limit.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub days: u32,
    /// Count working days instead of calendar days.
    #[serde(default)]
    pub working: bool,
}

const fn calendar(days: u32) -> Limit {
    Limit {
        days,
        working: false,
    }
}

/// The deadline table (`[deadlines]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Deadlines {
    /// From registration to transfer or assignment (转送/交办).
    pub route: Limit,
    /// The same for urgent letters (local rule; the national table has none).
    pub route_urgent: Limit,
    /// A body receiving a transferred item tells the petitioner it accepted it.
    pub acknowledge: Limit,
    /// A body that thinks a transferred item is not its business objects.
    pub object: Limit,
    /// Handle and close an item, from acceptance.
    pub handle: Limit,
    /// One extension, approved by the head.
    pub extension: Limit,
    /// Dates not counted as working days (public holidays), `YYYY-MM-DD`.
    pub holidays: Vec<NaiveDate>,
    /// Weekend dates that are working days (调休), `YYYY-MM-DD`.
    pub workdays: Vec<NaiveDate>,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            route: calendar(15),
            route_urgent: calendar(7),
            acknowledge: calendar(15),
            object: Limit {
                days: 5,
                working: true,
            },
            handle: calendar(60),
            extension: calendar(30),
            holidays: Vec::new(),
            workdays: Vec::new(),
        }
    }
}

impl Deadlines {
    /// The due date of a step started on `start` (day 0 is not counted).
    pub fn due(&self, start: NaiveDate, limit: Limit) -> NaiveDate {
        if !limit.working {
            return start + Duration::days(limit.days as i64);
        }
        let mut day = start;
        let mut left = limit.days;
        // A year of days is more than any limit here; stop there whatever the calendar says.
        for _ in 0..366 {
            if left == 0 {
                break;
            }
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_days_count_from_the_next_day() {
        let t = Deadlines::default();
        assert_eq!(t.due(d("2026-11-02"), t.route), d("2026-11-17"));
        assert_eq!(t.due(d("2026-11-02"), t.handle), d("2027-01-01"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let mut t = Deadlines::default();
        // Friday 2026-09-25 + 5 working days: Mon 28, Tue 29, Wed 30, then the National Day
        // holiday from 1 to 7 October, with Saturday 10 October a make-up working day.
        t.holidays = (1..=7).map(|i| d(&format!("2026-10-0{i}"))).collect();
        t.workdays = vec![d("2026-10-10")];
        assert_eq!(t.due(d("2026-09-25"), t.object), d("2026-10-09"));
        let mut t2 = t.clone();
        t2.object.days = 6;
        assert_eq!(t2.due(d("2026-09-25"), t2.object), d("2026-10-10"));
    }
}
