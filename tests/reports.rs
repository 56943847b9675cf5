//! The period documents (信访情况分析报告, 信访工作动态) on a synthetic register: written from
//! the same figures `xinfang stats` gives, the analyst's edits taking the place of the
//! written paragraphs, tables and charts in the PDF (text and vectors: pdftotext reads the
//! tables) and pictures in the DOCX, a draft unnumbered and unrecorded, a final one numbered
//! and kept with its period, voided with its number kept; checked with pdftotext, qpdf and
//! pdffonts.

mod util;

use std::path::Path;
use std::process::Command;
use util::{bin, run, text};

fn pdftotext(pdf: &Path) -> String {
    let out = run(Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-"));
    assert!(out.status.success(), "pdftotext: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn checked_pdf(pdf: &Path) {
    let out = run(Command::new("qpdf").arg("--check").arg(pdf));
    assert!(out.status.success(), "qpdf --check {}: {}", pdf.display(), text(&out));
    let fonts = String::from_utf8_lossy(&run(Command::new("pdffonts").arg(pdf)).stdout).to_string();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "every font embedded: {row}");
    }
}

/// The words of a line of `pdftotext -layout` that holds `label`.
fn row_of(text: &str, label: &str) -> Vec<String> {
    let line = text.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no line with {label}: {text}"));
    line.split_whitespace().map(String::from).collect()
}

