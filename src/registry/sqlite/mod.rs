//! The register on SQLite (the default, embedded: one file in the data folder, WAL mode,
//! schema from `migrations/`, `PRAGMA user_version` the number applied). The only module
//! that speaks SQL or names rusqlite; it implements `registry`'s traits.

mod cases;
mod convert;
mod documents;
mod jobs;
mod refold;
mod users;

use super::{DataDirs, RegistryError, Result};
use rusqlite::{params, Connection, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

pub(crate) use super::now_text;

/// One schema step: SQL applied in one transaction, or a conversion the program makes in
/// batches of its own transactions (resumable: run again, it goes on where it stopped).
enum Migration {
    Sql(&'static str),
    Program(fn(&mut Connection, i64) -> Result<()>),
}

/// Schema migrations in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(include_str!("../../../migrations/0001_init.sql")),
    Migration::Sql(include_str!("../../../migrations/0002_users_jobs.sql")),
    Migration::Sql(include_str!("../../../migrations/0003_routes_deadlines.sql")),
    Migration::Sql(include_str!("../../../migrations/0004_documents.sql")),
    Migration::Sql(include_str!("../../../migrations/0005_accounts.sql")),
    Migration::Sql(include_str!("../../../migrations/0006_text_once.sql")),
    Migration::Program(convert::convert_texts),
    Migration::Sql(include_str!("../../../migrations/0007_check_queue.sql")),
    Migration::Sql(include_str!("../../../migrations/0008_audit_actor.sql")),
    Migration::Sql(include_str!("../../../migrations/0009_user_contact.sql")),
    Migration::Program(refold::refold_terms),
    Migration::Sql(include_str!("../../../migrations/0011_handler.sql")),
    Migration::Sql(include_str!("../../../migrations/0012_registered_index.sql")),
    Migration::Sql(include_str!("../../../migrations/0013_document_void.sql")),
    Migration::Sql(include_str!("../../../migrations/0014_period_documents.sql")),
    Migration::Sql(include_str!("../../../migrations/0015_risk_channel.sql")),
    Migration::Sql(include_str!("../../../migrations/0016_case_life.sql")),
    Migration::Sql(include_str!("../../../migrations/0017_review_requests.sql")),
];

/// The register in `DATA/xinfang.db`.
pub struct SqliteRegistry {
    conn: Connection,
    /// Where the files are (paths are reported, never written, from here).
    dirs: DataDirs,
    format: crate::domain::number::NumberFormat,
    /// Cases up to this id are known synthetic (`add_synthetic` checks only newer ones, so
    /// a million-case run does not scan the table once per batch).
    synthetic_upto: i64,
}

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> Self {
        RegistryError::Db(e.to_string())
    }
}

