//! `xinfang archive-pdf` end to end: every sample letter filed with the real binary and the
//! real Tesseract, and each filing copy checked with real tools (qpdf --check, pdfinfo,
//! pdffonts, pdftotext) and the structural PDF/A-2b check.

mod util;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use util::*;

struct Filed {
    dir: tempfile::TempDir,
    /// Sample file name -> archive-pdf's JSON line.
    reports: BTreeMap<String, Value>,
    /// Sample file name -> extract's JSON line.
    extracted: BTreeMap<String, Value>,
    /// Sample file name -> sha256 of the original before filing.
    before: BTreeMap<String, String>,
}

fn by_name(lines: Vec<Value>) -> BTreeMap<String, Value> {
    lines
        .into_iter()
        .map(|v| {
            let name = Path::new(v["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (name, v)
        })
        .collect()
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn sha256_file(p: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

/// Every sample filed once (OCR is the slow part) and read once by `extract`.
fn filed() -> &'static Filed {
    static RUN: OnceLock<Filed> = OnceLock::new();
    RUN.get_or_init(|| {
        let letters = root().join("samples/letters");
        let before = std::fs::read_dir(&letters)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().to_string(),
                    sha256_file(&p),
                )
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let out = bin()
            .args(["archive-pdf", "--json", "-o"])
            .arg(dir.path())
            .arg(&letters)
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "archive-pdf failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, extracted) = extract_json(&[letters.as_os_str()]);
        Filed {
            reports: by_name(json_lines(&out.stdout)),
            extracted: by_name(extracted),
            dir,
            before,
        }
    })
}

fn copy_of(name: &str) -> PathBuf {
    let f = filed();
    PathBuf::from(f.reports[name]["output"].as_str().unwrap())
}

fn tool(cmd: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is installed (make deps): {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn every_sample_gets_a_valid_a4_copy() {
    let f = filed();
    assert_eq!(f.reports.len(), 15);
    for (name, report) in &f.reports {
        let pdf = copy_of(name);
        assert!(pdf.starts_with(f.dir.path()));
        let (ok, msg) = tool("qpdf", &["--check".as_ref(), pdf.as_os_str()]);
        assert!(ok, "qpdf --check {name}: {msg}");
        let pages = report["pages"].as_u64().unwrap();
        let (ok, info) = tool(
            "pdfinfo",
            &[
                "-f".as_ref(),
                "1".as_ref(),
                "-l".as_ref(),
                "1000".as_ref(),
                pdf.as_os_str(),
            ],
        );
        assert!(ok, "{info}");
        let sizes: Vec<&str> = info
            .lines()
            .filter(|l| {
                l.starts_with("Page ") && l.contains(" size:") && !l.starts_with("Page size")
            })
            .collect();
        assert_eq!(sizes.len() as u64, pages, "{name}: {info}");
        for s in sizes {
            assert!(s.ends_with("595.28 x 841.89 pts (A4)"), "{name}: {s}");
        }
        let (ok, fonts) = tool("pdffonts", &[pdf.as_os_str()]);
        assert!(ok, "{fonts}");
        for line in fonts.lines().skip(2) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            // ... emb sub uni object ID
            assert_eq!(cols[n - 5], "yes", "{name}: font not embedded: {line}");
            assert_eq!(cols[n - 3], "yes", "{name}: font without ToUnicode: {line}");
        }
        let bytes = std::fs::read(&pdf).unwrap();
        let problems = xinfang::archive::pdfa::check(&bytes, true);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

#[test]
fn pdftotext_gives_back_exactly_the_text_extract_reports() {
    let f = filed();
    for name in f.reports.keys() {
        let pdf = copy_of(name);
        let (ok, text) = tool("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
        assert!(ok, "{text}");
        let want: String = squash(f.extracted[name]["text"].as_str().unwrap())
            .into_iter()
            .collect();
        let got: String = squash(&text).into_iter().collect();
        assert_eq!(
            got, want,
            "{name}: the text layer differs from the OCR text"
        );
        // And Chinese characters come back adjacent, with no spaces put between them.
        let raw: Vec<char> = text.chars().collect();
        for w in raw.windows(3) {
            assert!(
                !(is_cjk(w[0]) && w[1] == ' ' && is_cjk(w[2])),
                "{name}: space between Chinese characters in {:?}",
                w.iter().collect::<String>()
            );
        }
    }
}

#[test]
fn the_text_layer_sits_over_the_words_it_stands_for() {
    // On the A4 300 dpi letter, each line of the text layer lies where the OCR found it:
    // pdftotext -bbox gives the words' boxes in points; the cleaned image is the page.
    let pdf = copy_of("01-header-300dpi.png");
    let (ok, html) = tool(
        "pdftotext",
        &["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()],
    );
    assert!(ok);
    let words: Vec<&str> = html.lines().filter(|l| l.contains("<word")).collect();
    assert!(words.len() >= 10, "{html}");
    for w in words {
        let num = |key: &str| -> f32 {
            let at = w.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
            w[at..].split('"').next().unwrap().parse().unwrap()
        };
        let (x0, y0, x1, y1) = (num("xMin"), num("yMin"), num("xMax"), num("yMax"));
        assert!(x0 >= 0.0 && x1 <= 595.3 && y0 >= 0.0 && y1 <= 842.0, "{w}");
        // Lines of a 16 pt letter at 300 dpi are 10-30 pt tall.
        assert!((5.0..40.0).contains(&(y1 - y0)), "{w}");
    }
}

#[test]
fn images_are_stored_by_kind_and_pages_are_placed_by_size() {
    let f = filed();
    let sheets = |name: &str| f.reports[name]["sheets"].as_array().unwrap().clone();
    for s in sheets("03-fax-g4-2pages.tif")
        .iter()
        .chain(&sheets("10-scanned-bilevel.pdf"))
    {
        assert_eq!(s["image"], "ccitt-g4", "{s}");
    }
    assert_eq!(
        sheets("08-joint-urgent-200dpi.jpg")[0]["image"],
        "jpeg-colour"
    );
    assert_eq!(sheets("01-header-300dpi.png")[0]["image"], "jpeg-gray");
    assert_eq!(sheets("11-born-digital.pdf")[0]["source"], "pdf-page");
    assert_eq!(sheets("12-typed.docx")[0]["source"], "typeset");
    // The sideways scan is turned upright and laid portrait.
    let sideways = &sheets("06-sideways-no-dpi.png")[0];
    assert!(
        matches!(sideways["rotation"].as_u64(), Some(90) | Some(270)),
        "{sideways}"
    );
    assert_eq!(sideways["orientation"], "portrait");
    // The landscape page is laid sideways on the portrait sheet, which viewers turn upright.
    let landscape = &sheets("15-landscape-a4.png")[0];
    assert_eq!(landscape["orientation"], "landscape-rotated", "{landscape}");
    assert_eq!(landscape["rotation"], 0);
    let pdf = copy_of("15-landscape-a4.png");
    let (_, info) = tool("pdfinfo", &[pdf.as_os_str()]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Page rot:") && l.ends_with(" 90")),
        "{info}"
    );
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
    let bytes = std::fs::read(&pdf).unwrap();
    let meta = xinfang_piece_info(&bytes);
    assert!(
        meta.contains("landscape-rotated"),
        "the page's metadata says how it is placed: {meta}"
    );
    // The A5 letter stays at its actual size.
    assert_eq!(sheets("07-a5-kai.png")[0]["scale"], 1.0);
    // Sizes: bilevel pages are small, grayscale 300 dpi A4 pages moderate.
    let bytes = |name: &str| f.reports[name]["bytes"].as_u64().unwrap();
    assert!(
        bytes("10-scanned-bilevel.pdf") < 60_000,
        "{}",
        bytes("10-scanned-bilevel.pdf")
    );
    assert!(
        bytes("01-header-300dpi.png") < 400_000,
        "{}",
        bytes("01-header-300dpi.png")
    );
    assert!(
        bytes("12-typed.docx") < 80_000,
        "{}",
        bytes("12-typed.docx")
    );
}

#[test]
fn originals_are_never_changed() {
    let f = filed();
    assert!(!f.reports.is_empty());
    for (name, sha) in &f.before {
        let now = sha256_file(&root().join("samples/letters").join(name));
        assert_eq!(&now, sha, "{name} changed");
        if let Some(r) = f.reports.get(name) {
            assert_eq!(r["sha256"].as_str().unwrap(), sha);
        }
    }
}

#[test]
fn metadata_carries_the_number_and_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let out_pdf = dir.path().join("filed.pdf");
    let input = root().join("samples/letters/11-born-digital.pdf");
    let out = bin()
        .args(["archive-pdf", "--number", "XF-2026-0042", "-o"])
        .arg(&out_pdf)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, info) = tool("pdfinfo", &[out_pdf.as_os_str()]);
    assert!(info.contains("信访件 XF-2026-0042"), "{info}");
    let bytes = std::fs::read(&out_pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<dc:identifier>XF-2026-0042</dc:identifier>"));
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"));
    // The petitioner's name is in the letter's text, never in its metadata.
    let name = truth("11-born-digital.pdf")["fields"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, meta) = tool("pdfinfo", &["-meta".as_ref(), out_pdf.as_os_str()]);
    assert!(!meta.contains(&name) && !info.contains(&name), "{meta}");
}

#[test]
fn fit_fills_the_sheet_with_a_small_letter() {
    let dir = tempfile::tempdir().unwrap();
    let out_pdf = dir.path().join("a5.pdf");
    let out = bin()
        .args(["archive-pdf", "--json", "--fit", "-o"])
        .arg(&out_pdf)
        .arg(root().join("samples/letters/07-a5-kai.png"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = &json_lines(&out.stdout)[0];
    let scale = report["sheets"][0]["scale"].as_f64().unwrap();
    assert!(scale > 1.3 && scale < 1.45, "{scale}");
}

#[test]
fn outputs_are_never_clobbered_and_failures_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("letter.pdf");
    std::fs::copy(root().join("samples/letters/11-born-digital.pdf"), &input).unwrap();
    let out_pdf = d.join("copy.pdf");
    std::fs::write(&out_pdf, b"an earlier copy").unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = bin()
            .arg("archive-pdf")
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), json_lines(&out.stdout))
    };
    // An existing output is kept unless --force.
    let (code, lines) = run(&["-o".as_ref(), out_pdf.as_os_str(), input.as_os_str()]);
    assert_eq!(code, Some(1));
    assert_eq!(lines[0]["error"]["code"], "output_exists");
    assert_eq!(std::fs::read(&out_pdf).unwrap(), b"an earlier copy");
    let (code, _) = run(&[
        "--force".as_ref(),
        "-o".as_ref(),
        out_pdf.as_os_str(),
        input.as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    assert!(std::fs::read(&out_pdf).unwrap().starts_with(b"%PDF-1.7"));
    // The input is never the output, even with --force.
    let before = std::fs::read(&input).unwrap();
    let (code, lines) = run(&[
        "--force".as_ref(),
        "-o".as_ref(),
        input.as_os_str(),
        input.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(lines[0]["error"]["code"], "write_failed");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // A bad file among good ones: reported, the others filed, no partial file left.
    let bad = d.join("bad.png");
    std::fs::write(
        &bad,
        &std::fs::read(root().join("samples/letters/01-header-300dpi.png")).unwrap()[..5000],
    )
    .unwrap();
    let out_dir = d.join("out");
    let (code, lines) = run(&[
        "-o".as_ref(),
        out_dir.as_os_str(),
        bad.as_os_str(),
        input.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["code"], "corrupt");
    assert!(lines[1]["output"].as_str().unwrap().ends_with("letter.pdf"));
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["letter.pdf"]);
}

#[test]
fn an_unwritable_destination_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the output folder should be.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"x").unwrap();
    let out = bin()
        .args(["archive-pdf", "--json", "-o"])
        .arg(blocker.join("copy.pdf"))
        .arg(root().join("samples/letters/11-born-digital.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out.stdout)[0]["error"]["code"], "write_failed");
}

#[test]
fn same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/letters/03-fax-g4-2pages.tif");
    let make = |name: &str| {
        let p = dir.path().join(name);
        let out = bin()
            .args(["archive-pdf", "-o"])
            .arg(&p)
            .arg(&input)
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .output()
            .unwrap();
        assert!(out.status.success());
        std::fs::read(p).unwrap()
    };
    assert_eq!(make("a.pdf"), make("b.pdf"));
}

#[test]
fn hostile_corpus_gets_clean_results_and_no_partial_files() {
    let corpus = hostile::Corpus::new();
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["archive-pdf", "--json", "-o"])
        .arg(dir.path())
        .args(corpus.inputs())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{stderr}");
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), corpus.inputs().len());
    let mut filed = 0;
    for v in &lines {
        match v["error"]["code"].as_str() {
            Some(code) => {
                assert!(
                    ERROR_CODES.contains(&code)
                        || ["write_failed", "output_exists"].contains(&code),
                    "unknown code {code}"
                );
                assert_ne!(code, "internal", "{v}");
            }
            None => {
                filed += 1;
                let pdf = PathBuf::from(v["output"].as_str().unwrap());
                let (ok, msg) = tool("qpdf", &["--check".as_ref(), pdf.as_os_str()]);
                assert!(ok, "{}: {msg}", v["file"]);
            }
        }
    }
    let written = walk_count(dir.path());
    assert_eq!(written, filed, "one file per filed input, no leftovers");
}

/// The `/PieceInfo /Xinfang` entries of every page, as text.
fn xinfang_piece_info(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let mut out = String::new();
    for (_, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        let private = page
            .get(b"PieceInfo")
            .and_then(|p| p.as_dict())
            .and_then(|p| p.get(b"Xinfang"))
            .and_then(|x| x.as_dict())
            .and_then(|x| x.get(b"Private"))
            .and_then(|x| x.as_dict())
            .unwrap();
        out.push_str(&format!("{private:?}"));
    }
    out
}

fn walk_count(d: &Path) -> usize {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk_count(&p)
            } else {
                1
            }
        })
        .sum()
}

/// A scanned PDF whose page is three JPEG strips, one of tiles and a mask, and one stored
/// sideways with /Rotate 90: each filing copy is one A4 page holding the whole scan (ink in
/// the bottom third too, where the last strip is), its text layer is extract's text, and
/// it passes the PDF/A checks.
#[test]
fn scans_in_strips_tiles_or_turned_are_filed_whole() {
    let page = image::open(root().join("samples/letters/01-header-300dpi.png")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for (file, bytes) in [
        ("strips.pdf", layouts::strips(&page, 3, 300.0)),
        ("tiles-mask.pdf", layouts::tiles_with_mask(&page, 300.0)),
        ("rotate-90.pdf", layouts::rotated(&page, 300.0)),
    ] {
        std::fs::write(inputs.join(file), bytes).unwrap();
    }
    let out_dir = dir.path().join("out");
    let out = bin().args(["archive-pdf", "--json", "-o"]).arg(&out_dir).arg(&inputs).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, extracted) = extract_json(&[inputs.as_os_str()]);
    let extracted = by_name(extracted);
    let reports = by_name(json_lines(&out.stdout));
    assert_eq!(reports.len(), 3);
    let png_ink = ink_extent(&dir.path().join("view-letter"), &copy_of("01-header-300dpi.png"));
    for (name, report) in &reports {
        let pdf = PathBuf::from(report["output"].as_str().unwrap());
        let (ok, info) = tool("pdfinfo", &[pdf.as_os_str()]);
        assert!(ok && info.contains("Pages:           1") && info.contains("595.28 x 841.89 pts (A4)"), "{name}: {info}");
        let (ok, text) = tool("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
        assert!(ok);
        let want: String = squash(extracted[name]["text"].as_str().unwrap()).into_iter().collect();
        assert_eq!(squash(&text).into_iter().collect::<String>(), want, "{name}");
        // The last line of the letter (the date, near the bottom) is on the copy.
        assert!(want.ends_with("2026年10月17日"), "{name}: {want}");
        // The ink spans the page as it does on the copy of the letter's own image: the
        // top and bottom strips are both there.
        let (top, bottom) = ink_extent(&dir.path().join(format!("view-{}", name.replace('.', "-"))), &pdf);
        assert!((top - png_ink.0).abs() < 0.02 && (bottom - png_ink.1).abs() < 0.02,
            "{name}: ink from {top:.3} to {bottom:.3} of the page; the letter's own copy {png_ink:?}");
        let problems = xinfang::archive::pdfa::check(&std::fs::read(&pdf).unwrap(), true);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

/// The first and last rows with ink on a PDF's first page, as fractions of its height
/// (pdftoppm at 50 dpi into `png`).
fn ink_extent(png: &Path, pdf: &Path) -> (f32, f32) {
    let (ok, msg) = tool("pdftoppm", &["-r".as_ref(), "50".as_ref(), "-singlefile".as_ref(), "-png".as_ref(), "-gray".as_ref(), pdf.as_os_str(), png.as_os_str()]);
    assert!(ok, "{msg}");
    let view = image::open(png.with_extension("png")).unwrap().to_luma8();
    let (w, h) = view.dimensions();
    let inked: Vec<u32> = (0..h).filter(|&y| (0..w).filter(|&x| view.get_pixel(x, y).0[0] < 128).count() > 2).collect();
    assert!(!inked.is_empty(), "{}: blank", pdf.display());
    (inked[0] as f32 / h as f32, *inked.last().unwrap() as f32 / h as f32)
}
