//! DOCX exporter: the same document for an officer to edit and print in Word or WPS, set
//! up as GB/T 9704 asks and as `compose` laid the PDF out:
//!
//! - A4, the 156 x 225 mm type area, the document grid of 22 lines and 28 characters
//!   (`w:docGrid`, character pitch 156/28 mm), exact 28.95 pt lines, no compressed or
//!   hanging punctuation, widow and orphan control, `w:lang` en-US with zh-CN for East Asian
//!   text (so Latin tokens such as `XF-2026-000001` are not broken like Chinese);
//! - the fonts bureau PCs have (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 by default,
//!   configurable), with Windows' own faces named as their stand-ins in the font table;
//! - real styles: 正文, 公文标题, heading 1-4 with outline levels (the navigation pane shows
//!   them), character styles for headings run into their paragraph, 主送, 附件说明, 署名,
//!   成文日期, 附注, 版记;
//! - the letter layout's mark 30 mm from the top (the first page's top margin is 30 mm and
//!   the later pages' headers bring their text down to 37 mm), its double rules thick over
//!   thin under the mark and thin over thick 20 mm above the foot, both 170 mm;
//! - the record block (版记) as a table floating on the type area's foot of the last page,
//!   black rules, thick-thin-thick;
//! - the PDF's decisions repeated (`compose::Plan`): forced page breaks (a paragraph split
//!   where the PDF split it), a last page set closer, the title's line breaks.
//!
//! docx-rs writes the document; the font table, the style defaults' language and East
//! Asian settings it has no API for are put in afterwards (`finish`).

use super::compose::{self, Origin, Plan, CELL};
use super::grid::{Advances, Face};
use super::model::{Block, Document, Insert, Layout};
use crate::config::DocumentFonts;
use docx_rs::{
    AlignmentType, BorderType, BreakType, CharacterSpacingValues, DocGrid, Docx, FieldCharType, Footer,
    Header, HeightRule, InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, Pic, ParagraphBorders, Run, RunFonts, SpecialIndentType, Style,
    StyleType, Tab, TabValueType, Table, TableCell, TableCellMargins, TableRow, VAlignType, WidthType,
};
use std::io::{Read, Write};

const RED: &str = "E60012";
/// 16 pt in half-points; 14 pt; the exact line pitch in twips (28.95 pt).
const BODY: usize = 32;
const SMALL: usize = 28;
const PITCH_TW: i32 = 579;
const TYPE_WIDTH: usize = 8844;
/// 7 mm: half of what a 170 mm rule is wider than the type area.
const OVERHANG: i32 = 397;

fn tw(pt: f64) -> i32 {
    (pt * 20.0).round() as i32
}

/// One character of body text in twips (the grid's pitch).
fn cells(n: f64) -> i32 {
    tw(n * CELL)
}

fn exact(twips: i32) -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(twips)
}

fn family(f: &str) -> RunFonts {
    RunFonts::new().east_asia(f).ascii(f).hi_ansi(f).cs(f)
}

/// The styles (ids are Word's own where Word has one, so they show in its lists).
fn styles(f: &DocumentFonts) -> Vec<Style> {
    let para = |id: &str, name: &str| Style::new(id, StyleType::Paragraph).name(name).based_on("Normal").q_format(true);
    vec![
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .q_format(true)
            .fonts(family(&f.body))
            .size(BODY)
            .line_spacing(exact(PITCH_TW))
            .align(AlignmentType::Both)
            .indent(None, Some(SpecialIndentType::FirstLine(cells(2.0))), None, None),
        para("Title", "Title").fonts(family(&f.title)).size(44).align(AlignmentType::Center).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
        para("Heading1", "heading 1").fonts(family(&f.heading)).outline_lvl(0),
        para("Heading2", "heading 2").fonts(family(&f.subheading)).outline_lvl(1),
        para("Heading3", "heading 3").outline_lvl(2),
        para("Heading4", "heading 4").outline_lvl(3),
        Style::new("Heading1Char", StyleType::Character).name("一级标题字符").fonts(family(&f.heading)),
        Style::new("Heading2Char", StyleType::Character).name("二级标题字符").fonts(family(&f.subheading)),
        para("Addressee", "主送机关").indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None).align(AlignmentType::Left),
        para("Attachment", "附件说明").align(AlignmentType::Left),
        para("Signature", "署名").align(AlignmentType::Right).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
        para("DocDate", "成文日期").align(AlignmentType::Right).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), Some(cells(4.0)), None),
        para("Note", "附注"),
        para("OrganMark", "发文机关标志").fonts(family(&f.title)).color(RED).align(AlignmentType::Center).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
        para("DocNumber", "发文字号").align(AlignmentType::Center).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
        para("RecordBlock", "版记").size(SMALL).align(AlignmentType::Left).indent(Some(280), Some(SpecialIndentType::FirstLine(0)), Some(280), None),
        para("FormCell", "表格").size(SMALL).line_spacing(exact(440)).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
    ]
}

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn blank() -> Paragraph {
    Paragraph::new().add_run(Run::new())
}

