//! Registration numbers: `{prefix}-{year}-{sequence}`, the sequence zero-padded (default
//! `XF-2026-000123`). The prefix and width are configuration (`[bureau]`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NumberFormat {
    pub prefix: String,
    pub digits: usize,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            prefix: "XF".into(),
            digits: 6,
        }
    }
}

impl NumberFormat {
    pub fn format(&self, year: i32, seq: i64) -> String {
        format!("{}-{year}-{seq:0width$}", self.prefix, width = self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_xf_year_six_digits() {
        assert_eq!(NumberFormat::default().format(2026, 123), "XF-2026-000123");
        let f = NumberFormat {
            prefix: "嘉鱼信".into(),
            digits: 4,
        };
        assert_eq!(f.format(2027, 1), "嘉鱼信-2027-0001");
    }
}
