//! DOCX exporter: the same document on the same GB/T 9704 page set-up for an officer to
//! edit and print: A4, margins in twips (top 2098, left 1588, right 1474, bottom 1984), an
//! exact 28.95 pt line pitch, 16 pt body text tracked so 28 characters fill a line, East-Asian
//! fonts with `w:lang` zh-CN, page numbers "— 1 —" odd right and even left.
//!
//! docx-rs has no `w:lang` and no `w:autoSpaceDE`; they are added to the style defaults
//! afterwards (without the first LibreOffice picks the Japanese face of Noto CJK).

use super::model::{Block, Document, Layout};
use crate::config::DocumentFonts;
use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, HeightRule, InstrPAGE, InstrText,
    LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType, Tab, TabValueType, Table,
    TableCell, TableRow, VAlignType, WidthType,
};
use std::io::{Read, Write};

const RED: &str = "E60012";
/// 16 pt in half-points, and the exact line pitch in twips (28.95 pt).
const BODY: usize = 32;
const PITCH: i32 = 579;
/// Two characters of indent (2 x 16 pt) in twips.
const TWO_CHARS: i32 = 640;
/// Tracking that brings 16 pt characters to 156 mm / 28 = 15.75 pt each, in twips.
const TRACK: i32 = -5;
const TYPE_WIDTH: usize = 8844;

fn fonts(family: &str) -> RunFonts {
    RunFonts::new().east_asia(family).ascii(family).hi_ansi(family)
}

fn exact(twips: i32) -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(twips)
}

fn line() -> Paragraph {
    Paragraph::new().line_spacing(exact(PITCH))
}

fn run(text: &str) -> Run {
    Run::new().add_text(text).size(BODY).character_spacing(TRACK)
}

fn blank() -> Paragraph {
    line().add_run(Run::new().size(BODY))
}

fn centred(text: &str, size: usize, family: &str, colour: Option<&str>, bold: bool) -> Paragraph {
    let mut r = Run::new().add_text(text).size(size).fonts(fonts(family));
    if let Some(c) = colour {
        r = r.color(c);
    }
    if bold {
        r = r.bold();
    }
    Paragraph::new().align(AlignmentType::Center).add_run(r)
}

fn bordered(p: Paragraph, pos: ParagraphBorderPosition, val: BorderType, size: usize, space: usize) -> Paragraph {
    let mut p = p;
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(pos).val(val).size(size).space(space).color(RED),
        ),
    );
    p
}

fn page_number(align: AlignmentType, left: Option<i32>, right: Option<i32>) -> Footer {
    let r = |t: &str| Run::new().add_text(t).size(28);
    let p = Paragraph::new()
        .align(align)
        .indent(left, None, right, None)
        .add_run(r("— "))
        .add_run(Run::new().size(28).add_field_char(FieldCharType::Begin, false))
        .add_run(Run::new().size(28).add_instr_text(InstrText::PAGE(InstrPAGE::new())))
        .add_run(Run::new().size(28).add_field_char(FieldCharType::Separate, false))
        .add_run(r("1"))
        .add_run(Run::new().size(28).add_field_char(FieldCharType::End, false))
        .add_run(r(" —"));
    Footer::new().add_paragraph(p)
}

fn paragraph(b: &Block, f: &DocumentFonts) -> Paragraph {
    let mut p = line()
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(TWO_CHARS)), None, None);
    if !b.lead.is_empty() {
        let family = match b.level {
            1 => &f.heading,
            _ => &f.subheading,
        };
        p = p.add_run(run(&b.lead).fonts(fonts(family)));
    }
    if !b.text.is_empty() {
        p = p.add_run(run(&b.text));
    }
    p
}