fn border(pos: ParagraphBorderPosition, kind: BorderType, size: usize, space: usize, colour: &str) -> ParagraphBorders {
    ParagraphBorders::with_empty().set(ParagraphBorder::new(pos).val(kind).size(size).space(space).color(colour))
}

fn with_borders(mut p: Paragraph, b: ParagraphBorders) -> Paragraph {
    p.property = p.property.set_borders(b);
    p
}

fn page_number(right: bool) -> Paragraph {
    let r = |t: &str| Run::new().add_text(t).size(SMALL);
    let p = Paragraph::new()
        .indent(Some(if right { 0 } else { 280 }), Some(SpecialIndentType::FirstLine(0)), Some(if right { 280 } else { 0 }), None)
        .align(if right { AlignmentType::Right } else { AlignmentType::Left })
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(360).after(170))
        .add_run(r("— "))
        .add_run(Run::new().size(SMALL).add_field_char(FieldCharType::Begin, false))
        .add_run(Run::new().size(SMALL).add_instr_text(InstrText::PAGE(InstrPAGE::new())))
        .add_run(Run::new().size(SMALL).add_field_char(FieldCharType::Separate, false))
        .add_run(r("1"))
        .add_run(Run::new().size(SMALL).add_field_char(FieldCharType::End, false))
        .add_run(r(" —"));
    p
}

/// A paragraph of the flow with where it came from, so the plan can be applied.
struct Flow {
    origin: Origin,
    para: Paragraph,
    /// A table set after the paragraph (a period document's table under its caption).
    table: Option<Table>,
}

impl Flow {
    fn new(origin: Origin, para: Paragraph) -> Flow {
        Flow { origin, para, table: None }
    }
}

