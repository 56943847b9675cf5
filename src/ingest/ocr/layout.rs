//! The layout of the lines read from a page, and the order they are read in. Engines give
//! lines top to bottom over the whole page (PP-OCR) or in their own block order
//! (Tesseract); this module puts them in the order a person reads them and says what it
//! assumed (`Layout`, shown to reviewers as `pages[].layout`):
//!
//! - **running headers, footers and page numbers** (`split_margins`) are kept apart from
//!   the body: a band at the very top or bottom of the page, set off by white space, in a
//!   smaller type than the body or shaped like a page number (`- 2 -`, `第2页 共3页`). They
//!   read first (header) and last (footer), never inside a column or a paragraph;
//! - **tables** (`find_table`): three rows or more of cells that line up under each other
//!   are read row by row, left to right, whatever order the engine gave;
//! - **two columns** (`order_columns`): a notice or newspaper cutting set in two columns
//!   reads down the left column, then down the right one. Conservative on purpose, since
//!   a letter is almost always one column:
//!   - the gutter is a vertical strip in the middle half of the text's width that no narrow
//!     line (under 55% of that width) crosses, at least a line height wide;
//!   - lines that cross it (a title, a full-width paragraph) and table rows divide the page
//!     into blocks, read in order; inside a block the columns are read one after the other
//!     only when each side has three lines or more and at least three (and a third) of the
//!     left side's lines run up to the gutter (justified text), which key-value rows and a
//!     letter's signature block do not;
//! - a one-column page (or a table) reads band by band, top to bottom, each band left to
//!   right (`sort_into_bands`); in a two-column block only neighbours sharing a band are
//!   put left to right (`order_bands`).
//!
//! Three or more columns are not told apart: such a page reads as `single`, band by band.

use crate::model::TextBox;
use regex::Regex;
use std::sync::LazyLock;

/// What the page was taken to be when its lines were put in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One column (a letter), read band by band.
    #[default]
    Single,
    /// Blocks set in this many columns, read column by column.
    Columns(u8),
    /// A table, read row by row.
    Table,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layout::Single => f.write_str("single"),
            Layout::Columns(n) => write!(f, "columns:{n}"),
            Layout::Table => f.write_str("table"),
        }
    }
}

/// The outcome of `arrange`: the layout assumed and the running lines kept apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arrangement {
    pub layout: Layout,
    /// Running headers, footers and page numbers, as read (header first).
    pub running: Vec<String>,
}

/// Puts `lines` in reading order for a page `page_height` pixels tall: running header
/// first, then the body (tables row by row, two-column blocks column by column, each band
/// left to right), then the running footer.
pub fn arrange(lines: &mut Vec<TextBox>, page_height: u32) -> Arrangement {
    if lines.is_empty() {
        return Arrangement::default();
    }
    let line_h = median_height(lines);
    let (header, mut body, footer) = split_margins(std::mem::take(lines), page_height, line_h);
    let table = find_table(&mut body);
    let columns = order_columns_masked(&mut body, &table);
    if columns == 0 {
        // One column (or a table): the page reads band by band, whatever the engine's
        // blocks were (Tesseract may put the end of a line after the next line).
        sort_into_bands(&mut body);
    } else {
        order_bands(&mut body);
    }
    let layout = if table.iter().filter(|&&t| t).count() >= 6 {
        Layout::Table
    } else if columns > 0 {
        Layout::Columns(2)
    } else {
        Layout::Single
    };
    let running = header.iter().chain(&footer).map(|l| l.text.clone()).collect();
    lines.extend(header);
    lines.extend(body);
    lines.extend(footer);
    Arrangement { layout, running }
}

fn median_height(lines: &[TextBox]) -> u32 {
    let mut heights: Vec<u32> = lines.iter().map(|l| l.height).collect();
    heights.sort_unstable();
    heights[heights.len() / 2].max(1)
}

fn overlap(a: (u32, u32), b: (u32, u32)) -> u32 {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

fn same_band(a: &TextBox, b: &TextBox) -> bool {
    overlap((a.top, a.top + a.height), (b.top, b.top + b.height)) * 2 > a.height.min(b.height)
}

/// `- 2 -`, `—2—`, `第 2 页`, `第2页 共3页`, `共3页 第2页`, `2/3`, `Page 2 of 3`.
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    let n = r"[0-9０-９一二三四五六七八九十〇]{1,4}";
    Regex::new(&format!(
        r"^(?:[-－—–一·\s]*[0-9０-９]{{1,4}}[-－—–一·\s]*|第\s*{n}\s*页(?:\s*[,，/、]?\s*共\s*{n}\s*页)?|共\s*{n}\s*页\s*[,，/、]?\s*第\s*{n}\s*页|[0-9]{{1,4}}\s*/\s*[0-9]{{1,4}}|(?i:page)\s*[0-9]{{1,4}}(?:\s*(?:of|/)\s*[0-9]{{1,4}})?)$"
    ))
    .expect("page number pattern")
});

