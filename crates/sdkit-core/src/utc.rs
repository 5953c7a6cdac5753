//! UTC times as sdkit's logs write them (`YYYY-MM-DDTHH:MM:SSZ`), written and read back. The review
//! measures how long ago a key was proven from the times the ledger recorded, so the clock
//! is a parameter of the judgement, never read inside it: the same ledger judged "as of" a
//! given day gives the same findings on any machine.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: u64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), or `None`
/// for a month or day out of range.
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > month_days {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (the inverse of `days_from_civil`).
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

/// `YYYY-MM-DD` (UTC) for a point in time; dates before 1970 are shown as such too (a
/// certificate's validity can start there).
pub fn date(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY as i64));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ`, what [`parse`] reads (times before 1970 as 1970-01-01).
pub fn format(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / DAY).unwrap_or(i64::MAX / 2);
    let (y, m, d) = civil_from_days(days);
    let rem = secs % DAY;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn number<T: std::str::FromStr>(s: &str, digits: usize) -> Option<T> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` (what the ledger and the register write) or a bare
/// `YYYY-MM-DD` (midnight UTC, for dates people type). Times before 1970 are refused: no
/// sdkit log holds one.
pub fn parse(text: &str) -> Option<SystemTime> {
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z')?)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let days = days_from_civil(number(y, 4)?, number(m, 2)?, number(d, 2)?)?;
    let secs = match time {
        None => 0,
        Some(t) => {
            let mut hms = t.split(':');
            let (h, mi, s) = (hms.next()?, hms.next()?, hms.next()?);
            if hms.next().is_some() {
                return None;
            }
            let (h, mi, s): (u64, u64, u64) = (number(h, 2)?, number(mi, 2)?, number(s, 2)?);
            if h > 23 || mi > 59 || s > 59 {
                return None;
            }
            h * 3600 + mi * 60 + s
        }
    };
    let days = u64::try_from(days).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(days * DAY + secs))
}

/// Whole days from `earlier` to `later` (0 when `later` is not after it: a time in the
/// future counts as today, not as an error).
pub fn days_between(earlier: SystemTime, later: SystemTime) -> u64 {
    later
        .duration_since(earlier)
        .map_or(0, |d| d.as_secs() / DAY)
}

/// `days` whole days, as a duration.
pub fn days(days: u64) -> Duration {
    Duration::from_secs(days.saturating_mul(DAY))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_logs_write_and_refuses_the_rest() {
        let t = parse("2020-08-28T07:50:51Z").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_598_601_051));
        assert_eq!(format(t), "2020-08-28T07:50:51Z");
        for secs in [0, 951_782_400, 4_102_444_799, 1_798_761_600] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(parse(&format(t)), Some(t));
        }
        assert_eq!(parse("1970-01-01").unwrap(), UNIX_EPOCH);
        assert_eq!(
            parse("2000-02-29").unwrap(),
            UNIX_EPOCH + Duration::from_secs(951_782_400)
        );
        for bad in [
            "",
            "2020-08-28T07:50:51",
            "2020-8-28",
            "2021-02-29",
            "2020-13-01",
            "2020-08-28T24:00:00Z",
            "2020-08-28T07:50Z",
            "1969-12-31",
            "2020-08-28-01",
            "+202-08-28",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn whole_days() {
        let a = parse("2026-01-01T12:00:00Z").unwrap();
        assert_eq!(days_between(a, parse("2026-01-02T11:59:59Z").unwrap()), 0);
        assert_eq!(days_between(a, parse("2026-05-01T12:00:00Z").unwrap()), 120);
        assert_eq!(days_between(parse("2026-05-01").unwrap(), a), 0);
        assert_eq!(a + days(120), parse("2026-05-01T12:00:00Z").unwrap());
    }
}
