//! Official documents kept with their case: the document number taken from its code's
//! sequence, the files written, the event and the audit entry, all in one transaction.
//! Recommendations carry their 30-day feedback deadline and whether they were adopted.

use super::{record, Record, Registry, RegistryError, Result};
use crate::fsutil::write_atomic;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// A document about to be recorded.
pub struct NewDocument<'a> {
    pub case_id: i64,
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

/// The files of a rendered document.
#[derive(Default)]
pub struct Rendered {
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocumentRecord {
    pub id: i64,
    pub case_id: i64,
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
}

/// A document number: `示信转〔2026〕12号` (full year, no 第, no leading zeros).
pub fn format_number(code: &str, year: i32, seq: i64) -> String {
    format!("{code}〔{year}〕{seq}号")
}

const COLUMNS: &str = "id, case_id, kind, title, number, addressee, inputs, created_at, \
                       created_by, pdf, docx, feedback_due, adopted";

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
    })
}

impl Registry {
    /// Records a document: takes the next number of its code and year, lets `render` make
    /// the files with that number, writes them under `documents/`, and commits the record
    /// with its event and audit entry. If `render` fails nothing is recorded and the number
    /// is not used up. Returns `Ok(None)` for a case that does not exist.
    pub fn record_document<E>(
        &mut self,
        new: &NewDocument<'_>,
        actor: &str,
        address: Option<&str>,
        render: impl FnOnce(Option<&str>) -> std::result::Result<Rendered, E>,
    ) -> Result<Option<std::result::Result<DocumentRecord, E>>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM cases WHERE id = ?1", [new.case_id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Ok(None);
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
        let rendered = match render(number.as_deref()) {
            Ok(r) => r,
            Err(e) => return Ok(Some(Err(e))),
        };
        let created_at = super::now_text();
        let inputs = serde_json::to_string(new.inputs).expect("JSON values serialise");
        tx.execute(
            "INSERT INTO documents (case_id, kind, title, number, code, year, seq, addressee,
                inputs, created_at, created_by, feedback_due)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                new.case_id,
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
            ],
        )?;
        let id = tx.last_insert_rowid();
        // A file left by a generation that did not commit carries an id handed out again,
        // so it is replaced.
        let write = |ext: &str, bytes: &Option<Vec<u8>>| -> Result<Option<String>> {
            let Some(bytes) = bytes else { return Ok(None) };
            let relative = format!("documents/{year}/{id:06}-{}.{ext}", new.kind);
            write_atomic(&self.dirs.root.join(&relative), bytes, None, true)
                .map_err(RegistryError::Io)?;
            Ok(Some(relative))
        };
        let pdf = write("pdf", &rendered.pdf)?;
        let docx = write("docx", &rendered.docx)?;
        tx.execute(
            "UPDATE documents SET pdf = ?2, docx = ?3 WHERE id = ?1",
            params![id, pdf, docx],
        )?;
        let detail = match &number {
            Some(n) => format!("{} {n}", new.title),
            None => new.title.to_string(),
        };
        let due = new.feedback_due.map(|d| d.to_string());
        record(
            &tx,
            Record {
                case_id: new.case_id,
                actor,
                address,
                event: "document",
                detail: Some(&detail),
                due: due.as_deref(),
                audit: "generate",
            },
        )?;
        let doc = tx.query_row(
            &format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"),
            [id],
            from_row,
        )?;
        tx.commit()?;
        Ok(Some(Ok(doc)))
    }

    /// A case's documents, oldest first.
    pub fn documents(&self, case_id: i64) -> Result<Vec<DocumentRecord>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM documents WHERE case_id = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([case_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn document(&self, id: i64) -> Result<Option<DocumentRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    /// Records whether a recommendation was adopted. `Ok(false)` when there is no such
    /// recommendation.
    pub fn set_adopted(
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
