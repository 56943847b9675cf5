//! The closed vocabularies of a case: each an enum with the code the register and the JSON
//! API store (`as_str`, serde) and the Chinese label people read (`label`), written once
//! here by `vocabulary!`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines a closed vocabulary: the enum, `ALL`, `as_str` (the stored code), `label` (the
/// Chinese name), `parse`, and serde as the code.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of the case's life.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the register and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Chinese name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// The value of a stored code.
            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                $name::parse(s).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown {} `{s}` (one of: {})", stringify!($name), known.join(", "))
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let code = String::deserialize(d)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// Where a case is in its life.
    Status {
        /// Numbered and filed; not yet routed.
        Registered = "registered", "已登记";
        /// Transferred or assigned; the receiving body has not accepted it yet.
        Routed = "routed", "已转办";
        /// Being handled (accepted by the body, or handled directly by the bureau).
        Awaiting = "awaiting", "办理中";
        /// The petitioner has the answer (or the refusal).
        Replied = "replied", "已答复";
        Closed = "closed", "已办结";
        /// Bound in the year's volumes.
        Archived = "archived", "已归档";
        /// Registered by mistake (not a letter: a bureau's own list, a blank page): the
        /// number stays used and is marked 作废, nothing else happens to it.
        Voided = "voided", "已作废";
    }
}

vocabulary! {
    /// The roles of the bureau.
    Role {
        /// 收发登记: takes letters in and checks what was read.
        Mailroom = "mailroom", "收发登记";
        /// 承办: routes, follows and answers cases; writes the documents.
        Officer = "officer", "承办";
        /// 领导: reads cases, instructs on those submitted (批示), reads the figures.
        Leader = "leader", "领导";
        /// 档案: binds the year.
        Archivist = "archivist", "档案";
        /// 统计分析: reads figures, never a petitioner.
        Analyst = "analyst", "统计分析";
        Admin = "admin", "管理员";
    }
}

vocabulary! {
    /// The routes an officer can take with a registered case.
    RouteKind {
        Transfer = "transfer", "转送";
        Assign = "assign", "交办";
        Direct = "direct", "直接办理";
        Refuse = "refuse", "不予受理";
        NotAgain = "not_again", "不再受理";
    }
}

vocabulary! {
    /// Steps after routing.
    Step {
        /// The receiving body accepted a transferred or assigned item: handling starts.
        Accept = "accept", "受理";
        /// One extension of the handling limit (head's approval; the petitioner is told why).
        Extend = "extend", "延期";
        /// An overdue body is chased (督办): a new date, counted.
        Supervise = "supervise", "督办";
        /// The body's result (办理结果) is recorded: a routed case closes only with one.
        Result = "result", "办理结果";
        /// The answer was given to the petitioner.
        Reply = "reply", "答复";
        /// The matter is closed.
        Close = "close", "办结";
        /// Filed in the year's archive.
        Archive = "archive", "归档";
        /// A registration made by mistake is voided, with the reason (before routing).
        Void = "void", "作废";
        /// The case goes to a leader for instruction (typical or important content).
        SubmitToLeader = "submit-to-leader", "呈报领导";
        /// The leader's written instruction (批示), which steers the case.
        Instruct = "instruct", "领导批示";
    }
}

vocabulary! {
    /// The purpose class of a letter by law (《信访工作条例》 Arts. 29-31).
    Purpose {
        Suggestion = "suggestion", "建议意见";
        /// Never sent to the body it accuses.
        Accusation = "accusation", "检举控告";
        Demand = "demand", "申诉求决";
    }
}

vocabulary! {
    /// How a matter reached the bureau: scans come in as letters; visits, calls and
    /// matters from above are typed at reception (`POST /api/cases`, the 登记 page);
    /// online petitions are imported (`xinfang import`).
    Channel {
        Letter = "letter", "来信";
        Visit = "visit", "来访";
        Phone = "phone", "来电";
        Online = "online", "网上信访";
        FromAbove = "from-above", "上级转交";
    }
}

