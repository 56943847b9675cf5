//! A letter's text in the register, backend-neutral and without I/O: how it is stored once
//! (the extraction keeps its structure, not copies of the text) and how it is indexed and
//! searched (character bigrams, so that any word of one character or more is found from an
//! index, Chinese two-character words included).
//!
//! **Stored once.** The case holds the letter's text; the stored extraction drops its
//! top-level `text` and each page's `text`, keeping the page's length in characters
//! (`text_chars`). `inflate` puts them back when a case is read, so the extraction a reader
//! sees is the one `extract` printed.
//!
//! **Index terms.** The text is cut into runs of letters and digits (after NFKC, so
//! full-width digits and letters are the same as half-width ones); each run of n characters
//! gives its n-1 overlapping bigrams and then its last character alone, and runs are kept
//! apart by a separator token no query contains. A query run of two or more characters is
//! then the phrase of its bigrams (found only where the characters stand together in one
//! run), and a one-character run is a prefix query (any bigram starting with it, or a run's
//! last character). The terms are written by the register into a full-text index whose
//! tokenizer splits on spaces (SQLite FTS5 `unicode61`); no custom tokenizer is needed.
//!
//! **OCR variants.** Recognition of simplified Chinese print reads some characters as
//! their variant or traditional shapes (内 as 內, 真 as 眞, 〇 as ○). Text and queries are
//! folded through one small table (`VARIANTS`) before they are cut into terms, so either
//! shape finds both. The stored text keeps what was read. Changing the table means writing
//! the terms again (`needs_refold` finds the cases whose text has a folded character).

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

/// Between two runs: a private-use character (a token character to the tokenizer, so it
/// takes a position and no phrase spans it; queries have these stripped).
const SEPARATOR: &str = "\u{E000}";

/// Characters OCR gives for simplified print (variant and traditional shapes of the same
/// character, a circle for the zero of dates), each with the one it is searched as.
pub const VARIANTS: &[(char, char)] = &[
    ('內', '内'),
    ('眞', '真'),
    ('戶', '户'),
    ('爲', '为'),
    ('衆', '众'),
    ('緑', '绿'),
    ('兌', '兑'),
    ('悅', '悦'),
    ('稅', '税'),
    ('說', '说'),
    ('脫', '脱'),
    ('閱', '阅'),
    ('銳', '锐'),
    ('黃', '黄'),
    ('產', '产'),
    ('敎', '教'),
    ('靑', '青'),
    ('淸', '清'),
    ('吿', '告'),
    ('値', '值'),
    ('旣', '既'),
    ('卽', '即'),
    ('郞', '郎'),
    ('硏', '研'),
    ('尙', '尚'),
    ('○', '〇'),
    ('◯', '〇'),
];

/// A character as it is searched: its entry in `VARIANTS`, or itself.
fn fold(c: char) -> char {
    VARIANTS.iter().find(|(v, _)| *v == c).map(|(_, to)| *to).unwrap_or(c)
}

/// Whether any of `parts` holds a character `VARIANTS` folds (its terms were written
/// differently before the table knew it).
pub fn needs_refold(parts: &[&str]) -> bool {
    parts.iter().any(|p| p.nfkc().any(|c| fold(c) != c))
}

