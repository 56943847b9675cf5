//! The register (专册编号登记): every letter numbered without gaps, its original kept by
//! SHA-256, its filing copy beside it, and every read and change of a case in an
//! append-only audit log.
//!
//! This module is the seam in front of the database: a small set of traits (`Cases`,
//! `Jobs`, `Users`, `Documents`, `Audit`; `Register` is all of them) over plain records,
//! and `open`, which gives the SQLite implementation (`sqlite`, the only module that
//! speaks SQL or names rusqlite). A second backend implements the same traits. Files are
//! the `store`'s. Numbered work is done in two steps, with no caller closure handed to the
//! database: `begin_registration` / `begin_document` take the number (the transaction
//! stays open in the pending value, which holds the write lock), the caller makes and
//! writes the files that carry the number, and `commit` records them; a pending value
//! dropped without `commit` rolls back and the number is handed out again. The caller's
//! work between the two (stamping a copy: milliseconds; laying out a document: up to a
//! second) holds the lock, as the number must be in the file. `register` and
//! `record_document` below are that sequence.

pub mod cases;
pub mod documents;
pub mod jobs;
pub mod life;
pub mod sqlite;
pub mod text;
pub mod users;

use crate::store::DataDirs;
use cases::{AuditEntry, AuditFilter, CaseDetail, CaseFilter, CaseList, CaseSummary, Holdings, YearCase};
use crate::synth::SyntheticCase;
use documents::{DocumentRecord, NewDocument, Rendered};
use jobs::Job;
use life::Actor;
use crate::domain::{Action, Refusal, Role, Rules, Transition};
use crate::model::Extraction;
use serde::Serialize;
use std::path::{Path, PathBuf};
use users::{Login, Session, User, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The database refused or failed (its own message).
    #[error("database: {0}")]
    Db(String),
    #[error("{0}")]
    Io(String),
    #[error(
        "the database at {path} has schema version {found}, newer than this program's {known}"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
}

pub type Result<T> = std::result::Result<T, RegistryError>;

/// A letter read and ready to be registered.
pub struct NewCase<'a> {
    pub sha256: &'a str,
    /// The name the file came with (kept in the register, never logged).
    pub source_name: &'a str,
    pub extraction: &'a Extraction,
    /// When the first step (transfer or assignment) is due.
    pub due: Option<chrono::NaiveDate>,
    /// Accusation material (检举控告): guarded when routed.
    pub accusation: bool,
    /// How it came (scans: `letter`).
    pub channel: crate::domain::Channel,
    /// Who passed it down, for a matter from a higher body.
    pub from_above: Option<FromAbove>,
    /// For a review or re-review request: the case it is about, and which.
    pub review: Option<(i64, crate::domain::review::Level)>,
    /// Bodies the letter accuses, known at registration (a review request's first case's).
    pub accused: &'a [String],
    /// The other system's id of an online petition: one case per id.
    pub external_id: Option<&'a str>,
}

/// A matter passed down by a higher body (上级转交/交办).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FromAbove {
    /// The body that passed it down (省信访局, 市委办公室…).
    pub body: String,
    /// Their document number (their 交办单's 文号).
    pub number: Option<String>,
    /// When they want the 办结报告.
    pub report_due: Option<chrono::NaiveDate>,
}

/// A case as other modules see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseRef {
    pub case_id: i64,
    pub registration_number: String,
}

/// What registering a letter did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum Registration {
    /// A new case with the next number; `repeat_of` names the earlier case of the same
    /// petitioner on the same kind of issue (重复件), if any.
    New {
        case: CaseRef,
        repeat_of: Option<CaseRef>,
        filed: PathBuf,
    },
    /// The same file (same SHA-256) is registered already.
    Duplicate(CaseRef),
}

/// Where a registration stands after `begin_registration`.
pub enum Begun<'a> {
    /// The same file (same SHA-256) is registered already.
    Duplicate(CaseRef),
    /// Numbered; nothing is stored until `commit`.
    Numbered(Box<dyn PendingCase + 'a>),
}

/// A registration holding its number: the case is written when it is committed, and
/// dropped without `commit` nothing is (the number goes to the next letter).
pub trait PendingCase {
    fn case(&self) -> &CaseRef;
    /// The year the number belongs to.
    fn year(&self) -> i32;
    /// The earlier case of the same petitioner on the same kind of issue, if any.
    fn repeat_of(&self) -> Option<&CaseRef>;
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A document holding its number (if its kind is numbered) and id.
pub trait PendingDocument {
    fn number(&self) -> Option<&str>;
    fn id(&self) -> i64;
    /// The year of the document's date (and number).
    fn year(&self) -> i32;
    /// Records the files written (paths relative to the data folder) and commits.
    fn commit(self: Box<Self>, pdf: Option<String>, docx: Option<String>) -> Result<DocumentRecord>;
}

/// Cases: registration, reading, the case life.
pub trait Cases {
    /// The case registered for a file with this SHA-256, if any.
    fn find_by_sha(&self, sha256: &str) -> Result<Option<CaseRef>>;

