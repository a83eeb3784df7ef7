//! Times as people type them in filters (`--since`, `--until`, the UI's date fields): an RFC
//! 3339 time, a date or a date and time (read as UTC), or a span back from now (`90s`, `30m`,
//! `2h`, `7d`, `2w`).

use crate::CoreError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// The instant `text` names, relative spans counted back from `now`.
pub fn parse_instant(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CoreError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at.and_utc());
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).map_or(now, |at| at.and_utc()));
    }
    if let Some(at) = parse_span(text).and_then(|span| now.checked_sub_signed(span)) {
        return Ok(at);
    }
    Err(CoreError::InvalidInput(format!(
        "{text:?} is not a time: use a date (2026-12-02), a date and time (2026-12-02T08:00:00Z; \
         without a zone it is UTC) or a span back from now (90s, 30m, 2h, 7d, 2w)"
    )))
}

/// An instant ahead (a snooze's end): a span counts forward from `now`, anything else as in
/// [`parse_instant`].
pub fn parse_until(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CoreError> {
    match parse_span(text.trim()).and_then(|span| now.checked_add_signed(span)) {
        Some(at) => Ok(at),
        None => parse_instant(text, now),
    }
}

/// `2h` and the like; `None` for anything else (or a span too long to subtract).
fn parse_span(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    Duration::try_seconds(number.checked_mul(seconds)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0)
            .single()
            .expect("a time")
    }

    #[test]
    fn dates_date_times_and_spans_back_from_now_are_accepted() {
        let at = |text| parse_instant(text, now()).expect(text);
        assert_eq!(
            at("2026-12-02"),
            Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("2026-12-01T08:30:00Z"),
            Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap()
        );
        assert_eq!(
            at("2026-12-01T09:30:00+01:00"),
            Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap()
        );
        assert_eq!(
            at("2026-12-01 08:30"),
            Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap()
        );
        assert_eq!(at("2h"), now() - Duration::hours(2));
        assert_eq!(at("7d"), now() - Duration::days(7));
        assert_eq!(at("30m"), now() - Duration::minutes(30));
    }

    #[test]
    fn anything_else_is_refused_with_the_spellings_that_work() {
        for text in [
            "yesterday",
            "2026-13-01",
            "2x",
            "h",
            "",
            "99999999999999999999d",
        ] {
            let err = parse_instant(text, now()).expect_err(text);
            assert!(err.to_string().contains("2026-12-02"), "{err}");
        }
    }
}
