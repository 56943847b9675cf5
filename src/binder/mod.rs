//! The yearly bound file (`xinfang binder`, DA/T 22-2015): the year's letters (their A4
//! filing copies) and the documents issued on them, grouped by case, numbered as items,
//! stamped, catalogued and bound into A4 PDF/A-2b volumes; with `catalogue.csv`,
//! `catalogue.xlsx` and `manifest.json` (SHA-256 of every volume and every source) so the
//! binding can be verified later.
//!
//! Memory stays flat with the number of items: a first pass keeps only each item's
//! metadata (digest, page count); each volume is then built, written and dropped before
//! the next, loading its items' files one at a time.

pub mod merge;
pub mod stamp;
pub mod titles;

use crate::config::Config;
use crate::documents::pdf::PdfEngine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One item (件) of the bound file, before it is numbered.
#[derive(Debug, Clone)]
pub struct Source {
    /// The PDF to bind.
    pub path: PathBuf,
    /// Where the manifest says it came from (relative to the data folder).
    pub label: String,
    /// 文号: the document number of a document; a letter has none (its registration
    /// number goes in 备注).
    pub number: String,
    /// 责任者
    pub responsible: String,
    /// 题名
    pub title: String,
    /// YYYYMMDD
    pub date: String,
    pub note: String,
    /// The case it belongs to (its registration number), for the outline.
    pub case: String,
    /// An incoming letter (its first page is looked at for where the stamp fits).
    pub letter: bool,
    /// Lines for the volume's note sheet (备考表): a voided document of the case.
    pub notes: Vec<String>,
    /// The petitioner's name as the title names them (masked where a page lists titles).
    pub writer: String,
}

/// A numbered item in a volume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// 件号, 4 digits.
    pub item: String,
    /// 档号
    pub reference: String,
    pub number: String,
    pub responsible: String,
    pub title: String,
    pub date: String,
    pub pages: usize,
    pub note: String,
    pub case: String,
    pub source: String,
    pub sha256: String,
    pub volume: String,
    /// Where the filing stamp stands on its first page (none: the usual place, centred 6 mm
    /// from the top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<stamp::At>,
}

/// Something of the year that was not bound, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Excluded {
    pub what: String,
    pub reason: String,
    /// Left out only because the case is not finished (binding with open cases would take
    /// it in).
    #[serde(default)]
    pub open: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeEntry {
    pub file: String,
    pub sha256: String,
    pub pages: usize,
    pub retention: String,
    pub first_item: String,
    pub last_item: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub year: i32,
    /// The binding's date (the latest item's): the catalogue's too.
    #[serde(default = "no_date")]
    pub date: chrono::NaiveDate,
    pub fonds: String,
    pub volumes: Vec<VolumeEntry>,
    pub items: Vec<Item>,
    pub excluded: Vec<Excluded>,
}

