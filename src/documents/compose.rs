//! GB/T 9704-2012 pages from a [`Document`]: every element placed in points on A4, so the
//! PDF exporter only draws what is decided here and the DOCX exporter can follow the same
//! page breaks. What is decided here:
//!
//! - the head of each layout (文件格式 §7.2, 信函格式 §10.1, the one-page form), the title
//!   balanced over its lines, the addressee, paragraphs on the 28-character grid
//!   ([`grid`]), heading faces, the attachments note, the signature centred over the date
//!   by their real widths, the notes (附注);
//! - lines on the 28.95 pt pitch, page by page, with Word's keep rules: no paragraph's first
//!   or last line alone, a heading kept with what follows, the signature kept with the last
//!   two lines of the text;
//! - the record block (版记, §7.4) at the foot of the last page, its last rule on the type
//!   area's foot, never alone on a page, on an even page when the document has more than
//!   one page and is printed on both sides; where only a little room is missing the last
//!   page's lines are set closer (§7.3.5.5: 调整行距) instead of leaving a gap;
//! - page numbers (§7.5), the letter layout's rules, the draft watermark.
//!
//! Pure: font advances come in through [`grid::Advances`].

use super::grid::{self, Advances, Face, Measure, Span};
use super::model::{Block, Document, Insert, Layout};
use serde::Serialize;

pub const MM: f64 = 72.0 / 25.4;
pub const PAGE_WIDTH: f64 = 210.0 * MM;
pub const PAGE_HEIGHT: f64 = 297.0 * MM;
/// The type area (版心): 156 x 225 mm, 28 mm from the left edge, 37 mm from the top.
pub const LEFT: f64 = 28.0 * MM;
pub const TOP: f64 = 37.0 * MM;
pub const WIDTH: f64 = 156.0 * MM;
pub const HEIGHT: f64 = 225.0 * MM;
pub const BOTTOM: f64 = TOP + HEIGHT;
/// 3号 body text, 22 lines a page, 28 characters a line.
pub const BODY: f64 = 16.0;
pub const PITCH: f64 = 28.95;
/// Every character 0.25 pt closer than its advance, in both formats: 28 characters of 16
/// pt take 441 pt of the 442.2 pt line (justification spreads the rest) and a 29th does not
/// fit. (The DOCX's character spacing is in twentieths of a point: 156 mm / 28 cannot be
/// written there, and LibreOffice cannot take Word's character grid.)
pub const TRACK: f64 = -0.25;
pub const CELL: f64 = BODY + TRACK;
/// 2号 title, 4号 record block, page numbers and forms.
pub const TITLE: f64 = 22.0;
pub const SMALL: f64 = 14.0;
/// The closest a squeezed page sets its lines (§7.3.5.5), as a share of the pitch.
const TIGHTEST: f64 = 0.86;
/// Room kept between the text and the record block: Word and LibreOffice set the head a
/// point or so differently, and a line touching the block's frame goes to the next page.
const CLEARANCE: f64 = 3.0;
/// A form's line and its cells' padding.
const FORM_LINE: f64 = 22.0;
const FORM_PAD_Y: f64 = 6.0;
const FORM_PAD_X: f64 = 2.0 * MM;
/// A table's cells are set closer than a form's: a row of 28 pt (the DOCX's 560 twips),
/// so a table of 17 categories stays on one page.
const TABLE_PAD_Y: f64 = 3.0;

/// Something drawn on a page; coordinates in pt from the page's top left corner.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Item {
    /// Text whose em box's top is at `y` (its baseline 0.88 em lower); `track` is added
    /// after every character; `scale` narrows it (a long organ mark).
    Text {
        x: f64,
        y: f64,
        size: f64,
        face: Face,
        text: String,
        red: bool,
        bold: bool,
        track: f64,
        scale: f64,
        /// The top edge is the font's ascender rather than the em box (page numbers).
        ascender: bool,
    },
    /// A horizontal rule whose top edge is at `y`.
    Rule { x: f64, y: f64, length: f64, thickness: f64, red: bool },
    /// A box's four sides (form cells).
    Frame { x: f64, y: f64, width: f64, height: f64, thickness: f64 },
    /// An SVG picture (a chart), drawn as vectors.
    Image { x: f64, y: f64, width: f64, height: f64, svg: String },
    /// The draft mark across the page, and its line in the top margin.
    Watermark { text: String, note: String },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<Item>,
}

/// Where a row came from, so the DOCX can follow the PDF's breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Origin {
    Title,
    Addressee,
    /// Body block `block`, the line starting at character `at` of its text.
    Block { block: usize, at: usize },
    Attachments,
    Signature,
    Notes,
    Form,
}

/// A decision the DOCX must repeat: a page break forced before this row's origin, or the
/// lines of a block set closer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// Page breaks forced before these (after those the text's flow makes).
    pub breaks: Vec<Origin>,
    /// The line pitch of a squeezed last page and the rows it applies to.
    pub squeeze: Option<(f64, Vec<Origin>)>,
    /// The page count.
    pub pages: usize,
    /// The first page's free lines at its foot (the layout test's measure of gaps).
    pub first_page_free_lines: f64,
    /// The title's lines as broken.
    pub title_lines: Vec<String>,
}

