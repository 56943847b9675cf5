//! Tables as files people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so
//! Excel, WPS and LibreOffice read the Chinese) and XLSX (rust_xlsxwriter). The binder's
//! catalogue, the case list's and the audit log's exports are written here.
//!
//! A cell that a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is written with a leading `'` in the CSV: a letter's text
//! typed by anyone must not run as a formula on an officer's PC. The XLSX writes text
//! cells as text, which is never evaluated.

/// One column: its heading and whether its cells are numbers.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub heading: &'static str,
    pub number: bool,
}

impl Column {
    pub const fn text(heading: &'static str) -> Column {
        Column { heading, number: false }
    }
    pub const fn number(heading: &'static str) -> Column {
        Column { heading, number: true }
    }
}

/// The two formats offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The table in `format`; `sheet` names the XLSX worksheet, `created` is the workbook's
/// creation time (the same table and time give the same bytes).
pub fn write(format: Format, sheet: &str, columns: &[Column], rows: &[Vec<String>], created: chrono::NaiveDateTime) -> Result<Vec<u8>, String> {
    match format {
        Format::Csv => Ok(csv(columns, rows)),
        Format::Xlsx => xlsx(sheet, columns, rows, created),
    }
}

/// RFC 4180 CSV with CRLF line ends and a byte-order mark.
pub fn csv(columns: &[Column], rows: &[Vec<String>]) -> Vec<u8> {
    let field = |s: &str, number: bool| {
        let s = if !number && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("\u{feff}");
    let headings: Vec<String> = columns.iter().map(|c| field(c.heading, false)).collect();
    out.push_str(&headings.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, v)| field(v, columns.get(i).is_some_and(|c| c.number)))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Width of a cell's text in a spreadsheet's character units (CJK characters two).
fn display_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum()
}

/// An XLSX workbook of one sheet (constant memory: a year's catalogue can hold 50,000
/// rows); number columns hold numbers where the cell parses as one. Set up to be read and
/// printed: columns as wide as their text (within 6-60), text wrapped, the heading row
/// bold and frozen, A4 landscape, one page wide, the heading repeated on every page.
pub fn xlsx(sheet: &str, columns: &[Column], rows: &[Vec<String>], created: chrono::NaiveDateTime) -> Result<Vec<u8>, String> {
    use chrono::{Datelike, Timelike};
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, FormatAlign};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = rust_xlsxwriter::Workbook::new();
    let when = ExcelDateTime::from_ymd(created.year().clamp(1900, 9999) as u16, created.month() as u8, created.day() as u8)
        .and_then(|d| d.and_hms(created.hour() as u16, created.minute() as u8, created.second() as f64))
        .map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let ws = book.add_worksheet_with_constant_memory();
    ws.set_name(sheet).map_err(e)?;
    // Widths first: a constant-memory sheet writes its columns before its rows.
    for (c, col) in columns.iter().enumerate() {
        let widest = rows.iter().filter_map(|r| r.get(c)).map(|v| display_width(v)).fold(display_width(col.heading), f64::max);
        ws.set_column_width(c as u16, (widest + 2.0).clamp(6.0, 60.0)).map_err(e)?;
    }
    ws.set_freeze_panes(1, 0).map_err(e)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0).map_err(e)?;
    let heading = CellFormat::new().set_bold().set_align(FormatAlign::Center).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = CellFormat::new().set_text_wrap().set_align(FormatAlign::Top).set_border(rust_xlsxwriter::FormatBorder::Thin);
    for (c, col) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, col.heading, &heading).map_err(e)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let at = (i + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if columns.get(c).is_some_and(|col| col.number) => ws.write_number_with_format(at, c as u16, n, &cell),
                _ => ws.write_string_with_format(at, c as u16, v, &cell),
            }
            .map_err(e)?;
        }
    }
    book.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 2] = [Column::number("序号"), Column::text("题名")];

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let rows = vec![
            vec!["1".into(), "关于\"路灯\"的反映, 二".into()],
            vec!["-2".into(), "=HYPERLINK(\"http://x\")".into()],
            vec!["3".into(), "@SUM(A1)".into()],
        ];
        let text = String::from_utf8(csv(&COLS, &rows)).unwrap();
        assert!(text.starts_with("\u{feff}序号,题名\r\n"), "{text}");
        assert!(text.contains("1,\"关于\"\"路灯\"\"的反映, 二\"\r\n"), "{text}");
        // A number column keeps its sign; a text cell that would be a formula is text.
        assert!(text.contains("-2,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"), "{text}");
        assert!(text.contains("3,'@SUM(A1)\r\n"), "{text}");
    }

    #[test]
    fn xlsx_is_a_zip_with_the_rows() {
        let rows = vec![vec!["7".into(), "=1+1".into()]];
        let when = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let bytes = xlsx("目录", &COLS, &rows, when).unwrap();
        assert_eq!(bytes, xlsx("目录", &COLS, &rows, when).unwrap(), "the same table, the same bytes");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut shared = String::new();
        if let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") {
            std::io::Read::read_to_string(&mut f, &mut shared).unwrap();
        }
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        // The number is a number; the formula-looking text is a string, never a formula.
        assert!(sheet.contains("<v>7</v>"), "{sheet}");
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!((shared + &sheet).contains("=1+1"));
        // Widths, the frozen heading, A4 landscape one page wide, the heading repeated.
        assert!(sheet.contains("<col ") && sheet.contains("state=\"frozen\""), "{sheet}");
        assert!(sheet.contains("orientation=\"landscape\"") && sheet.contains("paperSize=\"9\"") && sheet.contains("fitToHeight=\"0\""), "{sheet}");
        let mut book = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut book).unwrap();
        assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    }
}
