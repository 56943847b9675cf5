//! Requests for review (复查) and re-review (复核), as a pure function. 《信访工作条例》
//! Art. 35: a petitioner who does not accept the handling opinion may ask the next higher
//! body for a review within 30 days of receiving the written reply, and the review is
//! decided within 30 days of the request; Art. 36: the same for a re-review of the review.
//! `decide_request` answers whether a request is in time (or accepted late with a written
//! reason) and when its decision is due; the register makes the linked case.

use super::life::{Refusal, Why};
use super::policy::{may, Act};
use super::vocab::{Role, Status};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The days of Arts. 35 and 36: to ask, and to decide.
pub const DAYS_TO_ASK: u64 = 30;
pub const DAYS_TO_DECIDE: u64 = 30;

/// Which request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Review,
    ReReview,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Review => "review",
            Level::ReReview => "re-review",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [Level::Review, Level::ReReview].into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Review => "复查",
            Level::ReReview => "复核",
        }
    }

    /// The document that decides it.
    pub fn opinion_kind(self) -> &'static str {
        match self {
            Level::Review => "review-opinion",
            Level::ReReview => "re-review-opinion",
        }
    }
}

/// What the request is about: the case whose answer the petitioner does not accept.
#[derive(Debug, Clone)]
pub struct Basis {
    pub status: Status,
    /// The day of its written answer (the reply), if there is one.
    pub replied: Option<NaiveDate>,
    /// The case is itself a review or re-review.
    pub level: Option<Level>,
}

/// A request in time, or accepted late: when its decision is due, and the history's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub due: NaiveDate,
    pub detail: String,
}

/// Decides a request of `level` about `basis`, received on `received`, by a user of
/// `role` on `today`; `late_reason` is an officer's written reason to accept a late one.
pub fn decide_request(
    basis: &Basis,
    level: Level,
    received: NaiveDate,
    late_reason: Option<&str>,
    role: Role,
    today: NaiveDate,
) -> Result<Accepted, Refusal> {
    if !may(role, Act::TakeIn) || !may(role, Act::Route) {
        return Err(Refusal::Forbidden(Why::new(
            format!("the {} role may not register a review request", role.as_str()),
            format!("{}无权登记复查、复核请求（仅限承办、管理员）。", role.label()),
        )));
    }
    let (wanted, what) = match level {
        Level::Review => (None, "信访处理意见"),
        Level::ReReview => (Some(Level::Review), "复查意见"),
    };
    if basis.level != wanted {
        return Err(Refusal::WrongState(Why::new(
            match level {
                Level::Review => "a review is asked of a handling opinion, not of a review or re-review",
                Level::ReReview => "a re-review is asked of a review",
            },
            match level {
                Level::Review => "复查针对原信访处理意见；对复查意见不服的，应请求复核。",
                Level::ReReview => "复核针对复查意见：请在复查案件上登记复核请求。",
            },
        )));
    }
    let Some(replied) = basis.replied.filter(|_| matches!(basis.status, Status::Replied | Status::Closed | Status::Archived)) else {
        return Err(Refusal::WrongState(Why::new(
            "there is no written answer yet to ask a review of",
            format!("此件尚未作出书面{what}答复，不能请求{}。", level.label()),
        )));
    };
    if received > today {
        return Err(Refusal::Invalid(Why::new("the request's day is after today", "收到请求的日期晚于今天。")));
    }
    if received < replied {
        return Err(Refusal::Invalid(Why::new("the request's day is before the answer", "收到请求的日期早于书面答复日期。")));
    }
    let last = replied + chrono::Days::new(DAYS_TO_ASK);
    let late = received > last;
    let reason = late_reason.map(str::trim).filter(|r| !r.is_empty());
    if late && reason.is_none() {
        return Err(Refusal::Invalid(Why::new(
            format!("too late: asked {} days after the answer of {replied} (at most {DAYS_TO_ASK}, 2022 regulation art. {})", (received - replied).num_days(), article(level)),
            format!(
                "已超过请求{}期限：书面答复于{replied}，应在{last}前提出（《信访工作条例》第{}条），收到日期为{received}。确有正当理由的，写明理由后可予受理。",
                level.label(),
                article_zh(level)
            ),
        )));
    }
    let due = received + chrono::Days::new(DAYS_TO_DECIDE);
    let mut detail = format!("{}请求，收到于{received}（书面答复{replied}），{due}前提出{}意见", level.label(), level.label());
    if let (true, Some(r)) = (late, reason) {
        detail.push_str(&format!("；逾期受理，理由：{r}"));
    }
    Ok(Accepted { due, detail })
}

fn article(level: Level) -> u32 {
    match level {
        Level::Review => 35,
        Level::ReReview => 36,
    }
}

fn article_zh(level: Level) -> &'static str {
    match level {
        Level::Review => "三十五",
        Level::ReReview => "三十六",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn replied(on: &str) -> Basis {
        Basis { status: Status::Replied, replied: Some(day(on)), level: None }
    }

    #[test]
    fn the_window_is_thirty_days_from_the_written_answer_on_both_sides() {
        let today = day("2026-12-31");
        let b = replied("2026-11-01");
        // Day 30 (2026-12-01) is in time; day 31 is late.
        let ok = decide_request(&b, Level::Review, day("2026-12-01"), None, Role::Officer, today).unwrap();
        assert_eq!(ok.due, day("2026-12-31"));
        match decide_request(&b, Level::Review, day("2026-12-02"), None, Role::Officer, today) {
            Err(Refusal::Invalid(why)) => assert!(why.zh.contains("第三十五条") && why.zh.contains("2026-12-01"), "{why:?}"),
            other => panic!("{other:?}"),
        }
        // Accepted late with a written reason, said in the history.
        let late = decide_request(&b, Level::Review, day("2026-12-02"), Some("住院治疗，有病历"), Role::Officer, today).unwrap();
        assert!(late.detail.contains("逾期受理，理由：住院治疗"), "{}", late.detail);
        assert_eq!(late.due, day("2027-01-01"));
    }

    #[test]
    fn a_re_review_is_of_a_review_and_everything_needs_an_answer_first() {
        let today = day("2026-12-31");
        let review = Basis { level: Some(Level::Review), ..replied("2026-12-10") };
        assert!(decide_request(&review, Level::ReReview, day("2026-12-20"), None, Role::Officer, today).is_ok());
        assert!(matches!(decide_request(&review, Level::Review, day("2026-12-20"), None, Role::Officer, today), Err(Refusal::WrongState(_))));
        assert!(matches!(decide_request(&replied("2026-12-10"), Level::ReReview, day("2026-12-20"), None, Role::Officer, today), Err(Refusal::WrongState(_))));
        let open = Basis { status: Status::Awaiting, replied: None, level: None };
        assert!(matches!(decide_request(&open, Level::Review, day("2026-12-20"), None, Role::Officer, today), Err(Refusal::WrongState(_))));
        assert!(matches!(decide_request(&replied("2026-12-10"), Level::Review, day("2027-01-02"), None, Role::Officer, today), Err(Refusal::Invalid(_))));
        assert!(matches!(decide_request(&replied("2026-12-10"), Level::Review, day("2026-12-09"), None, Role::Officer, today), Err(Refusal::Invalid(_))));
        assert!(matches!(decide_request(&replied("2026-12-10"), Level::Review, day("2026-12-20"), None, Role::Mailroom, today), Err(Refusal::Forbidden(_))));
    }
}
