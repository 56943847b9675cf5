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

/// How an upload is named in `spool/` and `failed/`: this prefix, this many random
/// characters, `-`, then the name it was uploaded under (`uploaded_name` reads it back).
pub const UPLOAD_PREFIX: &str = "upload-";
pub const UPLOAD_RANDOM: usize = 6;

/// A refused upload, as the inbox lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// The name it was uploaded under.
    pub file: String,
    /// Why (the error code written beside it).
    pub code: String,
    pub at: SystemTime,
}

/// The refused uploads kept in `failed/` (each with its `NAME.reason.txt`), newest first,
/// at most `limit`.
pub fn refused(failed: &Path, limit: usize) -> Vec<Refused> {
    let Ok(rd) = std::fs::read_dir(failed) else {
        return Vec::new();
    };
    let mut found: Vec<Refused> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let kept = name.strip_suffix(".reason.txt")?.to_string();
            let meta = e.metadata().ok()?;
            // Ours are one short line beside the file they explain; anything else (an
            // upload that happens to be called `x.reason.txt`) is not a reason.
            if meta.len() > 4096 || !failed.join(&kept).is_file() {
                return None;
            }
            let at = meta.modified().ok()?;
            let mut reason = String::new();
            std::io::Read::read_to_string(&mut std::io::Read::take(std::fs::File::open(e.path()).ok()?, 512), &mut reason).ok()?;
            let code = reason.strip_prefix('[')?.split(']').next()?.to_string();
            Some(Refused { file: uploaded_name(&kept).to_string(), code, at })
        })
        .collect();
    found.sort_by(|a, b| b.at.cmp(&a.at));
    found.truncate(limit);
    found
}

/// The name a file was uploaded under, from its spool name `upload-XXXXXX-NAME` (kept in
/// failed/ as `N-upload-…` when that name was taken: the worker never moves over a file).
fn uploaded_name(kept: &str) -> &str {
    let unclashed = kept
        .split_once('-')
        .filter(|(n, rest)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with(UPLOAD_PREFIX))
        .map_or(kept, |(_, rest)| rest);
    unclashed
        .strip_prefix(UPLOAD_PREFIX)
        .and_then(|rest| rest.char_indices().nth(UPLOAD_RANDOM).filter(|(_, c)| *c == '-').map(|(i, _)| &rest[i + 1..]))
        .unwrap_or(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_uploads_are_listed_newest_first_under_their_own_names() {
        let dir = tempfile::tempdir().unwrap();
        let put = |kept: &str, reason: &str, age: u64| {
            std::fs::write(dir.path().join(kept), b"x").unwrap();
            let r = dir.path().join(format!("{kept}.reason.txt"));
            std::fs::write(&r, reason).unwrap();
            let f = std::fs::File::options().write(true).open(&r).unwrap();
            f.set_modified(SystemTime::now() - Duration::from_secs(age)).unwrap();
        };
        put("upload-a1B2c3-来信扫描.png", "[corrupt] damaged PNG data\n", 60);
        put("upload-Zz9yY8-值班表.xlsx", "[unsupported_format] not a PNG\n", 10);
        std::fs::write(dir.path().join("stray.reason.txt"), "no code here").unwrap();
        // An upload named like a reason, with no file beside it, is not listed as one.
        std::fs::write(dir.path().join("upload-Qq1Ww2-x.reason.txt.reason.txt"), "[corrupt] x").unwrap();
        std::fs::write(dir.path().join("upload-Rr3Tt4-y.reason.txt"), "[corrupt] y").unwrap();
        let list = refused(dir.path(), 10);
        let got: Vec<(&str, &str)> = list.iter().map(|r| (r.file.as_str(), r.code.as_str())).collect();
        assert_eq!(got, vec![("值班表.xlsx", "unsupported_format"), ("来信扫描.png", "corrupt")]);
        assert_eq!(refused(dir.path(), 1).len(), 1);
        assert_eq!(uploaded_name("upload-abc-x.png"), "upload-abc-x.png");
        assert_eq!(uploaded_name("2-upload-a1B2c3-来信.png"), "来信.png");
        assert_eq!(uploaded_name("2-来信.png"), "2-来信.png");
    }

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