#[test]
fn the_analysis_report_and_bulletin_tell_the_registers_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(bin().args(["synth", "--cases", "900", "--years", "1", "--data"]).arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let today = chrono::Local::now().date_naive();
    let month = xinfang::stats::Period::month_of(today).previous();
    let period = month.code();
    // The figures as the CLI counts them.
    let out = run(bin().args(["stats", "--format", "json", "--period", &period, "--data"]).arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let received = v["figures"]["received"].as_i64().unwrap();
    assert!(received > 20, "{received} letters last month");
    let previous = v["previous"]["received"].as_i64().unwrap();
    // One breakdown alone, as CSV and as an XLSX file: the same counts.
    let out = run(bin().args(["stats", "--by", "category", "--format", "csv", "--period", &period, "--data"]).arg(&data));
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    let categories = v["figures"]["by_category"].as_array().unwrap();
    assert_eq!(csv.lines().count(), categories.len() + 1, "{csv}");
    for c in categories {
        assert!(csv.contains(&format!("类别,{},{}", c["label"].as_str().unwrap(), c["count"])), "{csv}");
    }
    let xlsx = dir.path().join("stats.xlsx");
    let out = run(bin().args(["stats", "--format", "xlsx", "--period", &period, "-o"]).arg(&xlsx).arg("--data").arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let book = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    assert!(book.file_names().any(|n| n == "xl/worksheets/sheet1.xml"));
    let generate = |args: &[&str]| {
        let mut c = bin();
        c.args(["generate"]).args(args).args(["--period", &period, "--data"]).arg(&data);
        run(&mut c)
    };
    let signed = ["--set", "签发人=张明", "--set", "收文机关=中共示例市委、示例市人民政府", "--set", "建议=建议对欠薪问题开展专项治理。"];

    // An upward report needs its signer, its addressee and the analyst's recommendations.
    let o = dir.path().join("out");
    let out = generate(&["analysis-report", "--draft", "-o", o.join("x.pdf").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("收文机关") && text(&out).contains("建议"), "{}", text(&out));
    let out = generate(&["analysis-report", "--draft", "-o", o.join("x.pdf").to_str().unwrap(), "--set", "收文机关=市委", "--set", "建议=无"]);
    assert!(!out.status.success() && text(&out).contains("签发人"), "{}", text(&out));
    let out = generate(&["analysis-report", "--draft", "-o", o.join("x.pdf").to_str().unwrap(), "--set", "信访人=张三"]);
    assert!(!out.status.success() && text(&out).contains("unknown field"), "{}", text(&out));
    let out = run(bin().args(["generate", "analysis-report", "--case", "1", "--data"]).arg(&data));
    assert!(!out.status.success() && text(&out).contains("give --period"), "{}", text(&out));

    // A draft: marked, unnumbered, nothing recorded.
    let draft = o.join("draft.pdf");
    let mut args = vec!["analysis-report", "--draft", "-o", draft.to_str().unwrap()];
    args.extend(signed);
    let out = generate(&args);
    assert!(out.status.success(), "{}", text(&out));
    checked_pdf(&draft);
    let t = pdftotext(&draft);
    let squashed: String = t.split_whitespace().collect();
    assert!(squashed.contains("草稿"), "{t}");
    assert!(squashed.contains(&format!("{}信访情况分析报告", month.label())), "{t}");
    assert!(squashed.contains(&format!("共登记群众来信{received}件")), "the sentence tells the CLI's figure: {t}");
    assert!(squashed.contains(&format!("上一期{previous}件")), "{t}");
    // Table 1's first row: the same total, the period before beside it.
    let row = row_of(&t, "来信总量");
    assert_eq!(row[1..3], [received.to_string(), previous.to_string()], "{row:?}");
    // Each category's row says its count.
    for c in v["figures"]["by_category"].as_array().unwrap().iter().filter(|c| c["count"].as_i64().unwrap() > 0 && c["code"] != "") {
        let label = c["label"].as_str().unwrap();
        let row = t.lines().map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>()).find(|w| w.first().is_some_and(|f| f == label));
        let row = row.unwrap_or_else(|| panic!("{label} has a row: {t}"));
        assert_eq!(row[1], c["count"].as_i64().unwrap().to_string(), "{label}: {row:?}");
    }
    for caption in ["表1", "表4", "图1", "图2"] {
        assert!(squashed.contains(caption), "{caption}: {t}");
    }
    let db = rusqlite::Connection::open(data.join("xinfang.db")).unwrap();
    let kept: i64 = db.query_row("SELECT count(*) FROM documents", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "a draft is not recorded");
    let audited: i64 = db.query_row("SELECT count(*) FROM audit WHERE action = ?1", [format!("draft-document kind=analysis-report period={period}")], |r| r.get(0)).unwrap();
    assert_eq!(audited, 1);

    // The final one: the analyst's own wording in place of a paragraph, numbered, kept.
    let final_pdf = o.join("final.pdf");
    let mut args = vec!["analysis-report", "--format", "pdf,docx", "-o", final_pdf.to_str().unwrap(), "--set", "热点问题=经分析，本月来信以劳动和社会保障类为重点。"];
    args.extend(signed);
    let out = generate(&args);
    assert!(out.status.success(), "{}", text(&out));
    let year = chrono::Datelike::year(&today);
    assert!(text(&out).contains(&format!("示信报〔{year}〕1号")), "{}", text(&out));
    checked_pdf(&final_pdf);
    let squashed: String = pdftotext(&final_pdf).split_whitespace().collect();
    assert!(squashed.contains("经分析，本月来信以劳动和社会保障类为重点。") && !squashed.contains("与上一期相比，增长较多"), "the edit replaces the written paragraph");
    assert!(squashed.contains(&format!("示信报〔{year}〕1号")) && squashed.contains("签发人：张明") && !squashed.contains("草稿"));
    // The DOCX: the tables as tables, the charts as pictures.
    let docx = final_pdf.with_extension("docx");
    let body = util::docx_part(&docx, "word/document.xml");
    assert_eq!(body.matches("<w:tbl>").count(), 4, "four tables");
    assert!(body.contains(&received.to_string()));
    let zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let pictures: Vec<&str> = zip.file_names().filter(|n| n.starts_with("word/media/")).collect();
    assert_eq!(pictures.len(), 3, "three charts as pictures: {pictures:?}");
    // LibreOffice sets the DOCX on the same pages, each ending with the same words.
    let lo = dir.path().join("lo");
    std::fs::create_dir_all(&lo).unwrap();
    util::docx_to_pdf(&lo, std::slice::from_ref(&docx), dir.path());
    let lo_pdf = lo.join("final.pdf");
    let pages = util::pdf_pages(&final_pdf);
    assert_eq!(util::pdf_pages(&lo_pdf), pages, "the DOCX in LibreOffice has the PDF's pages");
    let page_end = |pdf: &Path, p: usize| -> String {
        let out = run(Command::new("pdftotext").args(["-f", &p.to_string(), "-l", &p.to_string()]).arg(pdf).arg("-"));
        let words: Vec<char> = String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect();
        words[words.len().saturating_sub(12)..].iter().collect()
    };
    for p in 1..=pages {
        assert_eq!(page_end(&lo_pdf, p), page_end(&final_pdf, p), "page {p} ends alike");
    }
    let (id, period_kept, number): (i64, String, String) =
        db.query_row("SELECT id, period, number FROM documents", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!((period_kept.as_str(), number), (period.as_str(), format!("示信报〔{year}〕1号")));

    // The bulletin has its own numbers; voiding keeps the number.
    let bulletin = o.join("bulletin.pdf");
    let out = generate(&["bulletin", "-o", bulletin.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("示信动〔{year}〕1号")), "{}", text(&out));
    checked_pdf(&bulletin);
    let out = run(bin().args(["generate", "--void", &id.to_string(), "--reason", "数字有误，重新制发", "--data"]).arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let (voided, reason): (Option<String>, String) = db.query_row("SELECT voided_at, void_reason FROM documents WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(voided.is_some() && reason == "数字有误，重新制发");
    let again = o.join("again.pdf");
    let mut args = vec!["analysis-report", "-o", again.to_str().unwrap()];
    args.extend(signed);
    let out = generate(&args);
    assert!(text(&out).contains(&format!("示信报〔{year}〕2号")), "a voided number is not given again: {}", text(&out));
}