/// A laid-out document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Composed {
    pub pages: Vec<Page>,
    pub plan: Plan,
}

/// How a document is printed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Printed on both sides: the record block's page is an even one.
    pub double_sided: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { double_sided: true }
    }
}

/// One row of the flow: a line or a blank, with what is drawn in it relative to its top.
#[derive(Debug, Clone)]
struct Row {
    height: f64,
    items: Vec<Item>,
    /// Must stay on the page of the row after it.
    keep_next: bool,
    origin: Origin,
    /// A line pitch row (squeezable); fixed rows (form rows) are not.
    pitched: bool,
}

fn text(x: f64, y: f64, size: f64, face: Face, s: &str) -> Item {
    Item::Text { x, y, size, face, text: s.into(), red: false, bold: false, track: TRACK, scale: 1.0, ascender: false }
}

/// Width of a run in pt at `size` (every character tracked by [`TRACK`]).
pub fn width(adv: &dyn Advances, face: Face, s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            let em = adv.advance(face, c);
            if grid::is_wide(c, em) { size + TRACK } else { em * size + TRACK }
        })
        .sum()
}

/// The items of a composed line at `x0` (page x of the line's left edge), its em box's top
/// at `y`.
fn line_items(line: &grid::Line, x0: f64, y: f64, size: f64) -> Vec<Item> {
    line.pieces
        .iter()
        .map(|p| {
            let mut t = text(x0 + p.x, y, size, p.face, &p.text);
            if let Item::Text { track, .. } = &mut t {
                *track = if p.on_grid { p.pitch - size } else { TRACK };
            }
            t
        })
        .collect()
}

/// How text of `size` is measured: every character tracked, full-width ones one cell.
pub fn measure(size: f64, width: f64, first_indent: f64, indent: f64, justify: bool) -> Measure {
    Measure { size, track: TRACK, cell: size + TRACK, width, first_indent, indent, justify }
}

fn body_measure(first_indent: f64, indent: f64) -> Measure {
    measure(BODY, WIDTH, first_indent, indent, true)
}

/// Rows of one paragraph at body size, with widow and orphan control.
fn paragraph_rows(spans: &[Span], m: &Measure, adv: &dyn Advances, origin: impl Fn(usize) -> Origin) -> Vec<Row> {
    let lines = grid::compose(spans, m, adv);
    let n = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| Row {
            height: PITCH,
            items: line_items(l, LEFT, (PITCH - BODY) / 2.0, BODY),
            // First line with the second, the one before last with the last.
            keep_next: n >= 2 && (i == 0 || i + 2 == n),
            origin: origin(l.start),
            pitched: true,
        })
        .collect()
}

fn blank(origin: Origin, keep_next: bool) -> Row {
    Row { height: PITCH, items: vec![], keep_next, origin, pitched: true }
}

fn block_spans(b: &Block) -> Vec<Span> {
    let lead_face = match b.level {
        1 => Face::Heading,
        2 => Face::Subheading,
        _ => Face::Body,
    };
    let mut spans = vec![];
    if !b.lead.is_empty() {
        spans.push(Span::new(lead_face, &b.lead));
    }
    if !b.text.is_empty() {
        spans.push(Span::new(Face::Body, &b.text));
    }
    spans
}

/// The head of page 1 (drawn at fixed places) and the y where the flow starts.
fn head(doc: &Document, adv: &dyn Advances) -> (Vec<Item>, f64) {
    let mut items = vec![];
    let mark = |items: &mut Vec<Item>, y: f64, size: f64| {
        let w = width(adv, Face::Title, &doc.organ, size);
        let scale = if w > WIDTH { WIDTH / w } else { 1.0 };
        items.push(Item::Text {
            x: LEFT + (WIDTH - w * scale) / 2.0,
            y,
            size,
            face: Face::Title,
            text: doc.organ.clone(),
            red: true,
            bold: true,
            track: TRACK,
            scale,
            ascender: false,
        });
    };
    let number_width = |n: &str| width(adv, Face::Body, n, BODY);
    match doc.layout {
        Layout::Document => {
            // §7.2.3: the mark's top 35 mm below the type area's top; §7.2.4: the number two
            // lines under it (centred, or flush left with 签发人 flush right for 上行文);
            // §7.2.6: the red rule 4 mm under the number; §7.3.1: the title two lines under
            // the rule.
            let size = 36.0;
            let mark_top = TOP + 35.0 * MM;
            mark(&mut items, mark_top, size);
            let number_row = mark_top + size + 2.0 * PITCH;
            let glyph_top = number_row + (PITCH - BODY) / 2.0;
            if let Some(n) = &doc.number {
                let w = number_width(n);
                let x = match &doc.signer {
                    Some(_) => LEFT + CELL,
                    None => LEFT + (WIDTH - w) / 2.0,
                };
                items.push(text(x, glyph_top, BODY, Face::Body, n));
            }
            if let Some(s) = &doc.signer {
                let label = "签发人：";
                let lw = width(adv, Face::Body, label, BODY);
                let sw = width(adv, Face::Subheading, s, BODY);
                let x = LEFT + WIDTH - CELL - sw - lw;
                items.push(text(x, glyph_top, BODY, Face::Body, label));
                items.push(text(x + lw, glyph_top, BODY, Face::Subheading, s));
            }
            let rule = glyph_top + BODY + 4.0 * MM;
            items.push(Item::Rule { x: LEFT, y: rule, length: WIDTH, thickness: 1.0, red: true });
            (items, rule + 2.0 * PITCH)
        }
        Layout::Letter => {
            // §10.1: the mark's top 30 mm from the page's top; 4 mm under it a red double
            // rule, thick over thin, 170 mm long and centred; the number flush right under
            // it, 7/8 of a 3号 character's height below; the title two lines lower.
            let size = 30.0;
            let mark_top = 30.0 * MM;
            mark(&mut items, mark_top, size);
            let rule = mark_top + size + 4.0 * MM;
            let (x, length) = ((PAGE_WIDTH - 170.0 * MM) / 2.0, 170.0 * MM);
            items.push(Item::Rule { x, y: rule, length, thickness: 1.5, red: true });
            items.push(Item::Rule { x, y: rule + 2.5, length, thickness: 0.5, red: true });
            let below = rule + 3.0 + BODY * 7.0 / 8.0;
            match &doc.number {
                Some(n) => {
                    items.push(text(LEFT + WIDTH - number_width(n), below, BODY, Face::Body, n));
                    let row = below - (PITCH - BODY) / 2.0;
                    (items, row + 3.0 * PITCH)
                }
                None => (items, rule + 3.0 + 2.0 * PITCH),
            }
        }
        Layout::Form => (items, TOP),
    }
}

