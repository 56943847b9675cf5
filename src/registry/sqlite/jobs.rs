//! The intake queue in SQLite.

use super::{now_text, SqliteRegistry};
use crate::registry::jobs::*;
use crate::registry::{Jobs, Result};
use rusqlite::{params, OptionalExtension};

const SELECT: &str =
    "SELECT j.id, j.file_name, j.spool_path, j.status, j.case_id, c.registration_number,
    j.duplicate, j.error_code, j.error_message, j.submitted_by, j.created_at, j.updated_at
    FROM jobs j LEFT JOIN cases c ON c.id = j.case_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Job> {
    let code: Option<String> = r.get(7)?;
    let message: Option<String> = r.get(8)?;
    Ok(Job {
        id: r.get(0)?,
        file_name: r.get(1)?,
        spool_path: r.get(2)?,
        status: r.get(3)?,
        case_id: r.get(4)?,
        registration_number: r.get(5)?,
        duplicate: r.get(6)?,
        error: code.map(|code| JobError {
            code,
            message: message.unwrap_or_default(),
        }),
        submitted_by: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

impl Jobs for SqliteRegistry {
    fn enqueue(&self, file_name: &str, spool_path: &str, actor: &str) -> Result<i64> {
        let now = now_text();
        self.conn.execute(
            "INSERT INTO jobs (file_name, spool_path, status, submitted_by, created_at, updated_at)
             VALUES (?1, ?2, 'queued', ?3, ?4, ?4)",
            params![file_name, spool_path, actor, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn claim_job(&self) -> Result<Option<Job>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "UPDATE jobs SET status = 'running', updated_at = ?1
                 WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1)
                 RETURNING id",
                [now_text()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.job(id),
            None => Ok(None),
        }
    }

    fn finish_job(&self, id: i64, case_id: i64, duplicate: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE jobs SET status = 'done', case_id = ?2, duplicate = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, case_id, duplicate, now_text()],
        )?;
        Ok(())
    }

    fn fail_job(&self, id: i64, code: &str, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE jobs SET status = 'failed', error_code = ?2, error_message = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, code, message, now_text()],
        )?;
        Ok(())
    }

    fn requeue_running(&self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE jobs SET status = 'queued', updated_at = ?1 WHERE status = 'running'",
            [now_text()],
        )?)
    }

    fn pending_job_for(&self, spool_path: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE spool_path = ?1 AND status IN ('queued', 'running'))",
            [spool_path],
            |r| r.get(0),
        )?)
    }

    fn job(&self, id: i64) -> Result<Option<Job>> {
        Ok(self
            .conn
            .query_row(&format!("{SELECT} WHERE j.id = ?1"), [id], row)
            .optional()?)
    }

    fn recent_jobs(&self, limit: i64) -> Result<Vec<Job>> {
        let mut st = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY j.id DESC LIMIT ?1"))?;
        let rows = st.query_map([limit], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
