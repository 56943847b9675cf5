//! The intake queue: one job per uploaded or dropped file, persisted, so that a restart
//! loses none and (with the register's check by SHA-256) registers none twice.

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