    /// The case registered for an online petition's id in another system, if any.
    fn find_by_external_id(&self, id: &str) -> Result<Option<CaseRef>>;

    /// Starts registering a letter: the next number of the year is taken (concurrent
    /// registrations queue on the write lock, so numbers are unique and without gaps), the
    /// case written with its first event and audit entry, but nothing is committed.
    fn begin_registration<'a>(&'a mut self, new: &NewCase<'_>, actor: &str) -> Result<Begun<'a>>;

    /// The SHA-256 of a case's original (which names its files in the store).
    fn sha256_of(&self, id: i64) -> Result<Option<String>>;

    /// Registration numbers of a year, in order (for checks and the binder).
    fn numbers(&self, year: i32) -> Result<Vec<(i64, String)>>;

    /// Whether a case is accusation material (false for a case that is not there): one
    /// column, for the need-to-know check before a file is served.
    fn is_accusation(&self, id: i64) -> Result<bool>;

    /// One page of cases, newest first, with the list's size (`Total`) and the next page's
    /// key. Every filter and every search (words of any length, from an index of character
    /// bigrams; registration and document numbers, names, phone and ID numbers exactly)
    /// is answered from an index, the page limit pushed down, never by reading every case.
    fn list_cases(&self, filter: &CaseFilter) -> Result<CaseList>;

    fn case(&self, id: i64) -> Result<Option<CaseDetail>>;

    /// Every case of the person who wrote case `id` (the same ID number, or the same name
    /// and phone), newest first, the case itself included; empty when there is no case `id`.
    fn same_person(&self, id: i64, limit: i64) -> Result<Vec<CaseSummary>>;

    /// The mailroom's queue (待核对): registered cases whose entry nobody has confirmed,
    /// oldest first, `limit` of them, and how many there are (from their own index).
    /// Accusation letters only with `accusations` (for those who may see who accuses: the
    /// others cannot check them).
    fn to_check(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)>;

    /// The open cases flagged with a risk on arrival (not yet closed or voided), newest
    /// first, `limit` of them, and how many there are (from their own partial index).
    /// Accusation letters only with `accusations`.
    fn open_risks(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)>;

    /// The cases submitted to a leader and not yet instructed, risk cases first, then
    /// oldest submission first; `limit` of them and how many there are. Accusation letters
    /// only with `accusations`.
    fn with_leader(&self, limit: i64, accusations: bool) -> Result<(Vec<CaseSummary>, i64)>;

    /// Adds an entry to a case's history and the audit log that changes nothing else (a
    /// review of its answer requested, with the new case's number).
    fn note_event(&self, case_id: i64, actor: &str, address: Option<&str>, event: crate::domain::EventKind, detail: &str, audit: &str) -> Result<()>;

    /// Records that `actor` opened a risk case, if nobody had: the case's first reader is
    /// kept, with an event in its history and an entry in the audit log. True when this
    /// was the first.
    fn mark_risk_seen(&self, case_id: i64, actor: &str, address: Option<&str>) -> Result<bool>;

