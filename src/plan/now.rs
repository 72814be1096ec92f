//! `{now}` in an expected text: the local time as `HH:MM:SS`, so that a time server's reply
//! can be checked to be current and not only well formed.
//!
//! `{now}` may stand in `contains` and `line` (of `expect`, `expect_all`, `expect_datagram`)
//! and in `contains` of `expect_output`. When the step starts, its matcher is made concrete
//! ([`Matcher::at_times`], [`OutputMatcher::at_times`]): `{now}` stands for any second from
//! [`SLACK`] before the wait to [`SLACK`] after it, as the program's own clock shows it (the
//! run sees the host's `/etc/localtime`). A second either side covers a clock that ticks
//! between the program reading it and the grader's check; a reply an hour off, or one
//! computed once at start-up and sent again minutes later, fails.

use std::time::Duration;

use chrono::{DateTime, Local, TimeDelta};

use super::matchers::{Matcher, OutputMatcher};

/// The placeholder.
pub const NOW: &str = "{now}";

/// How far before and after the wait a time may be.
pub const SLACK: Duration = Duration::from_secs(2);

/// At most this many distinct seconds are listed (a wait longer than an hour is not a clock
/// check any more).
const MOST_SECONDS: i64 = 3600;

/// Whether `text` uses the placeholder.
pub fn mentions_now(text: &str) -> bool {
    text.contains(NOW)
}

/// Every `HH:MM:SS` from [`SLACK`] before `start` to [`SLACK`] after `start + wait`.
pub fn clock_times(start: DateTime<Local>, wait: Duration) -> Vec<String> {
    let slack = SLACK.as_secs() as i64;
    let seconds = (wait.as_secs() as i64 + 1 + 2 * slack).min(MOST_SECONDS);
    let first = start - TimeDelta::seconds(slack);
    (0..=seconds)
        .map(|offset| {
            (first + TimeDelta::seconds(offset))
                .format("%H:%M:%S")
                .to_string()
        })
        .collect()
}

/// The times `{now}` may stand for during a wait of `wait` that starts now.
pub fn times_from_now(wait: Duration) -> Vec<String> {
    clock_times(Local::now(), wait)
}

/// A regular expression for `text` with each `{now}` standing for any one of `times`; the
/// rest of `text` is written by `literal`.
fn pattern(text: &str, times: &[String], literal: impl Fn(&str) -> String) -> String {
    let any_time = format!(
        "(?:{})",
        times
            .iter()
            .map(|time| regex::escape(time))
            .collect::<Vec<_>>()
            .join("|")
    );
    text.split(NOW)
        .map(literal)
        .collect::<Vec<_>>()
        .join(&any_time)
}

/// A literal that, like output matching, ignores whitespace and letter case: every character
/// escaped, any whitespace allowed between them.
fn folded_literal(text: &str) -> String {
    let characters: Vec<String> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| regex::escape(&c.to_string()))
        .collect();
    let mut written = characters.join(r"\s*");
    if !written.is_empty() {
        written = format!(r"\s*{written}\s*");
    }
    written
}

impl Matcher {
    /// Whether this expectation uses `{now}`.
    pub fn mentions_now(&self) -> bool {
        match self {
            Matcher::Contains(needle) => needle.windows(NOW.len()).any(|w| w == NOW.as_bytes()),
            Matcher::Line(line) => mentions_now(line),
            _ => false,
        }
    }

    /// This matcher with `{now}` standing for any one of `times` (unchanged without `{now}`).
    pub fn at_times(&self, times: &[String]) -> Matcher {
        let source = match self {
            Matcher::Contains(needle) if self.mentions_now() => {
                pattern(&String::from_utf8_lossy(needle), times, regex::escape)
            }
            Matcher::Line(line) if self.mentions_now() => {
                format!(r"\A{}\r?\n", pattern(line, times, regex::escape))
            }
            other => return other.clone(),
        };
        match regex::bytes::Regex::new(&source) {
            Ok(pattern) => Matcher::Regex(pattern),
            Err(_) => self.clone(),
        }
    }
}

impl OutputMatcher {
    /// Whether this expectation uses `{now}`.
    pub fn mentions_now(&self) -> bool {
        matches!(self, OutputMatcher::Contains(text) if mentions_now(text))
    }

    /// This matcher with `{now}` standing for any one of `times` (unchanged without `{now}`).
    pub fn at_times(&self, times: &[String]) -> OutputMatcher {
        match self {
            OutputMatcher::Contains(text) if mentions_now(text) => {
                let source = format!("(?i){}", pattern(text, times, folded_literal));
                match regex::Regex::new(&source) {
                    Ok(pattern) => OutputMatcher::Regex(pattern),
                    Err(_) => self.clone(),
                }
            }
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::plan::matchers::{MatchState, check, find_output};

    fn noon() -> DateTime<Local> {
        Local
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .single()
            .expect("a plain local time")
    }

    #[test]
    fn the_times_span_the_wait_and_the_slack() {
        let times = clock_times(noon(), Duration::from_secs(3));
        assert_eq!(times.first().map(String::as_str), Some("11:59:58"));
        assert_eq!(times.last().map(String::as_str), Some("12:00:06"));
    }

    #[test]
    fn contains_now_accepts_the_current_time_only() {
        let times = clock_times(noon(), Duration::from_secs(1));
        let matcher = Matcher::Contains(b"time: {now}".to_vec()).at_times(&times);
        assert_eq!(
            check(&matcher, b"the time: 12:00:01\n", 0),
            MatchState::Matched(18)
        );
        assert_eq!(
            check(&matcher, b"the time: 11:00:01\n", 0),
            MatchState::NeedMore
        );
        let line = Matcher::Line("{now}".into()).at_times(&times);
        assert_eq!(check(&line, b"12:00:00\r\n", 0), MatchState::Matched(10));
        assert_eq!(check(&line, b"x 12:00:00\n", 0), MatchState::NeedMore);
    }

    #[test]
    fn output_contains_now_folds_like_other_output() {
        let times = clock_times(noon(), Duration::from_secs(1));
        let matcher = OutputMatcher::Contains("Time: {now}".into()).at_times(&times);
        let mut checked = 0;
        assert!(find_output(&matcher, "TIME:12:00:02\n", false, &mut checked).is_some());
        assert!(find_output(&matcher, "time: 13:00:02\n", false, &mut checked).is_none());
    }

    #[test]
    fn a_matcher_without_now_is_left_alone() {
        let matcher = Matcher::Contains(b"Thanks".to_vec());
        assert!(!matcher.mentions_now());
        assert!(matches!(matcher.at_times(&[]), Matcher::Contains(_)));
    }
}
