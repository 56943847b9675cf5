//! Documents about a period's figures rather than a case: the analysis report (信访情况分析
//! 报告) to the party committee and government, and the bulletin (信访工作动态). The figures
//! are `registry::stats_report`'s, the ones the page, the CLI and the API show; the
//! paragraphs are `stats::writing`'s sentences, which the analyst replaces field by field
//! (`--set 概况=…`, the page's form) before the document is final; the tables and charts
//! are made here from the same figures (charts as SVG: vectors in the PDF, pictures in the
//! DOCX). Drafts and voiding are the case documents' own: a draft is marked 草稿, takes no
//! number and is not recorded; a final one takes its number and is kept with its period.

use super::model::{Chart, Document, Insert, Table};
use super::template::Template;
use super::{GenerateError, Generated, Generator, KindInfo};
use crate::registry::documents::{About, NewDocument, Rendered};
use crate::stats::charts::{self, Style};
use crate::stats::{writing, Period, Report};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::path::Path;

/// The period kinds and their built-in templates.
pub const KINDS: &[(&str, &str)] = &[
    ("analysis-report", include_str!("../../templates/analysis-report.txt")),
    ("bulletin", include_str!("../../templates/bulletin.txt")),
];

/// Fields the analyst writes (the sentences of `writing::FIELDS` may be replaced too).
pub const WRITTEN: &[(&str, &str)] = &[
    ("建议", "意见建议（分析报告的第五部分）"),
    ("收文机关", "主送机关，如 中共××市委、××市人民政府"),
    ("签发人", "上行文（分析报告）的签发人姓名"),
    ("抄送", "抄送机关"),
    ("承办人", "联系人"),
    ("联系电话", "联系人电话"),
];

/// Fields from the bureau and the document itself.
const OWN: &[&str] = &["发文机关", "成文日期", "文号"];

/// The tables and charts a template may set (`插表：名`, `插图：名`).
pub const INSERTS: &[&str] = &["表：收信情况", "表：类别", "表：地区", "表：承办单位", "图：趋势", "图：类别", "图：渠道"];

/// Every field a period template may use.
pub fn known_fields() -> BTreeSet<&'static str> {
    writing::FIELDS.iter().chain(WRITTEN).map(|(k, _)| *k).chain(OWN.iter().copied()).collect()
}

pub fn is_period_kind(kind: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == kind)
}

/// What the analyst asks for.
#[derive(Debug, Clone)]
pub struct PeriodRequest {
    pub kind: String,
    pub period: Period,
    /// The analyst's text by field name: replaced sentences and the written fields.
    pub inputs: serde_json::Map<String, serde_json::Value>,
    pub pdf: bool,
    pub docx: bool,
    /// The document's date, and the day "overdue now" is counted on; default today.
    pub date: Option<NaiveDate>,
    pub draft: bool,
}

/// The height of an SVG chart as its root element gives it.
fn svg_height(svg: &str) -> f64 {
    svg.split_once(" height=\"").and_then(|(_, rest)| rest.split('"').next()).and_then(|h| h.parse().ok()).unwrap_or(200.0)
}

/// A change as a table writes it: +5.1%, -13.4%, 0.0%, or — with nothing before (one
/// line in a narrow column, where the sentences say 上升 and 下降).
fn signed(c: &crate::stats::Change) -> String {
    match c.percent {
        None => "—".into(),
        Some(p) if p.abs() < 0.05 => "0.0%".into(),
        Some(p) => format!("{p:+.1}%"),
    }
}

fn percent(n: i64, of: i64) -> String {
    if of == 0 { "—".into() } else { format!("{:.1}%", 100.0 * n as f64 / of as f64) }
}

