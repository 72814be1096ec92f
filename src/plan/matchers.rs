//! What an expectation accepts: [`Matcher`] (bytes from a connection or a datagram) and
//! [`OutputMatcher`] (what the program prints), with the matching itself.
//!
//! The matching is pure and incremental. [`check`] is asked after every read, so a reply that
//! TCP delivers in several pieces is matched once enough has arrived, and a wrong reply is
//! reported as soon as it can no longer become right (no waiting out the timeout).
//! [`find_output`] is tolerant where beginners vary without meaning to: a prompt before the
//! answer (`Msg>>`), a space more or less, a full-width colon from a Chinese keyboard
//! (`结果：`), `C0A8` or `c0a8` — both the expectation and the output are [`fold`]ed (whitespace
//! dropped, full-width forms made ASCII, ASCII lowercased). Regexes see the raw text.

/// What an `expect` or `expect_datagram` step accepts.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The next bytes are exactly these.
    Exact(Vec<u8>),
    /// The received bytes contain these.
    Contains(Vec<u8>),
    /// The received bytes match this pattern.
    Regex(regex::bytes::Regex),
    /// The next line equals this (without its `\n` / `\r\n`).
    Line(String),
    /// This reply, with or without a line end after it (`Thanks` and `Thanks\n` both do): the
    /// course's servers send no line end, others do. A line end that follows is consumed.
    Reply(Vec<u8>),
    /// This many bytes arrive.
    Count(usize),
    /// Any one of these (`{now}` made concrete: one matcher per second it may stand for).
    AnyOf(Vec<Matcher>),
}

/// What an `expect_output` step accepts. Text is [`fold`]ed except for `Regex`.
#[derive(Debug, Clone)]
pub enum OutputMatcher {
    /// The output contains this.
    Contains(String),
    /// The output contains these, in order.
    Keywords(Vec<String>),
    /// The raw output matches this.
    Regex(regex::Regex),
    /// A line ends with this answer (as a whole word).
    Answer(String),
    /// Any one of these (`{now}` made concrete: one matcher per second it may stand for).
    AnyOf(Vec<OutputMatcher>),
}

impl OutputMatcher {
    /// The matcher with `{hostname}` replaced by the run's host name.
    pub fn with_hostname(&self, hostname: &str) -> OutputMatcher {
        let fill = |text: &String| text.replace("{hostname}", hostname);
        match self {
            OutputMatcher::Contains(text) => OutputMatcher::Contains(fill(text)),
            OutputMatcher::Keywords(words) => {
                OutputMatcher::Keywords(words.iter().map(fill).collect())
            }
            OutputMatcher::Answer(text) => OutputMatcher::Answer(fill(text)),
            OutputMatcher::Regex(regex) => OutputMatcher::Regex(regex.clone()),
            OutputMatcher::AnyOf(each) => {
                OutputMatcher::AnyOf(each.iter().map(|m| m.with_hostname(hostname)).collect())
            }
        }
    }
}

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
        Matcher::Reply(expected) => prefix_state(expected, received),
        Matcher::Count(count) if received.len() >= *count => MatchState::Matched(*count),
        Matcher::Count(_) => MatchState::NeedMore,
        Matcher::AnyOf(each) => {
            let states: Vec<MatchState> =
                each.iter().map(|m| check(m, received, checked)).collect();
            let first_match = states
                .iter()
                .filter_map(|state| match state {
                    MatchState::Matched(end) => Some(*end),
                    _ => None,
                })
                .min();
            match first_match {
                Some(end) => MatchState::Matched(end),
                None if states.iter().all(|s| *s == MatchState::Mismatch) => MatchState::Mismatch,
                None => MatchState::NeedMore,
            }
        }
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

/// Whether a whole datagram is this reply (see [`Matcher::Reply`]).
pub fn is_reply(expected: &[u8], datagram: &[u8]) -> bool {
    let body = datagram
        .strip_suffix(b"\r\n")
        .or_else(|| datagram.strip_suffix(b"\n"))
        .unwrap_or(datagram);
    body == expected
}

