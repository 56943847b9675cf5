//! The format-neutral official document: head, number, title, addressee, paragraphs with
//! heading levels, attachments, signature and date, notes, record block, or a form. The
//! PDF and DOCX exporters both render this and nothing else.

use serde::{Deserialize, Serialize};

/// GB/T 9704 layouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// 文件格式: red organ mark "…文件", number centred, page numbers on every page.
    #[default]
    Document,
    /// 信函格式 (for 函): organ mark 30 mm from the top, red double rule, number flush
    /// right, no page number on the first page.
    Letter,
    /// A one-page form (交办单, 送达回证, 反馈单): title, number, a ruled table.
    Form,
}

/// A body paragraph and its heading level: 0 plain; 1 "一、" (黑体); 2 "（一）" (楷体);
/// 3 "1." and 4 "（1）" (body font).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub level: u8,
    /// The run set in the heading's font: the whole line for a heading on its own, the
    /// heading sentence for one that runs into its paragraph.
    pub lead: String,
    pub text: String,
    /// A table or chart set here instead of text (the period documents).
    pub insert: Option<Insert>,
}

/// A table or a chart in the text of a period document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Insert {
    /// Named in the template (`插表：类别`, `插图：趋势`); the generator puts the real one
    /// in its place.
    Wanted(String),
    Table(Table),
    Chart(Chart),
}

/// A ruled table: a caption above it, a heading row, rows of cells, the columns' widths
/// as shares of the type area (the first column at the left, the others centred).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths: Vec<f64>,
}

/// A chart drawn as SVG the type area's width (156 mm, in pt), its caption under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub caption: String,
    pub svg: String,
    /// Its height in pt.
    pub height: f64,
    /// The picture the DOCX shows (PNG, its width and height in pixels), made by
    /// `picture::Rasteriser` before the DOCX is written.
    #[serde(skip)]
    pub png: Option<(Vec<u8>, u32, u32)>,
}

impl Block {
    pub fn paragraph(line: &str) -> Block {
        let level = heading_level(line);
        if level == 0 || level > 2 {
            return Block { level, lead: String::new(), text: line.into(), insert: None };
        }
        match line.find('。') {
            Some(i) if i + '。'.len_utf8() < line.len() => {
                let (lead, rest) = line.split_at(i + '。'.len_utf8());
                Block { level, lead: lead.into(), text: rest.into(), insert: None }
            }
            _ => Block { level, lead: line.into(), text: String::new(), insert: None },
        }
    }
}

impl Block {
    /// A table or chart named in a template, to be filled in.
    pub fn wanted(name: &str) -> Block {
        Block { level: 0, lead: String::new(), text: String::new(), insert: Some(Insert::Wanted(name.into())) }
    }

    /// A heading on its own line ("一、基本情况"), kept with what follows; a numbered item
    /// that is a whole sentence ("（一）支持……诉求。") is a paragraph.
    pub fn is_heading(&self) -> bool {
        self.insert.is_none()
            && self.level > 0 && self.text.is_empty() && !self.lead.ends_with(['。', '；', '！', '？', '”'])
    }
}

fn heading_level(line: &str) -> u8 {
    const NUMERALS: &str = "一二三四五六七八九十";
    let numeral_run = |s: &str| s.chars().take_while(|c| NUMERALS.contains(*c)).count();
    let digit_run = |s: &str| s.chars().take_while(|c| c.is_ascii_digit()).count();
    let n = numeral_run(line);
    if n > 0 && line.chars().nth(n) == Some('、') {
        return 1;
    }
    if let Some(rest) = line.strip_prefix('（') {
        let n = numeral_run(rest);
        if n > 0 && rest.chars().nth(n) == Some('）') {
            return 2;
        }
        let d = digit_run(rest);
        if d > 0 && rest.chars().nth(d) == Some('）') {
            return 4;
        }
    }
    let d = digit_run(line);
    if d > 0 && matches!(line.chars().nth(d), Some('.') | Some('．')) {
        return 3;
    }
    0
}

/// One row of a form: a label, its content, and how many lines the content may take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormRow {
    pub label: String,
    pub value: String,
    pub lines: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    pub layout: Layout,
    /// The issuing organ's mark, printed red at the head.
    pub organ: String,
    /// 示信转〔2026〕12号, when the kind is numbered.
    pub number: Option<String>,
    pub title: String,
    pub addressee: Option<String>,
    pub blocks: Vec<Block>,
    pub attachments: Vec<String>,
    pub signature: Option<String>,
    /// 成文日期 in the GB/T form: 2026年11月3日.
    pub date: String,
    pub notes: Vec<String>,
    /// The record block (版记): copy-to, and the printing office with the printing date.
    pub copy_to: Option<String>,
    pub printer: Option<String>,
    pub form: Vec<FormRow>,
    /// 签发人 of an upward document (上行文, §7.2.5): printed at the head's right.
    pub signer: Option<String>,
    /// A draft: marked 草稿 on every page, without a number, not recorded.
    pub draft: bool,
}

/// A date in the GB/T 9704 form: full year, Arabic numerals, no leading zeros.
pub fn gb_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_levels_follow_the_numbering() {
        assert_eq!(Block::paragraph("一、基本情况").level, 1);
        assert_eq!(Block::paragraph("（二）处理意见").level, 2);
        assert_eq!(Block::paragraph("3．其他").level, 3);
        assert_eq!(Block::paragraph("（12）其他").level, 4);
        assert_eq!(Block::paragraph("一九年").level, 0);
        assert!(Block::paragraph("一、基本情况").is_heading());
        assert!(!Block::paragraph("（一）支持信访人的诉求。").is_heading());
        let b = Block::paragraph("（一）关于欠薪。经查属实。");
        assert_eq!((b.lead.as_str(), b.text.as_str()), ("（一）关于欠薪。", "经查属实。"));
    }

    #[test]
    fn dates_have_no_leading_zeros() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 3).unwrap();
        assert_eq!(gb_date(d), "2026年1月3日");
    }
}