/// The tables and charts of `report`, by the name a template sets them with; charts the
/// type area's width (156 mm in pt) in `font`.
pub fn inserts(report: &Report, font: &str) -> Vec<(&'static str, Insert)> {
    let f = &report.figures;
    let (p, y) = (&report.previous, &report.year_before);
    let label = &f.label;
    let style = Style { font: Some(font), width: Some(super::compose::WIDTH.floor()) };
    let change = |now: i64, before: i64| signed(&crate::stats::Change::new(now, before));
    let line = |name: &str, now: i64, before: i64, year: i64| {
        vec![name.to_string(), now.to_string(), before.to_string(), change(now, before), year.to_string(), change(now, year)]
    };
    let received = Table {
        caption: format!("{label}来信情况及环比、同比"),
        head: ["项目", "本期", "上一期", "环比", "去年同期", "同比"].map(String::from).to_vec(),
        rows: vec![
            line("来信总量", f.received, p.received, y.received),
            line("初次来信", f.first, p.first, y.first),
            line("重复来信", f.repeats, p.repeats, y.repeats),
            line("联名信", f.joint, p.joint, y.joint),
            line(&format!("集体信（{}人以上）", crate::stats::COLLECTIVE), f.collective, p.collective, y.collective),
        ],
        widths: vec![0.25, 0.13, 0.13, 0.17, 0.15, 0.17],
    };
    let categories = Table {
        caption: format!("{label}来信分类情况"),
        head: ["类别", "件数", "占比", "上一期", "环比", "同比"].map(String::from).to_vec(),
        rows: report
            .categories
            .iter()
            .zip(&f.by_category)
            .filter(|(c, n)| n.count > 0 || c.vs_previous.before > 0 || c.vs_year_before.before > 0)
            .map(|(c, n)| {
                vec![
                    c.label.clone(),
                    n.count.to_string(),
                    percent(n.count, f.received),
                    c.vs_previous.before.to_string(),
                    signed(&c.vs_previous),
                    signed(&c.vs_year_before),
                ]
            })
            .collect(),
        widths: vec![0.25, 0.13, 0.13, 0.15, 0.17, 0.17],
    };
    // The ten counties with most letters, the rest together, the unlocated last.
    let located: Vec<&crate::stats::Count> = f.by_region.iter().filter(|c| !c.code.is_empty()).collect();
    let mut regions: Vec<Vec<String>> = located.iter().take(10).map(|c| vec![c.label.clone(), c.count.to_string(), percent(c.count, f.received)]).collect();
    let rest: i64 = located.iter().skip(10).map(|c| c.count).sum();
    if rest > 0 {
        regions.push(vec![format!("其他{}个县（市、区）", located.len() - 10), rest.to_string(), percent(rest, f.received)]);
    }
    if let Some(u) = f.by_region.iter().find(|c| c.code.is_empty()) {
        regions.push(vec!["地址未能确定".into(), u.count.to_string(), percent(u.count, f.received)]);
    }
    let regions = Table {
        caption: format!("{label}来信地区分布"),
        head: ["地区（县级）", "件数", "占比"].map(String::from).to_vec(),
        rows: regions,
        widths: vec![0.5, 0.25, 0.25],
    };
    let mut bodies: Vec<Vec<String>> = f
        .by_body
        .iter()
        .take(10)
        .map(|b| vec![b.body.clone(), b.given.to_string(), b.closed_in_time.of.to_string(), b.closed_in_time.words(), b.overdue.to_string()])
        .collect();
    if f.by_body.len() > 10 {
        let others = &f.by_body[10..];
        let closed: i64 = others.iter().map(|b| b.closed_in_time.of).sum();
        let met: i64 = others.iter().map(|b| b.closed_in_time.met).sum();
        bodies.push(vec![
            format!("其他{}个单位", others.len()),
            others.iter().map(|b| b.given).sum::<i64>().to_string(),
            closed.to_string(),
            crate::stats::Rate { met, of: closed }.words(),
            others.iter().map(|b| b.overdue).sum::<i64>().to_string(),
        ]);
    }
    if bodies.is_empty() {
        bodies.push(vec!["本期没有转送、交办的来信".into(), "0".into(), "0".into(), "—".into(), "0".into()]);
    }
    let bodies = Table {
        caption: format!("{label}转送、交办来信办理情况"),
        head: ["承办单位", "转送交办", "已办结", "按期办结率", "目前超期"].map(String::from).to_vec(),
        rows: bodies,
        widths: vec![0.36, 0.16, 0.14, 0.18, 0.16],
    };
    let chart = |caption: String, svg: String| Chart { caption, height: svg_height(&svg), svg, png: None };
    let shown: Vec<crate::stats::Count> = f.by_category.iter().filter(|c| c.count > 0).cloned().collect();
    let stacked_rows: Vec<(String, Vec<i64>)> = f.by_category.iter().zip(&f.category_channels).map(|(c, v)| (c.label.clone(), v.clone())).collect();
    let channels: Vec<&str> = crate::domain::Channel::ALL.iter().map(|c| c.label()).collect();
    vec![
        ("表：收信情况", Insert::Table(received)),
        ("表：类别", Insert::Table(categories)),
        ("表：地区", Insert::Table(regions)),
        ("表：承办单位", Insert::Table(bodies)),
        ("图：趋势", Insert::Chart(chart("近13个月收信量".into(), charts::line(&report.trend, "近13个月收信量", style)))),
        ("图：类别", Insert::Chart(chart(format!("{label}来信按类别"), charts::bars(&shown, "按类别", style, &|_| None)))),
        ("图：渠道", Insert::Chart(chart(format!("{label}来信按类别和渠道"), charts::stacked(&stacked_rows, &channels, "按类别和渠道", style, &|_, _| None)))),
    ]
}

