//! DOCX input: the text of the body (paragraphs and table cells, in document order) via
//! `docx-rs`, after a check that the package does not expand past the configured limit.
//! A DOCX has no fixed pages, so it is reported as one page of source `docx`.

use super::decode::{Pages, RawPage};
use super::error::{ErrorCode, IngestError, Result};
use super::guard::run_guarded;
use crate::config::Limits;
use crate::model::{Kind, TextSource};
use docx_rs::{DocumentChild, Paragraph, Table, TableCellContent, TableChild, TableRowChild};
use std::io::Cursor;
use std::time::Duration;

pub fn open(bytes: &[u8], limits: &Limits) -> Result<Pages> {
    check_expansion(bytes, limits)?;
    let owned = bytes.to_vec();
    let text = run_guarded(
        "DOCX reading",
        Duration::from_secs(limits.pdf_parse_seconds),
        move || {
            let docx = docx_rs::read_docx(&owned)
                .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("damaged DOCX: {e}")))?;
            let mut lines = Vec::new();
            for child in &docx.document.children {
                match child {
                    DocumentChild::Paragraph(p) => push_paragraph(p, &mut lines),
                    DocumentChild::Table(t) => push_table(t, &mut lines, 0),
                    _ => {}
                }
            }
            Ok(lines.join("\n"))
        },
    )?;
    let page = RawPage::Text {
        text,
        source: TextSource::Docx,
    };
    Ok(Pages {
        kind: Kind::Docx,
        count: 1,
        iter: Box::new(std::iter::once(Ok(page))),
        warnings: vec![],
    })
}

/// Refuses a package whose entries declare more than the limit when uncompressed, or that
/// has an implausible number of entries. (The zip reader stops at the declared size, so a
/// lying entry cannot expand further.)
fn check_expansion(bytes: &[u8], limits: &Limits) -> Result<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("damaged DOCX package: {e}")))?;
    if archive.len() > 10_000 {
        return Err(IngestError::new(
            ErrorCode::TooLargeUncompressed,
            "DOCX package has over 10,000 parts",
        ));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            IngestError::new(ErrorCode::Corrupt, format!("damaged DOCX package: {e}"))
        })?;
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_docx_uncompressed {
        return Err(IngestError::new(
            ErrorCode::TooLargeUncompressed,
            format!(
                "DOCX expands to {total} bytes; the limit is {}",
                limits.max_docx_uncompressed
            ),
        ));
    }
    Ok(())
}

fn push_paragraph(p: &Paragraph, lines: &mut Vec<String>) {
    let line = super::text::tidy_line(&p.raw_text());
    if !line.is_empty() {
        lines.push(line);
    }
}

fn push_table(t: &Table, lines: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    for TableChild::TableRow(row) in &t.rows {
        for TableRowChild::TableCell(cell) in &row.cells {
            for content in &cell.children {
                match content {
                    TableCellContent::Paragraph(p) => push_paragraph(p, lines),
                    TableCellContent::Table(inner) => push_table(inner, lines, depth + 1),
                    _ => {}
                }
            }
        }
    }
}