/// Whether a line reads as a page number.
pub fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().count() <= 16 && PAGE_NUMBER.is_match(t)
}

/// Splits off the running header (the top band) and footer (the bottom band) when they
/// are set off from the body: at least one and a half line heights of white space, within
/// the top or bottom eighth of the page, and either a page number or a short line in a
/// smaller type than the body (a title is larger, a salutation the same size). Needs three
/// body lines or more; the lines keep the engine's order within each part.
fn split_margins(lines: Vec<TextBox>, page_height: u32, line_h: u32) -> (Vec<TextBox>, Vec<TextBox>, Vec<TextBox>) {
    if lines.len() < 4 || page_height == 0 {
        return (vec![], lines, vec![]);
    }
    let running_line = |l: &TextBox| {
        is_page_number(&l.text) || (l.height * 100 <= line_h * 92 && l.text.chars().count() <= 40)
    };
    let by_top = |l: &TextBox| l.top;
    let topmost = lines.iter().min_by_key(|l| by_top(l)).cloned();
    let bottommost = lines.iter().max_by_key(|l| l.top + l.height).cloned();
    let mut place = vec![0i8; lines.len()]; // -1 header, 0 body, 1 footer
    if let Some(first) = topmost {
        let band: Vec<usize> = (0..lines.len()).filter(|&i| same_band(&lines[i], &first)).collect();
        let bottom = band.iter().map(|&i| lines[i].top + lines[i].height).max().unwrap_or(0);
        let next = (0..lines.len()).filter(|i| !band.contains(i)).map(|i| lines[i].top).min();
        if next.is_some_and(|next| next.saturating_sub(bottom) * 2 >= line_h * 3)
            && (bottom as u64) * 8 <= page_height as u64
            && band.iter().all(|&i| running_line(&lines[i]))
        {
            band.iter().for_each(|&i| place[i] = -1);
        }
    }
    if let Some(last) = bottommost {
        let band: Vec<usize> =
            (0..lines.len()).filter(|&i| place[i] == 0 && same_band(&lines[i], &last)).collect();
        let top = band.iter().map(|&i| lines[i].top).min().unwrap_or(0);
        let above = (0..lines.len())
            .filter(|i| !band.contains(i) && place[*i] == 0)
            .map(|i| lines[i].top + lines[i].height)
            .max();
        if above.is_some_and(|above| top.saturating_sub(above) * 2 >= line_h * 3)
            && (top as u64) * 8 >= page_height as u64 * 7
            && band.iter().all(|&i| running_line(&lines[i]))
        {
            band.iter().for_each(|&i| place[i] = 1);
        }
    }
    if place.iter().filter(|&&p| p == 0).count() < 3 {
        return (vec![], lines, vec![]);
    }
    let (mut header, mut body, mut footer) = (vec![], vec![], vec![]);
    for (l, p) in lines.into_iter().zip(place) {
        match p {
            -1 => header.push(l),
            1 => footer.push(l),
            _ => body.push(l),
        }
    }
    (header, body, footer)
}