    /// One row per case registered from `from` up to `to` (not included) for statistics,
    /// voided ones too (the figures leave them out), through the registration-time index.
    fn stat_rows(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<crate::stats::StatRow>>;

    /// Letters registered (voided ones left out) per month (`YYYY-MM`) from `from` up to
    /// `to`, from the registration-time index alone; months without letters are absent.
    fn monthly_counts(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<(String, i64)>>;

    /// Where a case's original and filing copy are kept.
    fn case_files(&self, id: i64) -> Result<Option<(PathBuf, PathBuf)>>;

    /// The cases registered in `year`, in registration order.
    fn year_cases(&self, year: i32) -> Result<Vec<YearCase>>;

    /// How many real and synthetic cases the register holds.
    fn holdings(&self) -> Result<Holdings>;

    /// Adds synthetic cases (benchmarks only), numbered like real ones, each with its
    /// registration event and audit entry, in one transaction. Refused when the register
    /// holds a real letter.
    fn add_synthetic(&mut self, batch: &[SyntheticCase], actor: &str) -> Result<()>;

    /// One step of tidying the search index (a few hundred pages of its segments merged
    /// into one, in one short transaction, so registrations wait at most that long);
    /// false when it is already in one piece. Queries read fewer segments after.
    fn tidy_search_index(&mut self) -> Result<bool>;

    /// Applies `action` to a case if the case life allows it: the transition stored, or
    /// why it was refused (nothing stored then).
    fn apply(
        &mut self,
        case_id: i64,
        action: &Action,
        actor: &Actor,
        rules: Rules<'_>,
    ) -> Result<std::result::Result<Transition, Refusal>>;
}

/// The intake queue: one job per uploaded or dropped file, persisted, so that a restart
/// loses none and (with the check by SHA-256) registers none twice.
pub trait Jobs {
    /// Queues a file already saved in the spool folder.
    fn enqueue(&self, file_name: &str, spool_path: &str, actor: &str) -> Result<i64>;

    /// Takes the oldest queued job and marks it running.
    fn claim_job(&self) -> Result<Option<Job>>;

    fn finish_job(&self, id: i64, case_id: i64, duplicate: bool) -> Result<()>;

    fn fail_job(&self, id: i64, code: &str, message: &str) -> Result<()>;

    /// After a restart: jobs that were running when the service stopped go back in the queue.
    fn requeue_running(&self) -> Result<usize>;

    /// True when a job for this file is queued or running.
    fn pending_job_for(&self, spool_path: &str) -> Result<bool>;

    fn job(&self, id: i64) -> Result<Option<Job>>;

    /// The newest jobs first.
    fn recent_jobs(&self, limit: i64) -> Result<Vec<Job>>;
}

/// Users, passwords and sessions (rules in `users`).
pub trait Users {
    /// Adds a user (or replaces the password and role of an existing one, ending its
    /// sessions).
    fn add_user(&self, name: &str, role: Role, password: &str) -> Result<User>;

    /// Sets a user's password; every session of the user ends.
    fn reset_password(&self, name: &str, password: &str) -> Result<User>;

    /// Disables (or enables again) a user; disabling ends every session of the user.
    fn set_disabled(&self, name: &str, disabled: bool) -> Result<User>;

    /// A user by name (normalised).
    fn user(&self, name: &str) -> Result<Option<User>>;

    /// Checks a login. The attempt is counted first, as a failure, in one statement that
    /// refuses it when the name from this address, or the address, has too many recent
    /// failures; a right password then takes its own count back.
    fn login(&self, name: &str, password: &str, address: Option<&str>) -> Result<Login>;

    /// Starts a session for a user.
    fn create_session(&self, user: &User) -> Result<Session>;

    /// The user and CSRF token of a live session.
    fn session_user(&self, token: &str) -> Result<Option<(User, String)>>;

    fn end_session(&self, token: &str) -> Result<()>;

    fn user_count(&self) -> Result<i64>;

    /// Every user, by name, with how many live sessions each has.
    fn users(&self) -> Result<Vec<UserRow>>;

    /// Gives a user another role; every session of the user ends (the next sign-in gets
    /// the new role's pages).
    fn set_role(&self, name: &str, role: Role) -> Result<User>;

    /// Sets a user's own name and phone (blank clears).
    fn set_contact(&self, name: &str, full_name: Option<&str>, phone: Option<&str>) -> Result<()>;

    /// A user changes their own password: `Ok(false)` when `old` is not their password
    /// (nothing changes). Every session of the user ends.
    fn change_password(&self, name: &str, old: &str, new: &str) -> Result<bool>;
}

/// Official documents kept with their case.
pub trait Documents {
    /// Starts recording a document: the next number of its code and year (if numbered)
    /// and its id are taken, its event and audit entry written, nothing committed.
    /// `Ok(None)` for a case that does not exist.
    fn begin_document<'a>(
        &'a mut self,
        new: &NewDocument<'_>,
        actor: &str,
        address: Option<&str>,
    ) -> Result<Option<Box<dyn PendingDocument + 'a>>>;

    /// A case's documents, oldest first.
    fn documents(&self, case_id: i64) -> Result<Vec<DocumentRecord>>;

    fn document(&self, id: i64) -> Result<Option<DocumentRecord>>;
    /// The period documents (analysis reports, bulletins), newest first, at most `limit`.
    fn period_documents(&self, limit: i64) -> Result<Vec<DocumentRecord>>;
    /// Voids a recorded document with its reason (its number stays taken), with its event
    /// and audit entry.
    fn void_document(&mut self, id: i64, reason: &str, actor: &str, address: Option<&str>) -> Result<documents::VoidOutcome>;

    /// Records whether a recommendation was adopted. `Ok(false)` when there is no such
    /// recommendation.
    fn set_adopted(
        &mut self,
        id: i64,
        adopted: bool,
        actor: &str,
        address: Option<&str>,
    ) -> Result<bool>;
}

/// The append-only audit log.
pub trait Audit {
    /// Appends to the audit log.
    fn audit(&self, actor: &str, action: &str, case_id: Option<i64>, address: Option<&str>) -> Result<()>;