/// A period document's table (its caption, then the table kept on one page) or chart (the
/// picture, then its caption), breaking the page before where the PDF did.
fn insert_flows(i: usize, insert: &Insert, plan: &Plan, f: &DocumentFonts) -> Result<Vec<Flow>, String> {
    let origin = Origin::Block { block: i, at: 0 };
    let starts_page = plan.breaks.contains(&origin);
    let caption = |text: &str| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
            .line_spacing(exact(PITCH_TW))
            .add_run(run(text).size(SMALL).fonts(family(&f.heading)))
    };
    match insert {
        Insert::Wanted(name) => Err(format!("模板中的「{name}」没有可插入的内容")),
        Insert::Chart(c) => {
            let (png, w, h) = c.png.clone().ok_or_else(|| format!("chart 「{}」 has no picture", c.caption))?;
            // 156 mm wide in EMU (36,000 a millimetre), its height to scale.
            let width_emu = 156 * 36_000;
            let height_emu = (width_emu as f64 * h as f64 / w as f64).round() as u32;
            let pic = Pic::new_with_dimensions(png, w, h).size(width_emu, height_emu).id(format!("rIdChart{i}"));
            let picture = Paragraph::new()
                .align(AlignmentType::Center)
                .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
                .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Auto).line(240))
                .keep_next(true)
                .page_break_before(starts_page)
                .add_run(Run::new().add_image(pic));
            Ok(vec![Flow::new(origin, picture), Flow::new(origin, caption(&c.caption))])
        }
        Insert::Table(t) => {
            let widths: Vec<usize> = t.widths.iter().map(|w| (w * TYPE_WIDTH as f64).round() as usize).collect();
            let lines: Vec<&Vec<String>> = std::iter::once(&t.head).chain(&t.rows).collect();
            let n = lines.len();
            let rows: Vec<TableRow> = lines
                .into_iter()
                .enumerate()
                .map(|(k, cells)| {
                    let cells = cells
                        .iter()
                        .enumerate()
                        .map(|(j, text)| {
                            let mut r = run(text);
                            if k == 0 {
                                r = r.fonts(family(&f.heading));
                            }
                            let align = if j == 0 && k > 0 { AlignmentType::Left } else { AlignmentType::Center };
                            TableCell::new()
                                .width(widths.get(j).copied().unwrap_or(TYPE_WIDTH / cells.len()), WidthType::Dxa)
                                .vertical_align(VAlignType::Center)
                                .add_paragraph(Paragraph::new().style("FormCell").align(align).keep_next(k + 1 < n).add_run(r))
                        })
                        .collect();
                    TableRow::new(cells).row_height(560.0).height_rule(HeightRule::AtLeast).cant_split()
                })
                .collect();
            // Cells padded as the PDF pads them: 3 pt above and below, 2 mm at the sides, so
            // a row of two lines is as tall in Word as on the PDF's page.
            let table = Table::new(rows)
                .set_grid(widths)
                .width(TYPE_WIDTH, WidthType::Dxa)
                .margins(TableCellMargins::new().margin(60, 113, 60, 113));
            let head = caption(&t.caption).keep_next(true).page_break_before(starts_page);
            Ok(vec![Flow { origin, para: head, table: Some(table) }])
        }
    }
}

/// Paragraph runs of a block: the heading run in its character style, the rest plain.
fn block_runs(b: &Block, from: usize, to: usize) -> Vec<Run> {
    let lead: Vec<char> = b.lead.chars().collect();
    let text: Vec<char> = b.text.chars().collect();
    let mut runs = vec![];
    let lead_part: String = lead.iter().enumerate().filter(|(i, _)| *i >= from && *i < to).map(|(_, c)| c).collect();
    if !lead_part.is_empty() {
        let style = if b.level == 1 { "Heading1Char" } else { "Heading2Char" };
        runs.push(run(&lead_part).style(style));
    }
    let n = lead.len();
    let text_part: String = text
        .iter()
        .enumerate()
        .filter(|(i, _)| *i + n >= from && *i + n < to)
        .map(|(_, c)| c)
        .collect();
    if !text_part.is_empty() {
        runs.push(run(&text_part));
    }
    runs
}

fn block_paragraphs(i: usize, b: &Block, plan: &Plan, last: bool) -> Vec<Flow> {
    let len = b.lead.chars().count() + b.text.chars().count();
    let heading_alone = b.is_heading();
    let style = match (heading_alone, b.level) {
        (true, 1) => Some("Heading1"),
        (true, 2) => Some("Heading2"),
        (true, 3) => Some("Heading3"),
        (true, 4) => Some("Heading4"),
        _ => None,
    };
    // Where the PDF broke the page inside this paragraph (after its first character).
    let split = plan.breaks.iter().find_map(|o| match o {
        Origin::Block { block, at } if *block == i && *at > 0 && *at < len => Some(*at),
        _ => None,
    });
    let starts_page = plan.breaks.contains(&Origin::Block { block: i, at: 0 });
    let make = |from: usize, to: usize| {
        let mut p = Paragraph::new().widow_control(true);
        if let Some(s) = style {
            p = p.style(s).keep_next(true);
        }
        for r in block_runs(b, from, to) {
            p = p.add_run(r);
        }
        p
    };
    match split {
        None => {
            let p = make(0, len).keep_next(last || heading_alone).page_break_before(starts_page);
            vec![Flow::new(Origin::Block { block: i, at: 0 }, p)]
        }
        Some(at) => {
            // The part before the break fills its lines to the edge, the last one too.
            let head = make(0, at).align(AlignmentType::Distribute).page_break_before(starts_page);
            let tail = make(at, len)
                .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
                .page_break_before(true)
                .keep_next(last);
            vec![
                Flow::new(Origin::Block { block: i, at: 0 }, head),
                Flow::new(Origin::Block { block: i, at }, tail),
            ]
        }
    }
}

