//! Atomic file output (below every other module): the bytes go to a temporary file in the destination folder, are
//! flushed to disk, and only then renamed over the final name, so a crash or a full disk
//! never leaves a half-written file under that name. The input is never the output.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `dest` atomically. Refuses to replace an existing file unless
/// `replace`, and refuses to write over `input` in any case.
pub fn write_atomic(
    dest: &Path,
    bytes: &[u8],
    input: Option<&Path>,
    replace: bool,
) -> Result<(), String> {
    if let Some(input) = input {
        if same_file(input, dest) {
            return Err(format!(
                "{} is the input; the original is never overwritten",
                dest.display()
            ));
        }
    }
    if dest.exists() && !replace {
        return Err(format!(
            "{} exists; pass --force to replace it",
            dest.display()
        ));
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    // Left as tempfile makes it, 0600: what xinfang writes carries personal data.
    tmp.persist(dest).map_err(|e| {
        format!(
            "cannot move the finished file to {}: {}",
            dest.display(),
            e.error
        )
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_only_when_asked_and_never_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("sub/a.pdf");
        write_atomic(&out, b"one", None, false).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one");
        assert!(write_atomic(&out, b"two", None, false)
            .unwrap_err()
            .contains("--force"));
        write_atomic(&out, b"two", None, true).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        let err = write_atomic(&out, b"three", Some(&out), true).unwrap_err();
        assert!(err.contains("never overwritten"), "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
