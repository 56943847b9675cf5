//! The register (专册编号登记): every letter numbered without gaps, its original kept by
//! SHA-256, its filing copy beside it, and every read and change of a case in an
//! append-only audit log. Everything lives in one data folder:
//!
//! ```text
//! xinfang-data/
//!   xinfang.db            SQLite, WAL mode, schema from migrations/ (PRAGMA user_version)
//!   originals/ab/abcd…    the untouched originals, named by their SHA-256, read-only
//!   filed/2026/XF-2026-000123.pdf   the A4 PDF/A filing copies
//!   failed/               inputs a person has to look at (hot folder, uploads)
//!   documents/2026/000042-transfer.pdf   generated official documents (PDF and DOCX)
//!   templates/            a bureau's own copies of document templates (optional)
//! ```
//!
//! This module is the only one that speaks SQL; callers see `Registry`'s methods and plain
//! records, so a PostgreSQL backend can be put behind the same methods later.

pub mod cases;
pub mod documents;
pub mod jobs;
pub mod life;

pub mod originals;
pub mod users;

use crate::fsutil::write_atomic;
use crate::model::Extraction;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema migrations in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_users_jobs.sql"),
    include_str!("../../migrations/0003_routes_deadlines.sql"),
    include_str!("../../migrations/0004_documents.sql"),
    include_str!("../../migrations/0005_accounts.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
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

/// The data folder's layout.
#[derive(Debug, Clone)]
pub struct DataDirs {
    pub root: PathBuf,
    pub originals: PathBuf,
    pub filed: PathBuf,
    pub failed: PathBuf,
    /// Uploaded or dropped files waiting for their job.
    pub spool: PathBuf,
    /// Generated official documents.
    pub documents: PathBuf,
    /// A bureau's own templates, overriding the built-in ones.
    pub templates: PathBuf,
}

impl DataDirs {
    pub fn new(root: &Path) -> Self {
        DataDirs {
            root: root.to_path_buf(),
            originals: root.join("originals"),
            filed: root.join("filed"),
            failed: root.join("failed"),
            spool: root.join("spool"),
            documents: root.join("documents"),
            templates: root.join("templates"),
        }
    }
}

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

pub struct Registry {
    conn: Connection,
    pub dirs: DataDirs,
    format: crate::domain::number::NumberFormat,
}

impl Registry {
    /// Opens (creating if needed) the data folder and its database, and brings the schema
    /// up to date.
    pub fn open(root: &Path, format: crate::domain::number::NumberFormat) -> Result<Registry> {
        let dirs = DataDirs::new(root);
        for d in [
            &dirs.root,
            &dirs.originals,
            &dirs.filed,
            &dirs.failed,
            &dirs.spool,
        ] {
            std::fs::create_dir_all(d)
                .map_err(|e| RegistryError::Io(format!("cannot create {}: {e}", d.display())))?;
        }
        // The data folder is its owner's alone, even when it was made by hand or by an
        // older version (0755): the register and originals hold personal data.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dirs.root, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| RegistryError::Io(format!("cannot make {} private: {e}", dirs.root.display())))?;
        }
        let path = dirs.root.join("xinfang.db");
        let mut conn = Connection::open(&path)?;
        conn.busy_handler(Some(wait_for_lock))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, &path)?;
        Ok(Registry { conn, dirs, format })
    }

    /// The case registered for a file with this SHA-256, if any.
    pub fn find_by_sha(&self, sha256: &str) -> Result<Option<CaseRef>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, registration_number FROM cases WHERE sha256 = ?1",
                [sha256],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps the original bytes under their SHA-256 (once; never overwritten).
    pub fn store_original(&self, sha256: &str, bytes: &[u8]) -> Result<PathBuf> {
        originals::store(&self.dirs.originals, sha256, bytes).map_err(RegistryError::Io)
    }

    /// Keeps the review previews of a letter (derived data, by the original's digest):
    /// `previews/ab/abcd…/page-N.jpg` and `lines.json`.
    pub fn store_previews(&self, sha256: &str, previews: &[crate::model::Preview]) -> Result<()> {
        if previews.is_empty() {
            return Ok(());
        }
        let dir = originals::previews_dir(&self.dirs.root, sha256);
        for p in previews {
            write_atomic(
                &dir.join(format!("page-{}.jpg", p.page)),
                &p.jpeg,
                None,
                true,
            )
            .map_err(RegistryError::Io)?;
        }
        let lines = serde_json::to_vec(previews).expect("previews serialise");
        write_atomic(&dir.join("lines.json"), &lines, None, true).map_err(RegistryError::Io)?;
        Ok(())
    }

    /// The review previews of a case: each page's size and lines, and where its JPEG is.
    pub fn previews(&self, case_id: i64) -> Result<Vec<(crate::model::Preview, PathBuf)>> {
        let sha: Option<String> = self
            .conn
            .query_row("SELECT sha256 FROM cases WHERE id = ?1", [case_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(sha) = sha else { return Ok(vec![]) };
        let dir = originals::previews_dir(&self.dirs.root, &sha);
        let Ok(bytes) = std::fs::read(dir.join("lines.json")) else {
            return Ok(vec![]);
        };
        let previews: Vec<crate::model::Preview> =
            serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(previews
            .into_iter()
            .map(|p| {
                let path = dir.join(format!("page-{}.jpg", p.page));
                (p, path)
            })
            .collect())
    }

    /// Registers a letter in one transaction: the next number of the year, the filing copy
    /// (built by `filed_copy` with that number in it) written to `filed/`, the case, its
    /// first event and an audit entry. A file registered already is reported, not
    /// registered again; concurrent registrations queue on the write lock, so numbers are
    /// unique and without gaps.
    pub fn register(
        &mut self,
        new: &NewCase<'_>,
        actor: &str,
        filed_copy: impl FnOnce(&str) -> std::result::Result<Vec<u8>, String>,
    ) -> Result<Registration> {
        let now = chrono::Local::now();
        let year = chrono::Datelike::year(&now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(existing) = tx
            .query_row(
                "SELECT id, registration_number FROM cases WHERE sha256 = ?1",
                [new.sha256],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?
        {
            return Ok(Registration::Duplicate(existing));
        }
        let seq: i64 = tx.query_row(
            "INSERT INTO counters (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            [year],
            |r| r.get(0),
        )?;
        let number = self.format.format(year, seq);
        let x = new.extraction;
        let f = &x.fields;
        let repeat_of = tx
            .query_row(
                "SELECT id, registration_number FROM cases
                 WHERE ((?1 IS NOT NULL AND id_number = ?1)
                        OR (?2 IS NOT NULL AND ?3 IS NOT NULL AND name = ?2 AND phone = ?3))
                   AND category IS ?4
                 ORDER BY id DESC LIMIT 1",
                params![f.id_number, f.name, f.phone, f.category],
                |r| {
                    Ok(CaseRef {
                        case_id: r.get(0)?,
                        registration_number: r.get(1)?,
                    })
                },
            )
            .optional()?;
        let pdf = filed_copy(&number).map_err(RegistryError::Io)?;
        let filed = self
            .dirs
            .filed
            .join(year.to_string())
            .join(format!("{number}.pdf"));
        // A copy left by a registration that did not commit carries a number that is handed
        // out again, so it is replaced.
        write_atomic(&filed, &pdf, None, true).map_err(RegistryError::Io)?;
        let extraction = serde_json::to_string(x).expect("an extraction serialises");
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        tx.execute(
            "INSERT INTO cases (registration_number, year, seq, sha256, kind, source_name, pages,
                name, id_number, phone, address, letter_date, summary, category, urgent, cosigners,
                text, extraction, repeat_of, registered_at, registered_by, due_at, accusation, purpose)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            params![
                number,
                year,
                seq,
                new.sha256,
                x.kind.as_str(),
                new.source_name,
                x.pages.len() as i64,
                f.name,
                f.id_number,
                f.phone,
                f.address,
                f.date,
                f.summary,
                f.category,
                f.urgent,
                f.cosigners,
                x.text,
                extraction,
                repeat_of.as_ref().map(|r| r.case_id),
                at,
                actor,
                new.due.map(|d| d.to_string()),
                new.accusation,
                if new.accusation { "accusation" } else { "demand" },
            ],
        )?;
        let case_id = tx.last_insert_rowid();
        let detail = repeat_of
            .as_ref()
            .map(|r| format!("重复件，前案 {}", r.registration_number));
        let due = new.due.map(|d| d.to_string());
        record(
            &tx,
            Record {
                case_id,
                actor,
                address: None,
                event: "registered",
                detail: detail.as_deref(),
                due: due.as_deref(),
                audit: "register",
            },
        )?;
        tx.commit()?;
        Ok(Registration::New {
            case: CaseRef {
                case_id,
                registration_number: number,
            },
            repeat_of,
            filed,
        })
    }

    /// Appends to the audit log.
    pub fn audit(
        &self,
        actor: &str,
        action: &str,
        case_id: Option<i64>,
        address: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, case_id, address) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now_text(), actor, action, case_id, address],
        )?;
        Ok(())
    }

    /// Registration numbers of a year, in order (for checks and the binder).
    pub fn numbers(&self, year: i32) -> Result<Vec<(i64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, registration_number FROM cases WHERE year = ?1 ORDER BY seq")?;
        let rows = st.query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The raw connection, for tests that check the database's own guarantees.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The vocabularies are stored as their codes; a code this program does not know (a
/// database written by something else) is an error naming it, not a guess.
macro_rules! stored_as_code {
    ($($t:ty),+) => {$(
        impl rusqlite::types::FromSql for $t {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let code = v.as_str()?;
                <$t>::parse(code).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(format!("unknown {} `{code}`", stringify!($t)).into())
                })
            }
        }
        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
    )+};
}
stored_as_code!(
    crate::domain::Status,
    crate::domain::Role,
    crate::domain::RouteKind,
    crate::domain::Purpose,
    crate::domain::EventKind,
    crate::domain::JobStatus
);

