//! Text assembly rules shared by every source: no whitespace between two CJK characters
//! (Tesseract's chi_sim model and PDF text layers both insert it), runs of spaces collapsed,
//! full-width spaces treated as spaces.

/// True for the characters that never take spaces between them: CJK ideographs, kana,
/// and full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK punctuation
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{2FA1F}'
        | '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// One line made tidy: trimmed, inner whitespace collapsed to one space, and removed
/// altogether where it stands between two CJK characters (or a CJK character and a digit
/// run that belongs to it, e.g. "2026 年" -> "2026年").
pub fn tidy_line(line: &str) -> String {
    let chars: Vec<char> = line
        .trim()
        .chars()
        .map(|c| if c == '\u{3000}' { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let before = out.chars().last();
            let after = chars.get(i).copied();
            let keep = match (before, after) {
                (Some(b), Some(a)) => !(is_cjk(b) || is_cjk(a)),
                _ => false,
            };
            if keep && start > 0 {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// ASCII punctuation that OCR puts in Chinese text, and the full-width form meant.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ':' => '：',
        ',' => '，',
        ';' => '；',
        '!' => '！',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

/// Chinese punctuation restored: an ASCII `:,;!?()` that follows a CJK character (or,
/// for `(`, precedes one) is the full-width mark a Chinese text uses. Digits and Latin
/// text keep theirs ("10:30", "Room 3, B").
pub fn chinese_punctuation(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev_cjk = i > 0 && is_cjk(chars[i - 1]) && !matches!(chars[i - 1], '：' | '，');
        let next_cjk = chars.get(i + 1).is_some_and(|&n| is_cjk(n));
        let wide = match c {
            '(' => (prev_cjk || next_cjk).then(|| full_width(c)).flatten(),
            ')' => prev_cjk.then(|| full_width(c)).flatten(),
            _ if prev_cjk => full_width(c),
            _ => None,
        };
        out.push(wide.unwrap_or(c));
    }
    out
}

/// Lines joined with `\n`, each tidied; empty lines dropped.
pub fn tidy_text(text: &str) -> String {
    text.lines()
        .map(tidy_line)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_spaces_between_cjk() {
        assert_eq!(tidy_line("我 叫 王 小 明 ， 家 住"), "我叫王小明，家住");
        assert_eq!(tidy_line("电话 ： 13812345678"), "电话：13812345678");
        assert_eq!(tidy_line("2026 年 3 月 5 日"), "2026年3月5日");
    }

    #[test]
    fn keeps_spaces_between_latin_words() {
        assert_eq!(tidy_line("  Room  12 B  "), "Room 12 B");
        assert_eq!(tidy_line("\u{3000}\u{3000}尊敬的领导："), "尊敬的领导：");
    }

    #[test]
    fn restores_chinese_punctuation() {
        assert_eq!(
            chinese_punctuation("信访人:张三,电话: 138"),
            "信访人：张三，电话： 138"
        );
        assert_eq!(chinese_punctuation("敬礼!"), "敬礼！");
        assert_eq!(chinese_punctuation("10:30, Room 3"), "10:30, Room 3");
        assert_eq!(chinese_punctuation("附件(复印件)"), "附件（复印件）");
    }

    #[test]
    fn tidy_text_drops_empty_lines() {
        assert_eq!(tidy_text("甲 乙\n\n  \n丙"), "甲乙\n丙");
    }
}
