//! Dates as patches write them: RFC 2822 mail dates, `git log`'s default format,
//! ISO 8601, and `hg export`'s `<epoch> <offset>`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses a date in any of the formats patch files use; `None` if none fits.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.as_str();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    const WITH_ZONE: [&str; 5] = [
        "%a %b %e %H:%M:%S %Y %z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y/%m/%d %H:%M:%S %z",
        "%a, %d %b %Y %H:%M:%S %z",
    ];
    for f in WITH_ZONE {
        if let Ok(t) = DateTime::parse_from_str(text, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%a %b %e %H:%M:%S %Y"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, f) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
    }
    // hg: "<seconds since epoch> <offset in seconds west of UTC>"; the instant is
    // the epoch value whatever the offset.
    let mut parts = text.split(' ');
    let secs: f64 = parts.next()?.parse().ok()?;
    let offset: i32 = parts.next().map_or(Some(0), |o| o.parse().ok())?;
    FixedOffset::west_opt(offset)?;
    if parts.next().is_some() || !secs.is_finite() {
        return None;
    }
    DateTime::from_timestamp(secs.trunc() as i64, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s).map(|t| t.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn formats() {
        assert_eq!(iso("Fri, 9 Jun 2006 00:44:16 -0700"), "2006-06-09T07:44:16+00:00");
        assert_eq!(iso("Mon,  3 Aug 2020 22:40:55 +0700"), "2020-08-03T15:40:55+00:00");
        assert_eq!(iso("Tue May 13 00:43:56 2008 +0200"), "2008-05-12T22:43:56+00:00");
        assert_eq!(iso("2009-03-15 12:00:00 +0100"), "2009-03-15T11:00:00+00:00");
        assert_eq!(iso("2009-03-15"), "2009-03-15T00:00:00+00:00");
        // 1581183281 is 2020-02-08 17:34:41 UTC (hg's "Sat Feb 08 18:34:41 2020 +0100").
        assert_eq!(iso("1581183281 -3600"), "2020-02-08T17:34:41+00:00");
        assert_eq!(iso("1969-07-20T20:17:40Z"), "1969-07-20T20:17:40+00:00");
        assert_eq!(iso("yesterday"), "none");
        assert_eq!(iso(""), "none");
    }
}