/// Items drawn on every page but composed once: the letter's foot rule, page numbers, the
/// draft mark.
fn furniture(doc: &Document, page: usize, adv: &dyn Advances) -> Vec<Item> {
    let mut items = vec![];
    if doc.layout == Layout::Letter && page == 1 {
        // §10.1: 20 mm above the bottom edge a red double rule, thin over thick.
        let (x, length) = ((PAGE_WIDTH - 170.0 * MM) / 2.0, 170.0 * MM);
        let bottom = PAGE_HEIGHT - 20.0 * MM;
        items.push(Item::Rule { x, y: bottom - 1.5, length, thickness: 1.5, red: true });
        items.push(Item::Rule { x, y: bottom - 4.0, length, thickness: 0.5, red: true });
    }
    let numbered = match doc.layout {
        Layout::Document => true,
        Layout::Letter => page > 1,
        Layout::Form => false,
    };
    if numbered {
        // §7.5: 4号 "— 1 —" 7 mm under the type area, odd pages right and even pages left,
        // one character in.
        let label = format!("— {page} —");
        let w = width(adv, Face::Body, &label, SMALL);
        let x = if page % 2 == 1 { LEFT + WIDTH - SMALL - w } else { LEFT + SMALL };
        let mut t = text(x, BOTTOM + 7.0 * MM, SMALL, Face::Body, &label);
        if let Item::Text { ascender, .. } = &mut t {
            *ascender = true;
        }
        items.push(t);
    }
    if doc.draft {
        items.push(Item::Watermark { text: "草稿".into(), note: "草稿　未编号，不作正式文书使用".into() });
    }
    items
}

/// The record block's rule widths: thick first and last, thin between (§7.4.1), as the
/// DOCX draws them (borders of 1 pt and 0.75 pt).
pub const RULE_THICK: f64 = 1.0;
pub const RULE_THIN: f64 = 0.75;

/// The lines of the record block's 抄送 (a wrapped line under the first body named).
pub fn copy_to_lines(doc: &Document, adv: &dyn Advances) -> Vec<grid::Line> {
    let Some(c) = &doc.copy_to else { return vec![] };
    let m = measure(SMALL, WIDTH - 2.0 * SMALL, 0.0, 3.0 * (SMALL + TRACK), true);
    let full = format!("抄送：{}。", c.trim_end_matches('。'));
    grid::compose(&[Span::new(Face::Body, full)], &m, adv)
}

/// The record block at the type area's foot: its items and its height. From the top: a
/// thick rule, the 抄送 lines, a thin rule, the 印发 line, a thick rule on the foot; a
/// letter's is only its 抄送 lines (§10.1).
fn record_block(doc: &Document, adv: &dyn Advances) -> Option<(Vec<Item>, f64)> {
    let letter = doc.layout == Layout::Letter;
    let printer = (!letter).then_some(doc.printer.as_deref()).flatten();
    if doc.copy_to.is_none() && printer.is_none() {
        return None;
    }
    let copy = copy_to_lines(doc, adv);
    let height = if letter {
        copy.len() as f64 * PITCH
    } else {
        let copy_part = if copy.is_empty() { 0.0 } else { RULE_THICK + copy.len() as f64 * PITCH + RULE_THIN };
        let print_part = PITCH + RULE_THICK + if copy.is_empty() { RULE_THICK } else { 0.0 };
        copy_part + print_part
    };
    let mut items = vec![];
    let mut y = BOTTOM - height;
    let rule = |items: &mut Vec<Item>, y: f64, t: f64| items.push(Item::Rule { x: LEFT, y, length: WIDTH, thickness: t, red: false });
    if !copy.is_empty() {
        // §7.4.2: "抄送：" and the bodies, one character in from each side.
        if !letter {
            rule(&mut items, y, RULE_THICK);
            y += RULE_THICK;
        }
        for l in &copy {
            items.extend(line_items(l, LEFT + SMALL, y + (PITCH - SMALL) / 2.0, SMALL));
            y += PITCH;
        }
        if !letter {
            rule(&mut items, y, RULE_THIN);
            y += RULE_THIN;
        }
    }
    if !letter {
        if copy.is_empty() {
            rule(&mut items, y, RULE_THICK);
            y += RULE_THICK;
        }
        // §7.4.3: the printing office one character in from the left, the date one in from
        // the right, "印发" after it.
        let date = format!("{}印发", doc.date);
        let dw = width(adv, Face::Body, &date, SMALL);
        items.push(text(LEFT + WIDTH - SMALL - dw, y + (PITCH - SMALL) / 2.0, SMALL, Face::Body, &date));
        if let Some(p) = printer {
            items.push(text(LEFT + SMALL, y + (PITCH - SMALL) / 2.0, SMALL, Face::Body, p));
        }
        y += PITCH;
        rule(&mut items, y, RULE_THICK);
    }
    Some((items, height))
}