/// Finds a table: three bands or more in a row, each of two cells or more, whose cells
/// stand under the cells of the band above (their spans overlap). Two-cell rows count
/// only when the left cells are narrow (under 35% of the text's width), so two columns
/// of running text, whose lines also stand side by side, are not taken for a table.
/// The table's lines are put together, row by row and left to right, where its first
/// line was; returns which lines (in the new order) belong to a table.
fn find_table(lines: &mut Vec<TextBox>) -> Vec<bool> {
    let n = lines.len();
    if n < 6 {
        return vec![false; n];
    }
    let left = lines.iter().map(|l| l.left).min().unwrap_or(0);
    let right = lines.iter().map(|l| l.left + l.width).max().unwrap_or(0);
    let width = right.saturating_sub(left).max(1);
    // Bands top to bottom, each left to right.
    let mut by_top: Vec<usize> = (0..n).collect();
    by_top.sort_by_key(|&i| (lines[i].top, lines[i].left));
    let mut bands: Vec<Vec<usize>> = Vec::new();
    for i in by_top {
        match bands.last_mut() {
            Some(band) if same_band(&lines[band[0]], &lines[i]) => band.push(i),
            _ => bands.push(vec![i]),
        }
    }
    for band in &mut bands {
        band.sort_by_key(|&i| lines[i].left);
    }
    let span = |i: usize| (lines[i].left, lines[i].left + lines[i].width);
    let under = |upper: &[usize], lower: &[usize]| {
        lower.len() >= 2
            && upper.len() >= 2
            && lower.iter().all(|&b| upper.iter().filter(|&&a| overlap(span(a), span(b)) > 0).count() == 1)
            && upper.iter().all(|&a| lower.iter().filter(|&&b| overlap(span(a), span(b)) > 0).count() <= 1)
    };
    let mut in_table = vec![false; n];
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut b = 0;
    while b < bands.len() {
        let mut e = b + 1;
        while e < bands.len() && under(&bands[e - 1], &bands[e]) {
            e += 1;
        }
        let rows = &bands[b..e];
        let wide_rows = rows.iter().filter(|r| r.len() >= 3).count();
        let narrow_keys = rows.iter().filter(|r| (lines[r[0]].width as u64) * 100 < width as u64 * 35).count();
        if rows.len() >= 3 && rows[0].len() >= 2 && (wide_rows * 2 >= rows.len() || narrow_keys == rows.len()) {
            found.push(rows.iter().flatten().copied().collect());
            rows.iter().flatten().for_each(|&i| in_table[i] = true);
        }
        b = e;
    }
    if found.is_empty() {
        return vec![false; n];
    }
    // Rebuild the order: each table goes where its first line (in the engine's order) was.
    let first_of = |t: &Vec<usize>| *t.iter().min().unwrap_or(&0);
    let mut out: Vec<TextBox> = Vec::with_capacity(n);
    let mut mask = Vec::with_capacity(n);
    for i in 0..n {
        if let Some(t) = found.iter().find(|t| first_of(t) == i) {
            out.extend(t.iter().map(|&j| lines[j].clone()));
            mask.extend(std::iter::repeat_n(true, t.len()));
        } else if !in_table[i] {
            out.push(lines[i].clone());
            mask.push(false);
        }
    }
    *lines = out;
    mask
}

/// Sorts a one-column page's lines into bands top to bottom (a band: the lines that
/// overlap its topmost line by more than half the smaller height), each left to right.
pub fn sort_into_bands(lines: &mut Vec<TextBox>) {
    let mut rest: Vec<TextBox> = std::mem::take(lines);
    rest.sort_by_key(|l| l.top);
    let mut bands: Vec<Vec<TextBox>> = Vec::new();
    for l in rest {
        match bands.last_mut() {
            Some(band) if same_band(&band[0], &l) => band.push(l),
            _ => bands.push(vec![l]),
        }
    }
    for mut band in bands {
        band.sort_by_key(|l| l.left);
        lines.extend(band);
    }
}

