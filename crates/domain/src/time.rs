//! Time as the domain sees it: [`Timestamp`] (an instant, UTC, 100 ns precision),
//! [`Duration`] (signed, ISO 8601 on the way out) and the [`Clock`] every use case is handed.
//!
//! Nothing here reads the system clock except [`SystemClock`], which only the server wires in.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC, truncated to 100 ns (the precision Graph writes: 7 fractional digits).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps a chrono instant, dropping precision below 100 ns.
    pub fn from_utc(t: DateTime<Utc>) -> Timestamp {
        let nanos = t.nanosecond() / 100 * 100;
        Timestamp(t.with_nanosecond(nanos).unwrap_or(t))
    }

    pub fn as_utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses what clients send for an `Edm.DateTimeOffset`: RFC 3339 with `Z` or an offset,
    /// or no offset at all (read as UTC), with 0 to 9 fractional digits (kept to 7).
    pub fn parse(s: &str) -> Result<Timestamp, TimeParseError> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Timestamp::from_utc(t.with_timezone(&Utc)));
        }
        // RFC 3339 requires seconds; be lenient about `T08:00Z`.
        for fmt in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%dT%H:%M%:z"] {
            if let Ok(t) = DateTime::parse_from_str(s, fmt) {
                return Ok(Timestamp::from_utc(t.with_timezone(&Utc)));
            }
        }
        for fmt in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(Timestamp::from_utc(t.and_utc()));
            }
        }
        Err(TimeParseError(s.to_string()))
    }

    /// Parses a date-only value (`2024-01-31`) as midnight UTC.
    pub fn parse_date(s: &str) -> Result<Timestamp, TimeParseError> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(|d| Timestamp::from_utc(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
            .map_err(|_| TimeParseError(s.to_string()))
    }

    /// The fixed-width form the stores keep (`2024-01-31T08:00:00.0000000Z`), so that text order
    /// is time order.
    pub fn to_storage(&self) -> String {
        let mut s = self.seconds_text();
        let frac = self.0.nanosecond() / 100;
        s.push('.');
        push_digits(&mut s, frac, 7);
        s.push('Z');
        s
    }

    /// `2024-01-31T08:00:00`, written by hand: chrono's format strings cost more than the rest
    /// of rendering an entity (measured on list reads).
    fn seconds_text(&self) -> String {
        use chrono::{Datelike, Timelike};
        let t = &self.0;
        let year = t.year();
        if !(0..=9999).contains(&year) {
            return t.format("%Y-%m-%dT%H:%M:%S").to_string();
        }
        let mut s = String::with_capacity(28);
        push_digits(&mut s, year as u32, 4);
        s.push('-');
        push_digits(&mut s, t.month(), 2);
        s.push('-');
        push_digits(&mut s, t.day(), 2);
        s.push('T');
        push_digits(&mut s, t.hour(), 2);
        s.push(':');
        push_digits(&mut s, t.minute(), 2);
        s.push(':');
        push_digits(&mut s, t.second(), 2);
        s
    }

    /// The form Graph answers with: UTC, `Z`, fractional digits only as many as needed (at most 7).
    pub fn to_wire(&self) -> String {
        let mut s = self.seconds_text();
        let mut frac = self.0.nanosecond() / 100;
        if frac != 0 {
            let mut width = 7;
            while frac.is_multiple_of(10) {
                frac /= 10;
                width -= 1;
            }
            s.push('.');
            push_digits(&mut s, frac, width);
        }
        s.push('Z');
        s
    }

    pub fn add(&self, d: Duration) -> Timestamp {
        Timestamp::from_utc(self.0.checked_add_signed(d.0).unwrap_or(self.0))
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits.
fn push_digits(s: &mut String, n: u32, width: usize) {
    let digits = n.to_string();
    for _ in digits.len()..width {
        s.push('0');
    }
    s.push_str(&digits);
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_storage())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        match from_storage(&s) {
            Some(t) => Ok(t),
            None => Timestamp::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// Reads the fixed-width stored form (`2024-01-31T08:00:00.0000000Z`) without chrono's general
/// parser (a stored entity holds several timestamps; reading lists is mostly decoding).
fn from_storage(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 28 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'.' || b[27] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[from..to] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
        num(20, 27)? * 100,
    )?;
    Some(Timestamp::from_utc(date.and_time(time).and_utc()))
}

#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a valid date and time")]
pub struct TimeParseError(pub String);

/// A signed span of time. Parsed from ISO 8601 (`P2D`, `PT0S`, `-P1D`, `P1Y` = 365 days, `P1M` =
/// 30 days, `P1W`) and from the form Python's `timedelta` prints (`2 days, 0:00:00`, `14:00:00`);
/// always written as ISO 8601 with days as the largest unit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(TimeDelta);

impl Duration {
    pub const ZERO: Duration = Duration(TimeDelta::zero());

    pub fn days(n: i64) -> Duration {
        Duration(TimeDelta::try_days(n).unwrap_or(TimeDelta::MAX))
    }

    pub fn minutes(n: i64) -> Duration {
        Duration(TimeDelta::try_minutes(n).unwrap_or(TimeDelta::MAX))
    }

    pub fn as_delta(&self) -> TimeDelta {
        self.0
    }

    pub fn whole_days(&self) -> i64 {
        self.0.num_days()
    }

    pub fn whole_minutes(&self) -> i64 {
        self.0.num_minutes()
    }

    pub fn parse(s: &str) -> Result<Duration, DurationParseError> {
        let t = s.trim();
        let err = || DurationParseError(s.to_string());
        if t.is_empty() {
            return Err(err());
        }
        if t.contains('P') || t.contains('p') {
            parse_iso(t).ok_or_else(err)
        } else {
            parse_python(t).ok_or_else(err)
        }
    }

    pub fn to_iso(&self) -> String {
        let mut total = self.0;
        let mut out = String::new();
        if total < TimeDelta::zero() {
            out.push('-');
            total = -total;
        }
        out.push('P');
        let days = total.num_days();
        let rest = total - TimeDelta::days(days);
        let secs_total = rest.num_seconds();
        let nanos = (rest - TimeDelta::seconds(secs_total)).subsec_nanos();
        let (h, m, s) = (secs_total / 3600, secs_total / 60 % 60, secs_total % 60);
        if days > 0 {
            out.push_str(&format!("{days}D"));
        }
        if h > 0 || m > 0 || s > 0 || nanos > 0 || days == 0 {
            out.push('T');
            if h > 0 {
                out.push_str(&format!("{h}H"));
            }
            if m > 0 {
                out.push_str(&format!("{m}M"));
            }
            if s > 0 || nanos > 0 || (h == 0 && m == 0) {
                if nanos > 0 {
                    let frac = format!("{nanos:09}");
                    out.push_str(&format!("{s}.{}S", frac.trim_end_matches('0')));
                } else {
                    out.push_str(&format!("{s}S"));
                }
            }
        }
        out
    }
}

fn parse_iso(t: &str) -> Option<Duration> {
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.find(['T', 't']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut total = TimeDelta::zero();
    let mut any = false;
    let mut parse_part = |s: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        let mut last_unit = 0usize;
        for c in s.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(if c == ',' { '.' } else { c });
            } else {
                let u = c.to_ascii_uppercase();
                let idx = units.iter().position(|(n, _)| *n == u)?;
                if idx < last_unit || num.is_empty() {
                    return None;
                }
                last_unit = idx + 1;
                let v: f64 = num.parse().ok()?;
                let secs = v * units[idx].1;
                if !secs.is_finite() || secs.abs() > 1e13 {
                    return None;
                }
                let whole = secs.trunc() as i64;
                let nanos = ((secs - secs.trunc()) * 1e9).round() as i64;
                total = total
                    .checked_add(&TimeDelta::seconds(whole))?
                    .checked_add(&TimeDelta::nanoseconds(nanos))?;
                num.clear();
                any = true;
            }
        }
        if num.is_empty() { Some(()) } else { None }
    };
    const DAY: f64 = 86_400.0;
    parse_part(
        date,
        &[
            ('Y', 365.0 * DAY),
            ('M', 30.0 * DAY),
            ('W', 7.0 * DAY),
            ('D', DAY),
        ],
    )?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        parse_part(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    if !any {
        return None;
    }
    Some(Duration(if neg { -total } else { total }))
}

fn parse_python(t: &str) -> Option<Duration> {
    // `[-]N day[s], H:MM:SS[.ffffff]` or `H:MM:SS[.ffffff]`
    let (days, clock) = match t.split_once(',') {
        Some((d, c)) => {
            let d = d.trim();
            let n = d
                .strip_suffix("days")
                .or_else(|| d.strip_suffix("day"))?
                .trim();
            (n.parse::<i64>().ok()?, c.trim())
        }
        None => (0, t),
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s_part = parts.next().unwrap_or("0");
    if parts.next().is_some() || !(0..60).contains(&m) || h < 0 {
        return None;
    }
    let (s, frac) = match s_part.split_once('.') {
        Some((s, f)) => (s, f),
        None => (s_part, ""),
    };
    let s: i64 = s.parse().ok()?;
    if !(0..60).contains(&s) || frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let total = TimeDelta::try_days(days)?
        .checked_add(&TimeDelta::try_hours(h)?)?
        .checked_add(&TimeDelta::try_minutes(m)?)?
        .checked_add(&TimeDelta::try_seconds(s)?)?
        .checked_add(&TimeDelta::nanoseconds(nanos))?;
    Some(Duration(total))
}

impl fmt::Debug for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl FromStr for Duration {
    type Err = DurationParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a valid duration (ISO 8601 such as P2D or PT12H expected)")]
pub struct DurationParseError(pub String);

/// Where "now" comes from. Use cases take `&dyn Clock` (or a `Timestamp` read from it); tests
/// and the emulator's time travel use [`ManualClock`].
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
    /// `real` for the wall clock, `virtual` for a clock that moves only when told.
    fn mode(&self) -> &'static str {
        "real"
    }
    /// Moves a virtual clock forward to `t` (never backwards); `false` if this clock cannot be
    /// moved or `t` is in its past.
    fn move_to(&self, _t: Timestamp) -> bool {
        false
    }
}

/// The real clock. Only the server binary constructs it.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        #[allow(clippy::disallowed_methods)]
        Timestamp::from_utc(Utc::now())
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(start))
    }
    pub fn set(&self, t: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }
    pub fn advance(&self, d: Duration) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *g = g.add(d);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn mode(&self) -> &'static str {
        "virtual"
    }
    fn move_to(&self, t: Timestamp) -> bool {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if t < *g {
            return false;
        }
        *g = t;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_read_back_exactly() {
        for t in [
            "2030-01-01T08:00:00Z",
            "2016-12-31T20:58:10.2887028Z",
            "1999-02-28T23:59:59.0000001Z",
        ] {
            let a = Timestamp::parse(t).unwrap();
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(
                serde_json::from_str::<Timestamp>(&json).unwrap(),
                a,
                "{json}"
            );
        }
        // Other forms still parse (documents written by hand, older versions).
        let b: Timestamp = serde_json::from_str("\"2030-01-01T10:00:00+02:00\"").unwrap();
        assert_eq!(b, Timestamp::parse("2030-01-01T08:00:00Z").unwrap());
        assert!(serde_json::from_str::<Timestamp>("\"2030-02-30T00:00:00.0000000Z\"").is_err());
    }

    #[test]
    fn timestamps_parse_all_client_forms() {
        let cases = [
            ("2030-01-01T08:00:00Z", "2030-01-01T08:00:00Z"),
            ("2030-01-01T08:00:00+00:00", "2030-01-01T08:00:00Z"),
            (
                "2030-01-01T08:00:00.123456+02:00",
                "2030-01-01T06:00:00.123456Z",
            ),
            ("2030-01-01T08:00:00", "2030-01-01T08:00:00Z"),
            (
                "2016-12-31T23:58:10.2887028+03:00",
                "2016-12-31T20:58:10.2887028Z",
            ),
            ("2019-04-25T23:45:40.42Z", "2019-04-25T23:45:40.42Z"),
            (
                "2030-01-01T08:00:00.123456789Z",
                "2030-01-01T08:00:00.1234567Z",
            ),
        ];
        for (input, wire) in cases {
            assert_eq!(Timestamp::parse(input).unwrap().to_wire(), wire, "{input}");
        }
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("2030-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn storage_form_sorts_as_time() {
        let a = Timestamp::parse("2030-01-01T08:00:00.5Z").unwrap();
        let b = Timestamp::parse("2030-01-01T08:00:00.25Z").unwrap();
        assert!(b < a);
        assert!(b.to_storage() < a.to_storage());
        assert_eq!(a.to_storage(), "2030-01-01T08:00:00.5000000Z");
        assert_eq!(Timestamp::parse(&a.to_storage()).unwrap(), a);
    }

    #[test]
    fn durations_parse_iso_and_python() {
        let cases = [
            ("P2D", "P2D"),
            ("PT0S", "PT0S"),
            ("P365D", "P365D"),
            ("P1Y", "P365D"),
            ("P1M", "P30D"),
            ("P1W", "P7D"),
            ("PT14H", "PT14H"),
            ("P14DT12H", "P14DT12H"),
            ("PT1.5S", "PT1.5S"),
            ("PT90M", "PT1H30M"),
            ("-P1D", "-P1D"),
            ("365 days, 0:00:00", "P365D"),
            ("2 days, 0:00:00", "P2D"),
            ("1 day, 0:00:00", "P1D"),
            ("0:00:00", "PT0S"),
            ("14:00:00", "PT14H"),
            ("1 day, 12:00:00", "P1DT12H"),
            ("1:30:01.500000", "PT1H30M1.5S"),
            ("-1 day, 0:00:00", "-P1D"),
        ];
        for (input, iso) in cases {
            assert_eq!(Duration::parse(input).unwrap().to_iso(), iso, "{input}");
        }
        for bad in [
            "",
            "P",
            "PT",
            "two days",
            "P1H",
            "PT1D",
            "1:99:00",
            "P1DX",
            "Duration value",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp::parse("2030-01-01T00:00:00Z").unwrap());
        assert_eq!(c.now().to_wire(), "2030-01-01T00:00:00Z");
        c.advance(Duration::days(2));
        assert_eq!(c.now().to_wire(), "2030-01-03T00:00:00Z");
    }
}