/// Writes `doc` as DOCX; `stamp` is its creation time (RFC 3339).
pub fn render(doc: &Document, f: &DocumentFonts, stamp: &str) -> Result<Vec<u8>, String> {
    let mut d = Docx::new()
        .created_at(stamp)
        .updated_at(stamp)
        .page_size(11906, 16838)
        .page_margin(PageMargin {
            top: 2098,
            left: 1588,
            bottom: 1984,
            right: 1474,
            header: 851,
            // The page number's top 7 mm under the type area.
            footer: 1304,
            gutter: 0,
        })
        .default_fonts(fonts(&f.body))
        .default_size(BODY);
    if doc.layout != Layout::Form {
        d = d
            .footer(page_number(AlignmentType::Right, None, Some(280)))
            .even_footer(page_number(AlignmentType::Left, Some(280), None));
    }
    if doc.layout == Layout::Letter {
        d = d.first_footer(Footer::new().add_paragraph(Paragraph::new())).title_pg();
    }
    let number = |align: AlignmentType| {
        doc.number
            .as_deref()
            .map(|n| line().align(align).add_run(Run::new().add_text(n).size(BODY)))
    };
    // Head.
    match doc.layout {
        Layout::Document => {
            d = d.add_paragraph(
                centred(&doc.organ, 72, &f.title, Some(RED), true)
                    .line_spacing(LineSpacing::new().before(1984).line_rule(LineSpacingType::Exact).line(860)),
            );
            d = d.add_paragraph(blank());
            let rule = number(AlignmentType::Center).unwrap_or_else(blank);
            d = d.add_paragraph(bordered(rule, ParagraphBorderPosition::Bottom, BorderType::Single, 8, 11));
            d = d.add_paragraph(blank()).add_paragraph(blank());
        }
        Layout::Letter => {
            let mark = centred(&doc.organ, 60, &f.title, Some(RED), true)
                .line_spacing(exact(760));
            d = d.add_paragraph(bordered(mark, ParagraphBorderPosition::Bottom, BorderType::Double, 12, 11));
            if let Some(n) = number(AlignmentType::Right) {
                d = d.add_paragraph(n);
            }
            d = d.add_paragraph(blank());
        }
        Layout::Form => {}
    }
    d = d.add_paragraph(centred(&doc.title, 44, &f.title, None, true).line_spacing(exact(PITCH)));
    if doc.layout == Layout::Form {
        d = d.add_paragraph(number(AlignmentType::Right).unwrap_or_else(blank));
        let label_width = 1814;
        let rows: Vec<TableRow> = doc
            .form
            .iter()
            .map(|r| {
                let cell = |text: &str, width: usize, family: &str, align: AlignmentType| {
                    TableCell::new()
                        .width(width, WidthType::Dxa)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(
                            Paragraph::new().align(align).add_run(
                                Run::new().add_text(text).size(28).fonts(fonts(family)),
                            ),
                        )
                };
                TableRow::new(vec![
                    cell(&r.label, label_width, &f.heading, AlignmentType::Center),
                    cell(&r.value, TYPE_WIDTH - label_width, &f.body, AlignmentType::Left),
                ])
                .row_height((r.lines as f32) * 440.0 + 120.0)
                .height_rule(HeightRule::AtLeast)
            })
            .collect();
        d = d.add_table(
            Table::new(rows)
                .set_grid(vec![label_width, TYPE_WIDTH - label_width])
                .width(TYPE_WIDTH, WidthType::Dxa),
        );
    }
    if let Some(a) = &doc.addressee {
        d = d.add_paragraph(blank());
        d = d.add_paragraph(line().add_run(run(&format!("{a}："))));
    }
    // The last paragraph, the attachments note and the signature are kept on one page (each
    // kept with the next), so the signature's page always holds body text.
    for (i, b) in doc.blocks.iter().enumerate() {
        d = d.add_paragraph(paragraph(b, f).keep_next(i + 1 == doc.blocks.len()));
    }
    if !doc.attachments.is_empty() {
        d = d.add_paragraph(blank().keep_next(true));
        let many = doc.attachments.len() > 1;
        for (i, a) in doc.attachments.iter().enumerate() {
            let item = if many { format!("{}.{a}", i + 1) } else { a.clone() };
            let text = if i == 0 { format!("附件：{item}") } else { format!("　　　{item}") };
            d = d.add_paragraph(
                line().keep_next(true).indent(Some(TWO_CHARS), None, None, None).add_run(run(&text)),
            );
        }
    }
    // Signature centred over the date, the date four characters in from the right; two
    // blank lines above for the seal.
    for _ in 0..2 {
        d = d.add_paragraph(blank().keep_next(true));
    }
    let date_width = (doc.date.chars().count() as i32) * 320;
    if let Some(s) = &doc.signature {
        let sig_width = s.chars().count() as i32 * 320;
        let right = 4 * 320 + (date_width - sig_width) / 2;
        d = d.add_paragraph(
            line()
                .keep_next(true)
                .align(AlignmentType::Right)
                .indent(None, None, Some(right.max(0)), None)
                .add_run(run(s)),
        );
    }
    d = d.add_paragraph(
        line()
            .align(AlignmentType::Right)
            .indent(None, None, Some(4 * 320), None)
            .add_run(Run::new().add_text(&doc.date).size(BODY)),
    );
    for n in &doc.notes {
        d = d.add_paragraph(
            line()
                .indent(None, Some(SpecialIndentType::FirstLine(TWO_CHARS)), None, None)
                .add_run(run(n)),
        );
    }
    if doc.copy_to.is_some() || doc.printer.is_some() {
        d = d.add_paragraph(blank());
        let small = |t: &str| Run::new().add_text(t).size(28);
        let rule = |p: Paragraph, pos, size| bordered(p, pos, BorderType::Single, size, 4);
        if let Some(c) = &doc.copy_to {
            let p = Paragraph::new()
                .indent(Some(280), None, Some(280), None)
                .add_run(small(&format!("抄送：{c}。")));
            d = d.add_paragraph(rule(p, ParagraphBorderPosition::Top, 8));
        }
        let p = Paragraph::new()
            .indent(Some(280), None, Some(280), None)
            .add_tab(Tab::new().val(TabValueType::Right).pos(TYPE_WIDTH - 560))
            .add_run(small(doc.printer.as_deref().unwrap_or("")))
            .add_run(Run::new().add_tab())
            .add_run(small(&format!("{}印发", doc.date)));
        let p = rule(p, ParagraphBorderPosition::Bottom, 8);
        d = d.add_paragraph(p);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| format!("DOCX: {e}"))?;
    set_language(&out.into_inner())
}

