//! The originals, exactly as they came: stored once under their SHA-256
//! (`originals/ab/abcdef…`), written atomically, made read-only, never replaced or removed.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where the original with this digest is kept.
pub fn path_of(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2.min(sha256.len())]).join(sha256)
}

/// Stores `bytes` under their digest (which the caller computed; it is checked). A file
/// already there is kept as it is.
pub fn store(dir: &Path, sha256: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let actual = hex::encode(Sha256::digest(bytes));
    if actual != sha256 || sha256.len() != 64 {
        return Err(format!(
            "digest mismatch storing an original ({sha256} vs {actual})"
        ));
    }
    let path = path_of(dir, sha256);
    if path.exists() {
        return Ok(path);
    }
    crate::fsutil::write_atomic(&path, bytes, None, false)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400));
    }
    Ok(path)
}

/// Where the review previews of the original with this digest are kept.
pub fn previews_dir(root: &Path, sha256: &str) -> PathBuf {
    root.join("previews")
        .join(&sha256[..2.min(sha256.len())])
        .join(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_once_by_digest_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"a letter";
        let sha = hex::encode(Sha256::digest(bytes));
        let p = store(dir.path(), &sha, bytes).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), bytes);
        assert!(p.starts_with(dir.path().join(&sha[..2])));
        assert_eq!(store(dir.path(), &sha, bytes).unwrap(), p);
        assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
        assert!(store(dir.path(), &sha, b"something else").is_err());
    }
}
