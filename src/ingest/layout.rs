//! Columns in the lines read from a page: a notice or newspaper cutting set in two columns
//! must read down the left column, then down the right one, not across both line by line
//! (PP-OCR's detector gives lines top to bottom over the whole page). Conservative on
//! purpose, since a letter is almost always one column:
//!
//! - the gutter is a vertical strip in the middle half of the text's width that no narrow
//!   line (under 55% of that width) crosses, at least a line height wide;
//! - lines that cross it (a title, a full-width paragraph) divide the page into blocks,
//!   read in order; inside a block the columns are read one after the other only when
//!   each side has three lines or more and at least three (and a third) of the left
//!   side's lines run up to the gutter (justified text), which key-value rows and a
//!   letter's signature block do not.

use crate::model::TextBox;

/// Reorders `lines` (top to bottom as read) so that each two-column block reads left
/// column first. Returns true when something was reordered.
pub fn order_columns(lines: &mut [TextBox]) -> bool {
    if lines.len() < 6 {
        return false;
    }
    let left = lines.iter().map(|l| l.left).min().unwrap_or(0);
    let right = lines.iter().map(|l| l.left + l.width).max().unwrap_or(0);
    let width = right.saturating_sub(left);
    if width == 0 {
        return false;
    }
    let mut heights: Vec<u32> = lines.iter().map(|l| l.height).collect();
    heights.sort_unstable();
    let line_h = heights[heights.len() / 2].max(1);
    let narrow = |l: &TextBox| (l.width as u64) * 100 < (width as u64) * 55;
    // Columns of the text's width covered by a narrow line, in steps of a quarter line.
    let step = (line_h / 4).max(1);
    let cells = (width / step + 1) as usize;
    let mut covered = vec![false; cells];
    for l in lines.iter().filter(|l| narrow(l)) {
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
        return false;
    };
    if ((e - s) as u32) * step < line_h {
        return false;
    }
    let gutter = left + ((s + e) as u32 / 2) * step;
    let crosses = |l: &TextBox| l.left < gutter && l.left + l.width > gutter;
    let mut order: Vec<usize> = Vec::with_capacity(lines.len());
    let mut changed = false;
    let mut block: Vec<usize> = Vec::new();
    let mut flush = |block: &mut Vec<usize>, order: &mut Vec<usize>| {
        let (l, r): (Vec<usize>, Vec<usize>) = block.iter().partition(|&&i| lines[i].left + lines[i].width <= gutter);
        let reaching = l
            .iter()
            .filter(|&&i| gutter.saturating_sub(lines[i].left + lines[i].width) < line_h * 3 / 2 + (e - s) as u32 * step / 2)
            .count();
        if l.len() >= 3 && r.len() >= 3 && reaching >= 3 && reaching * 10 >= l.len() * 3 {
            changed |= l.iter().chain(&r).zip(block.iter()).any(|(a, b)| a != b);
            order.extend(l);
            order.extend(r);
        } else {
            order.extend(block.iter());
        }
        block.clear();
    };
    for i in 0..lines.len() {
        if crosses(&lines[i]) {
            flush(&mut block, &mut order);
            order.push(i);
        } else {
            block.push(i);
        }
    }
    flush(&mut block, &mut order);
    if changed {
        let reordered: Vec<TextBox> = order.iter().map(|&i| lines[i].clone()).collect();
        lines.clone_from_slice(&reordered);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, left: u32, top: u32, width: u32) -> TextBox {
        TextBox { text: text.into(), left, top, width, height: 40, confidence: 1.0, words: vec![] }
    }

    fn texts(lines: &[TextBox]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn two_columns_read_down_the_left_then_the_right() {
        // A title across both columns, then lines read across the page by a detector.
        let mut lines = vec![line("标题", 300, 50, 1400)];
        for row in 0..5 {
            let top = 150 + row * 60;
            lines.push(line(&format!("左{row}"), 100, top, 880));
            lines.push(line(&format!("右{row}"), 1100, top, 880));
        }
        lines.push(line("全宽结尾", 100, 500, 1880));
        assert!(order_columns(&mut lines));
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
        assert!(!order_columns(&mut letter));
        assert_eq!(texts(&letter), before);
        // A form's rows: short keys on the left, values on the right, read row by row.
        let mut form: Vec<TextBox> = (0..5)
            .flat_map(|row| [line(&format!("键{row}"), 100, 100 + row * 60, 200), line(&format!("值{row}"), 1100, 100 + row * 60, 600)])
            .collect();
        assert!(!order_columns(&mut form));
        assert_eq!(texts(&form)[..4], ["键0", "值0", "键1", "值1"]);
    }
}