impl SqliteRegistry {
    /// Opens (creating if needed) the data folder and its database, and brings the schema
    /// up to date.
    pub fn open(root: &Path, format: crate::domain::number::NumberFormat) -> Result<SqliteRegistry> {
        let dirs = DataDirs::new(root);
        dirs.create().map_err(RegistryError::Io)?;
        let path = dirs.root.join("xinfang.db");
        let mut conn = Connection::open(&path)?;
        conn.busy_handler(Some(wait_for_lock))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, &path)?;
        Ok(SqliteRegistry { conn, dirs, format, synthetic_upto: 0 })
    }

    /// The data folder's layout this register reports paths in.
    pub fn dirs(&self) -> &DataDirs {
        &self.dirs
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
    crate::domain::JobStatus,
    crate::domain::Channel,
    crate::domain::Satisfaction
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
    for (i, step) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        match step {
            Migration::Sql(sql) => {
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
            // Each batch takes the write lock; the last sets `user_version` with the check.
            Migration::Program(run) => run(conn, i as i64 + 1)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Audit;

    #[test]
    fn migrations_apply_once_and_the_audit_log_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let r = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        r.audit("tester", "read", None, Some("127.0.0.1")).unwrap();
        drop(r);
        let r = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
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
        drop(SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap());
        let conn = Connection::open(dir.path().join("xinfang.db")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default())
            .err()
            .unwrap();
        assert!(
            matches!(err, RegistryError::TooNew { found: 99, .. }),
            "{err}"
        );
    }

    /// A register made before issue 21 (text and extraction in `cases`, a trigram index)
    /// is converted when opened: stopped after one batch, it goes on where it stopped, and
    /// every case reads back as it was, its extraction whole, found by a two-character word.
    #[test]
    fn an_old_register_is_converted_to_text_stored_once_resumably() {
        use crate::registry::cases::CaseFilter;
        use crate::registry::Cases;
        let dir = tempfile::tempdir().unwrap();
        DataDirs::new(dir.path()).create().unwrap();
        let mut conn = Connection::open(dir.path().join("xinfang.db")).unwrap();
        for (i, m) in MIGRATIONS.iter().take(5).enumerate() {
            let Migration::Sql(sql) = m else { unreachable!() };
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        let names = ["李秀英", "赵德明", "王小明", "陈海燕", "刘建国"];
        let mut originals = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let p1 = format!("尊敬的领导：\n我叫{name}，反映拖欠工资问题。");
            let p2 = format!("第二页：请求处理。\n信访人：{name}");
            let text = format!("{p1}\n{p2}");
            let x = serde_json::json!({
                "file": format!("{i}.png"), "sha256": format!("{i:064}"), "kind": "png",
                "pages": [{"index": 1, "text": p1, "confidence": 0.9}, {"index": 2, "text": p2, "confidence": 0.8}],
                "text": text, "fields": {"name": name}, "warnings": []
            });
            conn.execute(
                "INSERT INTO cases (registration_number, year, seq, sha256, kind, source_name, pages,
                    name, summary, text, extraction, registered_at, registered_by)
                 VALUES (?1, 2026, ?2, ?3, 'png', 'a.png', 2, ?4, '反映拖欠工资', ?5, ?6, '2026-11-01T09:00:00+08:00', 'm')",
                params![format!("XF-2026-{:06}", i + 1), i as i64 + 1, format!("{i:064}"), name, text, x.to_string()],
            )
            .unwrap();
            originals.push(x);
        }
        conn.execute("INSERT INTO counters (year, last) VALUES (2026, 5)", []).unwrap();
        let Migration::Sql(sql) = MIGRATIONS[5] else { unreachable!() };
        conn.execute_batch(sql).unwrap();
        conn.pragma_update(None, "user_version", 6).unwrap();
        // Stopped after one batch of two.
        assert!(!convert::convert_batches(&mut conn, 2, Some(1)).unwrap());
        let moved: i64 = conn.query_row("SELECT count(*) FROM case_texts", [], |r| r.get(0)).unwrap();
        assert_eq!(moved, 2);
        drop(conn);

        let r = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        let v: i64 = r.connection().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        assert!(r.connection().prepare("SELECT text FROM cases").is_err(), "the old column is gone");
        for (i, x) in originals.iter().enumerate() {
            let d = r.case(i as i64 + 1).unwrap().unwrap();
            assert_eq!(&d.extraction, x, "case {}", i + 1);
            assert_eq!(d.text, x["text"]);
        }
        let stored: String = r
            .connection()
            .query_row("SELECT extraction FROM case_texts WHERE case_id = 2", [], |row| row.get(0))
            .unwrap();
        assert!(!stored.contains("赵德明，反映"), "{stored}");
        let found = r.list_cases(&CaseFilter { q: Some("德明".into()), ..Default::default() }).unwrap();
        assert_eq!(found.cases.iter().map(|c| c.id).collect::<Vec<_>>(), [2]);
        let all = r.list_cases(&CaseFilter { q: Some("工资".into()), ..Default::default() }).unwrap();
        assert_eq!(all.cases.len(), 5);
    }

    /// Terms written before the OCR-variant table knew a character are written again by
    /// the migration: the case is then found by either shape.
    #[test]
    fn terms_written_before_the_variant_table_are_refolded() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        use crate::registry::cases::CaseFilter;
        use crate::registry::Cases;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let vocabulary = crate::config::Config::default().vocabulary;
        let mut case = crate::synth::case(1, 0, 1, day, day, day, &vocabulary);
        case.text = "反映教育局部內管理混乱".into();
        r.add_synthetic(&[case], "test").unwrap();
        // The terms as the program before the table wrote them: 內 as itself.
        let id: i64 = r.connection().query_row("SELECT id FROM cases", [], |row| row.get(0)).unwrap();
        r.connection().execute("DELETE FROM case_terms WHERE rowid = ?1", [id]).unwrap();
        r.connection().execute("INSERT INTO case_terms (rowid, terms) VALUES (?1, '部內 內管 管理')", [id]).unwrap();
        // (The refold is the last step that is a program.)
        let step = MIGRATIONS.iter().rposition(|m| matches!(m, Migration::Program(_))).unwrap();
        let find = |r: &SqliteRegistry, q: &str| r.list_cases(&CaseFilter { q: Some(q.into()), ..Default::default() }).unwrap().cases.len();
        assert_eq!(find(&r, "部内"), 0, "before: only the shape read is found");
        drop(r);
        // The step, as a register at the version before it meets it.
        let mut conn = Connection::open(dir.path().join("xinfang.db")).unwrap();
        conn.pragma_update(None, "user_version", step as i64).unwrap();
        refold::refold_terms(&mut conn, step as i64 + 1).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(v, step as i64 + 1);
        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64).unwrap();
        drop(conn);
        let r = SqliteRegistry::open(dir.path(), crate::domain::number::NumberFormat::default()).unwrap();
        assert_eq!(find(&r, "部内"), 1);
        assert_eq!(find(&r, "部內"), 1);
        let v: i64 = r.connection().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