/// One step of a case: its event in the case's history and its audit entry.
pub(crate) struct Record<'a> {
    pub case_id: i64,
    pub actor: &'a str,
    pub address: Option<&'a str>,
    /// The event's action (`registered`, `assign`, `corrected`, …).
    pub event: &'a str,
    pub detail: Option<&'a str>,
    /// The deadline the step starts, `YYYY-MM-DD`.
    pub due: Option<&'a str>,
    /// The audit log's name for it (`register`, `route-assign`, `correct`, …).
    pub audit: &'a str,
}

/// Writes a step's event and audit entry in the caller's transaction.
pub(crate) fn record(tx: &rusqlite::Transaction, r: Record) -> rusqlite::Result<()> {
    let at = now_text();
    tx.execute(
        "INSERT INTO events (case_id, at, actor, action, detail, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![r.case_id, at, r.actor, r.event, r.detail, r.due],
    )?;
    tx.execute(
        "INSERT INTO audit (at, actor, action, case_id, address) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, r.actor, r.audit, r.case_id, r.address],
    )?;
    Ok(())
}

/// While another connection holds the write lock: wait in steps of half a millisecond for
/// up to a minute. SQLite's own busy timeout backs off to 100 ms sleeps, which put
/// half-second tails on requests when several write at once.
fn wait_for_lock(attempt: i32) -> bool {
    std::thread::sleep(Duration::from_micros(500));
    attempt < 120_000
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

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if applied > known {
        return Err(RegistryError::TooNew {
            path: path.display().to_string(),
            found: applied,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_the_audit_log_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let r = Registry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        r.audit("tester", "read", None, Some("127.0.0.1")).unwrap();
        drop(r);
        let r = Registry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        let v: i64 = r
            .connection()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let mode: String = r
            .connection()
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let err = r.connection().execute("DELETE FROM audit", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        let err = r
            .connection()
            .execute("UPDATE audit SET actor = 'someone else'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Registry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap());
        let conn = Connection::open(dir.path().join("xinfang.db")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Registry::open(dir.path(), crate::domain::number::NumberFormat::default())
            .err()
            .unwrap();
        assert!(
            matches!(err, RegistryError::TooNew { found: 99, .. }),
            "{err}"
        );
    }
}