/// Puts the tables and charts in the places the template named, numbering their
/// captions (表1, 表2…; 图1, 图2…) in reading order.
fn place_inserts(doc: &mut Document, inserts: &[(&'static str, Insert)], origin: &str) -> Result<(), GenerateError> {
    let (mut tables, mut figures) = (0, 0);
    for b in &mut doc.blocks {
        let Some(Insert::Wanted(name)) = &b.insert else { continue };
        let Some((_, insert)) = inserts.iter().find(|(n, _)| n == name) else {
            return Err(GenerateError::Invalid(format!("{origin}: 「{name}」不是可插入的表或图（可用：{}）", INSERTS.join("、"))));
        };
        let mut insert = insert.clone();
        match &mut insert {
            Insert::Table(t) => {
                tables += 1;
                t.caption = format!("表{tables}　{}", t.caption);
            }
            Insert::Chart(c) => {
                figures += 1;
                c.caption = format!("图{figures}　{}", c.caption);
            }
            Insert::Wanted(_) => {}
        }
        b.insert = Some(insert);
    }
    Ok(())
}

impl Generator {
    /// Loads and checks the period kinds' templates (the bureau's copy when it has one).
    pub fn check_period_templates(templates: Option<&Path>) -> Result<Vec<KindInfo>, GenerateError> {
        super::check_kinds(KINDS, templates, &known_fields())
    }

    /// The figures a period document counts, read from the register as the page reads
    /// them (and audited as a read of the statistics).
    pub fn period_report(&self, registry: &dyn crate::registry::Register, period: &Period, today: NaiveDate) -> Result<Report, GenerateError> {
        let categories: Vec<String> = self.config.vocabulary.categories.iter().map(|c| c.name.clone()).collect();
        let setting = crate::stats::Setting { categories: &categories, today };
        Ok(crate::registry::stats_report(registry, period, setting, self.config.bureau.region.as_deref())?)
    }

    /// Generates a period's analysis report or bulletin: a draft (marked, unnumbered, not
    /// recorded, audited) or the final document, numbered and kept with its period.
    pub fn generate_period(
        &self,
        registry: &mut dyn crate::registry::Register,
        dirs: &crate::store::DataDirs,
        req: &PeriodRequest,
        actor: &str,
        address: Option<&str>,
    ) -> Result<Generated, GenerateError> {
        if !is_period_kind(&req.kind) {
            return Err(GenerateError::UnknownKind(req.kind.clone()));
        }
        if !req.pdf && !req.docx {
            return Err(GenerateError::Invalid("no format asked for (pdf, docx)".into()));
        }
        let known = known_fields();
        let template = Template::load(&req.kind, Some(&dirs.templates), &known)?;
        for (k, v) in &req.inputs {
            let Some(text) = v.as_str() else {
                return Err(GenerateError::Invalid(format!("field {k:?} must be text")));
            };
            if !known.contains(k.as_str()) || OWN.contains(&k.as_str()) || k == "期间" {
                return Err(GenerateError::Invalid(format!("unknown field {k:?} for 「{}」 (xinfang report --fields lists them)", template.header.title)));
            }
            if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(GenerateError::Unprintable(format!("字段「{k}」中的控制字符")));
            }
        }
        let date = req.date.unwrap_or_else(|| chrono::Local::now().date_naive());
        let report = self.period_report(&*registry, &req.period, date)?;
        let mut context = serde_json::Map::new();
        for (k, v) in writing::sentences(&report) {
            context.insert(k.into(), v.into());
        }
        context.insert("发文机关".into(), self.config.bureau.name.clone().into());
        context.insert("成文日期".into(), super::gb_date(date).into());
        for (k, v) in &req.inputs {
            // An emptied field keeps the sentence the figures give.
            let text = v.as_str().unwrap_or_default().trim();
            if !text.is_empty() {
                context.insert(k.clone(), text.into());
            }
        }
        let code = match &template.header.code {
            Some(name) => Some(self.config.documents.codes.get(name).cloned().ok_or_else(|| {
                GenerateError::Invalid(format!("template {} names document-number code {name:?}, which [documents.codes] does not have", template.origin))
            })?),
            None => None,
        };
        let mut inserts = inserts(&report, &self.config.documents.fonts.heading);
        // The charts' pictures once, before a number is taken (the register's write lock is
        // held from then until the record is committed).
        if req.docx {
            for (_, insert) in &mut inserts {
                if let Insert::Chart(c) = insert {
                    c.png = Some(self.pictures.png(&c.svg).map_err(GenerateError::Docx)?);
                }
            }
        }
        let title = format!("{}{}", report.figures.label, template.header.title);
        let build = |number: Option<&str>, context: &serde_json::Map<String, serde_json::Value>, draft: bool| -> Result<(Rendered, usize), GenerateError> {
            let mut doc = self.fill(&template, context, number, date, draft)?;
            doc.title = title.clone();
            place_inserts(&mut doc, &inserts, &template.origin)?;
            self.lay_out(&doc, date, req.pdf, req.docx)
        };
        let period = req.period.code();
        if req.draft {
            let year = chrono::Datelike::year(&date);
            let placeholder = code.as_deref().map(|c| format!("{c}〔{year}〕　号"));
            context.insert("文号".into(), placeholder.clone().unwrap_or_default().into());
            let (rendered, pages) = build(placeholder.as_deref(), &context, true)?;
            registry.audit(actor, &format!("draft-document kind={} period={period}", req.kind), None, address)?;
            return Ok(Generated { record: None, pdf: rendered.pdf, docx: rendered.docx, pages });
        }
        let inputs = serde_json::Value::Object(req.inputs.clone());
        let addressee = context.get("收文机关").and_then(|v| v.as_str()).map(str::to_string);
        let new = NewDocument {
            about: About::Period(&period),
            kind: &req.kind,
            title: &title,
            code: code.as_deref(),
            addressee: addressee.as_deref(),
            inputs: &inputs,
            feedback_due: None,
            date,
        };
        let mut pages = 0;
        let mut kept = Rendered::default();
        let outcome = crate::registry::record_document(registry, dirs, &new, actor, address, |number| {
            context.insert("文号".into(), number.unwrap_or("").into());
            let (rendered, n) = build(number, &context, false)?;
            pages = n;
            kept = Rendered { pdf: rendered.pdf.clone(), docx: rendered.docx.clone() };
            Ok::<_, GenerateError>(rendered)
        })?;
        let record = outcome.ok_or_else(|| GenerateError::Invalid("the period document was not recorded".into()))??;
        Ok(Generated { record: Some(record), pdf: kept.pdf, docx: kept.docx, pages })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_gives_its_height() {
        assert_eq!(signed(&crate::stats::Change::new(5, 4)), "+25.0%");
        assert_eq!(signed(&crate::stats::Change::new(3, 4)), "-25.0%");
        assert_eq!(signed(&crate::stats::Change::new(3, 0)), "—");
        assert_eq!(svg_height(r#"<svg xmlns="x" width="442" height="180.5" viewBox="0 0 442 180.5">"#), 180.5);
    }
}