fn shift(item: Item, dy: f64) -> Item {
    match item {
        Item::Text { x, y, size, face, text, red, bold, track, scale, ascender } => {
            Item::Text { x, y: y + dy, size, face, text, red, bold, track, scale, ascender }
        }
        Item::Rule { x, y, length, thickness, red } => Item::Rule { x, y: y + dy, length, thickness, red },
        Item::Frame { x, y, width, height, thickness } => Item::Frame { x, y: y + dy, width, height, thickness },
        Item::Image { x, y, width, height, svg } => Item::Image { x, y: y + dy, width, height, svg },
        w @ Item::Watermark { .. } => w,
    }
}

fn title_measure() -> Measure {
    measure(TITLE, WIDTH, 0.0, 0.0, false)
}

fn title_lines(doc: &Document, adv: &dyn Advances) -> Vec<String> {
    grid::balance(&[Span::new(Face::Title, &doc.title)], &title_measure(), adv).iter().map(|l| l.text()).collect()
}

/// The flow's rows after the head: title, addressee, body, attachments, signature, notes.
fn flow(doc: &Document, adv: &dyn Advances) -> Result<Vec<Row>, String> {
    let mut rows = vec![];
    // Title: balanced lines of 2号, centred.
    for l in grid::balance(&[Span::new(Face::Title, &doc.title)], &title_measure(), adv) {
        let w = l.right - l.pieces.first().map(|p| p.x).unwrap_or(0.0);
        let mut items = line_items(&l, LEFT + (WIDTH - w) / 2.0, (PITCH - TITLE) / 2.0, TITLE);
        for it in &mut items {
            if let Item::Text { bold, .. } = it {
                *bold = true;
            }
        }
        rows.push(Row { height: PITCH, items, keep_next: true, origin: Origin::Title, pitched: true });
    }
    if doc.layout == Layout::Form {
        if let Some(n) = &doc.number {
            let w = width(adv, Face::Body, n, BODY);
            let items = vec![text(LEFT + WIDTH - w, (PITCH - BODY) / 2.0, BODY, Face::Body, n)];
            rows.push(Row { height: PITCH, items, keep_next: true, origin: Origin::Title, pitched: true });
        } else {
            rows.push(blank(Origin::Title, true));
        }
        rows.extend(form_rows(doc, adv)?);
    }
    if let Some(a) = &doc.addressee {
        // §7.3.2: one line under the title, flush left, wrapped lines flush left too.
        rows.push(blank(Origin::Title, true));
        let m = Measure { justify: true, ..body_measure(0.0, 0.0) };
        let mut lines = paragraph_rows(&[Span::new(Face::Body, format!("{a}："))], &m, adv, |_| Origin::Addressee);
        if let Some(last) = lines.last_mut() {
            last.keep_next = true;
        }
        rows.extend(lines);
    }
    let n = doc.blocks.len();
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Some(insert) = &b.insert {
            rows.extend(insert_rows(i, insert, adv)?);
            continue;
        }
        let mut lines = paragraph_rows(&block_spans(b), &body_measure(2.0 * CELL, 0.0), adv, |at| Origin::Block { block: i, at });
        let heading = b.is_heading();
        if let Some(last) = lines.last_mut() {
            // A heading stays with what follows; the last paragraph with the signature.
            last.keep_next = heading || i + 1 == n;
        }
        rows.extend(lines);
    }
    if !doc.attachments.is_empty() {
        // §7.3.4: one line under the text, two characters in; names after "附件：", a
        // wrapped line under the name's first character; numbered when more than one.
        rows.push(blank(Origin::Attachments, true));
        let label = "附件：";
        let lw = width(adv, Face::Body, label, BODY);
        let many = doc.attachments.len() > 1;
        for (k, a) in doc.attachments.iter().enumerate() {
            let number = if many { format!("{}.", k + 1) } else { String::new() };
            let nw = width(adv, Face::Body, &number, BODY);
            let first = if k == 0 { 2.0 * CELL } else { 2.0 * CELL + lw };
            let spans = if k == 0 {
                vec![Span::new(Face::Body, format!("{label}{number}{a}"))]
            } else {
                vec![Span::new(Face::Body, format!("{number}{a}"))]
            };
            let m = body_measure(first, 2.0 * CELL + lw + nw);
            let mut lines = paragraph_rows(&spans, &m, adv, |_| Origin::Attachments);
            for l in &mut lines {
                l.keep_next = true;
            }
            rows.extend(lines);
        }
    }
    if doc.signature.is_some() || doc.layout != Layout::Form {
        rows.extend(signature_rows(doc, adv));
    }
    if !doc.notes.is_empty() {
        if let Some(last) = rows.last_mut() {
            last.keep_next = true;
        }
        for note in &doc.notes {
            // §7.3.6: two characters in, on the line under the date.
            rows.extend(paragraph_rows(&[Span::new(Face::Body, note)], &body_measure(2.0 * CELL, 0.0), adv, |_| Origin::Notes));
        }
    }
    Ok(rows)
}

