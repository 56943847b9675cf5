//! `xinfang binder`: the year's closed cases and their documents bound into volumes; every
//! number on the volume (catalogue, stamps, page numbers) checked with pdftotext against the
//! register and the manifest; the same year bound twice gives the same bytes; `verify`
//! notices a changed byte.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use util::{bin, pdf_pages, root, run, text};
use xinfang::domain::{Action, Role, Route, RouteKind, Rules, Step};
use xinfang::registry::life::Actor;


fn page_text(pdf: &Path, page: usize) -> String {
    let out = run(Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string(), "-layout"])
        .arg(pdf)
        .arg("-"));
    String::from_utf8(out.stdout).unwrap()
}

fn pages(pdf: &Path) -> usize {
    pdf_pages(pdf)
}

/// Three letters (one landscape), two closed with a transfer letter on the first, one open.
fn register() -> (tempfile::TempDir, PathBuf, i32) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let letters = root().join("samples/letters");
    let out = run(bin()
        .arg("intake")
        .arg("--data")
        .arg(&data)
        .arg(letters.join("12-typed.docx"))
        .arg(letters.join("15-landscape-a4.png"))
        .arg(letters.join("11-born-digital.pdf")));
    assert!(out.status.success(), "{}", text(&out));
    let deadlines = xinfang::deadline::Deadlines::default();
    let names = Default::default();
    let rules = Rules { deadlines: &deadlines, names: &names };
    let officer = Actor { role: Role::Officer, name: "tester".into(), address: None };
    let mut r = xinfang::registry::open(&data, Default::default()).unwrap();
    for id in [1, 2] {
        let route = Route { kind: RouteKind::Transfer, body: Some("县教育局".into()), reason: None };
        r.apply(id, &Action::Route(route), &officer, rules).unwrap().unwrap();
        for step in [Step::Accept, Step::Result, Step::Reply, Step::Close] {
            // (A routed case closes on the body's result.)
            let note = (step == Step::Result).then(|| "已责令整改".to_string());
            r.apply(id, &Action::Step { step, note }, &officer, rules).unwrap().unwrap();
        }
    }
    drop(r);
    let out = run(bin()
        .args(["generate", "transfer", "--case", "1", "--data"])
        .arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let year = chrono::Local::now().format("%Y").to_string().parse().unwrap();
    (dir, data, year)
}

fn binder(data: &Path, year: i32, out: &Path, extra: &[&str]) -> Output {
    run(bin()
        .args(["binder", "--year", &year.to_string(), "-o"])
        .arg(out)
        .arg("--data")
        .arg(data)
        .args(extra))
}