vocabulary! {
    /// The kinds of entry in a case's history (the register's `events.action`).
    EventKind {
        Registered = "registered", "登记";
        Corrected = "corrected", "更正";
        Confirmed = "confirmed", "确认";
        AccusationCleared = "accusation-cleared", "撤销检举控告标记";
        Transfer = "transfer", "转送";
        Assign = "assign", "交办";
        Direct = "direct", "直接办理";
        Refuse = "refuse", "不予受理";
        NotAgain = "not_again", "不再受理";
        Accept = "accept", "受理";
        Extend = "extend", "延期";
        Reply = "reply", "答复";
        Close = "close", "办结";
        Archive = "archive", "归档";
        Void = "void", "作废";
        Document = "document", "制发文书";
        Adopted = "adopted", "建议采纳情况";
        DocumentVoided = "document-voided", "文书作废";
        Handler = "handler", "指定承办人";
        /// The first user who opened a case flagged with a risk on arrival.
        RiskSeen = "risk-seen", "风险件已阅";
        Supervise = "supervise", "督办";
        Result = "result", "办理结果";
        SubmitToLeader = "submit-to-leader", "呈报领导";
        Instruct = "instruct", "领导批示";
        Evaluation = "evaluation", "满意度评价";
        /// A review or re-review of this case's answer was requested (the new case named).
        ReviewRequested = "review-requested", "请求复查复核";
    }
}

vocabulary! {
    /// The petitioner's evaluation of the reply (the national assessment counts it).
    Satisfaction {
        Satisfied = "satisfied", "满意";
        Basically = "basically", "基本满意";
        Unsatisfied = "unsatisfied", "不满意";
    }
}

vocabulary! {
    /// Where a background job (a letter's intake, a yearly binding) is.
    JobStatus {
        Queued = "queued", "排队中";
        Running = "running", "识别中";
        Done = "done", "已完成";
        Failed = "failed", "失败";
    }
}

impl JobStatus {
    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed)
    }
}

impl RouteKind {
    /// The history entry a route writes.
    pub fn event(self) -> EventKind {
        match self {
            RouteKind::Transfer => EventKind::Transfer,
            RouteKind::Assign => EventKind::Assign,
            RouteKind::Direct => EventKind::Direct,
            RouteKind::Refuse => EventKind::Refuse,
            RouteKind::NotAgain => EventKind::NotAgain,
        }
    }

    /// Whether the route sends the case to another body (and so needs one).
    pub fn sends_to_body(self) -> bool {
        matches!(self, RouteKind::Transfer | RouteKind::Assign)
    }
}

impl Step {
    /// The history entry a step writes.
    pub fn event(self) -> EventKind {
        match self {
            Step::Accept => EventKind::Accept,
            Step::Extend => EventKind::Extend,
            Step::Reply => EventKind::Reply,
            Step::Close => EventKind::Close,
            Step::Archive => EventKind::Archive,
            Step::Void => EventKind::Void,
            Step::Supervise => EventKind::Supervise,
            Step::Result => EventKind::Result,
            Step::SubmitToLeader => EventKind::SubmitToLeader,
            Step::Instruct => EventKind::Instruct,
        }
    }
}

impl Status {
    /// Whether the matter is finished (closed or bound).
    pub fn is_finished(self) -> bool {
        matches!(self, Status::Closed | Status::Archived)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(all: &[T], code: fn(T) -> &'static str, parse: fn(&str) -> Option<T>) {
            let mut seen = std::collections::HashSet::new();
            for &v in all {
                assert!(seen.insert(code(v)), "{v:?} repeats a code");
                assert_eq!(parse(code(v)), Some(v));
            }
            assert_eq!(parse("no such code"), None);
        }
        check(Status::ALL, Status::as_str, Status::parse);
        check(Role::ALL, Role::as_str, Role::parse);
        check(RouteKind::ALL, RouteKind::as_str, RouteKind::parse);
        check(Step::ALL, Step::as_str, Step::parse);
        check(Purpose::ALL, Purpose::as_str, Purpose::parse);
        check(Channel::ALL, Channel::as_str, Channel::parse);
        check(EventKind::ALL, EventKind::as_str, EventKind::parse);
        check(JobStatus::ALL, JobStatus::as_str, JobStatus::parse);
        check(Satisfaction::ALL, Satisfaction::as_str, Satisfaction::parse);
    }

    #[test]
    fn routes_and_steps_write_the_event_of_their_own_code() {
        for &k in RouteKind::ALL {
            assert_eq!(k.event().as_str(), k.as_str());
            assert_eq!(k.event().label(), k.label());
        }
        for &s in Step::ALL {
            assert_eq!(s.event().as_str(), s.as_str());
            assert_eq!(s.event().label(), s.label());
        }
    }

    #[test]
    fn serde_uses_the_codes_and_names_the_known_ones_when_refusing() {
        assert_eq!(serde_json::to_string(&RouteKind::NotAgain).unwrap(), "\"not_again\"");
        assert_eq!(serde_json::from_str::<Status>("\"awaiting\"").unwrap(), Status::Awaiting);
        let err = serde_json::from_str::<Role>("\"boss\"").unwrap_err().to_string();
        assert!(err.contains("mailroom") && err.contains("boss"), "{err}");
    }
}