/// The runs of letters and digits of a text, each as its characters.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for c in text.nfkc().map(fold) {
        if c.is_alphanumeric() && !is_private(c) {
            run.extend(c.to_lowercase());
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

fn is_private(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// The index terms of a letter's searchable parts (its text, its summary...), one string
/// of space-separated tokens.
pub fn index_terms(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        for run in runs(part) {
            for pair in run.windows(2) {
                out.push(pair[0]);
                out.push(pair[1]);
                out.push(' ');
            }
            out.push(*run.last().expect("a run is not empty"));
            out.push(' ');
            out.push_str(SEPARATOR);
            out.push(' ');
        }
    }
    out
}

/// The full-text query (FTS5 syntax) that finds the words typed, all of them, each where
/// its characters stand together; `None` when nothing searchable was typed.
pub fn match_query(q: &str) -> Option<String> {
    let terms: Vec<String> = runs(q)
        .into_iter()
        .map(|run| {
            if run.len() == 1 {
                format!("\"{}\"*", run[0])
            } else {
                let bigrams: Vec<String> = run.windows(2).map(|p| p.iter().collect()).collect();
                format!("\"{}\"", bigrams.join(" "))
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// Whether a query looks like an identifier (a registration or document number, a phone or
/// ID number): found exactly through the columns' own indexes, not the full-text index.
pub fn looks_like_identifier(q: &str) -> bool {
    let digits = q.chars().filter(|c| c.is_ascii_digit()).count();
    digits >= 5 && q.chars().all(|c| c.is_ascii_alphanumeric() || "-〔〕[]()（）号".contains(c) || c.is_alphabetic())
}

/// The extraction as stored: the top-level `text` dropped and each page's `text` replaced
/// by its length in characters (the case's text is the pages' texts joined by newlines).
/// A value already slim is returned as it is.
pub fn slim(mut extraction: Value) -> Value {
    if let Some(obj) = extraction.as_object_mut() {
        obj.remove("text");
        if let Some(pages) = obj.get_mut("pages").and_then(Value::as_array_mut) {
            for page in pages {
                if let Some(p) = page.as_object_mut() {
                    if let Some(Value::String(t)) = p.remove("text") {
                        p.insert("text_chars".into(), Value::from(t.chars().count()));
                    }
                }
            }
        }
    }
    extraction
}

/// Whether a stored extraction still carries copies of the text (a register not yet
/// converted).
pub fn is_slim(extraction: &Value) -> bool {
    extraction.get("text").is_none()
        && extraction
            .get("pages")
            .and_then(Value::as_array)
            .is_none_or(|pages| pages.iter().all(|p| p.get("text").is_none()))
}

/// The extraction as read: the page texts cut back out of the case's text by their
/// lengths, and the whole text put back. If the lengths do not fit the text (the text was
/// corrected since), every page gets its share as stored and the last page the rest.
pub fn inflate(mut extraction: Value, text: &str) -> Value {
    let chars: Vec<char> = text.chars().collect();
    if let Some(obj) = extraction.as_object_mut() {
        if let Some(pages) = obj.get_mut("pages").and_then(Value::as_array_mut) {
            let last = pages.len().saturating_sub(1);
            let mut at = 0usize;
            for (i, page) in pages.iter_mut().enumerate() {
                let Some(p) = page.as_object_mut() else { continue };
                let Some(n) = p.remove("text_chars").and_then(|v| v.as_u64()) else {
                    continue;
                };
                let start = at.min(chars.len());
                let end = if i == last { chars.len() } else { (start + n as usize).min(chars.len()) };
                p.insert("text".into(), Value::from(chars[start..end].iter().collect::<String>()));
                // The newline that joined this page to the next.
                at = end + 1;
            }
        }
        obj.insert("text".into(), Value::from(text));
    }
    extraction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        index_terms(&[s]).split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn ocr_variants_find_each_other() {
        let terms = index_terms(&["县教育部內部文件，二○二六年"]);
        for q in ["部内", "部內", "二〇二六", "二○二六"] {
            let m = match_query(q).unwrap();
            let bigrams: Vec<String> = runs(q).into_iter().flat_map(|r| r.windows(2).map(|p| p.iter().collect::<String>()).collect::<Vec<_>>()).collect();
            for b in &bigrams {
                assert!(terms.contains(b.as_str()), "{q}: {b} in {terms} ({m})");
            }
        }
        assert_eq!(match_query("部內"), match_query("部内"));
        assert!(needs_refold(&["部內"]) && !needs_refold(&["部内", "二〇"]));
        for (v, to) in VARIANTS {
            assert_ne!(v, to);
            assert!(to.is_alphanumeric(), "{to}");
            assert_eq!(fold(*to), *to, "{to} folds again");
        }
    }

    #[test]
    fn runs_give_bigrams_then_their_last_character_and_a_separator() {
        assert_eq!(tokens("拖欠工资，"), ["拖欠", "欠工", "工资", "资", SEPARATOR]);
        assert_eq!(tokens("王 A１3"), ["王", SEPARATOR, "a1", "13", "3", SEPARATOR]);
        assert_eq!(tokens("，。"), Vec::<String>::new());
    }

    #[test]
    fn queries_are_phrases_of_bigrams_and_one_character_is_a_prefix() {
        assert_eq!(match_query("工资").unwrap(), "\"工资\"");
        assert_eq!(match_query(" 拖欠工资 ").unwrap(), "\"拖欠 欠工 工资\"");
        assert_eq!(match_query("物业，电梯").unwrap(), "\"物业\" AND \"电梯\"");
        assert_eq!(match_query("房").unwrap(), "\"房\"*");
        assert_eq!(match_query("\"；\u{E000}"), None);
        // A query cannot smuggle FTS5 syntax: only letters and digits reach it.
        assert_eq!(match_query("a\" OR b*").unwrap(), "\"a\"* AND \"or\" AND \"b\"*");
    }

    #[test]
    fn identifiers_are_told_from_words() {
        assert!(looks_like_identifier("XF-2026-000007"));
        assert!(looks_like_identifier("13800138000"));
        assert!(looks_like_identifier("示信转〔2026〕12号"));
        assert!(!looks_like_identifier("工资"));
        assert!(!looks_like_identifier("2026年拖欠工资"));
    }

    #[test]
    fn the_extraction_is_stored_without_its_text_and_read_back_whole() {
        let text = "第一页\n第二行\n第二页";
        let x = serde_json::json!({
            "file": "a.pdf", "text": text,
            "pages": [{"index": 1, "text": "第一页\n第二行"}, {"index": 2, "text": "第二页"}],
            "fields": {"name": "张三"}
        });
        let s = slim(x.clone());
        assert!(is_slim(&s));
        assert!(!is_slim(&x));
        assert!(!s.to_string().contains("第二页"), "{s}");
        assert_eq!(s["pages"][0]["text_chars"], 7);
        assert_eq!(inflate(s.clone(), text), x);
        assert_eq!(slim(s.clone()), s);
        // A corrected text that no longer fits: nothing is lost, the last page takes the rest.
        let back = inflate(s, "第一页\n第二行\n第二页，补一句");
        assert_eq!(back["pages"][1]["text"], "第二页，补一句");
    }
}
