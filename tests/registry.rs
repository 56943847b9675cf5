//! The register's guarantees through the library: numbers unique and without gaps under
//! concurrent registration from many connections, one case per file, repeats linked.

use serde_json::json;
use std::sync::{Arc, Barrier};
use xinfang::model::Extraction;
use xinfang::domain::number::NumberFormat;
use xinfang::registry::sqlite::SqliteRegistry;
use xinfang::registry::{Cases, Documents, NewCase, Registration};

fn extraction(sha: &str, name: &str, id: Option<&str>, phone: &str, category: &str) -> Extraction {
    serde_json::from_value(json!({
        "file": "x", "sha256": sha, "kind": "png",
        "pages": [{"index": 1, "width_px": 10, "height_px": 10, "dpi": 300, "rotation": 0,
                   "skew_deg": 0.0, "source": "ocr", "text": "正文", "confidence": 0.9}],
        "text": format!("{name}反映{category}问题"),
        "fields": {"name": name, "id_number": id, "phone": phone, "address": null, "date": null,
                   "summary": "反映问题", "category": category, "urgent": false, "cosigners": 0},
        "field_confidence": {"urgent": 0.8, "cosigners": 0.8},
        "field_pages": {},
        "warnings": [], "elapsed_ms": 1
    }))
    .unwrap()
}

fn register(r: &mut SqliteRegistry, x: &Extraction) -> Registration {
    let new = NewCase {
        sha256: &x.sha256,
        source_name: "letter.png",
        extraction: x,
        due: None,
        accusation: false,
        channel: xinfang::domain::Channel::Letter,
        from_above: None,
        review: None,
        accused: &[],
        external_id: None,
    };
    let dirs = r.dirs().clone();
    xinfang::registry::register(r, &dirs, &new, "tester", |n| Ok(format!("%PDF-1.7 {n}").into_bytes())).unwrap()
}

#[test]
fn concurrent_registrations_get_unique_gapless_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    drop(SqliteRegistry::open(&root, NumberFormat::default()).unwrap());
    let threads = 8;
    let per_thread = 15;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (root, barrier) = (root.clone(), barrier.clone());
            std::thread::spawn(move || {
                // Each thread has its own connection, as separate processes would.
                let mut r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
                barrier.wait();
                let mut got = Vec::new();
                for i in 0..per_thread {
                    let sha = format!("{t:032x}{i:032x}");
                    let x = extraction(&sha, &format!("人{t}_{i}"), None, "13800000000", "教育");
                    match register(&mut r, &x) {
                        Registration::New { case, .. } => got.push(case.registration_number),
                        other => panic!("{other:?}"),
                    }
                }
                got
            })
        })
        .collect();
    let mut numbers: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    numbers.sort();
    let year = chrono::Datelike::year(&chrono::Local::now());
    let want: Vec<String> = (1..=(threads * per_thread) as i64)
        .map(|s| NumberFormat::default().format(year, s))
        .collect();
    assert_eq!(numbers, want);
    let r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
    let seqs: Vec<i64> = r
        .numbers(year)
        .unwrap()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        seqs,
        (1..=(threads * per_thread) as i64).collect::<Vec<_>>()
    );
    // Every filing copy is where the case says, with its number in it.
    for n in &want {
        let p = root
            .join("filed")
            .join(year.to_string())
            .join(format!("{n}.pdf"));
        assert!(std::fs::read_to_string(p).unwrap().ends_with(n.as_str()));
    }
}

#[test]
fn the_same_file_registered_twice_at_once_makes_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    drop(SqliteRegistry::open(&root, NumberFormat::default()).unwrap());
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (root, barrier) = (root.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
                let x = extraction(&"ab".repeat(32), "王小明", None, "13800000000", "教育");
                barrier.wait();
                register(&mut r, &x)
            })
        })
        .collect();
    let results: Vec<Registration> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let new = results
        .iter()
        .filter(|r| matches!(r, Registration::New { .. }))
        .count();
    assert_eq!(new, 1, "{results:?}");
    assert!(results.iter().all(|r| match r {
        Registration::New { case, .. } | Registration::Duplicate(case) => case.case_id == 1,
    }));
}

#[test]
fn a_petitioners_second_letter_on_the_same_issue_is_a_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
    let id = "11010519491231002X";
    let first = register(
        &mut r,
        &extraction(&"01".repeat(32), "王小明", Some(id), "13800000000", "教育"),
    );
    let Registration::New {
        case: first,
        repeat_of: None,
        ..
    } = first
    else {
        panic!("{first:?}")
    };
    // Same ID number, same category: a repeat of the first.
    let second = register(
        &mut r,
        &extraction(&"02".repeat(32), "王小明", Some(id), "13800000000", "教育"),
    );
    let Registration::New {
        repeat_of: Some(earlier),
        ..
    } = second
    else {
        panic!("{second:?}")
    };
    assert_eq!(earlier, first);
    // Same name and phone without an ID number: also a repeat.
    let third = register(
        &mut r,
        &extraction(&"03".repeat(32), "王小明", None, "13800000000", "教育"),
    );
    assert!(
        matches!(
            third,
            Registration::New {
                repeat_of: Some(_),
                ..
            }
        ),
        "{third:?}"
    );
    // The same person on another kind of issue is a new matter.
    let other = register(
        &mut r,
        &extraction(
            &"04".repeat(32),
            "王小明",
            Some(id),
            "13800000000",
            "城乡建设",
        ),
    );
    assert!(
        matches!(
            other,
            Registration::New {
                repeat_of: None,
                ..
            }
        ),
        "{other:?}"
    );
    // Someone else with the same name but another phone is not the same petitioner.
    let namesake = register(
        &mut r,
        &extraction(&"05".repeat(32), "王小明", None, "13900000000", "教育"),
    );
    assert!(
        matches!(
            namesake,
            Registration::New {
                repeat_of: None,
                ..
            }
        ),
        "{namesake:?}"
    );
}

