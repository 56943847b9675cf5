//! Official documents in SQLite: numbers per code and year, the record, its event.

use super::{record, Record, SqliteRegistry};
use crate::registry::documents::*;
use crate::registry::{Documents, PendingDocument, Result};
use chrono::Datelike;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

const COLUMNS: &str = "id, case_id, kind, title, number, addressee, inputs, created_at, \
                       created_by, pdf, docx, feedback_due, adopted, voided_at, voided_by, void_reason, period";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<DocumentRecord> {
    let inputs: String = r.get(6)?;
    Ok(DocumentRecord {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        number: r.get(4)?,
        addressee: r.get(5)?,
        inputs: serde_json::from_str(&inputs).unwrap_or(serde_json::Value::Null),
        created_at: r.get(7)?,
        created_by: r.get(8)?,
        pdf: r.get(9)?,
        docx: r.get(10)?,
        feedback_due: r.get(11)?,
        adopted: r.get(12)?,
        voided_at: r.get(13)?,
        voided_by: r.get(14)?,
        void_reason: r.get(15)?,
        period: r.get(16)?,
    })
}

impl Documents for SqliteRegistry {
    fn begin_document<'a>(
        &'a mut self,
        new: &NewDocument<'_>,
        actor: &str,
        address: Option<&str>,
    ) -> Result<Option<Box<dyn PendingDocument + 'a>>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (case_id, period) = match new.about {
            About::Case(id) => (Some(id), None),
            About::Period(p) => (None, Some(p)),
        };
        if let Some(id) = case_id {
            let exists: Option<i64> = tx.query_row("SELECT id FROM cases WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if exists.is_none() {
                return Ok(None);
            }
        }
        let year = new.date.year();
        let (number, seq) = match new.code {
            Some(code) => {
                let seq: i64 = tx.query_row(
                    "INSERT INTO doc_counters (code, year, last) VALUES (?1, ?2, 1)
                     ON CONFLICT (code, year) DO UPDATE SET last = last + 1 RETURNING last",
                    params![code, year],
                    |r| r.get(0),
                )?;
                (Some(format_number(code, year, seq)), Some(seq))
            }
            None => (None, None),
        };
        let created_at = super::now_text();
        let inputs = serde_json::to_string(new.inputs).expect("JSON values serialise");
        tx.execute(
            "INSERT INTO documents (case_id, kind, title, number, code, year, seq, addressee,
                inputs, created_at, created_by, feedback_due, period)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                case_id,
                new.kind,
                new.title,
                number,
                new.code.filter(|_| number.is_some()),
                number.as_ref().map(|_| year),
                seq,
                new.addressee,
                inputs,
                created_at,
                actor,
                new.feedback_due.map(|d| d.to_string()),
                period,
            ],
        )?;
        let id = tx.last_insert_rowid();
        let detail = match &number {
            Some(n) => format!("{} {n}", new.title),
            None => new.title.to_string(),
        };
        let due = new.feedback_due.map(|d| d.to_string());
        match case_id {
            Some(case_id) => record(
                &tx,
                Record {
                    case_id,
                    actor,
                    address,
                    event: crate::domain::EventKind::Document.as_str(),
                    detail: Some(&detail),
                    due: due.as_deref(),
                    audit: "generate",
                },
            )?,
            None => audit_only(&tx, actor, &format!("generate period={}", period.unwrap_or_default()), address)?,
        }
        Ok(Some(Box::new(PendingSqliteDocument { tx, id, year, number })))
    }

    fn documents(&self, case_id: i64) -> Result<Vec<DocumentRecord>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM documents WHERE case_id = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([case_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn period_documents(&self, limit: i64) -> Result<Vec<DocumentRecord>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM documents WHERE period IS NOT NULL ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn document(&self, id: i64) -> Result<Option<DocumentRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    fn void_document(&mut self, id: i64, reason: &str, actor: &str, address: Option<&str>) -> Result<VoidOutcome> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let doc = tx
            .query_row(&format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"), [id], from_row)
            .optional()?;
        let Some(doc) = doc else { return Ok(VoidOutcome::NotFound) };
        if doc.is_void() {
            return Ok(VoidOutcome::Already(doc));
        }
        let at = super::now_text();
        tx.execute(
            "UPDATE documents SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1",
            params![id, at, actor, reason],
        )?;
        let detail = format!("{}{}作废：{reason}", doc.title, doc.number.as_deref().map(|n| format!(" {n}")).unwrap_or_default());
        match doc.case_id {
            Some(case_id) => record(
                &tx,
                Record {
                    case_id,
                    actor,
                    address,
                    event: crate::domain::EventKind::DocumentVoided.as_str(),
                    detail: Some(&detail),
                    due: None,
                    audit: "void-document",
                },
            )?,
            None => audit_only(&tx, actor, &format!("void-document id={id}"), address)?,
        }
        let doc = tx.query_row(&format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"), [id], from_row)?;
        tx.commit()?;
        Ok(VoidOutcome::Voided(doc))
    }

    fn set_adopted(
        &mut self,
        id: i64,
        adopted: bool,
        actor: &str,
        address: Option<&str>,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(i64, String)> = tx
            .query_row(
                "SELECT case_id, title FROM documents WHERE id = ?1 AND feedback_due IS NOT NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((case_id, title)) = row else {
            return Ok(false);
        };
        tx.execute(
            "UPDATE documents SET adopted = ?2 WHERE id = ?1",
            params![id, adopted],
        )?;
        let detail = format!("{title}{}", if adopted { "已采纳" } else { "未采纳" });
        record(
            &tx,
            Record {
                case_id,
                actor,
                address,
                event: "adopted",
                detail: Some(&detail),
                due: None,
                audit: "adopted",
            },
        )?;
        tx.commit()?;
        Ok(true)
    }
}

/// The audit entry of a step on a period's document (no case, no history entry).
fn audit_only(tx: &rusqlite::Transaction, actor: &str, action: &str, address: Option<&str>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, case_id, address) VALUES (?1, ?2, ?3, NULL, ?4)",
        params![super::now_text(), actor, action, address],
    )?;
    Ok(())
}

/// A document in its open transaction.
struct PendingSqliteDocument<'a> {
    tx: rusqlite::Transaction<'a>,
    id: i64,
    year: i32,
    number: Option<String>,
}

impl PendingDocument for PendingSqliteDocument<'_> {
    fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    fn id(&self) -> i64 {
        self.id
    }

    fn year(&self) -> i32 {
        self.year
    }

    fn commit(self: Box<Self>, pdf: Option<String>, docx: Option<String>) -> Result<DocumentRecord> {
        self.tx.execute(
            "UPDATE documents SET pdf = ?2, docx = ?3 WHERE id = ?1",
            params![self.id, pdf, docx],
        )?;
        let doc = self.tx.query_row(
            &format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"),
            [self.id],
            from_row,
        )?;
        self.tx.commit()?;
        Ok(doc)
    }
}
