//! Masking of petitioners' personal data for places that need not show it whole: terminal
//! summaries, lists, logs. The full values only ever travel in the data contract itself
//! (`--json`), which the caller asked for.

// Who may see an accuser's identity (检举人身份) is the policy's (`domain::policy`).

/// "张建国" -> "张*国", "李明" -> "李*".
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Keeps the first `head` and last `tail` characters, stars in between.
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// "440524188001010014" -> "4405**********0014".
pub fn mask_id(id: &str) -> String {
    keep_ends(id, 4, 4)
}

/// "13812345678" -> "138****5678"; "0312-5823471" -> "0312-***3471".
pub fn mask_phone(phone: &str) -> String {
    match phone.split_once('-') {
        Some((area, number)) => format!("{area}-{}", keep_ends(number, 0, 4)),
        None => keep_ends(phone, 3, 4),
    }
}

/// Keeps the address down to the county or district; the rest is hidden.
pub fn mask_address(address: &str) -> String {
    let cut = ["区", "县", "市"]
        .iter()
        .filter_map(|m| address.find(m).map(|p| p + m.len()))
        .max()
        .filter(|&p| p < address.len());
    match cut {
        Some(p) => format!("{}…", &address[..p]),
        None => keep_ends(address, 2, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_name("张建国"), "张*国");
        assert_eq!(mask_name("李明"), "李*");
        assert_eq!(mask_name("欧阳明月"), "欧**月");
        assert_eq!(mask_id("440524188001010014"), "4405**********0014");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0312-5823471"), "0312-***3471");
        assert_eq!(
            mask_address("湖北省咸宁市咸安区温泉街道金桂路88号"),
            "湖北省咸宁市咸安区…"
        );
    }
}