/// Writes `doc` as DOCX in the bureau's fonts `f`, following `plan`; `adv` measures what
/// is centred or aligned by width; `stamp` is its creation time (RFC 3339).
pub fn render(doc: &Document, plan: &Plan, adv: &dyn Advances, f: &DocumentFonts, stamp: &str) -> Result<Vec<u8>, String> {
    let letter = doc.layout == Layout::Letter;
    let mut d = Docx::new()
        .created_at(stamp)
        .updated_at(stamp)
        .page_size(11906, 16838)
        .page_margin(PageMargin {
            // The letter layout's first page starts 30 mm from the top; see the headers.
            top: if letter { 1701 } else { 2098 },
            left: 1588,
            bottom: 1984,
            right: 1474,
            header: 1701,
            footer: 1134,
            gutter: 0,
        })
        .default_fonts(family(&f.body))
        .default_size(BODY);
    d.settings = d.settings.character_spacing_control(CharacterSpacingValues::DoNotCompress);
    for s in styles(f) {
        d = d.add_style(s);
    }
    // No document grid: exact lines and tracked characters give its 22 x 28 (see `finish`).
    d.document = d.document.doc_grid(DocGrid::with_empty());
    // Headers: a letter's later pages bring their text down to the type area's top (37
    // mm) with a 7 mm header; its first page has none, so its mark stands at 30 mm.
    let spacer = || Paragraph::new().line_spacing(exact(if letter { 397 } else { 20 })).add_run(Run::new().size(2));
    let mut header = Header::new().add_paragraph(spacer());
    if doc.draft {
        header = header.add_paragraph(draft_mark());
    }
    d = d.header(header.clone()).even_header(header);
    // A letter's first page has no header at all (its mark stands at the 30 mm top
    // margin); a draft's first page only the framed mark, which takes no room.
    if doc.draft {
        let first = if letter { Header::new().add_paragraph(draft_mark()) } else { Header::new().add_paragraph(spacer()).add_paragraph(draft_mark()) };
        d = d.first_header(first);
    }
    if doc.layout != Layout::Form {
        d = d.footer(Footer::new().add_paragraph(page_number(true))).even_footer(Footer::new().add_paragraph(page_number(false)));
    } else {
        d = d.footer(Footer::new().add_paragraph(Paragraph::new()));
    }
    if letter {
        // No page number on the first page; the double rule 20 mm above the foot.
        let rule = with_borders(
            Paragraph::new()
                .indent(Some(-OVERHANG), Some(SpecialIndentType::FirstLine(0)), Some(-OVERHANG), None)
                .line_spacing(exact(20))
                .add_run(Run::new().size(2)),
            border(ParagraphBorderPosition::Top, BorderType::ThinThickSmallGap, 18, 0, RED),
        );
        d = d.first_footer(Footer::new().add_paragraph(rule));
    }
    if letter || doc.draft {
        d = d.title_pg();
    }

    for p in head(doc, adv, f) {
        d = d.add_paragraph(p);
    }
    let mut flow: Vec<Flow> = vec![];
    // The title on the PDF's lines.
    let mut title = Paragraph::new().style("Title").keep_next(true);
    for (k, line) in plan.title_lines.iter().enumerate() {
        if k > 0 {
            title = title.add_run(Run::new().add_break(BreakType::TextWrapping));
        }
        title = title.add_run(run(line));
    }
    flow.push(Flow::new(Origin::Title, title));
    if doc.layout == Layout::Form {
        let number = doc.number.as_deref().map(|n| Paragraph::new().style("DocNumber").align(AlignmentType::Right).add_run(run(n))).unwrap_or_else(blank);
        flow.push(Flow::new(Origin::Title, number.keep_next(true)));
    }
    if let Some(a) = &doc.addressee {
        flow.push(Flow::new(Origin::Title, blank().keep_next(true)));
        flow.push(Flow::new(Origin::Addressee, Paragraph::new().style("Addressee").keep_next(true).add_run(run(&format!("{a}：")))));
    }
    let mut form_table = None;
    if doc.layout == Layout::Form {
        form_table = Some(form(doc, adv, f));
    }
    let n = doc.blocks.len();
    for (i, b) in doc.blocks.iter().enumerate() {
        match &b.insert {
            Some(insert) => flow.extend(insert_flows(i, insert, plan, f)?),
            None => flow.extend(block_paragraphs(i, b, plan, i + 1 == n)),
        }
    }
    if !doc.attachments.is_empty() {
        flow.push(Flow::new(Origin::Attachments, blank().keep_next(true)));
        let label = compose::width(adv, Face::Body, "附件：", 16.0);
        let many = doc.attachments.len() > 1;
        for (k, a) in doc.attachments.iter().enumerate() {
            let number = if many { format!("{}.", k + 1) } else { String::new() };
            let nw = compose::width(adv, Face::Body, &number, 16.0);
            let left = cells(2.0) + tw(label + nw);
            let (hang, text) = if k == 0 { (tw(label + nw), format!("附件：{number}{a}")) } else { (tw(nw), format!("{number}{a}")) };
            flow.push(Flow::new(
                Origin::Attachments,
                Paragraph::new().style("Attachment").keep_next(true).indent(Some(left), Some(SpecialIndentType::Hanging(hang)), None, None).add_run(run(&text)),
            ));
        }
    }
    let blanks = if doc.layout == Layout::Form { 1 } else { 2 };
    for _ in 0..blanks {
        flow.push(Flow::new(Origin::Signature, blank().keep_next(true)));
    }
    // The signature centred over the date by their widths; the date four characters in.
    let dw = compose::width(adv, Face::Body, &doc.date, 16.0);
    if let Some(s) = &doc.signature {
        let sw = compose::width(adv, Face::Body, s, 16.0);
        let right = (4.0 * CELL + (dw - sw) / 2.0).max(0.0);
        flow.push(Flow::new(
            Origin::Signature,
            Paragraph::new().style("Signature").keep_next(true).indent(Some(0), Some(SpecialIndentType::FirstLine(0)), Some(tw(right)), None).add_run(run(s)),
        ));
    }
    flow.push(Flow::new(Origin::Signature, Paragraph::new().style("DocDate").keep_next(!doc.notes.is_empty()).add_run(run(&doc.date))));
    for note in &doc.notes {
        flow.push(Flow::new(Origin::Notes, Paragraph::new().style("Note").add_run(run(note))));
    }
    // The PDF's breaks before the attachments or the signature, and a squeezed last page.
    for o in &plan.breaks {
        if matches!(o, Origin::Block { .. }) {
            continue;
        }
        if let Some(fl) = flow.iter_mut().find(|fl| fl.origin == *o) {
            fl.para = fl.para.clone().page_break_before(true);
        }
    }
    if let Some((pitch, origins)) = &plan.squeeze {
        let squeezed = |o: &Origin| {
            origins.iter().any(|s| match (s, o) {
                (Origin::Block { block: a, .. }, Origin::Block { block: b, .. }) => a == b,
                (a, b) => a == b,
            })
        };
        for fl in flow.iter_mut().filter(|fl| squeezed(&fl.origin)) {
            fl.para = fl.para.clone().line_spacing(exact(tw(*pitch)));
        }
    }
    let mut form_table = form_table;
    for fl in flow {
        // A form's table comes after its title and number.
        if fl.origin != Origin::Title {
            if let Some(t) = form_table.take() {
                d = d.add_table(t);
            }
        }
        d = d.add_paragraph(fl.para);
        if let Some(t) = fl.table {
            d = d.add_table(t);
        }
    }
    if let Some(t) = form_table.take() {
        d = d.add_table(t);
    }
    let record = record_block(doc, adv);
    if !record.is_empty() {
        for p in record {
            d = d.add_paragraph(p);
        }
        // The frame's anchor: a line too small to move to another page.
        d = d.add_paragraph(Paragraph::new().line_spacing(exact(2)).add_run(Run::new().size(2)));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| format!("DOCX: {e}"))?;
    finish(&out.into_inner(), f)
}

