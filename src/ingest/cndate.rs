//! Dates as letters write them: `2026年11月3日`, `2026.11.3`, `2026-11-03`, `2026/11/3`, and
//! in Chinese numerals `二〇二六年十一月三日` (also with 零/○/O for zero as OCR reads it).

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

/// A date found in a text, with its byte span.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

static ARABIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|[.\-/．](\d{1,2})[.\-/．](\d{1,2}))")
        .unwrap()
});
static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([一二三四五六七八九〇○零OoＯ0]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]").unwrap()
});

/// Every date in `text`, in order of appearance.
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    let mut out = Vec::new();
    for c in ARABIC.captures_iter(text) {
        let y: i32 = c[1].parse().unwrap_or(0);
        let (m, d) = match (c.get(2), c.get(3), c.get(4), c.get(5)) {
            (Some(m), Some(d), _, _) | (_, _, Some(m), Some(d)) => (
                m.as_str().parse().unwrap_or(0),
                d.as_str().parse().unwrap_or(0),
            ),
            _ => continue,
        };
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            let whole = c.get(0).unwrap();
            let start = c.get(1).unwrap().start();
            out.push(FoundDate {
                date,
                start,
                end: whole.end(),
            });
        }
    }
    for c in CHINESE.captures_iter(text) {
        let year: Option<i32> = c[1]
            .chars()
            .map(cn_digit)
            .collect::<Option<String>>()
            .and_then(|s| s.parse().ok());
        let (Some(y), Some(m), Some(d)) = (year, cn_number(&c[2]), cn_number(&c[3])) else {
            continue;
        };
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            let whole = c.get(0).unwrap();
            out.push(FoundDate {
                date,
                start: whole.start(),
                end: whole.end(),
            });
        }
    }
    out.sort_by_key(|f| f.start);
    out
}

fn cn_digit(c: char) -> Option<char> {
    Some(match c {
        '〇' | '○' | '零' | 'O' | 'o' | 'Ｏ' | '0' => '0',
        '一' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => return None,
    })
}

/// 1..=99 written in Chinese numerals: 三, 十, 十一, 二十, 二十三, 三十一.
pub fn cn_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    let digit = |c: char| cn_digit(c).and_then(|d| d.to_digit(10));
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn all_written_forms() {
        let cases = [
            ("2026年11月3日", ymd(2026, 11, 3)),
            ("2026 年 3 月 15 日", ymd(2026, 3, 15)),
            ("2026.11.3", ymd(2026, 11, 3)),
            ("2026-11-03", ymd(2026, 11, 3)),
            ("2026/1/9", ymd(2026, 1, 9)),
            ("二〇二六年十一月三日", ymd(2026, 11, 3)),
            ("二零二五年三月二十一日", ymd(2025, 3, 21)),
            ("二O二四年十二月三十日", ymd(2024, 12, 30)),
            ("二〇二六年十月十日", ymd(2026, 10, 10)),
        ];
        for (text, want) in cases {
            let found = find_dates(&format!("落款：{text}"));
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].date, want, "{text}");
        }
    }

    #[test]
    fn rejects_impossible_dates_and_long_numbers() {
        assert!(find_dates("2026年2月30日").is_empty());
        assert!(find_dates("身份证号 440524188001010014").is_empty());
        assert!(find_dates("12026-11-03").is_empty());
    }

    #[test]
    fn order_of_appearance() {
        let found = find_dates("2024年5月1日开工，二〇二六年一月五日写");
        assert_eq!(
            found.iter().map(|f| f.date).collect::<Vec<_>>(),
            vec![ymd(2024, 5, 1), ymd(2026, 1, 5)]
        );
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(cn_number("十"), Some(10));
        assert_eq!(cn_number("十二"), Some(12));
        assert_eq!(cn_number("二十"), Some(20));
        assert_eq!(cn_number("三十一"), Some(31));
        assert_eq!(cn_number("十十"), None);
    }
}
