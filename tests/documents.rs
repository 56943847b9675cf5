//! `xinfang generate`: every kind from a registered case to PDF and DOCX, measured with
//! real tools: qpdf, pdffonts and pdfinfo on the PDF; `pdftotext -bbox` for the GB/T 9704
//! type area and 28 characters on a full line; LibreOffice for the DOCX's page count. Bad
//! input gets a clear error and leaves nothing under the output name.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use util::{bin, pdf_info, pdf_pages, root, run, text};

const KINDS: [&str; 18] = [
    "transfer",
    "assignment",
    "assignment-form",
    "acceptance-notice",
    "refusal-notice",
    "transfer-notice",
    "reply",
    "receipt",
    "feedback-form",
    "rec-improve-work",
    "rec-improve-policy",
    "rec-accountability",
    "no-further-notice",
    "extension-notice",
    "supervision",
    "review-opinion",
    "re-review-opinion",
    "completion-report",
];

/// The officer's text every kind may ask for.
const INPUTS: &str = r#"
"事实" = "经查，信访人反映的拖欠工资问题属实。施工单位已承认拖欠并承诺限期付清。\n劳动监察大队已对施工单位下达限期整改指令书。"
"依据" = "《保障农民工工资支付条例》第三条、第三十条。"
"处理意见" = "（一）支持信访人要求支付拖欠工资的诉求。\n（二）责成施工单位于2026年12月31日前付清。"
"理由" = "该事项属于劳动争议，依法应当通过劳动争议仲裁程序解决。"
"渠道" = "向劳动人事争议仲裁委员会申请仲裁。"
"问题" = "个别单位对交办的信访事项推诿敷衍，超期未办结。"
"建议" = "1.建立首接负责制，明确承办责任人。\n2.严格按期办结并书面答复信访人。"
"要求" = "请认真调查核实，依法依规处理。"
"承办人" = "李明"
"联系电话" = "0715-8123456"
"抄送" = "市信访局"
"结果" = "已督促施工单位付清工资。"
"延期理由" = "该事项涉及多个施工单位，需要现场核查"
"原处理机关" = "嘉鱼县人力资源和社会保障局"
"原处理意见书" = "嘉人社复〔2026〕5号信访事项处理意见书"
"请求日期" = "2026年11月20日"
"交办文号" = "咸信交〔2026〕8号"
"签发人" = "王建华"
"#;

/// GB/T 9704 type area in PDF points: left 28 mm, right 26 mm, top 37 mm, bottom 35 mm.
const MM: f64 = 72.0 / 25.4;
const LEFT: f64 = 28.0 * MM;
const RIGHT: f64 = (210.0 - 26.0) * MM;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = (297.0 - 35.0) * MM;
/// ±0.5 mm, the layout test's tolerance.
const SLACK: f64 = 0.5 * MM;
/// The body's line pitch.
const PITCH: f64 = 28.95;

/// A data folder with one registered letter (the typed DOCX sample: no OCR needed).
fn registered() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(bin()
        .arg("intake")
        .arg("--data")
        .arg(&data)
        .arg(root().join("samples/letters/12-typed.docx")));
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(dir.path().join("inputs.toml"), INPUTS).unwrap();
    (dir, data)
}

/// Takes a step on case 1 as a user of `role` would on its page; the step must be allowed.
fn apply(data: &Path, role: xinfang::domain::Role, action: xinfang::domain::Action) {
    let mut r = xinfang::registry::open(data, Default::default()).unwrap();
    let actor = xinfang::registry::life::Actor { role, name: "tester".into(), address: None };
    let (deadlines, names) = (Default::default(), Default::default());
    let rules = xinfang::domain::Rules { deadlines: &deadlines, names: &names };
    r.apply(1, &action, &actor, rules).unwrap().expect("the step is allowed");
}

/// A registered case assigned to the county government, as the 督办函 needs.
fn routed() -> (tempfile::TempDir, PathBuf) {
    let (dir, data) = registered();
    use xinfang::domain::{Action, Role, Route, RouteKind};
    let route = Route { kind: RouteKind::Assign, body: Some("嘉鱼县人民政府".into()), reason: None };
    apply(&data, Role::Officer, Action::Route(route));
    (dir, data)
}

