//! The one clock for everything stamped into outputs (filing copies, documents, bound
//! volumes): `SOURCE_DATE_EPOCH` when set (reproducible builds and tests), else now in the
//! local time zone. Below every other module.

use chrono::{DateTime, FixedOffset};

/// The time to stamp.
pub fn now() -> DateTime<FixedOffset> {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        if let Some(t) = DateTime::from_timestamp(epoch, 0) {
            return t.fixed_offset();
        }
    }
    chrono::Local::now().fixed_offset()
}