#[derive(Debug, thiserror::Error)]
pub enum BinderError {
    #[error("{0}")]
    Registry(#[from] crate::registry::RegistryError),
    #[error("{path}: {message}")]
    Source { path: String, message: String },
    #[error("layout: {0}")]
    Layout(String),
    #[error("PDF: {0}")]
    Pdf(#[from] lopdf::Error),
    #[error("{0}")]
    Write(String),
    #[error("{0}")]
    Config(String),
}

/// The date of a manifest written before bindings carried one.
fn no_date() -> chrono::NaiveDate {
    chrono::NaiveDate::default()
}

/// A letter's own date for the catalogue, YYYYMMDD: as stored (`2026-11-03`) or as written
/// (`二〇二六年十一月三日`, `2026.11.3`); none when it cannot be read.
fn letter_date(written: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(written, "%Y-%m-%d")
        .ok()
        .or_else(|| crate::ingest::cndate::find_dates(written).first().map(|d| d.date))
        .map(|d| d.format("%Y%m%d").to_string())
}

/// Retention codes and their names.
pub fn retention_name(code: &str) -> Option<&'static str> {
    match code {
        "Y" => Some("永久"),
        "D30" => Some("30年"),
        "D10" => Some("10年"),
        _ => None,
    }
}

/// 档号: fonds-class·year-retention[-organ]-item, the item 4 digits.
pub fn reference(config: &Config, year: i32, retention: &str, item: usize) -> String {
    let b = &config.binder;
    let organ = if b.organ_code.is_empty() {
        String::new()
    } else {
        format!("-{}", b.organ_code)
    };
    format!("{}-{}·{year}-{retention}{organ}-{item:04}", config.bureau.fonds, b.class_code)
}

/// Dates as the catalogue writes them: YYYYMMDD, from RFC 3339 or `YYYY-MM-DD` text.
fn yyyymmdd(s: &str) -> String {
    s.get(..10).map(|d| d.replace('-', "")).unwrap_or_default()
}

/// What the register holds for `year`: the letters of closed cases (all cases with
/// `include_open`) followed each by the documents issued on them.
pub fn sources(
    registry: &dyn crate::registry::Register,
    data: &Path,
    config: &Config,
    year: i32,
    include_open: bool,
) -> Result<(Vec<Source>, Vec<Excluded>), BinderError> {
    let mut items = vec![];
    let mut excluded = vec![];
    let dirs = crate::store::DataDirs::new(data);
    let root = &dirs.root;
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    for case in registry.year_cases(year)? {
        // A voided number stays in the register, never in the volumes.
        if case.status == crate::domain::Status::Voided {
            excluded.push(Excluded {
                what: case.registration_number.clone(),
                reason: "登记已作废（非信访件等），不归档".into(),
                open: false,
            });
            continue;
        }
        if !case.status.is_finished() && !include_open {
            excluded.push(Excluded {
                what: case.registration_number.clone(),
                reason: format!("案件未办结（状态：{}），未归档", case.status.label()),
                open: true,
            });
            continue;
        }
        if !case.filed.exists() {
            excluded.push(Excluded {
                what: case.registration_number.clone(),
                reason: "归档副本不存在".into(),
                open: false,
            });
            continue;
        }
        let name = case.name.clone().unwrap_or_else(|| "佚名".into());
        let date = case.letter_date.as_deref().and_then(letter_date).unwrap_or_else(|| yyyymmdd(&case.registered_at));
        let mut note = format!("登记号{}", case.registration_number);
        if let Some(r) = &case.repeat_of {
            note.push_str(&format!("；重复件，前案{r}"));
        }
        let letter_at = items.len();
        items.push(Source {
            label: relative(&case.filed),
            path: case.filed.clone(),
            number: String::new(),
            responsible: name.clone(),
            title: titles::letter(case.name.as_deref(), case.summary.as_deref()),
            date,
            note,
            case: case.registration_number.clone(),
            letter: true,
            notes: vec![],
            writer: name.clone(),
        });
        for doc in registry.documents(case.id)? {
            // A voided document keeps its number in the register, never a place in the
            // volumes: the note sheet says so.
            if doc.is_void() {
                let what = format!("{} {}", doc.title, doc.number.as_deref().unwrap_or("（无文号）"));
                let why = doc.void_reason.clone().unwrap_or_default();
                items[letter_at].notes.push(format!("{}：{what}已作废（{why}），未归档。", case.registration_number));
                excluded.push(Excluded {
                    what: format!("{} {what}", case.registration_number),
                    reason: format!("文书已作废（{why}），不归档"),
                    open: false,
                });
                continue;
            }
            let Some(pdf) = &doc.pdf else {
                excluded.push(Excluded {
                    what: format!("{} {}", case.registration_number, doc.title),
                    reason: "该文书只生成了 DOCX，没有 PDF".into(),
                    open: false,
                });
                continue;
            };
            items.push(Source {
                path: root.join(pdf),
                label: pdf.clone(),
                number: doc.number.clone().unwrap_or_default(),
                responsible: config.bureau.name.clone(),
                title: titles::document(&doc.kind, &doc.title, case.name.as_deref(), case.summary.as_deref()),
                date: yyyymmdd(&doc.created_at),
                note: String::new(),
                case: case.registration_number.clone(),
                letter: false,
                notes: vec![],
                writer: name.clone(),
            });
        }
    }
    Ok((items, excluded))
}

/// Sets an earlier binding in `out` aside before a new one is written there: the folder
/// is renamed to `out` + `.replaced-YYYYMMDDTHHMMSS` beside it (nothing is deleted).
/// Returns the new name, or `None` when `out` holds no binding.
pub fn set_aside(out: &Path) -> Result<Option<PathBuf>, BinderError> {
    if !out.join("manifest.json").exists() {
        return Ok(None);
    }
    let stamp = crate::clock::now().format("%Y%m%dT%H%M%S");
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut aside = out.with_file_name(format!("{name}.replaced-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = out.with_file_name(format!("{name}.replaced-{stamp}-{n}"));
    }
    std::fs::rename(out, &aside).map_err(|e| BinderError::Write(format!("{}: {e}", out.display())))?;
    Ok(Some(aside))
}

/// Puts a binding set aside (`set_aside`) back in `out` after a binding there failed; what
/// the failed binding left in `out` is kept beside it as `.failed-YYYYMMDDTHHMMSS`.
pub fn put_back(out: &Path, aside: &Path) -> Result<(), BinderError> {
    let write = |e: std::io::Error, p: &Path| BinderError::Write(format!("{}: {e}", p.display()));
    if out.exists() {
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let failed = out.with_file_name(format!("{name}.failed-{}", crate::clock::now().format("%Y%m%dT%H%M%S")));
        std::fs::rename(out, &failed).map_err(|e| write(e, out))?;
    }
    std::fs::rename(aside, out).map_err(|e| write(e, aside))
}

/// The earlier bindings set aside beside `out`, newest first (their folder names).
pub fn set_aside_list(out: &Path) -> Vec<String> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!("{name}.replaced-");
    let mut found: Vec<String> = out
        .parent()
        .and_then(|p| std::fs::read_dir(p).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

/// The date a binding carries: the latest date among its items (the letters' dates and the
/// documents'), so binding the same year again gives the same bytes. `SOURCE_DATE_EPOCH`
/// overrides it. None when there is nothing to bind.
pub fn binding_date(sources: &[Source]) -> Option<chrono::NaiveDate> {
    if std::env::var_os("SOURCE_DATE_EPOCH").is_some() {
        return (!sources.is_empty()).then(|| crate::clock::now().date_naive());
    }
    sources
        .iter()
        .filter_map(|s| chrono::NaiveDate::parse_from_str(&s.date, "%Y%m%d").ok())
        .max()
}

/// What binding a year came to.
pub enum YearBinding {
    Bound(Manifest),
    /// Nothing of the year can be bound; what was left out and why.
    Nothing(Vec<Excluded>),
}

/// Binds the year `year` from the register into `out`: its items (`sources`), the
/// binding's date (`binding_date`), the volumes (`bind`). The command line and the
/// service's background job both bind through here.
#[allow(clippy::too_many_arguments)]
pub fn bind_year(
    registry: &dyn crate::registry::Register,
    data: &Path,
    config: &Config,
    engine: &PdfEngine,
    year: i32,
    include_open: bool,
    out: &Path,
    progress: Progress,
) -> Result<YearBinding, BinderError> {
    let (sources, excluded) = sources(registry, data, config, year, include_open)?;
    let Some(date) = binding_date(&sources) else {
        return Ok(YearBinding::Nothing(excluded));
    };
    bind(&sources, excluded, config, engine, year, date, out, progress).map(YearBinding::Bound)
}

/// Progress: items done, items in all.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Largest source PDF read.
const MAX_SOURCE_BYTES: u64 = 512 << 20;

fn read_source(path: &Path) -> Result<Vec<u8>, BinderError> {
    let err = |message: String| BinderError::Source {
        path: path.display().to_string(),
        message,
    };
    let size = std::fs::metadata(path).map_err(|e| err(e.to_string()))?.len();
    if size > MAX_SOURCE_BYTES {
        return Err(err(format!("{size} bytes, over the {MAX_SOURCE_BYTES}-byte limit")));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

/// Binds `sources` into `out`: volumes, catalogue, manifest. `date` is the date the
/// volumes carry (their metadata and the note sheet), so the same year gives the same bytes.
#[allow(clippy::too_many_arguments)]
pub fn bind(
    sources: &[Source],
    excluded: Vec<Excluded>,
    config: &Config,
    engine: &PdfEngine,
    year: i32,
    date: chrono::NaiveDate,
    out: &Path,
    progress: Progress,
) -> Result<Manifest, BinderError> {
    let retention = config.binder.retention.clone();
    let retention_label = retention_name(&retention)
        .ok_or_else(|| BinderError::Config(format!("[binder] retention {retention:?}: use Y, D30 or D10")))?;
    std::fs::create_dir_all(out).map_err(|e| BinderError::Write(format!("{}: {e}", out.display())))?;
    // First pass: digest and page count of every item; nothing else is kept.
    let total = sources.len();
    let mut items: Vec<Item> = Vec::with_capacity(total);
    for (i, s) in sources.iter().enumerate() {
        let bytes = read_source(&s.path)?;
        let pages = lopdf::Document::load_mem(&bytes)
            .map_err(|e| BinderError::Source {
                path: s.path.display().to_string(),
                message: e.to_string(),
            })?
            .get_pages()
            .len();
        let n = i + 1;
        items.push(Item {
            item: format!("{n:04}"),
            reference: reference(config, year, &retention, n),
            number: s.number.clone(),
            responsible: s.responsible.clone(),
            title: s.title.clone(),
            date: s.date.clone(),
            pages,
            note: s.note.clone(),
            case: s.case.clone(),
            source: s.label.clone(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            volume: String::new(),
            stamp: None,
        });
        progress(i + 1, total * 2);
    }
    // Where each letter's stamp fits (its first page rendered small), on every core.
    let letters: Vec<usize> = (0..sources.len()).filter(|&i| sources[i].letter).collect();
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(letters.len().max(1));
    let places: Vec<(usize, Option<stamp::At>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = letters
            .chunks(letters.len().div_ceil(workers).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&i| {
                            let place = read_source(&sources[i].path).ok().and_then(|b| stamp::place(&b, &config.limits));
                            (i, place)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    for (i, place) in places {
        items[i].stamp = place;
    }
    // Volumes: items in order until the page limit (less the volume's own pages) is reached.
    let limit = config.binder.page_limit.max(10) as usize;
    let mut groups: Vec<std::ops::Range<usize>> = vec![];
    let mut start = 0;
    let mut pages = 0;
    for (i, it) in items.iter().enumerate() {
        // Cover, note sheet, and a catalogue page per 12 rows.
        let own = 2 + (i - start + 1).div_ceil(12);
        if i > start && pages + it.pages + own > limit {
            groups.push(start..i);
            start = i;
            pages = 0;
        }
        pages += it.pages;
    }
    if start < items.len() {
        groups.push(start..items.len());
    }
    let mut volumes = vec![];
    for (v, range) in groups.iter().enumerate() {
        let file = format!("{year}-{retention}-vol{:02}.pdf", v + 1);
        for it in &mut items[range.clone()] {
            it.volume = file.clone();
        }
        let bytes = build_volume(
            &items[range.clone()],
            &sources[range.clone()],
            config,
            engine,
            year,
            v + 1,
            retention_label,
            date,
            &|k| progress(total + range.start + k, total * 2),
        )?;
        let pages = lopdf::Document::load_mem(&bytes)?.get_pages().len();
        crate::fsutil::write_atomic(&out.join(&file), &bytes, None, true).map_err(BinderError::Write)?;
        volumes.push(VolumeEntry {
            sha256: hex::encode(Sha256::digest(&bytes)),
            file,
            pages,
            retention: retention.clone(),
            first_item: items[range.start].item.clone(),
            last_item: items[range.end - 1].item.clone(),
        });
    }
    let manifest = Manifest {
        year,
        date,
        fonds: config.bureau.fonds.clone(),
        volumes,
        items,
        excluded,
    };
    write_catalogues(&manifest, out)?;
    let json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    crate::fsutil::write_atomic(&out.join("manifest.json"), &json, None, true).map_err(BinderError::Write)?;
    Ok(manifest)
}

#[allow(clippy::too_many_arguments)]
fn build_volume(
    items: &[Item],
    sources: &[Source],
    config: &Config,
    engine: &PdfEngine,
    year: i32,
    number: usize,
    retention_label: &str,
    date: chrono::NaiveDate,
    progress: &dyn Fn(usize),
) -> Result<Vec<u8>, BinderError> {
    use chrono::Datelike;
    let b = &config.binder;
    let fonds_name = b.fonds_name.clone().unwrap_or_else(|| config.bureau.name.clone());
    let first = &items[0].item;
    let last = &items[items.len() - 1].item;
    let base = serde_json::json!({
        "title": format!("{fonds_name} {year}年 归档文件 第{number}卷"),
        "ymd": [date.year(), date.month(), date.day()],
        "fonts": engine.fonts(),
        "fonds": config.bureau.fonds,
        "fonds_name": fonds_name,
        "year": year,
        "retention_name": retention_label,
        "organ": b.organ,
        "volume": number,
        "first_item": first,
        "last_item": last,
    });
    let with = |mode: &str, extra: serde_json::Value| {
        let mut v = base.clone();
        v["mode"] = mode.into();
        for (k, x) in extra.as_object().expect("an object") {
            v[k] = x.clone();
        }
        v
    };
    let layout = |data: &serde_json::Value| -> Result<lopdf::Document, BinderError> {
        let r = engine.render_binder(data, date).map_err(|e| BinderError::Layout(e.to_string()))?;
        Ok(lopdf::Document::load_mem(&r.pdf)?)
    };
    let rows: Vec<serde_json::Value> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            serde_json::json!({
                "seq": i + 1, "reference": it.reference, "number": it.number,
                "responsible": it.responsible, "title": it.title, "date": it.date,
                "secret": "", "pages": it.pages, "note": it.note,
            })
        })
        .collect();
    let front = layout(&with("front", serde_json::json!({ "items": rows })))?;

    let mut vol = merge::Volume::new();
    let front_pages = vol.import(front)?;
    let catalogue_pages = front_pages.len() - 1;
    for p in &front_pages {
        vol.push(*p)?;
    }
    vol.bookmark("封面", front_pages[0], None);
    vol.bookmark("归档文件目录", front_pages[1], None);

    // Items: pages imported first, to learn their shown sizes for the overlays.
    let mut item_pages: Vec<Vec<lopdf::ObjectId>> = vec![];
    for s in sources {
        let bytes = read_source(&s.path)?;
        let doc = lopdf::Document::load_mem(&bytes).map_err(|e| BinderError::Source {
            path: s.path.display().to_string(),
            message: e.to_string(),
        })?;
        item_pages.push(vol.import(doc)?);
    }
    let mut overlay_pages = vec![];
    let mut page_no = catalogue_pages;
    for (it, pages) in items.iter().zip(&item_pages) {
        for (k, p) in pages.iter().enumerate() {
            page_no += 1;
            let (w, h, _) = vol.shown_size(*p)?;
            let stamp = (k == 0).then(|| {
                serde_json::json!({
                    "fonds": config.bureau.fonds, "year": year, "item": it.item,
                    "retention": retention_label, "pages": it.pages, "organ": b.organ,
                    "x": it.stamp.unwrap_or_else(|| stamp::usual(w as f32)).x,
                    "y": it.stamp.unwrap_or_else(|| stamp::usual(w as f32)).y,
                })
            });
            overlay_pages.push(serde_json::json!({"width": w, "height": h, "stamp": stamp, "page_no": page_no}));
        }
    }
    let overlays = layout(&with("overlay", serde_json::json!({ "pages": overlay_pages })))?;
    let overlay_ids = vol.import(overlays)?;
    let mut next = overlay_ids.into_iter();
    for (i, (it, pages)) in items.iter().zip(&item_pages).enumerate() {
        for (k, p) in pages.iter().enumerate() {
            let o = next.next().ok_or_else(|| BinderError::Layout("overlay pages missing".into()))?;
            vol.overlay(*p, o, "XfArchive")?;
            vol.push(*p)?;
            if k == 0 {
                vol.bookmark(&format!("{} {}", it.item, it.title), *p, None);
            }
        }
        progress(i + 1);
    }
    let item_page_count: usize = items.iter().map(|i| i.pages).sum();
    let back = layout(&with(
        "back",
        serde_json::json!({
            "page_no": catalogue_pages + item_page_count + 1,
            "item_count": items.len(),
            "page_count": 1 + catalogue_pages + item_page_count + 1,
            "notes": sources.iter().flat_map(|s| s.notes.iter()).collect::<Vec<_>>(),
            "arranged_by": "",
            "date": crate::documents::model::gb_date(date),
        }),
    ))?;
    let back_pages = vol.import(back)?;
    for p in &back_pages {
        vol.push(*p)?;
    }
    vol.bookmark("备考表", back_pages[0], None);

    let mut doc = vol.close()?;
    let created = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .fixed_offset();
    let info = crate::archive::pdfa::DocumentInfo {
        title: format!("{fonds_name} {year}年 归档文件 第{number}卷"),
        identifier: Some(format!("{}-{year}-vol{number:02}", config.bureau.fonds)),
        created,
        creator: format!("xinfang {}", env!("CARGO_PKG_VERSION")),
        producer: format!("xinfang {} (lopdf)", env!("CARGO_PKG_VERSION")),
    };
    let seed: String = items.iter().map(|i| i.sha256.as_str()).collect();
    crate::archive::pdfa::finish(&mut doc, &info, seed.as_bytes())?;
    let mut bytes = vec![];
    doc.save_to(&mut bytes).map_err(|e| BinderError::Write(e.to_string()))?;
    Ok(bytes)
}

const COLUMNS: [&str; 10] = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注", "卷"];

fn row(i: usize, it: &Item) -> [String; 10] {
    [
        (i + 1).to_string(),
        it.reference.clone(),
        it.number.clone(),
        it.responsible.clone(),
        it.title.clone(),
        it.date.clone(),
        String::new(),
        it.pages.to_string(),
        it.note.clone(),
        it.volume.clone(),
    ]
}

fn write_catalogues(m: &Manifest, out: &Path) -> Result<(), BinderError> {
    use crate::export::{Column, Format};
    let columns = COLUMNS.map(|h| if h == "序号" || h == "页数" { Column::number(h) } else { Column::text(h) });
    let rows: Vec<Vec<String>> = m.items.iter().enumerate().map(|(i, it)| row(i, it).to_vec()).collect();
    for (format, name) in [(Format::Csv, "catalogue.csv"), (Format::Xlsx, "catalogue.xlsx")] {
        let created = m.date.and_hms_opt(0, 0, 0).expect("midnight exists");
        let bytes = crate::export::write(format, "归档文件目录", &columns, &rows, created)
            .map_err(|e| BinderError::Write(format!("{name}: {e}")))?;
        crate::fsutil::write_atomic(&out.join(name), &bytes, None, true).map_err(BinderError::Write)?;
    }
    Ok(())
}

/// What `verify` found wrong (empty: all good).
pub fn verify(dir: &Path, data: Option<&Path>) -> Result<Vec<String>, BinderError> {
    let text = std::fs::read(dir.join("manifest.json"))
        .map_err(|e| BinderError::Source { path: dir.join("manifest.json").display().to_string(), message: e.to_string() })?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| BinderError::Source { path: dir.join("manifest.json").display().to_string(), message: e.to_string() })?;
    let mut problems = vec![];
    let digest = |p: &Path| std::fs::read(p).map(|b| hex::encode(Sha256::digest(&b)));
    for v in &m.volumes {
        match digest(&dir.join(&v.file)) {
            Ok(d) if d == v.sha256 => {}
            Ok(_) => problems.push(format!("{}: 内容与清单不符（SHA-256 不同）", v.file)),
            Err(e) => problems.push(format!("{}: {e}", v.file)),
        }
    }
    if let Some(data) = data {
        for it in &m.items {
            match digest(&data.join(&it.source)) {
                Ok(d) if d == it.sha256 => {}
                Ok(_) => problems.push(format!("件 {} 的来源 {}: 内容已变", it.item, it.source)),
                Err(e) => problems.push(format!("件 {} 的来源 {}: {e}", it.item, it.source)),
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_set_aside_is_put_back_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("2026");
        assert_eq!(set_aside(&out).unwrap(), None, "nothing bound yet");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("manifest.json"), "{}").unwrap();
        let aside = set_aside(&out).unwrap().unwrap();
        assert!(!out.exists() && aside.join("manifest.json").exists());
        assert_eq!(set_aside_list(&out), vec![aside.file_name().unwrap().to_string_lossy().into_owned()]);
        // A failed binding left part of its output: it is kept aside, the earlier set is back.
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("2026-D30-vol01.pdf"), "partial").unwrap();
        put_back(&out, &aside).unwrap();
        assert!(out.join("manifest.json").exists() && !aside.exists());
        let failed: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("2026.failed-"))
            .collect();
        assert_eq!(failed.len(), 1, "{failed:?}");
    }
}