/// The head of page 1, as paragraphs.
fn head(doc: &Document, adv: &dyn Advances, f: &DocumentFonts) -> Vec<Paragraph> {
    let mut out = vec![];
    let mark = |size: f64| {
        let w = compose::width(adv, Face::Title, &doc.organ, size);
        let mut r = run(&doc.organ).size((size * 2.0) as usize);
        let n = doc.organ.chars().count().max(1) as f64;
        if w > compose::WIDTH {
            // Narrowed to the type area, as the PDF scales it.
            r = r.character_spacing(tw((compose::WIDTH - w) / n));
        }
        Paragraph::new().style("OrganMark").snap_to_grid(false).add_run(r)
    };
    match doc.layout {
        Layout::Document => {
            out.push(mark(36.0).line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(720).before(1984)));
            out.push(blank());
            out.push(blank());
            let mut number = Paragraph::new().style("DocNumber");
            if let Some(s) = &doc.signer {
                // 上行文: the number one character in from the left, 签发人 one in from the right.
                number = number
                    .align(AlignmentType::Left)
                    .indent(Some(cells(1.0)), Some(SpecialIndentType::FirstLine(0)), Some(cells(1.0)), None)
                    .add_tab(Tab::new().val(TabValueType::Right).pos(TYPE_WIDTH - cells(2.0) as usize))
                    .add_run(run(doc.number.as_deref().unwrap_or("")))
                    .add_run(Run::new().add_tab())
                    .add_run(run("签发人："))
                    .add_run(run(s).fonts(family(&f.subheading)));
            } else if let Some(n) = &doc.number {
                number = number.add_run(run(n));
            } else {
                number = number.add_run(Run::new());
            }
            // The red rule 4 mm under the number's characters.
            out.push(with_borders(number, border(ParagraphBorderPosition::Bottom, BorderType::Single, 8, 5, RED)));
            out.push(blank());
            out.push(blank());
        }
        Layout::Letter => {
            let p = mark(30.0)
                .line_spacing(exact(600))
                .indent(Some(-OVERHANG), Some(SpecialIndentType::FirstLine(0)), Some(-OVERHANG), None);
            out.push(with_borders(p, border(ParagraphBorderPosition::Bottom, BorderType::ThickThinSmallGap, 18, 11, RED)));
            if let Some(n) = &doc.number {
                out.push(Paragraph::new().style("DocNumber").align(AlignmentType::Right).line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(PITCH_TW).before(160)).add_run(run(n)));
                out.push(blank());
                out.push(blank());
            } else {
                out.push(blank());
                out.push(blank());
            }
        }
        Layout::Form => {}
    }
    out
}

