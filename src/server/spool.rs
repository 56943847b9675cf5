//! Quotas on the folders uploads pass through: `spool/` (waiting to be read) and
//! `failed/` (refused uploads, kept with their reason so nothing is lost silently).
//! Together they may hold `[server] max_spool_bytes`; refused uploads are removed after
//! `keep_refused_days`. Nothing registered lives here: originals are in `originals/`,
//! which nothing ever deletes from.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// Bytes held by the files directly in `dir` (the spool folders are flat).
pub fn used_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Removes the files in `failed/` older than `days` days; returns how many went.
pub fn expire_refused(failed: &Path, days: u64) -> usize {
    let Some(cutoff) = SystemTime::now().checked_sub(Duration::from_secs(days.saturating_mul(86_400))) else {
        return 0;
    };
    let Ok(rd) = std::fs::read_dir(failed) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .filter(|e| {
            e.metadata()
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| t < cutoff)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_refused_files_go_and_new_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.png");
        let new = dir.path().join("new.png");
        std::fs::write(&old, b"12345").unwrap();
        std::fs::write(&new, b"123").unwrap();
        let f = std::fs::File::options().write(true).open(&old).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(40 * 86_400)).unwrap();
        assert_eq!(used_bytes(dir.path()), 8);
        assert_eq!(expire_refused(dir.path(), 30), 1);
        assert!(!old.exists() && new.exists());
        assert_eq!(used_bytes(dir.path()), 3);
    }
}