/// Index of the first byte where `received` differs from `expected` (for reports).
pub fn first_difference(expected: &[u8], received: &[u8]) -> usize {
    expected
        .iter()
        .zip(received)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(received.len()))
}

/// Whether `matcher` accepts all of `received` (everything a connection carried before it
/// closed, or a whole file): `Exact`, `Reply` and `Count` must be all of it, `Contains` and
/// `Regex` may match inside it, `Line` must be its only line.
pub fn matches_whole(matcher: &Matcher, received: &[u8]) -> bool {
    match matcher {
        Matcher::Exact(expected) => received == expected.as_slice(),
        Matcher::Reply(expected) => is_reply(expected, received),
        Matcher::Count(count) => received.len() == *count,
        Matcher::Contains(_) | Matcher::Regex(_) => {
            matches!(check(matcher, received, 0), MatchState::Matched(_))
        }
        Matcher::Line(_) => check(matcher, received, 0) == MatchState::Matched(received.len()),
        Matcher::AnyOf(each) => each.iter().any(|m| matches_whole(m, received)),
    }
}

/// Folds `text` for comparison. Returns the folded text and, for each of its bytes, the byte
/// range in `text` of the character it came from (to map a match back to the output).
pub fn fold(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (start, c) in text.char_indices() {
        let c = fold_char(c);
        if c.is_whitespace() {
            continue;
        }
        let end = start + text[start..].chars().next().map_or(1, char::len_utf8);
        folded.push(c);
        origin.extend(std::iter::repeat_n((start, end), c.len_utf8()));
    }
    (folded, origin)
}

/// One character folded: full-width forms (U+FF01–U+FF5E) to ASCII, the ideographic space to
/// a space, the ideographic full stop and comma to `.` and `,`, ASCII to lowercase.
fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '。' => '.',
        '、' => ',',
        other => other,
    };
    c.to_ascii_lowercase()
}

/// Whether `c` continues a word: the character just before an `answer` must not, so that
/// `11.2.3.4` does not pass for `1.2.3.4` (non-ASCII letters, as in `结果`, do not count).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Where `matcher` is satisfied in `output` (not yet matched output): the number of bytes
/// the match consumes, or `None`. `ended` says the stream is over, so a last line without a
/// newline counts as a line.
///
/// `checked` carries, between calls on a growing `output`, how far complete lines have been
/// examined for an `answer` without a match, so a program that prints line after line costs
/// linear time; the other matchers look at everything again (whitespace folding lets a match
/// span any distance).
pub fn find_output(
    matcher: &OutputMatcher,
    output: &str,
    ended: bool,
    checked: &mut usize,
) -> Option<usize> {
    match matcher {
        OutputMatcher::Regex(pattern) => pattern.find(output).map(|found| found.end()),
        OutputMatcher::Contains(needle) => find_folded(output, needle, 0),
        OutputMatcher::AnyOf(each) => each
            .iter()
            .filter_map(|m| find_output(m, output, ended, &mut 0))
            .min(),
        OutputMatcher::Keywords(words) => {
            let mut consumed = 0;
            for word in words {
                consumed = find_folded(output, word, consumed)?;
            }
            Some(consumed)
        }
        OutputMatcher::Answer(answer) => {
            let (wanted, _) = fold(answer);
            let mut line_start = (*checked).min(output.len());
            for line in output.get(line_start..)?.split_inclusive('\n') {
                let line_end = line_start + line.len();
                let complete = line.ends_with('\n');
                let text = line.trim_end_matches(['\n', '\r']);
                if (complete || ended) && line_ends_with_answer(text, &wanted) {
                    return Some(line_end);
                }
                if complete {
                    *checked = line_end;
                }
                line_start = line_end;
            }
            None
        }
    }
}

/// The end (in `output`) of the first folded occurrence of `needle` at or after byte `from`.
fn find_folded(output: &str, needle: &str, from: usize) -> Option<usize> {
    let rest = output.get(from..)?;
    let (haystack, origin) = fold(rest);
    let (needle, _) = fold(needle);
    let at = haystack.find(&needle)?;
    let last = origin.get(at + needle.len() - 1)?;
    Some(from + last.1)
}