/// §7.3.5.1: the date four characters in from the right, the signature centred over it by
/// their widths; two blank lines above for the seal.
fn signature_rows(doc: &Document, adv: &dyn Advances) -> Vec<Row> {
    let blanks = if doc.layout == Layout::Form { 1 } else { 2 };
    let mut rows: Vec<Row> = (0..blanks).map(|_| blank(Origin::Signature, true)).collect();
    let dw = width(adv, Face::Body, &doc.date, BODY);
    let date_x = LEFT + WIDTH - 4.0 * CELL - dw;
    let y = (PITCH - BODY) / 2.0;
    if let Some(s) = &doc.signature {
        let sw = width(adv, Face::Body, s, BODY);
        let x = (date_x + (dw - sw) / 2.0).clamp(LEFT, LEFT + WIDTH - sw.min(WIDTH));
        rows.push(Row { height: PITCH, items: vec![text(x, y, BODY, Face::Body, s)], keep_next: true, origin: Origin::Signature, pitched: true });
    }
    rows.push(Row { height: PITCH, items: vec![text(date_x, y, BODY, Face::Body, &doc.date)], keep_next: false, origin: Origin::Signature, pitched: true });
    rows
}

/// A table (its caption above, kept whole on one page) or a chart (its caption under it)
/// in the text. Every row starts at `Origin::Block { block, at: 0 }`: the DOCX breaks
/// before the caption or the picture only.
fn insert_rows(block: usize, insert: &Insert, adv: &dyn Advances) -> Result<Vec<Row>, String> {
    let origin = Origin::Block { block, at: 0 };
    let caption = |text: &str, keep_next: bool| {
        let w = width(adv, Face::Heading, text, SMALL);
        let items = vec![self::text(LEFT + ((WIDTH - w) / 2.0).max(0.0), (PITCH - SMALL) / 2.0, SMALL, Face::Heading, text)];
        Row { height: PITCH, items, keep_next, origin, pitched: true }
    };
    match insert {
        Insert::Wanted(name) => Err(format!("模板中的「{name}」没有可插入的内容")),
        Insert::Chart(c) => {
            let image = Item::Image { x: LEFT, y: 4.0, width: WIDTH, height: c.height, svg: c.svg.clone() };
            Ok(vec![
                Row { height: c.height + 8.0, items: vec![image], keep_next: true, origin, pitched: false },
                caption(&c.caption, false),
            ])
        }
        Insert::Table(t) => {
            let mut rows = vec![caption(&t.caption, true)];
            let lines: Vec<&Vec<String>> = std::iter::once(&t.head).chain(&t.rows).collect();
            let n = lines.len();
            for (k, cells) in lines.into_iter().enumerate() {
                let face = if k == 0 { Face::Heading } else { Face::Body };
                let mut laid = Vec::new();
                let mut x = LEFT;
                for (j, cell) in cells.iter().enumerate() {
                    let w = WIDTH * t.widths.get(j).copied().unwrap_or(1.0 / cells.len() as f64);
                    let m = measure(SMALL, w - 2.0 * FORM_PAD_X, 0.0, 0.0, false);
                    laid.push((x, w, j, grid::compose(&[Span::new(face, cell)], &m, adv)));
                    x += w;
                }
                let count = laid.iter().map(|l| l.3.len()).max().unwrap_or(1).max(1);
                let height = count as f64 * FORM_LINE + 2.0 * TABLE_PAD_Y;
                let mut items = vec![];
                for (x, w, j, cell_lines) in laid {
                    items.push(Item::Frame { x, y: 0.0, width: w, height, thickness: 0.6 });
                    let top = (height - cell_lines.len() as f64 * FORM_LINE) / 2.0 + (FORM_LINE - SMALL) / 2.0;
                    for (r, l) in cell_lines.iter().enumerate() {
                        // The first column at the left, the figures and the heading centred.
                        let lx = if j == 0 && k > 0 { x + FORM_PAD_X } else { x + (w - l.right) / 2.0 };
                        items.extend(line_items(l, lx, top + r as f64 * FORM_LINE, SMALL));
                    }
                }
                rows.push(Row { height, items, keep_next: k + 1 < n, origin, pitched: false });
            }
            Ok(rows)
        }
    }
}