/// The draft mark: a framed paragraph in the header, grey, over the page.
fn draft_mark() -> Paragraph {
    Paragraph::new()
        .wrap("around")
        .v_anchor("page")
        .h_anchor("page")
        .frame_x(2500)
        .frame_y(7000)
        .frame_width(7000)
        .align(AlignmentType::Center)
        .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
        .line_spacing(exact(2400))
        .add_run(Run::new().add_text("草稿").size(200).color("D7D7D7").bold())
}

/// A form: the label column as wide as its longest label, rows of the lines they hold.
fn form(doc: &Document, adv: &dyn Advances, f: &DocumentFonts) -> Table {
    let label_width = tw(compose::form_label_width(doc, adv)) as usize;
    let rows: Vec<TableRow> = doc
        .form
        .iter()
        .map(|r| {
            let cell = |text: &str, width: usize, align: AlignmentType, heading: bool| {
                let mut run = run(text);
                if heading {
                    run = run.fonts(family(&f.heading));
                }
                TableCell::new()
                    .width(width, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(Paragraph::new().style("FormCell").align(align).add_run(run))
            };
            TableRow::new(vec![
                cell(&r.label, label_width, AlignmentType::Center, true),
                cell(&r.value, TYPE_WIDTH - label_width, AlignmentType::Left, false),
            ])
            .row_height((r.lines as f32) * 440.0 + 240.0)
            .height_rule(HeightRule::AtLeast)
        })
        .collect();
    Table::new(rows).set_grid(vec![label_width, TYPE_WIDTH - label_width]).width(TYPE_WIDTH, WidthType::Dxa)
}

/// The record block at the type area's foot of the last page: 抄送 and 印发 each a framed
/// paragraph at a fixed place on the page (Word and LibreOffice keep text out of frames),
/// the rules their borders: thick over 抄送, thin between, thick under 印发 on the foot.
/// (One frame each: LibreOffice 7.4 does not make a frame of several bordered paragraphs.)
fn record_block(doc: &Document, adv: &dyn Advances) -> Vec<Paragraph> {
    let letter = doc.layout == Layout::Letter;
    let printer = (!letter).then_some(doc.printer.as_deref()).flatten();
    if doc.copy_to.is_none() && printer.is_none() {
        return vec![];
    }
    let framed = |p: Paragraph, y: i32| {
        p.style("RecordBlock")
            .wrap("around")
            .v_anchor("page")
            .h_anchor("margin")
            .frame_x(0)
            .frame_y(y)
            .frame_width(TYPE_WIDTH as u32)
            .h_rule("atLeast")
            .line_spacing(exact(PITCH_TW))
    };
    let rule = |pos, size: i32| ParagraphBorder::new(pos).val(BorderType::Single).size(size as usize).space(0).color("000000");
    // Border widths in eighths of a point, as compose lays them out.
    let (thick, thin) = ((compose::RULE_THICK * 8.0) as i32, (compose::RULE_THIN * 8.0) as i32);
    let foot = tw(compose::BOTTOM);
    let mut out = vec![];
    let mut top = foot;
    let print_line = (!letter).then(|| {
        let height = PITCH_TW + thick * 20 / 8;
        top -= height;
        let mut borders = ParagraphBorders::with_empty().set(rule(ParagraphBorderPosition::Bottom, thick));
        if doc.copy_to.is_none() {
            borders = borders.set(rule(ParagraphBorderPosition::Top, thick));
        }
        let p = framed(Paragraph::new(), top)
            .add_tab(Tab::new().val(TabValueType::Right).pos(TYPE_WIDTH - 560))
            .add_run(run(printer.unwrap_or("")))
            .add_run(Run::new().add_tab())
            .add_run(run(&format!("{}印发", doc.date)));
        with_borders(p, borders)
    });
    if let Some(c) = &doc.copy_to {
        // Wrapped lines under the first body named, a full stop after the last.
        let text = format!("抄送：{}。", c.trim_end_matches('。'));
        let lines = compose::copy_to_lines(doc, adv).len().max(1);
        let rules = if letter { 0 } else { (thick + thin) * 20 / 8 };
        top -= lines as i32 * PITCH_TW + rules;
        let mut p = framed(Paragraph::new(), top).indent(Some(280 + 840), Some(SpecialIndentType::Hanging(840)), Some(280), None).add_run(run(&text));
        if !letter {
            p = with_borders(p, ParagraphBorders::with_empty().set(rule(ParagraphBorderPosition::Top, thick)).set(rule(ParagraphBorderPosition::Bottom, thin)));
        }
        out.push(p);
    }
    out.extend(print_line);
    out
}

/// Windows' own faces for the fonts a bureau installs: named in the font table so Word
/// uses them where the bureau's font is missing.
fn alt_name(font: &str) -> Option<&'static str> {
    match font {
        "仿宋_GB2312" | "方正仿宋_GBK" | "方正仿宋简体" => Some("仿宋"),
        "楷体_GB2312" | "方正楷体_GBK" | "方正楷体简体" => Some("楷体"),
        "方正小标宋简体" | "方正小标宋_GBK" => Some("宋体"),
        "方正黑体_GBK" | "方正黑体简体" => Some("黑体"),
        _ => None,
    }
}