/// Whether the folded `line` ends with `wanted` and the answer starts a word in the original.
fn line_ends_with_answer(line: &str, wanted: &str) -> bool {
    let (folded, origin) = fold(line);
    if wanted.is_empty() || !folded.ends_with(wanted) {
        return false;
    }
    let start = folded.len() - wanted.len();
    let Some(&(original_start, _)) = origin.get(start) else {
        return false;
    };
    !line[..original_start]
        .chars()
        .next_back()
        .is_some_and(is_word_char)
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
    fn a_reply_matches_with_or_without_a_line_end() {
        let reply = Matcher::Reply(b"Thanks".to_vec());
        assert_eq!(check(&reply, b"Tha", 0), MatchState::NeedMore);
        assert_eq!(check(&reply, b"Thanks", 0), MatchState::Matched(6));
        assert_eq!(check(&reply, b"Thanks\n", 0), MatchState::Matched(6));
        assert_eq!(check(&reply, b"thanks", 0), MatchState::Mismatch);
        assert!(is_reply(b"Thanks", b"Thanks"));
        assert!(is_reply(b"Thanks", b"Thanks\r\n"));
        assert!(!is_reply(b"Thanks", b"Thanks!"));
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

    fn answer(text: &str) -> OutputMatcher {
        OutputMatcher::Answer(text.into())
    }

    #[test]
    fn folding_ignores_spaces_width_and_case() {
        assert_eq!(fold("结果： C0 A8").0, "结果:c0a8");
        assert_eq!(fold("Ｈｅｌｌｏ，ｗｏｒｌｄ").0, "hello,world");
    }

    #[test]
    fn contains_maps_back_to_the_original_bytes() {
        let output = "服务器回复：Thanks\nMsg>>";
        let matcher = OutputMatcher::Contains("回复: thanks".into());
        assert_eq!(
            find_output(&matcher, output, false, &mut 0),
            Some(output.find('\n').unwrap())
        );
        assert_eq!(
            find_output(
                &OutputMatcher::Contains("nope".into()),
                output,
                false,
                &mut 0
            ),
            None
        );
    }

    #[test]
    fn keywords_must_come_in_order() {
        let output = "localhost: 127.0.0.1\n";
        let forward = OutputMatcher::Keywords(vec!["localhost".into(), "127.0.0.1".into()]);
        let backward = OutputMatcher::Keywords(vec!["127.0.0.1".into(), "localhost".into()]);
        assert!(find_output(&forward, output, false, &mut 0).is_some());
        assert!(find_output(&backward, output, false, &mut 0).is_none());
    }

    #[test]
    fn an_answer_may_follow_a_prompt_but_not_a_longer_word() {
        assert_eq!(
            find_output(&answer("c0 a8 01 02"), "IP> C0A80102\nIP> ", false, &mut 0),
            Some(13)
        );
        assert_eq!(
            find_output(&answer("1.2.3.4"), "11.2.3.4\n", false, &mut 0),
            None
        );
        assert_eq!(
            find_output(&answer("user"), "superuser\n", false, &mut 0),
            None
        );
        assert_eq!(
            find_output(&answer("user"), "端口类型：user\n", false, &mut 0),
            Some(20)
        );
        assert_eq!(
            find_output(&answer("3306"), "请输入服务名:\n3306\n", false, &mut 0),
            Some(25)
        );
        // A line is only an answer once it is complete (or the program has ended).
        assert_eq!(find_output(&answer("user"), "user", false, &mut 0), None);
        assert_eq!(find_output(&answer("user"), "user", true, &mut 0), Some(4));
        assert_eq!(
            find_output(&answer("user"), "b'user'\n", false, &mut 0),
            None
        );
    }

    #[test]
    fn answer_search_resumes_after_the_lines_it_has_seen() {
        let mut checked = 0;
        assert_eq!(
            find_output(&answer("yes"), "no\nn", false, &mut checked),
            None
        );
        assert_eq!(checked, 3);
        assert_eq!(
            find_output(&answer("yes"), "no\nno\nyes\n", false, &mut checked),
            Some(10)
        );
    }
}