    /// Audit entries matching `filter`, newest first.
    fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
}

/// The whole register.
pub trait Register: Cases + Jobs + Users + Documents + Audit + Send {}

impl<T: Cases + Jobs + Users + Documents + Audit + Send> Register for T {}

/// An open register, whichever database is behind it.
pub type Registry = Box<dyn Register>;

/// Opens (creating if needed) the data folder and its register, and brings the schema up
/// to date.
pub fn open(root: &Path, format: crate::domain::number::NumberFormat) -> Result<Registry> {
    Ok(Box::new(sqlite::SqliteRegistry::open(root, format)?))
}

/// Tidies the search index step by step until it is in one piece or `stop` says so,
/// pausing `pause` between steps so that registrations and corrections go in between.
/// Answers the steps taken. Run at night by the service and after `xinfang synth`.
pub fn tidy_search_index(
    registry: &mut dyn Register,
    pause: std::time::Duration,
    stop: &dyn Fn() -> bool,
) -> Result<u64> {
    let mut steps = 0;
    while !stop() && registry.tidy_search_index()? {
        steps += 1;
        std::thread::sleep(pause);
    }
    Ok(steps)
}

/// The statistics of `period` from the register: the cases of its three periods (ranges
/// merged, `stats::ranges`), each one's county found once (`home`: `[bureau] region`), the
/// report, and the 13-month trend. The page, the API and the CLI all read it here.
pub fn stats_report(
    registry: &dyn Register,
    period: &crate::stats::Period,
    setting: crate::stats::Setting,
    home: Option<&str>,
) -> Result<crate::stats::Report> {
    let mut rows = Vec::new();
    for (from, to) in crate::stats::ranges(period) {
        rows.extend(registry.stat_rows(from, to)?);
    }
    crate::stats::locate(&mut rows, home);
    let mut report = crate::stats::report(period, &rows, setting);
    let (from, to) = crate::stats::trend_span(period.last_day());
    report.trend = crate::stats::trend(period.last_day(), &registry.monthly_counts(from, to)?);
    Ok(report)
}

/// Registers a letter: its number taken, the filing copy (built by `filed_copy` with that
/// number in it) written to `filed/`, then the case committed. A file registered already is
/// reported, not registered again.
pub fn register(
    registry: &mut dyn Register,
    dirs: &DataDirs,
    new: &NewCase<'_>,
    actor: &str,
    filed_copy: impl FnOnce(&str) -> std::result::Result<Vec<u8>, String>,
) -> Result<Registration> {
    let pending = match registry.begin_registration(new, actor)? {
        Begun::Duplicate(existing) => return Ok(Registration::Duplicate(existing)),
        Begun::Numbered(pending) => pending,
    };
    let case = pending.case().clone();
    let repeat_of = pending.repeat_of().cloned();
    let pdf = filed_copy(&case.registration_number).map_err(RegistryError::Io)?;
    let filed = dirs
        .write_filed_copy(pending.year(), &case.registration_number, &pdf)
        .map_err(RegistryError::Io)?;
    pending.commit()?;
    Ok(Registration::New { case, repeat_of, filed })
}

/// Records a document: its number taken, `render` makes the files with that number, they
/// are written under `documents/`, and the record committed with its event and audit
/// entry. If `render` fails nothing is recorded and the number is not used up. `Ok(None)`
/// for a case that does not exist.
pub fn record_document<E>(
    registry: &mut dyn Register,
    dirs: &DataDirs,
    new: &NewDocument<'_>,
    actor: &str,
    address: Option<&str>,
    render: impl FnOnce(Option<&str>) -> std::result::Result<Rendered, E>,
) -> Result<Option<std::result::Result<DocumentRecord, E>>> {
    let Some(pending) = registry.begin_document(new, actor, address)? else {
        return Ok(None);
    };
    let rendered = match render(pending.number()) {
        Ok(r) => r,
        Err(e) => return Ok(Some(Err(e))),
    };
    let write = |ext: &str, bytes: &Option<Vec<u8>>| -> Result<Option<String>> {
        let Some(bytes) = bytes else { return Ok(None) };
        let relative = DataDirs::document_relative(pending.year(), pending.id(), new.kind, ext);
        dirs.write_document(&relative, bytes).map_err(RegistryError::Io)?;
        Ok(Some(relative))
    };
    let pdf = write("pdf", &rendered.pdf)?;
    let docx = write("docx", &rendered.docx)?;
    Ok(Some(Ok(pending.commit(pdf, docx)?)))
}

/// Now, as stored in the database (RFC 3339, local offset).
pub fn now_text() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The name to record for a command-line user: `cli:<login name>`.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| {
            // No login name in the environment (a service, a container): the user id.
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                if let Ok(m) = std::fs::metadata("/proc/self") {
                    return format!("uid-{}", m.uid());
                }
            }
            "unknown".into()
        });
    format!("cli:{user}")
}