#[test]
fn search_finds_words_of_any_length_and_identifiers_exactly() {
    use xinfang::registry::cases::CaseFilter;
    let dir = tempfile::tempdir().unwrap();
    let mut r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
    register(
        &mut r,
        &extraction(&"0a".repeat(32), "李秀英", None, "13800000001", "城乡建设"),
    );
    register(
        &mut r,
        &extraction(&"0b".repeat(32), "赵德明", Some("11010519491231002X"), "13800000002", "教育"),
    );
    let ids = |q: &str| -> Vec<i64> {
        r.list_cases(&CaseFilter { q: Some(q.into()), ..Default::default() })
            .unwrap()
            .cases
            .iter()
            .map(|c| c.id)
            .collect()
    };
    // Three characters, two (inside running text), one, and words apart.
    assert_eq!(ids("秀英反"), [1]);
    assert_eq!(ids("德明"), [2]);
    assert_eq!(ids("反映"), [2, 1]);
    assert_eq!(ids("赵"), [2]);
    assert_eq!(ids("反映 教育"), [2]);
    // Characters that do not stand together are not the word.
    assert_eq!(ids("秀英城乡"), Vec::<i64>::new());
    assert_eq!(ids("明英"), Vec::<i64>::new());
    // Identifiers, exactly: registration number (any case), phone, ID number, name.
    let year = chrono::Datelike::year(&chrono::Local::now());
    assert_eq!(ids(&format!("xf-{year}-000002")), [2]);
    assert_eq!(ids("13800000001"), [1]);
    assert_eq!(ids("11010519491231002X"), [2]);
    assert_eq!(ids("李秀英"), [1]);
    // A pasted NUL or FTS5 syntax is only text.
    assert_eq!(ids("德明\0"), [2]);
    assert_eq!(ids("\"德明\" OR *"), Vec::<i64>::new());
}

#[test]
fn document_numbers_are_unique_and_gapless_per_code_and_year_and_a_failed_render_uses_none() {
    use xinfang::registry::documents::{NewDocument, Rendered};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    {
        let mut r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
        register(&mut r, &extraction("d1", "张三", None, "13900000000", "劳动"));
    }
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    let threads = 4;
    let per_thread = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let root = root.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
                barrier.wait();
                let mut got = vec![];
                for i in 0..per_thread {
                    let inputs = json!({});
                    let new = NewDocument {
                        about: xinfang::registry::documents::About::Case(1),
                        kind: "transfer",
                        title: "信访事项转送函",
                        code: Some("咸信转"),
                        addressee: Some("嘉鱼县人民政府"),
                        inputs: &inputs,
                        feedback_due: None,
                        date,
                    };
                    // Every third render of one thread fails: its number must not be used up.
                    let fail = t == 0 && i % 3 == 0;
                    let dirs = r.dirs().clone();
                    let out = xinfang::registry::record_document(&mut r, &dirs, &new, "tester", None, |n| {
                            if fail {
                                Err("render failed")
                            } else {
                                Ok(Rendered { pdf: Some(n.unwrap().as_bytes().to_vec()), docx: None })
                            }
                        })
                        .unwrap()
                        .unwrap();
                    if let Ok(d) = out {
                        got.push(d.number.unwrap());
                    }
                }
                got
            })
        })
        .collect();
    let mut numbers: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let failed = (0..per_thread).filter(|i| i % 3 == 0).count();
    assert_eq!(numbers.len(), threads * per_thread - failed);
    let mut seqs: Vec<usize> = numbers
        .iter()
        .map(|n| n.trim_start_matches("咸信转〔2026〕").trim_end_matches('号').parse().unwrap())
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=numbers.len()).collect::<Vec<_>>(), "gapless from 1");
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), seqs.len(), "unique");
    // Another code and another year have their own sequences.
    let mut r = SqliteRegistry::open(&root, NumberFormat::default()).unwrap();
    let inputs = json!({});
    for (code, year, want) in [("咸信交", 2026, "咸信交〔2026〕1号"), ("咸信转", 2027, "咸信转〔2027〕1号")] {
        let new = NewDocument {
            about: xinfang::registry::documents::About::Case(1),
            kind: "assignment",
            title: "交办函",
            code: Some(code),
            addressee: None,
            inputs: &inputs,
            feedback_due: None,
            date: chrono::NaiveDate::from_ymd_opt(year, 1, 5).unwrap(),
        };
        let dirs = r.dirs().clone();
        let d = xinfang::registry::record_document(&mut r, &dirs, &new, "tester", None, |_| Ok::<_, String>(Rendered::default()))
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(d.number.as_deref(), Some(want));
    }
    // Every document is in the case's history and the audit log.
    assert_eq!(r.documents(1).unwrap().len(), seqs.len() + 2);
    let case = r.case(1).unwrap().unwrap();
    assert_eq!(case.events.iter().filter(|e| e.action == xinfang::domain::EventKind::Document).count(), seqs.len() + 2);
}
