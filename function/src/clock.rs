//! Dates and times in Asia/Shanghai, and working-day arithmetic for due dates.
//!
//! China has used UTC+8 all year since 1991, so a fixed offset is exact and no time-zone
//! database is needed. Working days follow the site's calendar: weekends and listed holidays are
//! off, listed make-up workdays (调休上班) are on.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::manifest::Calendar;

const SHANGHAI_OFFSET_SECS: i64 = 8 * 3600;

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A calendar date, Asia/Shanghai: the one date type of the generator and the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// Why a text is not a date (English; the callers add where it was written).
const NOT_A_DATE: &str = "a date is written YYYY-MM-DD, like 2026-10-05";

impl Date {
    /// The Asia/Shanghai date at a Unix time.
    pub fn shanghai(unix: i64) -> Date {
        Date::from_days((unix + SHANGHAI_OFFSET_SECS).div_euclid(86_400))
    }

    /// Parses `YYYY-MM-DD` (surrounding white space ignored); the error says what is wrong.
    pub fn parse(text: &str) -> Result<Date, &'static str> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if !text.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(NOT_A_DATE);
        }
        let number = |r: std::ops::Range<usize>| {
            let part = &text[r];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse::<u16>().map_err(|_| NOT_A_DATE)
            } else {
                Err(NOT_A_DATE)
            }
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        if !(1..=12).contains(&month) {
            return Err("the month must be 01 to 12");
        }
        let month = month as u8;
        if day == 0 || day > u16::from(days_in_month(year, month)) {
            return Err("that day does not exist in that month");
        }
        Ok(Date {
            year,
            month,
            day: day as u8,
        })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    pub fn next(self) -> Date {
        Date::from_days(self.days() + 1)
    }

    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        // 1970-01-01 was a Thursday: index 0 = Monday.
        (self.days() + 3).rem_euclid(7) >= 5
    }

    /// `YYYYMMDD`, for case numbers.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// The Chinese way of writing it: 2026年10月5日.
    pub fn chinese(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

/// Days in a month of the Gregorian calendar (`month` 1–12).
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// RFC 3339 time in +08:00, e.g. `2026-12-01T09:30:00+08:00`; sorts as text within the zone.
pub fn shanghai_timestamp(unix: i64) -> String {
    let local = unix + SHANGHAI_OFFSET_SECS;
    let date = Date::from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

impl Calendar {
    pub fn is_working_day(&self, date: Date) -> bool {
        let text = date.to_string();
        if self.workdays.contains(&text) {
            return true;
        }
        if self.holidays.contains(&text) {
            return false;
        }
        !date.is_weekend()
    }

    /// The date `days` working days after `from` (the day of submission itself never counts).
    /// A calendar that lists nothing but holidays cannot hang it: it gives up after ten years.
    pub fn add_working_days(&self, from: Date, days: u32) -> Date {
        const GIVE_UP_AFTER_DAYS: u32 = 3660;
        let mut date = from;
        let mut left = days.min(GIVE_UP_AFTER_DAYS);
        let mut walked = 0;
        while left > 0 && walked < GIVE_UP_AFTER_DAYS {
            date = date.next();
            walked += 1;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_date_turns_at_midnight_local_time() {
        // 2026-11-30T16:00:00Z is 2026-12-01 00:00 in Shanghai.
        let unix = Date::parse("2026-11-30").unwrap().days() * 86_400 + 16 * 3600;
        assert_eq!(Date::shanghai(unix).to_string(), "2026-12-01");
        assert_eq!(Date::shanghai(unix - 1).to_string(), "2026-11-30");
        assert_eq!(shanghai_timestamp(unix), "2026-12-01T00:00:00+08:00");
    }

    #[test]
    fn parse_rejects_impossible_dates() {
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2026-1-01").is_err());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("2026/10/01").is_err());
        assert!(Date::parse("2026-1０-01").is_err());
        assert_eq!(
            Date::parse(" 2024-02-29 ").unwrap().to_string(),
            "2024-02-29"
        );
    }

    #[test]
    fn due_dates_skip_weekends_and_holidays_and_count_make_up_days() {
        let calendar = Calendar {
            holidays: vec![
                "2026-10-01".into(),
                "2026-10-02".into(),
                "2026-10-05".into(),
            ],
            workdays: vec!["2026-10-10".into()],
        };
        // Tuesday 2026-09-29 + 3 working days: 30 Sep, (1, 2 holidays, 3-4 weekend, 5 holiday)
        // 6 Oct, 7 Oct.
        let from = Date::parse("2026-09-29").unwrap();
        assert_eq!(calendar.add_working_days(from, 3).to_string(), "2026-10-07");
        // Friday 2026-10-09 + 1: Saturday 10 Oct is a make-up workday.
        let from = Date::parse("2026-10-09").unwrap();
        assert_eq!(calendar.add_working_days(from, 1).to_string(), "2026-10-10");
        assert!(Date::parse("2026-12-05").unwrap().is_weekend());
        assert!(!Date::parse("2026-12-04").unwrap().is_weekend());
    }
}