/// The label column's width: the longest label on one line, within 32-48 mm.
pub fn form_label_width(doc: &Document, adv: &dyn Advances) -> f64 {
    let longest = doc.form.iter().map(|r| width(adv, Face::Heading, &r.label, SMALL)).fold(0.0, f64::max);
    (longest + 2.0 * FORM_PAD_X + 1.0).clamp(32.0 * MM, 48.0 * MM)
}

/// A form's rows: a ruled table, the label in 黑体 centred, the entry at the left; an entry
/// longer than its cell's lines is refused, naming the row.
fn form_rows(doc: &Document, adv: &dyn Advances) -> Result<Vec<Row>, String> {
    let label_w = form_label_width(doc, adv);
    let value_w = WIDTH - label_w;
    let mut rows = vec![];
    let n = doc.form.len();
    for (i, r) in doc.form.iter().enumerate() {
        let vm = measure(SMALL, value_w - 2.0 * FORM_PAD_X, 0.0, 0.0, true);
        let lm = measure(SMALL, label_w - 2.0 * FORM_PAD_X, 0.0, 0.0, false);
        let value = grid::compose(&[Span::new(Face::Body, &r.value)], &vm, adv);
        let label = grid::balance(&[Span::new(Face::Heading, &r.label)], &lm, adv);
        if value.len() > r.lines as usize {
            return Err(format!(
                "「{}」一栏最多 {} 行，内容排了 {} 行：请压缩或改用正式文书",
                r.label,
                r.lines,
                value.len()
            ));
        }
        let lines = (r.lines as usize).max(label.len());
        let height = lines as f64 * FORM_LINE + 2.0 * FORM_PAD_Y;
        let mut items = vec![
            Item::Frame { x: LEFT, y: 0.0, width: label_w, height, thickness: 0.6 },
            Item::Frame { x: LEFT + label_w, y: 0.0, width: value_w, height, thickness: 0.6 },
        ];
        let top = |count: usize| (height - count as f64 * FORM_LINE) / 2.0 + (FORM_LINE - SMALL) / 2.0;
        let lt = top(label.len());
        for (k, l) in label.iter().enumerate() {
            let w = l.right;
            items.extend(line_items(l, LEFT + (label_w - w) / 2.0, lt + k as f64 * FORM_LINE, SMALL));
        }
        let vt = top(value.len());
        for (k, l) in value.iter().enumerate() {
            items.extend(line_items(l, LEFT + label_w + FORM_PAD_X, vt + k as f64 * FORM_LINE, SMALL));
        }
        rows.push(Row { height, items, keep_next: i + 1 < n, origin: Origin::Form, pitched: false });
    }
    Ok(rows)
}

/// Rows placed on pages: for each page, (row index, y of its top).
type Flowed = Vec<Vec<(usize, f64)>>;

/// Places rows page by page from `first_top` on page 1 and the type area's top after;
/// breaks before a row that does not fit, moved back over rows that keep with it, and
/// before every row in `forced`. `pitch_last` sets the last page's pitched rows closer.
fn paginate(rows: &[Row], first_top: f64, forced: &[usize], squeeze: Option<(usize, f64)>) -> Flowed {
    let mut pages: Flowed = vec![vec![]];
    let mut y = first_top;
    let mut i = 0;
    let height = |i: usize| match squeeze {
        Some((from, pitch)) if i >= from && rows[i].pitched => pitch,
        _ => rows[i].height,
    };
    while i < rows.len() {
        let page = pages.last().expect("one page at least");
        if forced.contains(&i) && !page.is_empty() {
            pages.push(vec![]);
            y = TOP;
            continue;
        }
        if y + height(i) > BOTTOM + 1e-6 && !page.is_empty() {
            let first = page[0].0;
            let mut k = i;
            while k > first && rows[k - 1].keep_next {
                k -= 1;
            }
            if k == first {
                k = i;
            }
            let page = pages.last_mut().expect("one page at least");
            page.retain(|(r, _)| *r < k);
            pages.push(vec![]);
            y = TOP;
            i = k;
            continue;
        }
        pages.last_mut().expect("one page at least").push((i, y));
        y += height(i);
        i += 1;
    }
    pages
}

fn page_end(rows: &[Row], page: &[(usize, f64)], squeeze: Option<(usize, f64)>) -> f64 {
    page.last()
        .map(|(r, y)| {
            y + match squeeze {
                Some((from, pitch)) if *r >= from && rows[*r].pitched => pitch,
                _ => rows[*r].height,
            }
        })
        .unwrap_or(TOP)
}

/// The first row of the keep chain that ends the flow (the signature with the last two
/// lines of the text).
fn last_chain(rows: &[Row]) -> usize {
    let mut k = rows.len().saturating_sub(1);
    while k > 0 && rows[k - 1].keep_next {
        k -= 1;
    }
    k
}