/// A hyphen between letters or digits (`XF-2026-000001`, `0715-8123456`) as Word's
/// non-breaking hyphen, so neither Word nor LibreOffice breaks the token there.
fn unbreakable_hyphens(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    // `<w:t>` or `<w:t xml:space=…>`, not `<w:tab/>`, `<w:tbl>`…
    let next = |s: &str| [s.find("<w:t>"), s.find("<w:t ")].into_iter().flatten().min();
    while let Some(open) = next(rest) {
        let Some(gt) = rest[open..].find('>').map(|g| open + g + 1) else { break };
        let Some(close) = rest[gt..].find("</w:t>").map(|c| gt + c) else { break };
        out.push_str(&rest[..gt]);
        let text = &rest[gt..close];
        let chars: Vec<char> = text.chars().collect();
        let tag = &rest[open..gt];
        for (i, c) in chars.iter().enumerate() {
            let joins = *c == '-'
                && i > 0
                && i + 1 < chars.len()
                && chars[i - 1].is_ascii_alphanumeric()
                && chars[i + 1].is_ascii_alphanumeric();
            if joins {
                out.push_str("</w:t><w:noBreakHyphen/>");
                out.push_str(tag);
            } else {
                out.push(*c);
            }
        }
        out.push_str("</w:t>");
        rest = &rest[close + "</w:t>".len()..];
    }
    out.push_str(rest);
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Puts in what docx-rs has no API for: the font table with the bureau's fonts, and the
/// style defaults' language (Latin runs en-US, East Asian zh-CN), no automatic space
/// between Chinese and Latin text, no hanging punctuation, widow control.
fn finish(docx: &[u8], f: &DocumentFonts) -> Result<Vec<u8>, String> {
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
            // Every character 0.25 pt closer: 28 characters of 16 pt fill the 156 mm line
            // and a 29th does not fit (LibreOffice cannot take Word's character grid: it
            // snaps a 16 pt character to two cells of 15.79 pt).
            let lang = "<w:spacing w:val=\"-5\" /><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\" />";
            let Some(at) = xml.find("<w:rPrDefault>").and_then(|s| xml[s..].find("</w:rPr>").map(|e| s + e)) else {
                return Err("DOCX: styles.xml has no run defaults".into());
            };
            let xml = format!("{}{lang}{}", &xml[..at], &xml[at..]);
            let east_asian = "<w:widowControl /><w:kinsoku /><w:overflowPunct w:val=\"0\" /><w:autoSpaceDE w:val=\"0\" /><w:autoSpaceDN w:val=\"0\" />";
            let Some(p) = xml.find("<w:pPrDefault><w:pPr>").map(|p| p + "<w:pPrDefault><w:pPr>".len()) else {
                return Err("DOCX: styles.xml has no paragraph defaults".into());
            };
            let xml = format!("{}{east_asian}{}", &xml[..p], &xml[p..]);
            // docx-rs writes an empty Normal style before the ones given; ours is the one.
            let empty = "<w:style w:type=\"paragraph\" w:styleId=\"Normal\"><w:name w:val=\"Normal\" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style>";
            bytes = xml.replacen(empty, "", 1).into_bytes();
        }
        if name == "word/document.xml" {
            let xml = String::from_utf8(bytes).map_err(|_| "DOCX: document.xml is not UTF-8")?;
            bytes = unbreakable_hyphens(&xml).into_bytes();
        }
        if name == "word/fontTable.xml" {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">");
            let mut seen = std::collections::BTreeSet::new();
            for font in [&f.body, &f.title, &f.heading, &f.subheading] {
                if !seen.insert(font.clone()) {
                    continue;
                }
                xml.push_str(&format!("<w:font w:name=\"{}\">", xml_escape(font)));
                if let Some(alt) = alt_name(font) {
                    xml.push_str(&format!("<w:altName w:val=\"{alt}\"/>"));
                }
                xml.push_str("<w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>");
            }
            xml.push_str("<w:font w:name=\"Times New Roman\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font></w:fonts>");
            bytes = xml.into_bytes();
        }
        out.start_file(name, options).map_err(err)?;
        out.write_all(&bytes).map_err(|e| format!("DOCX: {e}"))?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}
