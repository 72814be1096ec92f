//! Whether the bytes received so far satisfy a [`Matcher`]: [`check`].
//!
//! Pure and incremental: the client calls it after every read, so a reply that TCP delivers
//! in several pieces is matched once enough has arrived, and a wrong reply is reported as soon
//! as it can no longer become right (no waiting out the timeout).

use crate::plan::Matcher;

/// The result of checking the received bytes against a matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchState {
    /// Satisfied; this many bytes from the front are the match and are consumed.
    Matched(usize),
    /// Not yet: more bytes could still satisfy it.
    NeedMore,
    /// Can never be satisfied by what follows.
    Mismatch,
}

/// Checks `received` (everything not yet consumed) against `matcher`.
///
/// `checked` is how many bytes of `received` an earlier call already examined without a
/// match; `contains` and `line` resume from there, so a long stream costs linear time, not
/// quadratic (a program flooding the client must hit the buffer cap, not a timeout).
pub fn check(matcher: &Matcher, received: &[u8], checked: usize) -> MatchState {
    let checked = checked.min(received.len());
    match matcher {
        Matcher::Exact(expected) => prefix_state(expected, received),
        Matcher::Contains(needle) => {
            let from = checked.saturating_sub(needle.len() - 1);
            received[from..]
                .windows(needle.len())
                .position(|window| window == needle.as_slice())
                .map_or(MatchState::NeedMore, |at| {
                    MatchState::Matched(from + at + needle.len())
                })
        }
        Matcher::Regex(pattern) => pattern
            .find(received)
            .map_or(MatchState::NeedMore, |found| {
                MatchState::Matched(found.end())
            }),
        Matcher::Line(expected) => match received[checked..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|at| checked + at)
        {
            Some(end) => {
                let line = &received[..end];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line == expected.as_bytes() {
                    MatchState::Matched(end + 1)
                } else {
                    MatchState::Mismatch
                }
            }
            None => {
                let with_cr = format!("{expected}\r");
                if with_cr.as_bytes().starts_with(received) {
                    MatchState::NeedMore
                } else {
                    MatchState::Mismatch
                }
            }
        },
        Matcher::Count(count) if received.len() >= *count => MatchState::Matched(*count),
        Matcher::Count(_) => MatchState::NeedMore,
    }
}

fn prefix_state(expected: &[u8], received: &[u8]) -> MatchState {
    if received.len() >= expected.len() {
        if received.starts_with(expected) {
            MatchState::Matched(expected.len())
        } else {
            MatchState::Mismatch
        }
    } else if expected.starts_with(received) {
        MatchState::NeedMore
    } else {
        MatchState::Mismatch
    }
}

/// Index of the first byte where `received` differs from `expected` (for reports).
pub fn first_difference(expected: &[u8], received: &[u8]) -> usize {
    expected
        .iter()
        .zip(received)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(received.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Matcher {
        Matcher::Exact(text.as_bytes().to_vec())
    }

    #[test]
    fn exact_waits_for_a_split_reply_and_fails_fast_on_a_wrong_one() {
        assert_eq!(check(&exact("Thanks"), b"Tha", 0), MatchState::NeedMore);
        assert_eq!(
            check(&exact("Thanks"), b"Thanks", 0),
            MatchState::Matched(6)
        );
        assert_eq!(
            check(&exact("Thanks"), b"Thanks!", 0),
            MatchState::Matched(6)
        );
        assert_eq!(check(&exact("Thanks"), b"thanks", 0), MatchState::Mismatch);
        assert_eq!(check(&exact("Thanks"), b"b'Th", 0), MatchState::Mismatch);
    }

    #[test]
    fn contains_and_regex_consume_through_the_match() {
        let contains = Matcher::Contains(b"ok".to_vec());
        assert_eq!(check(&contains, b"is it o", 0), MatchState::NeedMore);
        assert_eq!(check(&contains, b"is it ok?", 0), MatchState::Matched(8));
        let regex = Matcher::Regex(regex::bytes::Regex::new(r"\d+\n").unwrap());
        assert_eq!(check(&regex, b"port 88", 0), MatchState::NeedMore);
        assert_eq!(
            check(&regex, b"port 8888\nrest", 0),
            MatchState::Matched(10)
        );
    }

    #[test]
    fn line_ignores_a_carriage_return() {
        let line = Matcher::Line("hello".into());
        assert_eq!(check(&line, b"hel", 0), MatchState::NeedMore);
        assert_eq!(check(&line, b"hello\r", 0), MatchState::NeedMore);
        assert_eq!(check(&line, b"hello\r\nnext", 0), MatchState::Matched(7));
        assert_eq!(check(&line, b"hellO", 0), MatchState::Mismatch);
        assert_eq!(check(&line, b"hello world\n", 0), MatchState::Mismatch);
    }

    #[test]
    fn resuming_finds_a_needle_split_across_reads() {
        let contains = Matcher::Contains(b"needle".to_vec());
        assert_eq!(check(&contains, b"hay nee", 0), MatchState::NeedMore);
        assert_eq!(check(&contains, b"hay needle!", 7), MatchState::Matched(10));
        let line = Matcher::Line("ok".into());
        assert_eq!(check(&line, b"o", 0), MatchState::NeedMore);
        assert_eq!(check(&line, b"ok\n", 1), MatchState::Matched(3));
    }

    #[test]
    fn count_needs_that_many_bytes() {
        assert_eq!(check(&Matcher::Count(3), b"ab", 0), MatchState::NeedMore);
        assert_eq!(
            check(&Matcher::Count(3), b"abcd", 0),
            MatchState::Matched(3)
        );
    }

    #[test]
    fn first_difference_points_at_the_byte() {
        assert_eq!(first_difference(b"abcdef", b"abXdef"), 2);
        assert_eq!(first_difference(b"abc", b"ab"), 2);
    }
}
