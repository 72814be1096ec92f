//! `{now}` in an expected text: the local time as `HH:MM:SS`, so that a time server's reply
//! can be checked to be current and not only well formed.
//!
//! `{now}` may stand in `contains` (of `expect`, `expect_all`, `expect_datagram`), in `line`
//! (of `expect`) and in `contains` of `expect_output`. When the step starts, its matcher is
//! made concrete ([`Matcher::at_times`], [`OutputMatcher::at_times`]): one matcher of the same
//! kind per second from [`SLACK`] before the wait to [`SLACK`] after it, any of which may
//! match, so `{now}` is matched as the rest of the text is (a wrong line still fails at once,
//! output is still folded). The time is the program's clock: the run sees the host's
//! `/etc/localtime` and the grader's `TZ`. The slack covers a clock that ticks between the
//! program reading it and the grader's check; a reply an hour off, or one computed at start-up
//! and sent minutes later, fails.

use std::time::Duration;

use chrono::{DateTime, Local, TimeDelta};

use super::matchers::{Matcher, OutputMatcher};

/// The placeholder.
pub const NOW: &str = "{now}";

/// How far before and after the wait a time may be.
pub const SLACK: Duration = Duration::from_secs(2);

/// Whether `text` uses the placeholder.
pub fn mentions_now(text: &str) -> bool {
    text.contains(NOW)
}

/// Every `HH:MM:SS` from [`SLACK`] before `start` to [`SLACK`] after the end of a wait of
/// `wait` (a part of a second counts as a second).
pub fn clock_times(start: DateTime<Local>, wait: Duration) -> Vec<String> {
    let slack = SLACK.as_secs() as i64;
    let wait_seconds = wait.as_secs() as i64 + i64::from(wait.subsec_nanos() > 0);
    let first = start - TimeDelta::seconds(slack);
    (0..=wait_seconds + 2 * slack)
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

/// `text` with `{now}` standing for each of `times` in turn.
fn each_time<'t>(text: &'t str, times: &'t [String]) -> impl Iterator<Item = String> + 't {
    times.iter().map(move |time| text.replace(NOW, time))
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

    /// This matcher with `{now}` standing for any one of `times` (unchanged without `{now}`):
    /// the same kind of matcher once per time, any of which may match.
    pub fn at_times(&self, times: &[String]) -> Matcher {
        match self {
            Matcher::Contains(needle) if self.mentions_now() => {
                let text = String::from_utf8_lossy(needle);
                Matcher::AnyOf(
                    each_time(&text, times)
                        .map(|text| Matcher::Contains(text.into_bytes()))
                        .collect(),
                )
            }
            Matcher::Line(line) if self.mentions_now() => {
                Matcher::AnyOf(each_time(line, times).map(Matcher::Line).collect())
            }
            other => other.clone(),
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
            OutputMatcher::Contains(text) if mentions_now(text) => OutputMatcher::AnyOf(
                each_time(text, times)
                    .map(OutputMatcher::Contains)
                    .collect(),
            ),
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
        assert_eq!(times.last().map(String::as_str), Some("12:00:05"));
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
        // A wrong line is wrong at once, as without `{now}`.
        assert_eq!(check(&line, b"x 12:00:00\n", 0), MatchState::Mismatch);
    }

    #[test]
    fn output_contains_now_folds_like_other_output() {
        let times = clock_times(noon(), Duration::from_secs(1));
        let matcher = OutputMatcher::Contains("Time: {now}".into()).at_times(&times);
        let mut checked = 0;
        assert!(find_output(&matcher, "TIME:12:00:02\n", false, &mut checked).is_some());
        let chinese = OutputMatcher::Contains("时间: {now}".into()).at_times(&times);
        assert!(find_output(&chinese, "时间：12:00:01\n", false, &mut checked).is_some());
        assert!(find_output(&matcher, "time: 13:00:02\n", false, &mut checked).is_none());
    }

    #[test]
    fn a_matcher_without_now_is_left_alone() {
        let matcher = Matcher::Contains(b"Thanks".to_vec());
        assert!(!matcher.mentions_now());
        assert!(matches!(matcher.at_times(&[]), Matcher::Contains(_)));
    }
}