/// Lays `doc` out on pages.
pub fn compose(doc: &Document, adv: &dyn Advances, options: Options) -> Result<Composed, String> {
    let (head_items, first_top) = head(doc, adv);
    let rows = flow(doc, adv)?;
    let record = record_block(doc, adv);
    let room = |rows: &[Row], flowed: &Flowed, squeeze: Option<(usize, f64)>| -> f64 {
        let last = flowed.last().expect("one page at least");
        BOTTOM - record.as_ref().map(|r| r.1 + CLEARANCE).unwrap_or(0.0) - page_end(rows, last, squeeze)
    };
    // Try, in order: the flow as it comes; the last page set closer; the signature's chain
    // (and, if need be, the lines before it) carried to the next page. The first that puts
    // the record block on the last page with text, on an even page when printed on both
    // sides, wins.
    let acceptable = |flowed: &Flowed, squeeze: Option<(usize, f64)>| -> bool {
        let pages = flowed.len();
        let fits = room(&rows, flowed, squeeze) >= -1e-6;
        let even = record.is_none() || !options.double_sided || pages == 1 || pages % 2 == 0;
        let no_empty = flowed.iter().all(|p| !p.is_empty());
        fits && even && no_empty
    };
    let chain = last_chain(&rows);
    let natural = paginate(&rows, first_top, &[], None);
    let record_room = record.as_ref().map(|r| r.1 + CLEARANCE).unwrap_or(0.0);
    // The pitch that sets the rows from `from` (whose top is at `y`) onto what is left of
    // their page above the record block, if it is not too close (§7.3.5.5).
    let squeeze_at = |from: usize, y: f64| -> Option<(usize, f64)> {
        let pitched = rows[from..].iter().filter(|r| r.pitched).count() as f64;
        let fixed: f64 = rows[from..].iter().filter(|r| !r.pitched).map(|r| r.height).sum();
        let pitch = (BOTTOM - record_room - y - fixed) / pitched;
        (pitched > 0.0 && pitch >= PITCH * TIGHTEST && pitch < PITCH).then_some((from, pitch))
    };
    let top_of = |flowed: &Flowed, row: usize| flowed.iter().flatten().find(|(r, _)| *r == row).map(|(_, y)| *y);
    let mut candidates: Vec<(Vec<usize>, Option<(usize, f64)>)> = vec![(vec![], None)];
    // The last page set closer so the record block fits under its text; then the last two
    // pages set closer onto one (a chain that went over by a few lines comes back).
    for back in [1, 2] {
        if natural.len() >= back {
            if let Some(&(first_row, _)) = natural[natural.len() - back].first() {
                let from = squeezable_from(&rows, first_row);
                if let Some(y) = (from < rows.len()).then(|| top_of(&natural, from)).flatten() {
                    candidates.extend(squeeze_at(from, y).map(|sq| (vec![], Some(sq))));
                }
            }
        }
    }
    // The signature's chain carried to the next page; then a break earlier as well, so the
    // page before the chain keeps some text.
    candidates.push((vec![chain], None));
    for k in (chain.saturating_sub(40)..chain).rev() {
        if k > 0 && !rows[k - 1].keep_next {
            candidates.push((vec![k, chain], None));
        }
    }
    // The first that puts the record block on the last page with text (on an even page)
    // and leaves page 1 full to within five lines, else the first that does the former.
    let first_page_ok = |flowed: &Flowed, squeeze: Option<(usize, f64)>| {
        flowed.len() == 1 || first_page_free(&rows, flowed, squeeze, record.as_ref().map(|r| r.1)) <= 5.0
    };
    let mut plan: Option<(Vec<usize>, Option<(usize, f64)>, Flowed)> = None;
    let mut fallback = None;
    for (forced, squeeze) in candidates {
        let flowed = paginate(&rows, first_top, &forced, squeeze);
        if !acceptable(&flowed, squeeze) {
            continue;
        }
        if first_page_ok(&flowed, squeeze) {
            plan = Some((forced, squeeze, flowed));
            break;
        }
        if fallback.is_none() {
            fallback = Some((forced, squeeze, flowed));
        }
    }
    let plan = plan.or(fallback);
    let (forced, squeeze, flowed) = plan.unwrap_or_else(|| (vec![], None, natural));
    let mut pages = vec![];
    let n = flowed.len();
    for (p, placed) in flowed.iter().enumerate() {
        let mut page = Page::default();
        if p == 0 {
            page.items.extend(head_items.iter().cloned());
        }
        for &(r, y) in placed {
            let row = &rows[r];
            let pitch = match squeeze {
                Some((from, pitch)) if r >= from && row.pitched => pitch,
                _ => row.height,
            };
            // Text keeps its place in its (smaller) line.
            let dy = y - (row.height - pitch) / 2.0;
            page.items.extend(row.items.iter().cloned().map(|it| shift(it, dy)));
        }
        if p + 1 == n {
            if let Some((items, _)) = &record {
                page.items.extend(items.iter().cloned());
            }
        }
        page.items.extend(furniture(doc, p + 1, adv));
        pages.push(page);
    }
    let first_free = first_page_free(&rows, &flowed, squeeze, record.as_ref().map(|r| r.1));
    let plan = Plan {
        breaks: forced.iter().map(|&k| rows[k].origin).collect(),
        squeeze: squeeze.map(|(from, pitch)| {
            let mut origins: Vec<Origin> = rows[from..].iter().map(|r| r.origin).collect();
            origins.dedup();
            (pitch, origins)
        }),
        pages: n,
        first_page_free_lines: first_free,
        title_lines: title_lines(doc, adv),
    };
    Ok(Composed { pages, plan })
}