/// Puts lines that share a band of the page (each overlaps the other vertically by more
/// than half the smaller height) in left-to-right order. Tesseract sometimes splits one
/// visual line into two, the right part first (a mark beside a signature, a date set
/// apart); read left to right they make sense, and this is the order viewers and
/// `pdftotext` give for the same line in the filing copy's text layer. Insertion sort:
/// only neighbours in the same band ever move, so the engine's order of bands is kept.
pub fn order_bands(lines: &mut [TextBox]) {
    for i in 1..lines.len() {
        let mut j = i;
        while j > 0 && same_band(&lines[j - 1], &lines[j]) && lines[j].left < lines[j - 1].left {
            lines.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Reorders `lines` so that each two-column block reads left column first. Returns the
/// number of two-column blocks found.
pub fn order_columns(lines: &mut [TextBox]) -> usize {
    let none = vec![false; lines.len()];
    order_columns_masked(lines, &none)
}

/// `order_columns`, with the lines marked in `fixed` (table rows) left in place as block
/// boundaries and out of the search for the gutter.
fn order_columns_masked(lines: &mut [TextBox], fixed: &[bool]) -> usize {
    if lines.len() < 6 {
        return 0;
    }
    let free = |i: usize| !fixed.get(i).copied().unwrap_or(false);
    let left = lines.iter().map(|l| l.left).min().unwrap_or(0);
    let right = lines.iter().map(|l| l.left + l.width).max().unwrap_or(0);
    let width = right.saturating_sub(left);
    if width == 0 {
        return 0;
    }
    let line_h = median_height(lines);
    let narrow = |l: &TextBox| (l.width as u64) * 100 < (width as u64) * 55;
    // Columns of the text's width covered by a narrow line, in steps of a quarter line.
    let step = (line_h / 4).max(1);
    let cells = (width / step + 1) as usize;
    let mut covered = vec![false; cells];
    for l in (0..lines.len()).filter(|&i| free(i)).map(|i| &lines[i]).filter(|l| narrow(l)) {
        let a = ((l.left - left) / step) as usize;
        let b = (((l.left + l.width - left) / step) as usize).min(cells - 1);
        covered[a..=b].iter_mut().for_each(|c| *c = true);
    }
    // The widest uncovered run within the middle half.
    let (lo, hi) = (cells / 4, cells * 3 / 4);
    let mut best: Option<(usize, usize)> = None;
    let mut i = lo;
    while i < hi {
        if covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < cells && !covered[i] {
            i += 1;
        }
        if best.is_none_or(|(s, e)| i - start > e - s) {
            best = Some((start, i));
        }
    }
    let Some((s, e)) = best else {
        return 0;
    };
    if ((e - s) as u32) * step < line_h {
        return 0;
    }
    let gutter = left + ((s + e) as u32 / 2) * step;
    let crosses = |l: &TextBox| l.left < gutter && l.left + l.width > gutter;
    let mut order: Vec<usize> = Vec::with_capacity(lines.len());
    let mut blocks = 0;
    let mut block: Vec<usize> = Vec::new();
    let mut flush = |block: &mut Vec<usize>, order: &mut Vec<usize>| {
        let (l, r): (Vec<usize>, Vec<usize>) = block.iter().partition(|&&i| lines[i].left + lines[i].width <= gutter);
        let reaching = l
            .iter()
            .filter(|&&i| gutter.saturating_sub(lines[i].left + lines[i].width) < line_h * 3 / 2 + (e - s) as u32 * step / 2)
            .count();
        if l.len() >= 3 && r.len() >= 3 && reaching >= 3 && reaching * 10 >= l.len() * 3 {
            blocks += 1;
            order.extend(l);
            order.extend(r);
        } else {
            order.extend(block.iter());
        }
        block.clear();
    };
    for i in 0..lines.len() {
        if !free(i) || crosses(&lines[i]) {
            flush(&mut block, &mut order);
            order.push(i);
        } else {
            block.push(i);
        }
    }
    flush(&mut block, &mut order);
    if order.iter().enumerate().any(|(k, &i)| k != i) {
        let reordered: Vec<TextBox> = order.iter().map(|&i| lines[i].clone()).collect();
        lines.clone_from_slice(&reordered);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, left: u32, top: u32, width: u32) -> TextBox {
        sized(text, left, top, width, 40)
    }

    fn texts(lines: &[TextBox]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    /// A title across both columns, then `rows` lines in each column, given across the
    /// page line by line as a detector reads them.
    fn two_column_page(rows: u32) -> Vec<TextBox> {
        let mut lines = vec![line("标题", 300, 50, 1400)];
        for row in 0..rows {
            let top = 150 + row * 60;
            lines.push(line(&format!("左{row}"), 100, top, 880));
            lines.push(line(&format!("右{row}"), 1100, top, 880));
        }
        lines
    }

    #[test]
    fn two_columns_read_down_the_left_then_the_right() {
        let mut lines = two_column_page(5);
        lines.push(line("全宽结尾", 100, 500, 1880));
        assert_eq!(order_columns(&mut lines), 1);
        assert_eq!(
            texts(&lines),
            ["标题", "左0", "左1", "左2", "左3", "左4", "右0", "右1", "右2", "右3", "右4", "全宽结尾"]
        );
    }

    #[test]
    fn a_letter_and_key_value_rows_keep_their_order() {
        // Header fields, body lines across the page, a signature block on the right.
        let mut letter = vec![
            line("信访人：张建国", 100, 100, 500),
            line("电话：13812345678", 100, 160, 560),
            line("住址：某县某镇", 100, 220, 520),
        ];
        for row in 0..6 {
            letter.push(line(&format!("正文{row}"), 100, 300 + row * 60, 1800));
        }
        letter.extend([
            line("此致", 150, 700, 120),
            line("敬礼", 100, 760, 120),
            line("反映人：张建国", 1300, 820, 500),
            line("电话：13812345678", 1300, 880, 560),
            line("2026年10月17日", 1300, 940, 520),
        ]);
        let before = texts(&letter).iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(order_columns(&mut letter), 0);
        assert_eq!(texts(&letter), before);
        // A form's rows: short keys on the left, values on the right, read row by row.
        let mut form: Vec<TextBox> = (0..5)
            .flat_map(|row| [line(&format!("键{row}"), 100, 100 + row * 60, 200), line(&format!("值{row}"), 1100, 100 + row * 60, 600)])
            .collect();
        assert_eq!(order_columns(&mut form), 0);
        assert_eq!(texts(&form)[..4], ["键0", "值0", "键1", "值1"]);
    }

    fn sized(text: &str, left: u32, top: u32, width: u32, height: u32) -> TextBox {
        TextBox { text: text.into(), left, top, width, height, confidence: 1.0, words: vec![] }
    }

    #[test]
    fn a_table_read_column_by_column_is_read_row_by_row() {
        // Tesseract's blocks: the table's first column, then the second, then the third.
        let mut lines = vec![line("统计表", 800, 60, 300)];
        for col in 0..3u32 {
            for row in 0..4u32 {
                lines.push(line(&format!("格{row}{col}"), 200 + col * 600, 200 + row * 80, 300 + row * 20));
            }
        }
        for row in 0..3 {
            lines.push(line(&format!("说明{row}"), 100, 600 + row * 60, 1800));
        }
        let a = arrange(&mut lines, 3000);
        assert_eq!(a.layout, Layout::Table);
        let t = texts(&lines);
        assert_eq!(&t[..7], ["统计表", "格00", "格01", "格02", "格10", "格11", "格12"]);
        assert_eq!(t[12], "格32");
        assert_eq!(&t[13..], ["说明0", "说明1", "说明2"]);
    }

    #[test]
    fn two_columns_of_text_are_not_a_table() {
        let mut lines = two_column_page(6);
        let a = arrange(&mut lines, 3000);
        assert_eq!(a.layout, Layout::Columns(2));
        assert_eq!(texts(&lines)[1..4], ["左0", "左1", "左2"]);
    }

    #[test]
    fn running_header_and_page_number_are_kept_apart() {
        // Page 3000 px tall: a small header at the top, body, a page number at the foot,
        // given by the engine in an order that puts the page number between the columns.
        let mut lines = vec![sized("某县人民政府公报  2026年第3期", 100, 120, 900, 28)];
        for row in 0..6 {
            let top = 300 + row * 60;
            lines.push(line(&format!("左{row}"), 100, top, 880));
            lines.push(line(&format!("右{row}"), 1100, top, 880));
        }
        lines.insert(7, sized("- 2 -", 950, 2800, 100, 40));
        let a = arrange(&mut lines, 3000);
        assert_eq!(a.running, ["某县人民政府公报  2026年第3期", "- 2 -"]);
        assert_eq!(a.layout, Layout::Columns(2));
        let t = texts(&lines);
        assert_eq!(t[0], "某县人民政府公报  2026年第3期");
        assert_eq!(t[1..3], ["左0", "左1"]);
        assert_eq!(*t.last().unwrap(), "- 2 -");
    }

    #[test]
    fn a_title_salutation_or_closing_date_is_not_running() {
        // A title in a larger type at the top, a date set apart at the foot of the body.
        let mut lines = vec![sized("关于拖欠工资的反映", 600, 150, 800, 60), line("尊敬的领导：", 100, 300, 400)];
        for row in 0..5 {
            lines.push(line(&format!("正文{row}"), 100, 380 + row * 60, 1800));
        }
        lines.push(line("2026年10月17日", 1300, 2700, 520));
        let before: Vec<String> = texts(&lines).iter().map(|s| s.to_string()).collect();
        let a = arrange(&mut lines, 3000);
        assert!(a.running.is_empty(), "{:?}", a.running);
        assert_eq!(a.layout, Layout::Single);
        assert_eq!(texts(&lines), before);
    }

    #[test]
    fn page_numbers_are_recognised() {
        for yes in ["- 2 -", "—2—", "第2页", "第 2 页 共 3 页", "第2页，共3页", "共3页第2页", "2/3", "Page 2 of 3", "－12－", "第二页", "一 3 一"] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["2026年10月17日", "第二条", "此致", "13812345678", "第2页的内容是什么"] {
            assert!(!is_page_number(no), "{no}");
        }
    }
}
