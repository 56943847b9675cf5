//! Official documents kept with their case: the document number taken from its code's
//! sequence, the files written, the event and the audit entry, all in one transaction.
//! Recommendations carry their 30-day feedback deadline and whether they were adopted.

use chrono::NaiveDate;
use serde::Serialize;

/// A document about to be recorded.
pub struct NewDocument<'a> {
    /// The case it is about, or the period it counts (the analysis report, the bulletin).
    pub about: About<'a>,
    /// Stable English name of the kind (`transfer`, `reply`, …).
    pub kind: &'a str,
    /// Its Chinese title, for the case history.
    pub title: &'a str,
    /// The issuer code (`示信转`) when the kind is numbered.
    pub code: Option<&'a str>,
    pub addressee: Option<&'a str>,
    /// The officer's own text given when generating.
    pub inputs: &'a serde_json::Value,
    pub feedback_due: Option<NaiveDate>,
    /// The date the document bears (成文日期); its year is the number's year.
    pub date: NaiveDate,
}

/// What a document is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum About<'a> {
    Case(i64),
    /// A period's code (`2026-11`).
    Period(&'a str),
}

/// The files of a rendered document.
#[derive(Default)]
pub struct Rendered {
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocumentRecord {
    pub id: i64,
    /// The case it is about; none for a period's document.
    pub case_id: Option<i64>,
    /// The period a period's document counts (`2026-11`).
    pub period: Option<String>,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub addressee: Option<String>,
    pub inputs: serde_json::Value,
    pub created_at: String,
    pub created_by: String,
    /// Paths relative to the data folder.
    pub pdf: Option<String>,
    pub docx: Option<String>,
    pub feedback_due: Option<String>,
    pub adopted: Option<bool>,
    /// Voided (作废): when, by whom and why; the number stays taken.
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl DocumentRecord {
    pub fn is_void(&self) -> bool {
        self.voided_at.is_some()
    }
}

/// What voiding a document did.
#[derive(Debug, Clone, PartialEq)]
pub enum VoidOutcome {
    Voided(DocumentRecord),
    /// It was voided before (the earlier reason is kept).
    Already(DocumentRecord),
    NotFound,
}

/// The reason a document is voided, trimmed: 1-200 characters, no control characters (the
/// one rule for the CLI, the API and the case page).
pub fn void_reason(reason: &str) -> Option<&str> {
    let reason = reason.trim();
    let fits = !reason.is_empty() && reason.chars().count() <= 200 && !reason.chars().any(char::is_control);
    fits.then_some(reason)
}

/// A document number: `示信转〔2026〕12号` (full year, no 第, no leading zeros).
pub fn format_number(code: &str, year: i32, seq: i64) -> String {
    format!("{code}〔{year}〕{seq}号")
}

#[cfg(test)]
mod tests {
    use super::void_reason;

    #[test]
    fn a_void_reason_is_one_to_two_hundred_plain_characters() {
        assert_eq!(void_reason("  收文机关写错 "), Some("收文机关写错"));
        assert_eq!(void_reason("   "), None);
        assert_eq!(void_reason(&"错".repeat(201)), None);
        assert!(void_reason(&"错".repeat(200)).is_some());
        assert_eq!(void_reason("写错\u{7}"), None);
    }
}
