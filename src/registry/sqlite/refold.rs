//! Search terms written again for the cases whose text or summary holds a character the
//! OCR-variant table folds (`registry::text::VARIANTS`; schema step 11): their terms were
//! written before the table knew it. Batches of their own transactions; the cases with no
//! such character (nearly all) are only read. Stopped anywhere, it starts again from the
//! beginning next time, and writes the same terms.

use super::Result;
use crate::registry::text;
use rusqlite::{params, Connection, TransactionBehavior};

/// Cases read per transaction.
const BATCH: i64 = 5000;

pub(super) fn refold_terms(conn: &mut Connection, version: i64) -> Result<()> {
    let mut last = 0i64;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have done it while this one waited for the lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now >= version {
            return Ok(());
        }
        let rows: Vec<(i64, String, Option<String>)> = {
            let mut st = tx.prepare(
                "SELECT t.case_id, t.text, c.summary FROM case_texts t JOIN cases c ON c.id = t.case_id
                 WHERE t.case_id > ?1 ORDER BY t.case_id LIMIT ?2",
            )?;
            let rows = st.query_map(params![last, BATCH], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let Some(&(high, _, _)) = rows.last() else {
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
            return Ok(());
        };
        for (id, body, summary) in &rows {
            let summary = summary.as_deref().unwrap_or("");
            if text::needs_refold(&[body, summary]) {
                tx.execute("DELETE FROM case_terms WHERE rowid = ?1", [id])?;
                tx.execute(
                    "INSERT INTO case_terms (rowid, terms) VALUES (?1, ?2)",
                    params![id, text::index_terms(&[body, summary])],
                )?;
            }
        }
        tx.commit()?;
        last = high;
    }
}
