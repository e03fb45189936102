//! Instants as microseconds since the Unix epoch (UTC), with the civil-date conversions the
//! Postgres port and JSON rendering need. Kept here so no date crate is needed in wasm.

use std::fmt;

/// A UTC instant with microsecond precision (Postgres `timestamptz` resolution).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub micros: i64,
}

/// A civil UTC date-time: (year, month, day, hour, minute, second, nanosecond).
pub type Civil = (i32, u8, u8, u8, u8, u8, u32);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Timestamp { micros: ms * 1000 }
    }

    pub fn millis(&self) -> i64 {
        self.micros.div_euclid(1000)
    }

    pub fn from_civil((y, mo, d, h, mi, s, ns): Civil) -> Self {
        let days = days_from_civil(y as i64, mo as i64, d as i64);
        let secs = days * 86_400 + h as i64 * 3600 + mi as i64 * 60 + s as i64;
        Timestamp { micros: secs * 1_000_000 + (ns / 1000) as i64 }
    }

    pub fn to_civil(&self) -> Civil {
        let secs = self.micros.div_euclid(1_000_000);
        let micros = self.micros.rem_euclid(1_000_000);
        let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        (
            y as i32,
            mo as u8,
            d as u8,
            (rem / 3600) as u8,
            (rem % 3600 / 60) as u8,
            (rem % 60) as u8,
            (micros * 1000) as u32,
        )
    }
}

/// RFC 3339 with millisecond precision, e.g. `2026-11-22T20:28:00.123Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, ns) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z", ns / 1_000_000)
    }
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_matches_known_instants() {
        let epoch = Timestamp::from_civil((1970, 1, 1, 0, 0, 0, 0));
        assert_eq!(epoch.micros, 0);
        // 2026-11-22T20:28:29.5Z, checked with `date -u -d @1795379309`.
        let t = Timestamp::from_civil((2026, 11, 22, 20, 28, 29, 500_000_000));
        assert_eq!(t.micros, 1_795_379_309_500_000);
        assert_eq!(t.to_civil(), (2026, 11, 22, 20, 28, 29, 500_000_000));
        assert_eq!(t.to_string(), "2026-11-22T20:28:29.500Z");
    }

    #[test]
    fn civil_round_trip_before_epoch_and_leap_day() {
        let t = Timestamp::from_civil((1969, 12, 31, 23, 59, 59, 999_999_000));
        assert_eq!(t.micros, -1);
        assert_eq!(t.to_civil(), (1969, 12, 31, 23, 59, 59, 999_999_000));
        let leap = Timestamp::from_civil((2024, 2, 29, 12, 0, 0, 0));
        assert_eq!(leap.to_civil(), (2024, 2, 29, 12, 0, 0, 0));
    }
}