/// Page 1's free lines at its foot (above the record block when it is the last page).
fn first_page_free(rows: &[Row], flowed: &Flowed, squeeze: Option<(usize, f64)>, record: Option<f64>) -> f64 {
    let Some(first) = flowed.first() else { return 0.0 };
    let end = page_end(rows, first, squeeze);
    let foot = if flowed.len() == 1 { BOTTOM - record.unwrap_or(0.0) } else { BOTTOM };
    ((foot - end) / PITCH).max(0.0)
}

/// The first row, at or after `first_row`, that starts a block wholly on its page (so the
/// DOCX can set whole paragraphs closer).
fn squeezable_from(rows: &[Row], first_row: usize) -> usize {
    let mut k = first_row;
    let same = |a: Origin, b: Origin| match (a, b) {
        (Origin::Block { block: x, .. }, Origin::Block { block: y, .. }) => x == y,
        (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
    };
    if k > 0 {
        while k < rows.len() && same(rows[k].origin, rows[k - 1].origin) {
            k += 1;
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::grid::tests::Fixed;

    fn doc(layout: Layout, paragraphs: usize, chars: usize) -> Document {
        Document {
            layout,
            organ: "示例县信访局".into(),
            number: Some("示信转〔2026〕1号".into()),
            title: "信访事项转送函".into(),
            addressee: Some("嘉鱼县人民政府".into()),
            blocks: (0..paragraphs).map(|_| Block::paragraph(&"字".repeat(chars))).collect(),
            signature: Some("示例县信访局".into()),
            date: "2026年11月3日".into(),
            copy_to: Some("市信访局".into()),
            printer: Some("示例县信访局办公室".into()),
            ..Default::default()
        }
    }

    fn texts(p: &Page) -> Vec<(f64, f64, String)> {
        p.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, y, text, .. } => Some((*x, *y, text.clone())),
                _ => None,
            })
            .collect()
    }

    fn last_rule_y(p: &Page) -> Option<f64> {
        p.items
            .iter()
            .filter_map(|i| match i {
                Item::Rule { y, thickness, red: false, .. } => Some(y + thickness),
                _ => None,
            })
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))))
    }

    #[test]
    fn the_record_block_ends_on_the_type_areas_foot_and_never_alone() {
        for paragraphs in 1..30 {
            let d = doc(Layout::Document, paragraphs, 60);
            let c = compose(&d, &Fixed, Options::default()).unwrap();
            let last = c.pages.last().unwrap();
            let foot = last_rule_y(last).expect("record block on the last page");
            assert!((foot - BOTTOM).abs() < 0.5, "{paragraphs}: rule at {foot}");
            let body = texts(last).iter().filter(|(_, y, t)| *y < BOTTOM - 2.0 * PITCH && t.starts_with('字')).count();
            assert!(body >= 1, "{paragraphs}: the record block's page holds text");
            if c.pages.len() > 1 {
                assert_eq!(c.pages.len() % 2, 0, "{paragraphs}: even last page");
            }
            if c.pages.len() > 1 {
                // At most what the signature's chain takes when it has to go (a 3-line last
                // paragraph, two blank lines, signature and date) and the line left over.
                assert!(c.plan.first_page_free_lines <= 8.0, "{paragraphs}: page 1 has {} lines free", c.plan.first_page_free_lines);
            }
            // Nothing overlaps the record block.
            for (_, y, t) in texts(last) {
                if t.starts_with('字') || t == d.date {
                    assert!(y < BOTTOM - 2.0 * PITCH, "{paragraphs}: {t} at {y}");
                }
            }
        }
    }

    #[test]
    fn every_line_stays_in_the_type_area() {
        let d = doc(Layout::Letter, 8, 95);
        let c = compose(&d, &Fixed, Options::default()).unwrap();
        for p in &c.pages {
            for (x, y, t) in texts(p) {
                let w = width(&Fixed, Face::Body, &t, BODY);
                assert!(x >= LEFT - 0.01 && x + w <= LEFT + WIDTH + 0.5, "{t} at {x}+{w}");
                assert!(y >= 30.0 * MM - 0.01 && y <= BOTTOM + 7.0 * MM + 0.01, "{t} at {y}");
            }
        }
    }

    #[test]
    fn the_signature_is_centred_over_the_date_by_width() {
        let d = doc(Layout::Letter, 1, 20);
        let c = compose(&d, &Fixed, Options::default()).unwrap();
        let body: Vec<(f64, f64, String)> = c.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, y, text, size, red: false, .. } if *size == BODY => Some((*x, *y, text.clone())),
                _ => None,
            })
            .collect();
        let date = body.iter().find(|(_, _, s)| s == &d.date).unwrap();
        let sig = body.iter().find(|(_, _, s)| s == "示例县信访局").unwrap();
        let dw = width(&Fixed, Face::Body, &d.date, BODY);
        let sw = width(&Fixed, Face::Body, "示例县信访局", BODY);
        assert!((date.0 + dw - (LEFT + WIDTH - 4.0 * CELL)).abs() < 0.01, "date four characters in");
        assert!(((sig.0 + sw / 2.0) - (date.0 + dw / 2.0)).abs() < 0.01, "centred by width");
        assert!(sig.1 < date.1);
    }
}
