//! Resident identity numbers (GB 11643-1999): checksum, plausibility, and repair of the
//! character confusions OCR makes, applied only when the checksum then holds.

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character (ISO 7064 MOD 11-2) for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| (b - b'0') as u32 * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// True for a well-formed 18-character ID whose checksum holds and whose area code and
/// birth date are plausible.
pub fn is_valid(id: &str) -> bool {
    if id.len() != 18 {
        return false;
    }
    let (body, last) = id.split_at(17);
    match check_char(body) {
        Some(c) if last.chars().next() == Some(c) => plausible(body),
        _ => false,
    }
}

fn plausible(body: &str) -> bool {
    let area_first = body.as_bytes()[0];
    if !(b'1'..=b'9').contains(&area_first) {
        return false;
    }
    let year: i32 = body[6..10].parse().unwrap_or(0);
    let month: u32 = body[10..12].parse().unwrap_or(0);
    let day: u32 = body[12..14].parse().unwrap_or(0);
    (1850..=2100).contains(&year) && chrono::NaiveDate::from_ymd_opt(year, month, day).is_some()
}

/// A legacy 15-digit ID (no check digit): area code + YYMMDD + 3-digit sequence.
pub fn is_plausible_legacy(id: &str) -> bool {
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_digit()) || id.as_bytes()[0] == b'0' {
        return false;
    }
    let month: u32 = id[8..10].parse().unwrap_or(0);
    let day: u32 = id[10..12].parse().unwrap_or(0);
    chrono::NaiveDate::from_ymd_opt(1900 + id[6..8].parse::<i32>().unwrap_or(0), month, day)
        .is_some()
}

/// What OCR confuses with digits, and the digit meant.
pub fn digit_for(c: char) -> Option<char> {
    Some(match c {
        '0'..='9' => c,
        'O' | 'o' | 'D' | 'Q' | 'U' | '〇' | '○' => '0',
        'l' | 'I' | 'i' | '|' | '!' | 'L' | 'J' => '1',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        'b' | 'G' => '6',
        'B' => '8',
        'g' | 'q' => '9',
        _ => return None,
    })
}

/// Characters that may stand in an ID as written or misread.
pub fn is_id_char(c: char) -> bool {
    digit_for(c).is_some() || matches!(c, 'X' | 'x' | '×' | 'Х')
}

/// The outcome of reading an 18-character candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdReading {
    /// Valid exactly as written (a lower-case x made upper case).
    Exact(String),
    /// Valid after mapping OCR confusions to digits.
    Repaired(String),
    /// Not valid either way.
    Invalid,
}

/// Reads an 18-character candidate.
pub fn read_candidate(raw: &str) -> IdReading {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() != 18 {
        return IdReading::Invalid;
    }
    let as_written: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i == 17 && c == 'x' { 'X' } else { c })
        .collect();
    if is_valid(&as_written) {
        return IdReading::Exact(as_written);
    }
    let mut repaired = String::with_capacity(18);
    for (i, &c) in chars.iter().enumerate() {
        let d = if i == 17 && matches!(c, 'X' | 'x' | '×' | 'Х') {
            Some('X')
        } else {
            digit_for(c)
        };
        match d {
            Some(d) => repaired.push(d),
            None => return IdReading::Invalid,
        }
    }
    if is_valid(&repaired) {
        return IdReading::Repaired(repaired);
    }
    // The check character itself read as a digit-like letter for X (e.g. 'K', '%').
    let body: String = repaired.chars().take(17).collect();
    if check_char(&body) == Some('X')
        && matches!(chars[17], 'K' | 'k' | '%' | 'Y' | 'y' | '*')
        && plausible(&body)
    {
        return IdReading::Repaired(format!("{body}X"));
    }
    IdReading::Invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_test_vectors() {
        assert!(is_valid("11010519491231002X"));
        assert!(is_valid("440524188001010014"));
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert!(!is_valid("110105194912310021"));
        assert!(!is_valid("440524188001010015"));
    }

    #[test]
    fn implausible_dates_and_areas_fail() {
        // Right checksum but a 13th month.
        let body = "11010519491331002";
        let id = format!("{body}{}", check_char(body).unwrap());
        assert!(!is_valid(&id));
        let body = "01010519491231002";
        let id = format!("{body}{}", check_char(body).unwrap());
        assert!(!is_valid(&id));
    }

    #[test]
    fn repairs_ocr_confusions_only_when_checksum_holds() {
        assert_eq!(
            read_candidate("11010519491231002x"),
            IdReading::Exact("11010519491231002X".into())
        );
        assert_eq!(
            read_candidate("44O524l88OO1OlOOl4"),
            IdReading::Repaired("440524188001010014".into())
        );
        assert_eq!(
            read_candidate("11O1O519491231002X"),
            IdReading::Repaired("11010519491231002X".into())
        );
        // One digit misread as another digit: the checksum catches it, no repair is guessed.
        assert_eq!(read_candidate("440524188001010024"), IdReading::Invalid);
        assert_eq!(read_candidate("4405241880010100l5"), IdReading::Invalid);
    }

    #[test]
    fn legacy_ids() {
        assert!(is_plausible_legacy("110105491231002"));
        assert!(!is_plausible_legacy("110105491331002"));
    }
}
