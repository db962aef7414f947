//! Instants: strict RFC 3339 with seconds and an offset, read into Unix seconds.

/// Why a text is not an instant; each says so about the text it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstantError {
    /// not of the shape `yyyy-mm-ddThh:mm:ss[.f]±hh:mm` (or `Z`)
    #[error("`{0}` is not RFC 3339 with seconds and offset, e.g. 2026-10-09T09:12:00+08:00")]
    Syntax(String),
    /// a local time with no offset
    #[error("`{0}` has no time zone offset (a naive time): add `Z` or an offset such as `+08:00`")]
    Naive(String),
    /// an offset past `±23:59`
    #[error("`{0}`: offset out of range")]
    Offset(String),
    /// hour 24, minute 60 or second 60
    #[error("`{0}`: time of day out of range")]
    TimeOfDay(String),
    /// year 0000
    #[error("`{0}`: year 0000 is not a valid date")]
    YearZero(String),
    /// a month or day the calendar does not have (`2026-02-30`)
    #[error("`{0}`: no such date")]
    NoSuchDate(String),
}

/// Parses strict RFC 3339 with seconds and an offset (`Z` or `±hh:mm`) into Unix seconds.
/// Fractional seconds are truncated. Rejects hour 24, second 60, `+0800` and missing offsets.
pub fn parse_instant(s: &str) -> Result<i64, InstantError> {
    let b = s.as_bytes();
    let bad = || InstantError::Syntax(s.to_string());
    let naive = || InstantError::Naive(s.to_string());
    // `yyyy-mm-ddThh:mm:ss` at fixed places: read without bounds checks per byte
    let Some(head) = b.first_chunk::<19>() else {
        return Err(bad());
    };
    let [y1, y2, y3, y4, dash1, mo1, mo2, dash2, d1, d2, t, h1, h2, colon1, mi1, mi2, colon2, s1, s2] =
        *head;
    let digits = [y1, y2, y3, y4, mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2]
        .map(|c| u32::from(c.wrapping_sub(b'0')));
    let seps_ok = [dash1, dash2, t, colon1, colon2] == *b"--T::";
    if !seps_ok || digits.iter().any(|&d| d > 9) {
        return Err(bad());
    }
    let [y1, y2, y3, y4, mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2] = digits;
    let year = y1 * 1000 + y2 * 100 + y3 * 10 + y4;
    let (month, day) = (mo1 * 10 + mo2, d1 * 10 + d2);
    let (hour, minute, second) = (h1 * 10 + h2, mi1 * 10 + mi2, s1 * 10 + s2);
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    let offset_secs: i64 = match b.get(i..) {
        Some([b'Z']) => 0,
        Some(&[sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]) => {
            let d = |c: u8| u32::from(c.wrapping_sub(b'0'));
            if [h1, h2, m1, m2].iter().any(|&c| d(c) > 9) {
                return Err(bad());
            }
            let (oh, om) = (d(h1) * 10 + d(h2), d(m1) * 10 + d(m2));
            if oh > 23 || om > 59 {
                return Err(InstantError::Offset(s.to_string()));
            }
            let v = i64::from(oh * 3600 + om * 60);
            if sign == b'-' {
                -v
            } else {
                v
            }
        }
        // a local time with no offset (a naive datetime's text): say what is missing
        Some([]) => return Err(naive()),
        _ => return Err(bad()),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(InstantError::TimeOfDay(s.to_string()));
    }
    if year == 0 {
        return Err(InstantError::YearZero(s.to_string()));
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(InstantError::NoSuchDate(s.to_string()));
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date of years 1 to 9999 (the civil-days
/// algorithm of H. Hinnant, without negative years).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_instant;
    use proptest::prelude::{Just, Strategy};

    #[test]
    fn instants() {
        // 2026-10-09T09:12:00+08:00 = 2026-10-09T01:12:00Z; 2026-10-09 is day 20735 since 1970
        assert_eq!(
            parse_instant("2026-10-09T09:12:00+08:00").unwrap(),
            20_735 * 86_400 + 3600 + 12 * 60
        );
        assert_eq!(
            parse_instant("2026-10-09T01:12:00.999Z").unwrap(),
            parse_instant("2026-10-09T09:12:00+08:00").unwrap()
        );
        for bad in [
            "2026-10-09T09:12:00",
            "2026-10-09T09:12:00+0800",
            "2026-10-09T24:00:00Z",
            "2026-10-09T23:59:60Z",
            "2026-10-09T09:12Z",
            "2026-02-30T09:12:00Z",
            "2026-10-09 09:12:00Z",
            "2026-10-09T09:12:00.Z",
            "2026-10-09T09:12:00+08:00x",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        // a time without an offset (the text of a naive datetime) is told apart
        for naive in ["2026-10-09T09:12:00", "2026-10-09T09:12:00.5"] {
            assert_eq!(
                parse_instant(naive).unwrap_err().to_string(),
                format!("`{naive}` has no time zone offset (a naive time): add `Z` or an offset such as `+08:00`")
            );
        }
        assert!(parse_instant("2026-10-09T09:12Z")
            .unwrap_err()
            .to_string()
            .contains("is not RFC 3339"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 20_000, ..Default::default()
        })]

        /// Instants agree with chrono's RFC 3339 reading wherever ours accepts (chrono also
        /// takes forms the contract language refuses, such as second 60), over every field
        /// just inside and outside its range.
        #[test]
        fn instants_agree_with_chrono(
            // centuries and leap years often enough to meet 29 February
            y in proptest::prop_oneof![
                0u32..10_000,
                (0u32..100).prop_map(|c| c * 100),
                (0u32..2500).prop_map(|q| q * 4)
            ],
            mo in proptest::prop_oneof![0u32..14, Just(2)],
            d in proptest::prop_oneof![0u32..33, 28u32..32],
            h in 0u32..26, mi in 0u32..61, se in 0u32..61,
            frac in proptest::option::of(0u32..1000),
            off in proptest::option::of((proptest::prelude::any::<bool>(), 0u32..25, 0u32..61)),
        ) {
            let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}");
            if let Some(f) = frac {
                text += &format!(".{f:03}");
            }
            match off {
                None => text.push('Z'),
                Some((neg, oh, om)) => {
                    text += &format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' });
                }
            }
            let ours = parse_instant(&text);
            let theirs = chrono::DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp());
            let valid = y > 0 && se < 60 && h < 24 && mi < 60
                && off.is_none_or(|(_, oh, om)| oh < 24 && om < 60);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b, "{}", text),
                (Err(_), Ok(_)) => proptest::prop_assert!(!valid, "{} refused", text),
                (Ok(_), Err(e)) => proptest::prop_assert!(false, "{} taken; chrono: {}", text, e),
                (Err(_), Err(_)) => {}
            }
        }
    }
}