#[test]
fn a_bound_year_agrees_with_the_register_page_by_page() {
    let (dir, data, year) = register();
    let out = dir.path().join("bound");
    let o = binder(&data, year, &out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("未办结"), "the open case is listed with its reason: {}", text(&o));

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let items = manifest["items"].as_array().unwrap();
    // Case 1's letter, its transfer letter, then case 2's letter; case 3 is open.
    assert_eq!(items.len(), 3, "{manifest}");
    assert_eq!(manifest["excluded"].as_array().unwrap().len(), 1);
    assert!(items[1]["number"].as_str().unwrap().starts_with("示信转〔"));
    let volumes = manifest["volumes"].as_array().unwrap();
    assert_eq!(volumes.len(), 1);
    let volume = out.join(volumes[0]["file"].as_str().unwrap());
    assert_eq!(volumes[0]["file"], format!("{year}-D30-vol01.pdf"));

    // The volume: cover, one catalogue page, the items' pages, the note sheet.
    let check = run(Command::new("qpdf").arg("--check").arg(&volume));
    assert!(check.status.success(), "{}", text(&check));
    let bytes = std::fs::read(&volume).unwrap();
    assert_eq!(xinfang::archive::pdfa::check(&bytes, false), Vec::<String>::new());
    let item_pages: Vec<usize> = items.iter().map(|i| i["pages"].as_u64().unwrap() as usize).collect();
    // Each item's page count is its source's.
    for it in items {
        let source = data.join(it["source"].as_str().unwrap());
        assert_eq!(pages(&source), it["pages"].as_u64().unwrap() as usize, "{it}");
    }
    let total = 1 + 1 + item_pages.iter().sum::<usize>() + 1;
    assert_eq!(pages(&volume), total);
    assert_eq!(volumes[0]["pages"].as_u64().unwrap() as usize, total);

    let cover = page_text(&volume, 1);
    for want in ["全宗号", "X001", "30年", &format!("{year}"), "0001—0003", "第 1 卷"] {
        assert!(cover.contains(want), "cover lacks {want}: {cover}");
    }
    // Catalogue: one row per item, with its reference, number and pages; numbered 1.
    let catalogue = page_text(&volume, 2);
    for (i, it) in items.iter().enumerate() {
        let reference = format!("X001-WS·{year}-D30-{:04}", i + 1);
        assert_eq!(it["reference"], reference);
        let line = catalogue
            .lines()
            .find(|l| l.contains(&reference))
            .unwrap_or_else(|| panic!("{reference} not in the catalogue: {catalogue}"));
        assert!(line.contains(it["number"].as_str().unwrap()), "{line}");
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], (i + 1).to_string(), "{line}");
        assert!(cells.contains(&it["pages"].to_string().as_str()), "{line}");
    }
    assert_eq!(catalogue.split_whitespace().last(), Some("1"), "catalogue page number");
    // Stamps on every item's first page; page numbers continuous to the note sheet.
    let mut page = 3;
    for (i, it) in items.iter().enumerate() {
        let first = page_text(&volume, page);
        let stamp: Vec<&str> = first.lines().take(4).flat_map(|l| l.split_whitespace()).collect();
        for want in ["X001", &year.to_string(), &format!("{:04}", i + 1), "30年", &it["pages"].to_string()] {
            assert!(stamp.contains(&want), "item {} stamp lacks {want}: {stamp:?}", i + 1);
        }
        for k in 0..item_pages[i] {
            let t = page_text(&volume, page + k);
            assert_eq!(t.split_whitespace().last(), Some((page + k - 1).to_string().as_str()), "page {}", page + k);
        }
        page += item_pages[i];
    }
    let note = page_text(&volume, total);
    assert!(note.contains("备考表") && note.contains(&format!("本卷共 3 件，{total} 页")), "{note}");

    // The landscape letter's stamp is upright at the top of the page as shown.
    let landscape_page = 3 + item_pages[0] + item_pages[1];
    let bbox = String::from_utf8(
        run(Command::new("pdftotext")
            .args(["-bbox", "-f", &landscape_page.to_string(), "-l", &landscape_page.to_string()])
            .arg(&volume)
            .arg("-"))
        .stdout,
    )
    .unwrap();
    // pdftotext gives word boxes as the page is shown: the stamp's middle cell is centred
    // on the landscape width (842 pt), in the top 25 mm.
    let coord = |word: &str, key: &str| -> f64 {
        word.split(&format!("{key}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    };
    let word = bbox.lines().find(|l| l.contains(&format!(">{year}<"))).expect("the stamp's year");
    let middle = (coord(word, "xMin") + coord(word, "xMax")) / 2.0;
    assert!((middle - 841.89 / 2.0).abs() < 3.0, "centred on the shown width: {word}");
    assert!(coord(word, "yMax") < 25.0 * 72.0 / 25.4, "stamp in the top margin: {word}");

    // Catalogues for the archive's system.
    let csv = std::fs::read_to_string(out.join("catalogue.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(&format!("X001-WS·{year}-D30-0001")));
    let xlsx = run(Command::new("unzip").arg("-l").arg(out.join("catalogue.xlsx")));
    assert!(String::from_utf8_lossy(&xlsx.stdout).contains("xl/worksheets/sheet1.xml"));

    // Bound again: the same bytes.
    let again = dir.path().join("again");
    assert!(binder(&data, year, &again, &[]).status.success());
    assert_eq!(std::fs::read(&volume).unwrap(), std::fs::read(again.join(volumes[0]["file"].as_str().unwrap())).unwrap());
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), std::fs::read(again.join("manifest.json")).unwrap());

    // verify: all good; then one changed byte in a volume, and a changed source.
    let verify = |d: &Path| run(bin().args(["binder", "verify"]).arg(d).arg("--data").arg(&data));
    let ok = verify(&out);
    assert!(ok.status.success(), "{}", text(&ok));
    let mut changed = bytes.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    std::fs::write(&volume, &changed).unwrap();
    let bad = verify(&out);
    assert!(!bad.status.success() && text(&bad).contains(volumes[0]["file"].as_str().unwrap()), "{}", text(&bad));
    let source = data.join(items[1]["source"].as_str().unwrap());
    let mut s = std::fs::read(&source).unwrap();
    s.push(b'\n');
    std::fs::write(&source, s).unwrap();
    let bad = verify(&again);
    assert!(!bad.status.success() && text(&bad).contains("件 0002"), "{}", text(&bad));
}

#[test]
fn open_cases_on_request_and_volumes_split_at_the_page_limit() {
    let (dir, data, year) = register();
    for _ in 0..6 {
        let out = run(bin()
            .args(["generate", "transfer-notice", "--case", "2", "--data"])
            .arg(&data));
        assert!(out.status.success(), "{}", text(&out));
    }
    let config = dir.path().join("xinfang.toml");
    std::fs::write(&config, "[binder]\npage_limit = 10\nretention = \"Y\"\n").unwrap();
    let out = dir.path().join("bound");
    let o = run(bin()
        .args(["binder", "--year", &year.to_string(), "--include-open", "-o"])
        .arg(&out)
        .arg("--data")
        .arg(&data)
        .arg("--config")
        .arg(&config));
    assert!(o.status.success(), "{}", text(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["items"].as_array().unwrap().len(), 3 + 6 + 1);
    assert_eq!(manifest["excluded"].as_array().unwrap().len(), 0);
    let volumes = manifest["volumes"].as_array().unwrap();
    assert!(volumes.len() >= 2, "{manifest}");
    let mut next = 1;
    for v in volumes {
        let file = out.join(v["file"].as_str().unwrap());
        assert!(v["file"].as_str().unwrap().starts_with(&format!("{year}-Y-vol")));
        assert!(pages(&file) <= 10, "{} has {} pages", v["file"], pages(&file));
        // Item numbers run on from one volume to the next.
        assert_eq!(v["first_item"], format!("{next:04}"));
        next = v["last_item"].as_str().unwrap().parse::<usize>().unwrap() + 1;
        assert!(page_text(&file, 1).contains("永久"));
    }
    assert_eq!(next, 11);
}

/// A registration voided by the mailroom keeps its number in the register and never goes
/// into the volumes, even when open cases are bound; the manifest says why.
#[test]
fn a_voided_registration_is_left_out_even_with_open_cases() {
    let (dir, data, year) = register();
    let deadlines = xinfang::deadline::Deadlines::default();
    let names = Default::default();
    let rules = Rules { deadlines: &deadlines, names: &names };
    let mailroom = Actor { role: Role::Mailroom, name: "收发员".into(), address: None };
    let mut r = xinfang::registry::open(&data, Default::default()).unwrap();
    let void = Action::Step { step: Step::Void, note: Some("本单位值班表，误扫".into()) };
    r.apply(3, &void, &mailroom, rules).unwrap().unwrap();
    let voided = r.case(3).unwrap().unwrap();
    assert_eq!(voided.summary.status, xinfang::domain::Status::Voided);
    drop(r);
    let out = dir.path().join("bound");
    let o = binder(&data, year, &out, &["--include-open"]);
    assert!(o.status.success(), "{}", text(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let excluded = manifest["excluded"].as_array().unwrap();
    assert_eq!(excluded.len(), 1, "{manifest}");
    assert!(excluded[0].to_string().contains(&voided.summary.registration_number), "{manifest}");
    assert!(excluded[0].to_string().contains("作废"), "{manifest}");
    assert!(!manifest["items"].to_string().contains(&voided.summary.registration_number), "{manifest}");
}

/// Word boxes (text, x0, y0, x1, y1) of one page, by `pdftotext -bbox`.
fn words(pdf: &Path, page: usize) -> Vec<(String, f64, f64, f64, f64)> {
    let n = page.to_string();
    let out = run(Command::new("pdftotext").args(["-bbox", "-f", &n, "-l", &n]).arg(pdf).arg("-"));
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let text = rest.split("</word>").next().unwrap().to_string();
            (text, attr(tag, "xMin"), attr(tag, "yMin"), attr(tag, "xMax"), attr(tag, "yMax"))
        })
        .collect()
}

/// The catalogue names each item (titles composed in [ ], letters without a 文号, their
/// registration number in 备注); a voided document is left out with a line in the note
/// sheet; the stamp keeps off a born-digital letter's title; the XLSX catalogue is set up
/// for print and binding again gives the same bytes.
#[test]
fn the_catalogue_names_each_item_and_the_note_sheet_the_voided_ones() {
    let (dir, data, year) = register();
    let out = run(bin().args(["generate", "transfer", "--case", "1", "--data"]).arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let docs = xinfang::registry::open(&data, Default::default()).unwrap().documents(1).unwrap();
    let second = docs.last().unwrap();
    let voided_number = second.number.clone().unwrap();
    let out = run(bin().args(["generate", "--void", &second.id.to_string(), "--reason", "测试时重复生成", "--data"]).arg(&data));
    assert!(out.status.success(), "{}", text(&out));

    let bound = dir.path().join("bound");
    let o = binder(&data, year, &bound, &["--include-open"]);
    assert!(o.status.success(), "{}", text(&o));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(bound.join("manifest.json")).unwrap()).unwrap();
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "three letters and the one transfer letter not voided: {manifest}");
    assert!(!manifest["items"].to_string().contains(&voided_number), "{manifest}");
    assert!(manifest["excluded"].to_string().contains("已作废"), "{manifest}");
    let letter = &items[0];
    let title = letter["title"].as_str().unwrap();
    assert!(title.starts_with('[') && title.ends_with("的来信]"), "{title}");
    assert_eq!(letter["number"], "", "a letter has no 文号");
    assert!(letter["note"].as_str().unwrap().starts_with("登记号XF-"), "{letter}");
    let transfer = items[1]["title"].as_str().unwrap();
    assert!(transfer.starts_with("[关于转送") && transfer.ends_with("的函]"), "{transfer}");
    for it in items {
        assert!(it["title"].as_str().unwrap().chars().count() <= 60, "{it}");
    }

    let volume = bound.join(manifest["volumes"][0]["file"].as_str().unwrap());
    let last = pdf_pages(&volume);
    let note: String = page_text(&volume, last).split_whitespace().collect();
    assert!(note.contains(&voided_number) && note.contains("已作废") && note.contains("测试时重复生成"), "{note}");
    assert!(note.contains("整理人") && note.contains("检查人") && !note.contains("立卷人"), "{note}");

    // The born-digital letter (case 3): the stamp's cells and the letter's words do not touch.
    let mut page = 3;
    for it in &items[..3] {
        page += it["pages"].as_u64().unwrap() as usize;
    }
    let first = words(&volume, page);
    // The stamp's six cells: fonds, year, item; organ (none), retention, pages.
    let top_row: Vec<_> = first.iter().filter(|w| w.0 == "X001" || w.0 == year.to_string() || w.0 == "0004").collect();
    assert_eq!(top_row.len(), 3, "the stamp on the letter's first page: {first:?}");
    let row_y = top_row[0].2;
    let mm = 72.0 / 25.4;
    let (sx0, sx1) = (top_row.iter().map(|w| w.1).fold(f64::MAX, f64::min) - 5.0 * mm, top_row.iter().map(|w| w.3).fold(0.0, f64::max) + 5.0 * mm);
    let (sy0, sy1) = (row_y - 3.0 * mm, row_y + 12.0 * mm);
    let in_stamp = |w: &(String, f64, f64, f64, f64)| w.1 >= sx0 && w.3 <= sx1 && w.2 >= sy0 && w.4 <= sy1;
    for w in first.iter().filter(|w| !in_stamp(w)) {
        let overlaps = w.1 < sx1 && w.3 > sx0 && w.2 < sy1 + 1.0 * mm && w.4 > sy0 - 1.0 * mm;
        assert!(!overlaps, "the stamp ({sx0:.0}-{sx1:.0}, {sy0:.0}-{sy1:.0}) touches {w:?}");
    }

    // The XLSX: widths, the frozen heading, A4 landscape; the same bytes when bound again.
    let sheet = util::docx_part(&bound.join("catalogue.xlsx"), "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<col ") && sheet.contains("state=\"frozen\"") && sheet.contains("orientation=\"landscape\""), "{sheet}");
    let again = dir.path().join("again");
    assert!(binder(&data, year, &again, &["--include-open"]).status.success());
    assert_eq!(std::fs::read(bound.join("catalogue.xlsx")).unwrap(), std::fs::read(again.join("catalogue.xlsx")).unwrap());
}
