//! Shared rendering helpers: hashes, dates, and how reports reach stdout.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// Lower-case hex SHA-256 of a file's bytes, for people and transcripts.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `YYYY-MM-DD` (UTC) for a point in time; dates before 1970 are shown as such too.
pub fn date(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Validity status of a certificate now: "valid", "expired", "not yet valid", or
/// "expires in N days" when within 90 days.
pub fn validity_status(not_before: SystemTime, not_after: SystemTime) -> String {
    let now = SystemTime::now();
    if now < not_before {
        "not yet valid".into()
    } else if now > not_after {
        "expired".into()
    } else {
        let days = not_after
            .duration_since(now)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        if days <= 90 {
            format!("expires in {days} days")
        } else {
            "valid".into()
        }
    }
}

/// How a command's result is shown.
#[derive(Clone, Copy)]
pub struct Output {
    /// JSON on stdout instead of text.
    pub json: bool,
}

impl Output {
    /// Prints the report: the JSON value, or the text lines.
    pub fn emit(self, json: &Value, text: &str) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string())
            );
        } else {
            print!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(date(UNIX_EPOCH), "1970-01-01");
        assert_eq!(
            date(UNIX_EPOCH + Duration::from_secs(1_598_601_051)),
            "2020-08-28"
        );
        assert_eq!(
            date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29"
        );
        assert_eq!(date(UNIX_EPOCH - Duration::from_secs(86_400)), "1969-12-31");
    }
}
