//! An instant as the engine keeps it: Unix seconds, with the contract's time zone to show it
//! in. It is formatted (RFC 3339 in that zone) only when rendered.

use chrono::TimeZone;
use chrono_tz::Tz;

/// Unix seconds, shown in a time zone: `2026-11-03T17:20:00+08:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instant {
    unix: i64,
    tz: Tz,
}

impl Instant {
    /// `unix` seconds, to be shown in `tz`.
    pub fn new(unix: i64, tz: Tz) -> Instant {
        Instant { unix, tz }
    }

    /// Unix seconds.
    pub fn unix(self) -> i64 {
        self.unix
    }

    /// The time zone it is shown in.
    pub fn tz(self) -> Tz {
        self.tz
    }
}

/// Formats Unix seconds as RFC 3339 in a time zone: `2026-11-03T17:20:00+08:00` (the seconds
/// themselves where the zone has no such instant).
pub fn format_instant(tz: Tz, t: i64) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => t.to_string(),
    }
}

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_instant(self.tz, self.unix))
    }
}

impl serde::Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
