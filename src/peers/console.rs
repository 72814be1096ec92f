//! The program's console as a peer: tolerant matching of what it prints ([`find_output`]).
//!
//! Beginners print the same answer in many shapes: a prompt before it (`Msg>>`), a space more
//! or less, a full-width colon from a Chinese keyboard (`结果：`), `C0A8` or `c0a8`. Matching
//! therefore [`fold`]s both the expectation and the output: whitespace is dropped, full-width
//! forms become their ASCII twins, ASCII letters become lowercase. Regexes see the raw text.

use crate::plan::OutputMatcher;

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
