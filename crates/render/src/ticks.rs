//! Time-axis ticks that suit the span: days for a fortnight, weeks for a few months,
//! months for a few years, quarters up to a decade, then years in steps of 1, 2, 5,
//! 10... A tick may carry a second, larger label (the year under January).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

/// One tick on the time axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub time: DateTime<Utc>,
    pub label: String,
    /// A second line under the label, where the larger unit changes.
    pub major: Option<String>,
}

/// The ticks between `from` and `to` (inclusive), and the name of their unit.
pub fn ticks(from: DateTime<Utc>, to: DateTime<Utc>) -> (Vec<Tick>, &'static str) {
    let days = (to - from).num_days();
    let minutes = (to - from).num_minutes();
    if minutes <= 48 * 60 {
        // Under two days: every 1, 2, 5, 10, 15 or 30 minutes, or 1, 2, 3, 6 or 12
        // hours, whichever gives at most 16 ticks; the day under the first and at
        // midnight.
        let step = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720].into_iter().find(|s| minutes / s <= 16).unwrap_or(720);
        let day_start = from.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(from);
        let offset = (from - day_start).num_minutes();
        let mut t = day_start + Duration::minutes((offset + step - 1) / step * step);
        let mut out: Vec<Tick> = Vec::new();
        while t <= to {
            let new_day = out.last().is_none_or(|p| p.time.date_naive() != t.date_naive());
            out.push(Tick {
                time: t,
                label: t.format("%H:%M").to_string(),
                major: new_day.then(|| t.format("%b %d %Y").to_string()),
            });
            t += Duration::minutes(step);
        }
        return (out, if step < 60 { "minutes" } else { "hours" });
    }
    if days <= 16 {
        let dates = every_day(from, to, 1);
        (label(dates, "%d", |d, p| p.is_none_or(|p| p.month() != d.month()), "%b %Y"), "days")
    } else if days <= 100 {
        let first = from.date_naive().week(Weekday::Mon).first_day();
        let dates = every_day_from(first, from, to, 7);
        (label(dates, "%b %d", |d, p| p.is_none_or(|p| p.year() != d.year()), "%Y"), "weeks")
    } else if days <= 1300 {
        let dates = every_month(from, to, 1);
        (label(dates, "%b", |d, p| p.is_none() || d.month() == 1, "%Y"), "months")
    } else if days <= 3700 {
        let dates = every_month(from, to, 3);
        (label(dates, "%b", |d, p| p.is_none() || d.month() == 1, "%Y"), "quarters")
    } else {
        let years = f64::from(to.year() - from.year()).max(1.0);
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].into_iter().find(|s| years / f64::from(*s) <= 15.0);
        let step = step.unwrap_or(1000);
        let first = from.year().div_euclid(step) * step;
        let dates = (0..)
            .map(|k| first + k * step)
            .take_while(|y| *y <= to.year())
            .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
            .filter(|d| in_range(*d, from, to))
            .collect();
        (label(dates, "%Y", |_, _| false, ""), "years")
    }
}

fn in_range(d: NaiveDate, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    d.and_hms_opt(0, 0, 0).is_some_and(|t| t.and_utc() >= from && t.and_utc() <= to)
}

fn every_day(from: DateTime<Utc>, to: DateTime<Utc>, step: i64) -> Vec<NaiveDate> {
    every_day_from(from.date_naive(), from, to, step)
}

fn every_day_from(first: NaiveDate, from: DateTime<Utc>, to: DateTime<Utc>, step: i64) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= to.date_naive() {
        if in_range(d, from, to) {
            out.push(d);
        }
        d += Duration::days(step);
    }
    out
}

fn every_month(from: DateTime<Utc>, to: DateTime<Utc>, step: u32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let (mut year, mut month) = (from.year(), from.month0() / step * step);
    while let Some(d) = NaiveDate::from_ymd_opt(year, month + 1, 1) {
        if d > to.date_naive() {
            break;
        }
        if in_range(d, from, to) {
            out.push(d);
        }
        month += step;
        if month >= 12 {
            month -= 12;
            year += 1;
        }
    }
    out
}

fn label(
    dates: Vec<NaiveDate>,
    format: &str,
    major_at: impl Fn(NaiveDate, Option<NaiveDate>) -> bool,
    major_format: &str,
) -> Vec<Tick> {
    let mut previous = None;
    let mut out = Vec::with_capacity(dates.len());
    for d in dates {
        let major = major_at(d, previous).then(|| d.format(major_format).to_string());
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            out.push(Tick { time: t.and_utc(), label: d.format(format).to_string(), major });
        }
        previous = Some(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()).unwrap()
    }

    #[test]
    fn months_for_a_year_with_the_year_under_january() {
        let (t, unit) = ticks(at(2008, 8, 20), at(2009, 10, 5));
        assert_eq!(unit, "months");
        assert_eq!(t.len(), 14); // Sep 2008 .. Oct 2009
        assert_eq!((t[0].label.as_str(), t[0].major.as_deref()), ("Sep", Some("2008")));
        assert_eq!(t[4].label, "Jan");
        assert_eq!(t[4].major.as_deref(), Some("2009"));
        assert_eq!(t[5].major, None);
    }

    #[test]
    fn hours_and_minutes_for_short_spans() {
        let from = at(2026, 11, 25) + Duration::hours(6) + Duration::minutes(28);
        let (t, unit) = ticks(from, from + Duration::hours(2));
        assert_eq!(unit, "minutes");
        assert!(t.len() >= 4 && t.len() <= 16, "{t:?}");
        assert_eq!(t[0].label, "06:30");
        assert_eq!(t[0].major.as_deref(), Some("Nov 25 2026"));
        let (t, unit) = ticks(from, from + Duration::hours(30));
        assert_eq!(unit, "hours");
        assert!(t.iter().any(|t| t.label == "00:00" && t.major.as_deref() == Some("Nov 26 2026")), "{t:?}");
    }

    #[test]
    fn weeks_days_and_decades() {
        let (t, unit) = ticks(at(2009, 3, 1), at(2009, 4, 20));
        assert_eq!(unit, "weeks");
        assert!(t.iter().all(|t| t.time.weekday() == Weekday::Mon));
        assert_eq!(ticks(at(2009, 3, 1), at(2009, 3, 5)).0.len(), 5);
        let (t, unit) = ticks(at(1965, 6, 1), at(1996, 1, 1));
        assert_eq!(unit, "years");
        assert_eq!(
            t.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
            ["1970", "1975", "1980", "1985", "1990", "1995"]
        );
        let (t, unit) = ticks(at(2001, 2, 1), at(2007, 1, 1));
        assert_eq!(unit, "quarters");
        assert!(t.iter().all(|t| [1, 4, 7, 10].contains(&t.time.month())));
    }
}