fn generate(dir: &Path, data: &Path, kind: &str, extra: &[&str]) -> Output {
    run(bin()
        .arg("generate")
        .arg(kind)
        .args(["--case", "1", "--to", "嘉鱼县人民政府", "--input"])
        .arg(dir.join("inputs.toml"))
        .arg("--data")
        .arg(data)
        .args(extra))
}

struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

/// Words of `pdftotext -bbox`, by page.
fn boxes(pdf: &Path) -> Vec<Vec<Word>> {
    let out = run(Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-"));
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<page ")
        .skip(1)
        .map(|page| {
            page.split("<word ")
                .skip(1)
                .map(|w| {
                    let (tag, rest) = w.split_once('>').unwrap();
                    Word {
                        x0: attr(tag, "xMin"),
                        y0: attr(tag, "yMin"),
                        x1: attr(tag, "xMax"),
                        y1: attr(tag, "yMax"),
                        text: rest.split("</word>").next().unwrap().to_string(),
                    }
                })
                .collect()
        })
        .collect()
}

fn pages(pdf: &Path) -> usize {
    // Ours exactly; LibreOffice's from the DOCX's twips (595.3 pt).
    let info = pdf_info(pdf);
    assert!(info.contains("x 841.89 pts (A4)"), "{info}");
    pdf_pages(pdf)
}

/// Horizontal dark runs at least `min_len` pt long on `page` (1-based), rendered at 72 dpi:
/// (y in pt, x0, x1) of each, one per pixel row.
fn rules(pdf: &Path, page: usize, min_len: f64) -> Vec<(f64, f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    let n = page.to_string();
    let out = run(Command::new("pdftoppm").args(["-r", "72", "-gray", "-png", "-singlefile", "-f", &n, "-l", &n]).arg(pdf).arg(&prefix));
    assert!(out.status.success(), "{}", text(&out));
    let img = image::open(prefix.with_extension("png")).unwrap().to_luma8();
    let mut found = vec![];
    for y in 0..img.height() {
        let mut run_start = None;
        for x in 0..=img.width() {
            let dark = x < img.width() && img.get_pixel(x, y).0[0] < 160;
            match (dark, run_start) {
                (true, None) => run_start = Some(x),
                (false, Some(s)) => {
                    if (x - s) as f64 >= min_len {
                        found.push((y as f64 + 0.5, s as f64, x as f64));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
    }
    found
}

#[test]
fn every_kind_is_laid_out_on_the_gbt9704_page_and_its_docx_agrees() {
    let (dir, data) = routed();
    let out_dir = dir.path().join("out");
    let mut full_lines = 0;
    let mut record_blocks = 0;
    for kind in KINDS {
        let pdf = out_dir.join(format!("{kind}.pdf"));
        let out = generate(dir.path(), &data, kind, &["--format", "pdf,docx", "-o", pdf.to_str().unwrap()]);
        assert!(out.status.success(), "{kind}: {}", text(&out));
        assert!(pdf.with_extension("docx").exists(), "{kind}: DOCX written");

        let check = run(Command::new("qpdf").arg("--check").arg(&pdf));
        assert!(check.status.success(), "{kind}: {}", text(&check));
        let fonts = String::from_utf8(run(Command::new("pdffonts").arg(&pdf)).stdout).unwrap();
        for line in fonts.lines().skip(2) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{kind}: font embedded, subset, ToUnicode: {line}");
        }
        let meta = String::from_utf8(run(Command::new("pdfinfo").arg("-meta").arg(&pdf)).stdout).unwrap();
        assert!(meta.contains("<pdfaid:part>2</pdfaid:part>") && meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{kind}: PDF/A-2b");

        let n = pages(&pdf);
        let form = kind.ends_with("-form") || kind == "receipt";
        let letter = [
            "transfer", "assignment", "acceptance-notice", "refusal-notice", "transfer-notice", "reply", "no-further-notice",
            "extension-notice", "supervision", "review-opinion", "re-review-opinion",
        ]
        .contains(&kind);
        if form {
            assert_eq!(n, 1, "{kind}: a form is one page");
        }
        let words = boxes(&pdf);
        for (p, page) in words.iter().enumerate() {
            for w in page {
                // Every character inside the type area's 28-184 mm, punctuation at a
                // line's end included (no half-width marks hanging out).
                assert!(w.x0 >= LEFT - SLACK && w.x1 <= RIGHT + SLACK, "{kind} p{}: {:?} outside the type area ({:.1}-{:.1})", p + 1, w.text, w.x0, w.x1);
                let page_number = w.y0 > BOTTOM && (w.text == "—" || w.text.chars().all(|c| c.is_ascii_digit()));
                if page_number {
                    // 7 mm under the type area; odd pages right, even pages left.
                    assert!((w.y0 - (BOTTOM + 7.0 * MM)).abs() < 1.0, "{kind}: page number at {:.1}", w.y0);
                    if w.text != "—" {
                        assert_eq!(w.x0 > 297.0, p % 2 == 0, "{kind} p{}: page number side", p + 1);
                    }
                    assert!(!(letter && p == 0), "{kind}: no page number on a letter's first page");
                    continue;
                }
                // The letter layout's organ mark starts 30 mm from the top, above the area.
                let top = if letter { 30.0 * MM } else { TOP };
                assert!(w.y0 >= top - 1.0 && w.y1 <= BOTTOM + 1.0, "{kind} p{}: {:?} at y {:.1}-{:.1}", p + 1, w.text, w.y0, w.y1);
            }
            // A full body line: from the left edge to the right, 28 characters, Chinese only.
            for w in page {
                let full = (w.x0 - LEFT).abs() < 1.0 && (w.x1 - RIGHT).abs() < 1.5;
                let chinese = w.text.chars().all(|c| !c.is_ascii());
                if full && chinese && !form {
                    assert_eq!(w.text.chars().count(), 28, "{kind}: a full line holds 28 characters: {}", w.text);
                    full_lines += 1;
                }
            }
        }
        // The record block: its last rule on the foot of the last page (±2 mm), text above
        // it on that page, an even page when there are several (printed on both sides).
        let last = words.len();
        let body_text = String::from_utf8(run(Command::new("pdftotext").arg(&pdf).arg("-")).stdout).unwrap();
        if body_text.contains("抄送") || body_text.contains("印发") {
            record_blocks += 1;
            let copy = words[last - 1].iter().filter(|w| w.text.starts_with("抄送") || w.text.ends_with("印发")).map(|w| w.y0).reduce(f64::min);
            let copy = copy.unwrap_or_else(|| panic!("{kind}: the record block is on the last page"));
            assert!(copy > BOTTOM - 3.0 * PITCH, "{kind}: 抄送 at the foot, y {copy:.1}");
            if !letter {
                let foot = rules(&pdf, last, 150.0 * MM).into_iter().filter(|(y, _, _)| *y > BOTTOM - 4.0 * PITCH).map(|(y, _, _)| y).fold(0.0, f64::max);
                assert!((foot - BOTTOM).abs() <= 2.0 * MM, "{kind}: the record block's last rule at {foot:.1}, the foot at {BOTTOM:.1}");
            }
            let text_above = words[last - 1].iter().filter(|w| w.y1 < copy - 1.0 && !w.text.starts_with("—")).count();
            assert!(text_above > 0, "{kind}: the record block is not alone on its page");
            if last > 1 {
                assert_eq!(last % 2, 0, "{kind}: the record block on an even page");
            }
        }
        if letter {
            // §10.1: the double rules 170 mm long, centred; the first 4 mm under the mark.
            let long: Vec<(f64, f64, f64)> = rules(&pdf, 1, 160.0 * MM);
            let top_rule = long.iter().find(|(y, _, _)| *y < TOP + 40.0).unwrap_or_else(|| panic!("{kind}: the rule under the mark"));
            assert!((top_rule.2 - top_rule.1 - 170.0 * MM).abs() < 2.0, "{kind}: rule {:.1} pt long", top_rule.2 - top_rule.1);
            assert!((top_rule.1 - 20.0 * MM).abs() < 2.0, "{kind}: rule centred, from {:.1}", top_rule.1);
            let mark_bottom = words[0].iter().filter(|w| w.text.contains("示例县信访局") && w.y0 < TOP).map(|w| w.y1).fold(0.0, f64::max);
            // pdftotext's box runs to the font's descender; the em box ends 0.12 em above it.
            assert!((top_rule.0 - mark_bottom - 4.0 * MM).abs() < 3.0, "{kind}: rule {:.1} pt under the mark", top_rule.0 - mark_bottom);
            let foot_rule = long.iter().rev().find(|(y, _, _)| *y > BOTTOM).unwrap_or_else(|| panic!("{kind}: the rule at the foot"));
            assert!(((297.0 - 20.0) * MM - foot_rule.0).abs() < 4.0, "{kind}: foot rule at {:.1}", foot_rule.0);
        }
        // Page 1 is not left short: no more than 5 lines free unless the document ends there.
        if last > 1 {
            let lowest = words[0].iter().filter(|w| w.y1 < BOTTOM + 1.0).map(|w| w.y1).fold(0.0, f64::max);
            let free = (BOTTOM - lowest) / PITCH;
            assert!(free <= 5.5, "{kind}: page 1 has {free:.1} lines free");
        }
        let squashed: String = body_text.split_whitespace().collect();
        assert!(squashed.contains("示例县信访局"), "{kind}: the bureau");
        if !form {
            assert!(squashed.contains("2026年") && !squashed.contains("2026 年"), "{kind}: GB/T date");
        }
    }
    assert!(full_lines >= 3, "full body lines measured: {full_lines}");
    assert!(record_blocks >= 6, "record blocks measured: {record_blocks}");

    // The DOCX files, rendered by LibreOffice, have as many pages as our PDFs, and no
    // number is broken across lines.
    let lo = out_dir.join("lo");
    let docx: Vec<PathBuf> = KINDS.iter().map(|k| out_dir.join(format!("{k}.docx"))).collect();
    util::docx_to_pdf(&lo, &docx, dir.path());
    for kind in KINDS {
        let ours = pages(&out_dir.join(format!("{kind}.pdf")));
        let theirs = pages(&lo.join(format!("{kind}.pdf")));
        assert_eq!(ours, theirs, "{kind}: pages in our PDF vs the DOCX in LibreOffice");
        let lo_text = String::from_utf8(run(Command::new("pdftotext").arg(lo.join(format!("{kind}.pdf"))).arg("-")).stdout).unwrap();
        assert!(lo_text.contains("示例县信访局"), "{kind}: DOCX text");
        for token in ["XF-2026-000001", "0715-8123456"] {
            let broken = lo_text.replace('\n', "").contains(token) && !lo_text.contains(token);
            assert!(!broken, "{kind}: {token} broken across lines in LibreOffice");
        }
    }

    // The DOCX names the bureau's fonts and has real heading styles.
    let styles = util::docx_part(&out_dir.join("reply.docx"), "word/styles.xml");
    for font in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
        assert!(styles.contains(font), "styles name {font}");
    }
    assert!(styles.contains("w:val=\"heading 1\"") && styles.contains("<w:outlineLvl w:val=\"0\""), "heading styles");
    assert!(styles.contains("w:val=\"en-US\" w:eastAsia=\"zh-CN\""), "Latin runs en-US, East Asian zh-CN");
    let fonts = util::docx_part(&out_dir.join("reply.docx"), "word/fontTable.xml");
    assert!(fonts.contains("仿宋_GB2312") && fonts.contains("<w:altName w:val=\"仿宋\"/>"), "{fonts}");
    let document = util::docx_part(&out_dir.join("reply.docx"), "word/document.xml");
    assert!(document.contains("w:val=\"Heading1\""), "the reply's headings use the heading style");

    // Every document is kept with the case, numbered per code without gaps.
    let out = run(bin().args(["generate", "--list", "--json", "--data"]).arg(&data));
    // The case kinds, then the period ones (the analysis report and the bulletin).
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(listed.lines().count(), KINDS.len() + xinfang::documents::period::KINDS.len(), "{listed}");
    assert!(listed.contains("\"analysis-report\"") && listed.contains("\"bulletin\""), "{listed}");
    let stored: usize = std::fs::read_dir(data.join("documents"))
        .unwrap()
        .map(|year| std::fs::read_dir(year.unwrap().path()).unwrap().count())
        .sum();
    assert!(stored >= 2 * KINDS.len(), "kept with the case: {stored}");
}

#[test]
fn refusals_and_bad_input_leave_nothing_and_use_no_number() {
    let (dir, data) = registered();
    let out_pdf = dir.path().join("x.pdf");
    let o = out_pdf.to_str().unwrap();
    let fail = |out: Output, want: &str| {
        assert!(!out.status.success());
        let t = text(&out);
        assert!(t.contains(want), "expected {want:?} in: {t}");
        assert!(!out_pdf.exists(), "nothing under the output name");
    };
    fail(generate(dir.path(), &data, "nonsense", &["-o", o]), "unknown document kind");
    fail(
        run(bin().args(["generate", "transfer", "--case", "99", "-o", o, "--data"]).arg(&data)),
        "case 99 does not exist",
    );
    // A missing field is named with its template line.
    fail(
        run(bin().args(["generate", "reply", "--case", "1", "-o", o, "--data"]).arg(&data)),
        "reply.txt 第10行：缺少字段「事实」",
    );
    // Text too long for a form's cell.
    let long = format!("要求={}", "请认真调查核实。".repeat(20));
    fail(generate(dir.path(), &data, "assignment-form", &["--set", &long, "-o", o]), "「交办要求」一栏最多 3 行");
    // A bureau's own template with a syntax error, and one with an unknown field.
    let templates = data.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let builtin = std::fs::read_to_string(root().join("templates/transfer.txt")).unwrap();
    std::fs::write(templates.join("transfer.txt"), builtin.replace("{{ 事项 }}", "{{ 事项 }")).unwrap();
    fail(generate(dir.path(), &data, "transfer", &["-o", o]), "模板语法错误");
    std::fs::write(templates.join("transfer.txt"), builtin.replace("{{ 事项 }}", "{{ 事情 }}")).unwrap();
    fail(generate(dir.path(), &data, "transfer", &["-o", o]), "未知字段「事情」");
    let check = run(bin().args(["generate", "--check", "--data"]).arg(&data));
    assert!(!check.status.success() && text(&check).contains("transfer.txt"), "{}", text(&check));
    // A bureau's own wording is used once it is right.
    std::fs::write(templates.join("transfer.txt"), builtin.replace("转送你单位", "转请你单位")).unwrap();
    let out = generate(dir.path(), &data, "transfer", &["-o", o]);
    assert!(out.status.success(), "{}", text(&out));
    let body: String = String::from_utf8(run(Command::new("pdftotext").arg(&out_pdf).arg("-")).stdout)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(body.contains("转请你单位"), "{body}");
    // None of the refusals used up a number: this is the first of its code.
    assert!(text(&out).contains("示信转〔"), "{}", text(&out));
    assert!(text(&out).contains("〕1号"), "{}", text(&out));
    // An existing output is not replaced without --force.
    let before = std::fs::read(&out_pdf).unwrap();
    let again = generate(dir.path(), &data, "transfer", &["-o", o]);
    assert!(!again.status.success() && text(&again).contains("exists"));
    assert_eq!(std::fs::read(&out_pdf).unwrap(), before);
}

#[test]
fn accusation_material_is_never_addressed_to_the_body_it_accuses() {
    let (dir, data) = registered();
    {
        // The officer marks the purpose class (检举控告) and the accused; the flag follows.
        use xinfang::domain::{Action, Corrections, Purpose, Role};
        let c = Corrections {
            purpose: Some(Purpose::Accusation),
            accused: Some(vec!["嘉鱼县教育局".into()]),
            ..Default::default()
        };
        apply(&data, Role::Officer, Action::Correct(c));
        let case = xinfang::registry::open(&data, Default::default()).unwrap().case(1).unwrap().unwrap();
        assert!(case.summary.accusation);
        assert_eq!(case.purpose, Purpose::Accusation);
    }
    let o = dir.path().join("t.pdf");
    for kind in ["transfer", "assignment", "assignment-form"] {
        let out = run(bin()
            .args(["generate", kind, "--case", "1", "--to", "嘉鱼县教育局", "-o"])
            .arg(&o)
            .arg("--input")
            .arg(dir.path().join("inputs.toml"))
            .arg("--data")
            .arg(&data));
        assert!(!out.status.success(), "{kind}");
        assert!(text(&out).contains("检举控告材料不得转送、交办给被检举控告的单位"), "{}", text(&out));
        assert!(!o.exists());
    }
    let out = generate(dir.path(), &data, "transfer", &["-o", o.to_str().unwrap()]);
    assert!(out.status.success(), "another body is fine: {}", text(&out));
}

/// Notices speak to one petitioner as 你 and to a joint letter's signers as 你们.
#[test]
fn notices_address_one_petitioner_or_the_signers_of_a_joint_letter() {
    let (dir, data) = registered();
    let read = |pdf: &Path| text(&run(Command::new("pdftotext").arg(pdf).arg("-"))).replace('\n', "");
    let one = dir.path().join("one.pdf");
    let out = generate(dir.path(), &data, "acceptance-notice", &["-o", one.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let t = read(&one);
    assert!(t.contains("你于") && !t.contains("你们") && !t.contains("（们）"), "{t}");
    let joint = xinfang::domain::Corrections { cosigners: Some(23), ..Default::default() };
    apply(&data, xinfang::domain::Role::Mailroom, xinfang::domain::Action::Correct(joint));
    let many = dir.path().join("many.pdf");
    let out = generate(dir.path(), &data, "acceptance-notice", &["-o", many.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let t = read(&many);
    assert!(t.contains("你们于") && t.contains("答复你们"), "{t}");
}

/// A draft is marked 草稿 and takes no number; a voided document keeps its number, which is
/// never given again.
#[test]
fn drafts_take_no_number_and_voided_documents_keep_theirs() {
    let (dir, data) = registered();
    let draft = dir.path().join("draft.pdf");
    let out = generate(dir.path(), &data, "transfer", &["--draft", "-o", draft.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("草稿"), "{}", text(&out));
    let t = text(&run(Command::new("pdftotext").arg(&draft).arg("-")));
    assert!(t.contains("草稿") && t.contains("示信转〔2026〕") && !t.contains("〕1号"), "{t}");
    let count = || xinfang::registry::open(&data, Default::default()).unwrap().documents(1).unwrap();
    assert!(count().is_empty(), "a draft is not recorded");

    let one = dir.path().join("one.pdf");
    let out = generate(dir.path(), &data, "transfer", &["-o", one.to_str().unwrap()]);
    assert!(text(&out).contains("示信转〔2026〕1号"), "the draft took no number: {}", text(&out));
    let id = count()[0].id.to_string();
    let void = |reason: &str| run(bin().args(["generate", "--void", &id, "--reason", reason, "--data"]).arg(&data));
    let out = void("测试时重复生成");
    assert!(out.status.success() && text(&out).contains("已作废"), "{}", text(&out));
    let out = void("again");
    assert!(!out.status.success() && text(&out).contains("voided before"), "{}", text(&out));
    let docs = count();
    assert!(docs[0].is_void() && docs[0].void_reason.as_deref() == Some("测试时重复生成"));
    assert_eq!(docs[0].number.as_deref(), Some("示信转〔2026〕1号"), "the number stays");
    let two = dir.path().join("two.pdf");
    let out = generate(dir.path(), &data, "transfer", &["-o", two.to_str().unwrap()]);
    assert!(text(&out).contains("示信转〔2026〕2号"), "a voided number is not given again: {}", text(&out));
    // The history says so.
    let case = xinfang::registry::open(&data, Default::default()).unwrap().case(1).unwrap().unwrap();
    assert!(case.events.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.contains("作废：测试时重复生成"))));
}

/// The wording a clerk would otherwise correct: a joint letter's writers, the matter named
/// once, the served document named with its number, room to sign on a form.
#[test]
fn documents_read_as_a_clerk_writes_them() {
    let (dir, data) = registered();
    let joint = xinfang::domain::Corrections { cosigners: Some(23), ..Default::default() };
    apply(&data, xinfang::domain::Role::Mailroom, xinfang::domain::Action::Correct(joint));
    let read = |kind: &str| {
        let pdf = dir.path().join(format!("{kind}.pdf"));
        let out = generate(dir.path(), &data, kind, &["-o", pdf.to_str().unwrap()]);
        assert!(out.status.success(), "{kind}: {}", text(&out));
        (pdf.clone(), text(&run(Command::new("pdftotext").arg(&pdf).arg("-"))).replace('\n', ""))
    };
    let (_, t) = read("transfer");
    assert!(t.contains("孙红霞等23人（身份证号") && !t.contains("（23人"), "{t}");
    assert!(t.contains("来信反映的关于学校违规收费问题的信访事项") && !t.contains("“关于") && !t.contains("以来信形式"), "{t}");
    let (_, t) = read("acceptance-notice");
    assert!(t.contains("你们于") && t.contains("来信反映的关于学校违规收费问题的信访事项"), "{t}");
    let (pdf, t) = read("receipt");
    assert!(t.contains("信访事项受理告知书（示信告〔2026〕1号）"), "the receipt names what it serves: {t}");
    // 受送达人签收 on one line; the date's 年 月 日 stand to the right, with room to sign.
    let words = boxes(&pdf);
    assert!(words[0].iter().any(|w| w.text == "受送达人签收"), "the label is not wrapped");
    let year = words[0].iter().find(|w| w.text.starts_with('年')).expect("年");
    assert!(year.x0 > (LEFT + RIGHT) / 2.0, "年 at {:.1}: the form's spaces were kept", year.x0);
}

#[test]
fn a_supervision_needs_a_routed_case() {
    let (dir, data) = registered();
    let pdf = dir.path().join("out/supervision.pdf");
    let out = generate(dir.path(), &data, "supervision", &["--format", "pdf", "-o", pdf.to_str().unwrap()]);
    assert!(!out.status.success(), "an unrouted case is refused");
    assert!(text(&out).contains("案件尚未转送或交办"), "{}", text(&out));
    assert!(!pdf.exists(), "nothing written");
    let (dir, data) = routed();
    let pdf = dir.path().join("out/supervision.pdf");
    let out = generate(dir.path(), &data, "supervision", &["--format", "pdf", "-o", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let body = String::from_utf8(run(Command::new("pdftotext").arg(&pdf).arg("-")).stdout).unwrap();
    let today = chrono::Local::now().date_naive();
    let assigned = format!("{}年{}月{}日交办", chrono::Datelike::year(&today), chrono::Datelike::month(&today), chrono::Datelike::day(&today));
    assert!(body.replace('\n', "").contains(&assigned), "the day it was assigned: {body}");
}

/// The benchmark's fixed case still fills the reply (a field a template gained would
/// otherwise first show when BENCHMARKS.md is rerun). `cargo test` builds the examples.
#[test]
fn the_document_benchmark_still_renders() {
    let exe = Path::new(env!("CARGO_BIN_EXE_xinfang")).with_file_name("examples").join("bench_documents");
    assert!(exe.exists(), "cargo test builds the examples: {}", exe.display());
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(Command::new(&exe).arg("2").arg(out_dir.path()));
    assert!(out.status.success(), "{}", text(&out));
    assert!(pdf_pages(&out_dir.path().join("reply.pdf")) >= 1);
}
