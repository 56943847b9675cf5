//! The conversion to text stored once (issue 21; schema step 7, after
//! `migrations/0006_text_once.sql`): each case's text and extraction move from `cases` to
//! `case_texts`, the extraction slimmed (`registry::text::slim`) and the case's search
//! terms written, in batches of their own transactions with the last id done kept in
//! `text_move`, so a conversion stopped anywhere goes on where it stopped. Then the old
//! columns and the trigram index are dropped, and the result is checked: every case has
//! its text, its terms, and an extraction without copies of the text.

use super::{RegistryError, Result};
use crate::registry::text;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Cases moved per transaction.
const BATCH: i64 = 2000;

pub(super) fn convert_texts(conn: &mut Connection, version: i64) -> Result<()> {
    convert_batches(conn, BATCH, None)?;
    finish(conn, version)
}

/// Moves batches of `batch` cases until none is left, or `max` batches (tests stop a
/// conversion midway). Answers whether everything is moved.
pub(super) fn convert_batches(conn: &mut Connection, batch: i64, max: Option<usize>) -> Result<bool> {
    let mut done = 0usize;
    loop {
        if max.is_some_and(|m| done >= m) {
            return Ok(false);
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(last) = tx
            .query_row("SELECT last_id FROM text_move", [], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            // Another process finished the move while this one waited.
            return Ok(true);
        };
        let rows: Vec<(i64, String, String, Option<String>)> = {
            let mut st = tx.prepare(
                "SELECT id, text, extraction, summary FROM cases WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = st.query_map(params![last, batch], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if rows.is_empty() {
            return Ok(true);
        }
        let mut put_text = tx.prepare(
            "INSERT OR REPLACE INTO case_texts (case_id, text, extraction) VALUES (?1, ?2, ?3)",
        )?;
        let mut put_terms = tx.prepare("INSERT INTO case_terms (rowid, terms) VALUES (?1, ?2)")?;
        let mut drop_terms = tx.prepare("DELETE FROM case_terms WHERE rowid = ?1")?;
        let mut high = last;
        for (id, body, extraction, summary) in &rows {
            let value: serde_json::Value = serde_json::from_str(extraction).map_err(|e| {
                RegistryError::Io(format!("case {id}: its stored extraction is not JSON: {e}"))
            })?;
            put_text.execute(params![id, body, text::slim(value).to_string()])?;
            drop_terms.execute([id])?;
            put_terms.execute(params![
                id,
                text::index_terms(&[body, summary.as_deref().unwrap_or("")])
            ])?;
            high = *id;
        }
        drop((put_text, put_terms, drop_terms));
        tx.execute("UPDATE text_move SET last_id = ?1", [high])?;
        tx.commit()?;
        done += 1;
    }
}

/// Drops what the move replaced, checks, and sets the schema version, in one transaction.
fn finish(conn: &mut Connection, version: i64) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if now >= version {
        return Ok(());
    }
    tx.execute_batch(
        "DROP TABLE cases_fts;
         ALTER TABLE cases DROP COLUMN text;
         ALTER TABLE cases DROP COLUMN extraction;
         DROP TABLE text_move;",
    )?;
    let cases: i64 = tx.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
    let texts: i64 = tx.query_row(
        "SELECT count(*) FROM case_texts t JOIN cases c ON c.id = t.case_id",
        [],
        |r| r.get(0),
    )?;
    let fat: i64 = tx.query_row(
        "SELECT count(*) FROM case_texts WHERE json_extract(extraction, '$.text') IS NOT NULL
            OR EXISTS (SELECT 1 FROM json_each(extraction, '$.pages') p
                       WHERE json_extract(p.value, '$.text') IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    let indexed: i64 = tx.query_row(
        "SELECT count(*) FROM cases WHERE id IN (SELECT rowid FROM case_terms)",
        [],
        |r| r.get(0),
    )?;
    if texts != cases || fat != 0 || indexed != cases {
        return Err(RegistryError::Io(format!(
            "converting the register to text stored once failed its check: {cases} cases, \
             {texts} texts, {indexed} indexed, {fat} extractions still holding text; \
             nothing was changed"
        )));
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    Ok(())
}
