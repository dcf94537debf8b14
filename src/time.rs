//! Timestamps as Elasticsearch's default date format reads them (`strict_date_optional_time`).
//!
//! CloudTrail writes `eventTime` as `2025-04-24T10:11:12Z`; ECS documents carry `@timestamp` and
//! `event.ingested` with fractions and offsets. All of them become milliseconds since the Unix
//! epoch, the unit Elasticsearch compares dates in.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// Milliseconds in a day.
pub const DAY: Millis = 24 * 60 * 60 * 1000;

/// Reads `2025-04-24`, `2025-04-24T10:11`, `2025-04-24T10:11:12`, `2025-04-24T10:11:12.345Z`
/// and the same with a `+02:00` offset; a time without an offset is UTC. `None` for anything
/// else, including out-of-range fields such as month 13.
///
/// ```
/// use cloudtrail_triage::time::parse;
///
/// assert_eq!(parse("1970-01-02T00:00:00Z"), Some(86_400_000));
/// assert_eq!(parse("1970-01-01T02:00:00.5+02:00"), Some(500));
/// assert_eq!(parse("yesterday"), None);
/// ```
pub fn parse(text: &str) -> Option<Millis> {
    let mut cursor = Cursor {
        rest: text.trim().as_bytes(),
    };

    let year = cursor.digits(4)?;
    cursor.expect(b'-')?;
    let month = cursor.digits(2)?;
    cursor.expect(b'-')?;
    let day = cursor.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * DAY;
    if cursor.rest.is_empty() {
        return Some(millis);
    }

    if cursor.expect(b'T').is_none() {
        cursor.expect(b' ')?;
    }
    let hour = cursor.digits(2)?;
    cursor.expect(b':')?;
    let minute = cursor.digits(2)?;
    let mut second = 0;
    let mut fraction = 0;
    if cursor.expect(b':').is_some() {
        second = cursor.digits(2)?;
        if cursor.expect(b'.').is_some() || cursor.expect(b',').is_some() {
            fraction = cursor.fraction_millis()?;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000 + fraction;

    let offset = cursor.offset_minutes()?;
    if !cursor.rest.is_empty() {
        return None;
    }
    Some(millis - offset * 60 * 1000)
}

/// Writes `millis` as `2025-04-24T10:11:12.345Z`, the form Elasticsearch shows dates in.
pub fn format(millis: Millis) -> String {
    let days = millis.div_euclid(DAY);
    let in_day = millis.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
    let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
    if !(0..=9999).contains(&year) {
        return format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z"
        );
    }

    // Every event's result formats times; digits written one by one cost far less than the
    // formatting machinery.
    let mut out = String::with_capacity(24);
    let mut digits = |value: i64, width: u32, after: char| {
        // Every part is below 10,000 here, and 32-bit division is the fast one in WebAssembly.
        let value = value as u32;
        for place in (0..width).rev() {
            let digit = value / 10_u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(after);
    };
    digits(year, 4, '-');
    digits(month, 2, '-');
    digits(day, 2, 'T');
    digits(hour, 2, ':');
    digits(minute, 2, ':');
    digits(second, 2, '.');
    digits(milli, 3, 'Z');
    out
}

/// A span of time as a person would say it: `7 days`, `3 hours`, `12 minutes`, `40 seconds`.
pub fn describe_span(millis: Millis) -> String {
    let plural = |n: Millis, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    let millis = millis.abs();
    match millis {
        m if m >= DAY && m % DAY == 0 => plural(m / DAY, "day"),
        m if m >= DAY => format!("{:.1} days", m as f64 / DAY as f64),
        m if m >= 3_600_000 => plural(m / 3_600_000, "hour"),
        m if m >= 60_000 => plural(m / 60_000, "minute"),
        m => plural(m / 1000, "second"),
    }
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn expect(&mut self, byte: u8) -> Option<()> {
        let (first, rest) = self.rest.split_first()?;
        if *first != byte {
            return None;
        }
        self.rest = rest;
        Some(())
    }

    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.rest.get(..count)?;
        let mut value = 0i64;
        for digit in digits {
            if !digit.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(digit - b'0');
        }
        self.rest = self.rest.get(count..)?;
        Some(value)
    }

    fn fraction_millis(&mut self) -> Option<i64> {
        let len = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || len > 9 {
            return None;
        }
        let mut millis = 0;
        for place in 0..3 {
            let digit = self
                .rest
                .get(place)
                .filter(|_| place < len)
                .map_or(0, |d| d - b'0');
            millis = millis * 10 + i64::from(digit);
        }
        self.rest = self.rest.get(len..)?;
        Some(millis)
    }

    fn offset_minutes(&mut self) -> Option<i64> {
        let Some((&sign, rest)) = self.rest.split_first() else {
            return Some(0);
        };
        let sign = match sign {
            b'Z' | b'z' => {
                self.rest = rest;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.rest = rest;
        let hours = self.digits(2)?;
        let _ = self.expect(b':');
        let minutes = self.digits(2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * (hours * 60 + minutes))
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_cloudtrail_and_ecs_use() {
        let cases = [
            ("2025-04-24T10:11:12Z", Some(1_745_489_472_000)),
            ("2025-04-24T10:11:12.345Z", Some(1_745_489_472_345)),
            ("2025-04-24T10:11:12.345678901Z", Some(1_745_489_472_345)),
            ("2025-04-24T12:11:12+02:00", Some(1_745_489_472_000)),
            ("2025-04-24T05:11:12-0500", Some(1_745_489_472_000)),
            ("2025-04-24T10:11:12", Some(1_745_489_472_000)),
            ("2025-04-24T10:11Z", Some(1_745_489_460_000)),
            ("2025-04-24", Some(1_745_452_800_000)),
            ("2024-02-29", Some(1_709_164_800_000)),
            ("1969-12-31T23:59:59Z", Some(-1000)),
            ("2025-02-29", None),
            ("2025-13-01", None),
            ("2025-04-24T24:00:00Z", None),
            ("2025-04-24T10:11:12Zjunk", None),
            ("2025-4-24", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), expected, "{text}");
        }
    }

    #[test]
    fn format_writes_what_parse_reads() {
        for text in [
            "2025-04-24T10:11:12.345Z",
            "1969-12-31T23:59:59.000Z",
            "2000-02-29T00:00:00.000Z",
        ] {
            let millis = parse(text).unwrap();
            assert_eq!(format(millis), text);
        }
    }

    #[test]
    fn spans_read_as_a_person_says_them() {
        assert_eq!(describe_span(7 * DAY), "7 days");
        assert_eq!(describe_span(DAY), "1 day");
        assert_eq!(describe_span(DAY + DAY / 2), "1.5 days");
        assert_eq!(describe_span(3 * 3_600_000), "3 hours");
        assert_eq!(describe_span(-90_000), "1 minute");
        assert_eq!(describe_span(4000), "4 seconds");
    }
}
