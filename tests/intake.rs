//! `xinfang intake` end to end: the real binary and Tesseract register the sample letters in
//! a fresh data folder, with originals kept by SHA-256 and numbered filing copies.

mod util;

use serde_json::Value;
use std::path::Path;
use util::*;

fn intake(data: &Path, args: &[&std::ffi::OsStr], json: bool) -> (Option<i32>, Vec<Value>, String) {
    let mut cmd = bin();
    cmd.arg("intake").arg("--data").arg(data);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines = if json {
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    } else {
        vec![]
    };
    (out.status.code(), lines, stdout)
}

fn sha256_file(p: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

#[test]
fn samples_are_registered_in_order_once_with_originals_and_numbered_copies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let letters = root().join("samples/letters");
    let (code, lines, _) = intake(&data, &[letters.as_os_str()], true);
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 15);
    let year = chrono::Datelike::year(&chrono::Local::now());
    for (i, v) in lines.iter().enumerate() {
        let number = format!("XF-{year}-{:06}", i + 1);
        assert_eq!(v["registration_number"], number.as_str(), "{v}");
        assert_eq!(v["case_id"], i as i64 + 1);
        assert!(
            v["duplicate_of"].is_null() && v["fields"].is_object(),
            "{v}"
        );
        // The original, byte for byte, under its digest, read-only.
        let file = Path::new(v["file"].as_str().unwrap());
        let sha = sha256_file(file);
        let kept = data.join("originals").join(&sha[..2]).join(&sha);
        assert_eq!(sha256_file(&kept), sha);
        assert!(std::fs::metadata(&kept).unwrap().permissions().readonly());
        // The filing copy carries its number and is a valid PDF/A.
        let filed = data
            .join("filed")
            .join(year.to_string())
            .join(format!("{number}.pdf"));
        let bytes = std::fs::read(&filed).unwrap();
        let problems = xinfang::archive::pdfa::check(&bytes, true);
        assert!(problems.is_empty(), "{number}: {problems:?}");
        let info = std::process::Command::new("pdfinfo")
            .arg(&filed)
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains(&format!("信访件 {number}")), "{info}");
    }
    assert_eq!(
        lines[7]["fields"]["cosigners"], 23,
        "the joint letter keeps its signers"
    );

    // Taken in again: every file is known, nothing new is registered.
    let (code, again, _) = intake(&data, &[letters.as_os_str()], true);
    assert_eq!(code, Some(0));
    for (first, second) in lines.iter().zip(&again) {
        assert_eq!(second["duplicate_of"], first["registration_number"]);
        assert_eq!(second["case_id"], first["case_id"]);
    }
    let registry = xinfang::registry::open(&data, Default::default()).unwrap();
    assert_eq!(registry.numbers(year).unwrap().len(), 15);
}

#[test]
fn a_bad_file_is_reported_and_nothing_of_it_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("bad.png");
    let png = std::fs::read(root().join("samples/letters/01-header-300dpi.png")).unwrap();
    std::fs::write(&bad, &png[..4000]).unwrap();
    let good = root().join("samples/letters/11-born-digital.pdf");
    let (code, lines, _) = intake(&data, &[bad.as_os_str(), good.as_os_str()], true);
    assert_eq!(code, Some(1));
    assert_eq!(lines[0]["error"]["code"], "corrupt");
    assert!(lines[1]["registration_number"]
        .as_str()
        .unwrap()
        .ends_with("-000001"));
    // Only the good letter's original is kept; the bad file is left where it was.
    let kept: Vec<_> = walk(&data.join("originals"));
    assert_eq!(kept.len(), 1);
    assert!(bad.exists());
}

#[test]
fn the_terminal_summary_shows_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let letter = root().join("samples/letters/11-born-digital.pdf");
    let (code, _, stdout) = intake(&data, &[letter.as_os_str()], false);
    assert_eq!(code, Some(0));
    let t = truth("11-born-digital.pdf");
    for field in ["name", "phone", "id_number"] {
        if let Some(v) = t["fields"][field].as_str() {
            assert!(!stdout.contains(v), "{field} printed: {stdout}");
        }
    }
    assert!(stdout.contains("登记 XF-"), "{stdout}");
}

fn walk(d: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
