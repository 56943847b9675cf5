//! The data folder's files, written here and nowhere else (the register holds rows, never
//! files):
//!
//! ```text
//! xinfang-data/
//!   xinfang.db            the register (SQLite; `registry::sqlite`)
//!   originals/ab/abcd…    the untouched originals, named by their SHA-256, read-only
//!   previews/ab/abcd…/    review previews of an original: page-N.jpg and lines.json
//!   filed/2026/XF-2026-000123.pdf   the A4 PDF/A filing copies
//!   documents/2026/000042-transfer.pdf   generated official documents (PDF and DOCX)
//!   failed/               inputs a person has to look at (hot folder, uploads)
//!   spool/                uploaded or dropped files waiting for their job
//!   templates/            a bureau's own copies of document templates (optional)
//!   binders/2026/         the year's bound volumes
//! ```
//!
//! Every write is atomic (`fsutil::write_atomic`); originals are stored once under their
//! digest, made read-only, and never replaced or removed. Names are derived from content
//! or from numbers the register handed out, so two writers of the same thing agree.

use crate::fsutil::write_atomic;
use crate::model::Preview;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The data folder's layout.
#[derive(Debug, Clone)]
pub struct DataDirs {
    pub root: PathBuf,
    pub originals: PathBuf,
    pub filed: PathBuf,
    pub failed: PathBuf,
    /// Uploaded or dropped files waiting for their job.
    pub spool: PathBuf,
    /// Generated official documents.
    pub documents: PathBuf,
    /// A bureau's own templates, overriding the built-in ones.
    pub templates: PathBuf,
}

impl DataDirs {
    pub fn new(root: &Path) -> Self {
        DataDirs {
            root: root.to_path_buf(),
            originals: root.join("originals"),
            filed: root.join("filed"),
            failed: root.join("failed"),
            spool: root.join("spool"),
            documents: root.join("documents"),
            templates: root.join("templates"),
        }
    }

    /// Creates the folders (the data folder its owner's alone, even when it was made by
    /// hand or by an older version as 0755: it holds personal data).
    pub fn create(&self) -> Result<(), String> {
        for d in [&self.root, &self.originals, &self.filed, &self.failed, &self.spool] {
            std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("cannot make {} private: {e}", self.root.display()))?;
        }
        Ok(())
    }

    /// Where the original with this digest is kept.
    pub fn original(&self, sha256: &str) -> PathBuf {
        self.originals.join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    /// Where the filing copy of a registration number is kept.
    pub fn filed_copy(&self, year: i32, number: &str) -> PathBuf {
        self.filed.join(year.to_string()).join(format!("{number}.pdf"))
    }

    /// A generated document's path relative to the data folder (as the register keeps it).
    pub fn document_relative(year: i32, id: i64, kind: &str, ext: &str) -> String {
        format!("documents/{year}/{id:06}-{kind}.{ext}")
    }

    /// Where the review previews of the original with this digest are kept.
    pub fn previews(&self, sha256: &str) -> PathBuf {
        self.root
            .join("previews")
            .join(&sha256[..2.min(sha256.len())])
            .join(sha256)
    }

    /// Stores `bytes` under their digest (which the caller computed; it is checked). A file
    /// already there is kept as it is.
    pub fn store_original(&self, sha256: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != sha256 || sha256.len() != 64 {
            return Err(format!("digest mismatch storing an original ({sha256} vs {actual})"));
        }
        let path = self.original(sha256);
        if path.exists() {
            return Ok(path);
        }
        write_atomic(&path, bytes, None, false)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400));
        }
        Ok(path)
    }

    /// Writes a filing copy. A copy left by a registration that did not commit carries a
    /// number that is handed out again, so it is replaced.
    pub fn write_filed_copy(&self, year: i32, number: &str, pdf: &[u8]) -> Result<PathBuf, String> {
        let path = self.filed_copy(year, number);
        write_atomic(&path, pdf, None, true)?;
        Ok(path)
    }

    /// Writes a generated document's file; `relative` from `document_relative`. A file left
    /// by a generation that did not commit carries an id handed out again: replaced.
    pub fn write_document(&self, relative: &str, bytes: &[u8]) -> Result<(), String> {
        write_atomic(&self.root.join(relative), bytes, None, true)
    }

    /// Keeps the review previews of a letter (derived data, by the original's digest).
    pub fn store_previews(&self, sha256: &str, previews: &[Preview]) -> Result<(), String> {
        if previews.is_empty() {
            return Ok(());
        }
        let dir = self.previews(sha256);
        for p in previews {
            write_atomic(&dir.join(format!("page-{}.jpg", p.page)), &p.jpeg, None, true)?;
        }
        let lines = serde_json::to_vec(previews).expect("previews serialise");
        write_atomic(&dir.join("lines.json"), &lines, None, true)
    }

    /// The review previews of an original: each page's size and lines, and where its JPEG
    /// is (none when there are none or they cannot be read).
    pub fn read_previews(&self, sha256: &str) -> Vec<(Preview, PathBuf)> {
        let dir = self.previews(sha256);
        let Ok(bytes) = std::fs::read(dir.join("lines.json")) else {
            return vec![];
        };
        let previews: Vec<Preview> = serde_json::from_slice(&bytes).unwrap_or_default();
        previews
            .into_iter()
            .map(|p| {
                let path = dir.join(format!("page-{}.jpg", p.page));
                (p, path)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn originals_are_stored_once_by_digest_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = DataDirs::new(dir.path());
        let bytes = b"a letter";
        let sha = hex::encode(Sha256::digest(bytes));
        let p = dirs.store_original(&sha, bytes).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), bytes);
        assert!(p.starts_with(dirs.originals.join(&sha[..2])));
        assert_eq!(dirs.store_original(&sha, bytes).unwrap(), p);
        assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
        assert!(dirs.store_original(&sha, b"something else").is_err());
    }
}
