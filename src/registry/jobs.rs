//! The intake queue: one job per uploaded or dropped file, persisted, so that a restart
//! loses none and (with the register's check by SHA-256) registers none twice.

use super::{now_text, Registry, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Job {
    pub id: i64,
    pub file_name: String,
    #[serde(skip)]
    pub spool_path: String,
    pub status: crate::domain::JobStatus,
    pub case_id: Option<i64>,
    pub registration_number: Option<String>,
    /// True when the file had been registered before (the case is the earlier one).
    pub duplicate: bool,
    pub error: Option<JobError>,
    pub submitted_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobError {
    pub code: String,
    pub message: String,
}

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

impl Registry {
    /// Queues a file already saved in the spool folder.
    pub fn enqueue(&self, file_name: &str, spool_path: &str, actor: &str) -> Result<i64> {
        let now = now_text();
        self.conn.execute(
            "INSERT INTO jobs (file_name, spool_path, status, submitted_by, created_at, updated_at)
             VALUES (?1, ?2, 'queued', ?3, ?4, ?4)",
            params![file_name, spool_path, actor, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Takes the oldest queued job and marks it running.
    pub fn claim_job(&self) -> Result<Option<Job>> {
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

    pub fn finish_job(&self, id: i64, case_id: i64, duplicate: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE jobs SET status = 'done', case_id = ?2, duplicate = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, case_id, duplicate, now_text()],
        )?;
        Ok(())
    }

    pub fn fail_job(&self, id: i64, code: &str, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE jobs SET status = 'failed', error_code = ?2, error_message = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, code, message, now_text()],
        )?;
        Ok(())
    }

    /// After a restart: jobs that were running when the service stopped go back in the queue.
    pub fn requeue_running(&self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE jobs SET status = 'queued', updated_at = ?1 WHERE status = 'running'",
            [now_text()],
        )?)
    }

    /// True when a job for this file is queued or running.
    pub fn pending_job_for(&self, spool_path: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE spool_path = ?1 AND status IN ('queued', 'running'))",
            [spool_path],
            |r| r.get(0),
        )?)
    }

    pub fn job(&self, id: i64) -> Result<Option<Job>> {
        Ok(self
            .conn
            .query_row(&format!("{SELECT} WHERE j.id = ?1"), [id], row)
            .optional()?)
    }

    /// The newest jobs first.
    pub fn recent_jobs(&self, limit: i64) -> Result<Vec<Job>> {
        let mut st = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY j.id DESC LIMIT ?1"))?;
        let rows = st.query_map([limit], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