/// Adds `w:lang` zh-CN to the style defaults' run properties.
fn set_language(docx: &[u8]) -> Result<Vec<u8>, String> {
    let err = |e: zip::result::ZipError| format!("DOCX: {e}");
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(err)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).map_err(err)?;
        let name = entry.name().to_string();
        let mut bytes = vec![];
        entry.read_to_end(&mut bytes).map_err(|e| format!("DOCX: {e}"))?;
        if name == "word/styles.xml" {
            let xml = String::from_utf8(bytes).map_err(|_| "DOCX: styles.xml is not UTF-8")?;
            let lang = "<w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\" />";
            let Some(at) = xml.find("<w:rPrDefault>").and_then(|s| xml[s..].find("</w:rPr>").map(|e| s + e)) else {
                return Err("DOCX: styles.xml has no run defaults".into());
            };
            let xml = format!("{}{lang}{}", &xml[..at], &xml[at..]);
            // No automatic space between Chinese and Latin letters or digits: GB/T writes
            // "2026年11月3日", not "2026 年 11 月 3 日".
            let autospace = "<w:autoSpaceDE w:val=\"0\" /><w:autoSpaceDN w:val=\"0\" />";
            let Some(p) = xml.find("<w:pPrDefault><w:pPr>").map(|p| p + "<w:pPrDefault><w:pPr>".len()) else {
                return Err("DOCX: styles.xml has no paragraph defaults".into());
            };
            bytes = format!("{}{autospace}{}", &xml[..p], &xml[p..]).into_bytes();
        }
        out.start_file(name, options).map_err(err)?;
        out.write_all(&bytes).map_err(|e| format!("DOCX: {e}"))?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}
