//! Who may do what: one table answering "may this role do this", used by every page and
//! API route and by the case life. Nothing else lists roles.

use super::vocab::{Role, Step};

/// Something a user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Upload letters and follow their intake jobs.
    TakeIn,
    /// Read the case list, a case, its pages, original, filing copy and documents.
    Read,
    /// Correct the fields read and confirm the register entry.
    Correct,
    /// Clear the accusation flag or take a body off the accused list (with a reason).
    ClearAccusation,
    /// See an accuser's identity (with a reason, audited).
    SeeAccuser,
    /// Route a registered case (转送、交办、直接办理、不予受理、不再受理).
    Route,
    /// Take a step of the case life.
    Step(Step),
    /// Generate official documents and record their outcome.
    WriteDocuments,
    /// Bind the year's volumes and download them.
    Bind,
    /// Read the audit log; manage users.
    Administer,
    /// Read the statistics (figures only: no petitioner).
    ReadStats,
    /// Write the period's analysis report and bulletin, and void them (figures only).
    WriteReports,
    /// Read the case list, masked as lists are (a figure's cases), without searching it:
    /// everyone who reads cases, and the analyst.
    ReadList,
    /// Record the petitioner's evaluation of the reply (满意度).
    Evaluate,
}

impl Act {
    /// Every act, for tests and the route matrix.
    pub const ALL: [Act; 23] = [
        Act::TakeIn,
        Act::Read,
        Act::Correct,
        Act::ClearAccusation,
        Act::SeeAccuser,
        Act::Route,
        Act::Step(Step::Accept),
        Act::Step(Step::Extend),
        Act::Step(Step::Reply),
        Act::Step(Step::Close),
        Act::Step(Step::Archive),
        Act::Step(Step::Void),
        Act::WriteDocuments,
        Act::Bind,
        Act::Administer,
        Act::ReadStats,
        Act::WriteReports,
        Act::ReadList,
        Act::Step(Step::Supervise),
        Act::Step(Step::Result),
        Act::Step(Step::SubmitToLeader),
        Act::Step(Step::Instruct),
        Act::Evaluate,
    ];
}

/// Whether a user of `role` may do `act`. The analyst reads figures only; the leader reads
/// cases and figures and instructs.
pub fn may(role: Role, act: Act) -> bool {
    use Role::*;
    match act {
        Act::TakeIn | Act::Correct | Act::Step(Step::Void) => matches!(role, Mailroom | Officer | Admin),
        Act::Read => matches!(role, Mailroom | Officer | Leader | Archivist | Admin),
        Act::ClearAccusation
        | Act::SeeAccuser
        | Act::Route
        | Act::WriteDocuments
        | Act::Evaluate
        | Act::Step(
            Step::Accept | Step::Extend | Step::Reply | Step::Close | Step::Supervise | Step::Result | Step::SubmitToLeader,
        ) => matches!(role, Officer | Admin),
        Act::Step(Step::Instruct) => matches!(role, Leader | Admin),
        Act::Step(Step::Archive) | Act::Bind => matches!(role, Archivist | Admin),
        Act::Administer => role == Admin,
        Act::ReadStats => matches!(role, Leader | Analyst | Admin),
        Act::WriteReports => matches!(role, Analyst | Admin),
        Act::ReadList => matches!(role, Mailroom | Officer | Leader | Archivist | Analyst | Admin),
    }
}

/// The roles that may do `act`, in the vocabulary's order (for messages and pages).
pub fn roles_for(act: Act) -> Vec<Role> {
    Role::ALL.iter().copied().filter(|&r| may(r, act)).collect()
}

/// Whether a user of `role` sees a case's petitioner in full: always for cases that are
/// not accusations; for accusations only with `SeeAccuser` and a reason given (which the
/// caller writes to the audit log).
pub fn sees_identity(accusation: bool, role: Role, reason: Option<&str>) -> bool {
    !accusation || (may(role, Act::SeeAccuser) && reason.is_some_and(|r| !r.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out: a change to `may` must change this too.
    #[test]
    fn every_role_and_act() {
        let expected: [(Role, &str); 6] = [
            // TakeIn Read Correct Clear SeeAccuser Route Accept Extend Reply Close Archive Void Docs Bind Admin Stats Reports List
            //   Supervise Result SubmitToLeader Instruct Evaluate
            (Role::Mailroom, "YYYNNNNNNNNYNNNNNYNNNNN"),
            (Role::Officer, "YYYYYYYYYYNYYNNNNYYYYNY"),
            (Role::Leader, "NYNNNNNNNNNNNNNYNYNNNYN"),
            (Role::Archivist, "NYNNNNNNNNYNNYNNNYNNNNN"),
            (Role::Analyst, "NNNNNNNNNNNNNNNYYYNNNNN"),
            (Role::Admin, "YYYYYYYYYYYYYYYYYYYYYYY"),
        ];
        for (role, row) in expected {
            let got: String = Act::ALL.iter().map(|&a| if may(role, a) { 'Y' } else { 'N' }).collect();
            assert_eq!(got, row, "{role:?}");
        }
    }

    #[test]
    fn accusers_are_shown_only_with_a_reason_to_officers() {
        assert!(sees_identity(false, Role::Archivist, None));
        assert!(!sees_identity(true, Role::Officer, None));
        assert!(!sees_identity(true, Role::Officer, Some("  ")));
        assert!(sees_identity(true, Role::Officer, Some("核实")));
        assert!(!sees_identity(true, Role::Mailroom, Some("核实")));
        assert_eq!(roles_for(Act::Bind), vec![Role::Archivist, Role::Admin]);
    }
}
