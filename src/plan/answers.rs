//! One input, one answer: [`AnswerSet`] (every answer a console program can give) and
//! [`judge_answer`], which reads a program's reaction to one input and says which answer it
//! gave — or that it gave several.
//!
//! A line *answers* when it ends with one of the possible answers (a prompt or a label before
//! it is fine: `port> system`, `端口类型：system`) and names no other: a menu or an explanation
//! that lists several classes (`types: well-known, system, user`) answers nothing. The answers
//! of a reaction are those of its answering lines; the program answered `expected` when that is
//! the only one. So printing every candidate, one per line, is several answers, not a pass.

use regex::Regex;

use super::TestPlan;
use super::action::{Action, ConsoleAction};
use super::matchers::{OutputMatcher, fold};

/// Every answer a console program can give.
#[derive(Debug, Clone)]
pub enum AnswerSet {
    /// These words (folded as console answers are: case, full-width forms).
    Words(Vec<String>),
    /// Whatever this (case-insensitive) pattern matches as a whole token.
    Pattern(Regex),
}

impl Default for AnswerSet {
    fn default() -> Self {
        AnswerSet::Words(Vec::new())
    }
}

/// What a reaction to one input answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Only `expected`; the reaction up to this byte (the end of the last answering line)
    /// is consumed.
    Answered(usize),
    /// `expected` and others, in the order printed.
    Several(Vec<String>),
    /// Not `expected` (perhaps something else, perhaps nothing).
    NotThere,
}

/// Whether `c` continues a word (an answer must stand on its own: `11.2.3.4` is not
/// `1.2.3.4`).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Every place `needle` (lowercase) stands as a whole token in `haystack` (lowercased).
fn whole_token_positions(haystack: &str, needle: &str) -> Vec<usize> {
    let mut found = Vec::new();
    if needle.is_empty() {
        return found;
    }
    let mut from = 0;
    while let Some(at) = haystack.get(from..).and_then(|rest| rest.find(needle)) {
        let start = from + at;
        let end = start + needle.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        if !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char) {
            found.push(start);
        }
        from = start + needle.len().max(1);
    }
    found
}

impl AnswerSet {
    /// A pattern set; `pattern` must compile.
    pub fn pattern(pattern: &str) -> Result<AnswerSet, regex::Error> {
        Regex::new(&format!("(?i)^(?:{pattern})$")).map(AnswerSet::Pattern)
    }

    /// The answers the complete lines of `output` give, each once, in order: a line gives an
    /// answer when it names exactly one of the set and ends with it (how the exercise's own
    /// reference's reaction to one input is read when it is the oracle).
    pub fn answers_given(&self, output: &str) -> Vec<String> {
        let mut given: Vec<String> = Vec::new();
        for line in output.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let text = line.trim_end_matches(['\n', '\r']);
            if let Some(answer) = self.answer_of(text, None)
                && !given.contains(&answer)
            {
                given.push(answer);
            }
        }
        given
    }

    /// The answers `line` names, in order, each once (lowercase); `expected` counts as one.
    fn named(&self, line: &str, expected: Option<&str>) -> Vec<String> {
        let lower = line.to_lowercase();
        let mut named: Vec<(usize, String)> = Vec::new();
        let mut note = |at: usize, answer: String| {
            if !named.iter().any(|(_, known)| *known == answer) {
                named.push((at, answer));
            }
        };
        match self {
            AnswerSet::Words(words) => {
                for word in words.iter().map(String::as_str).chain(expected) {
                    let word = word.to_lowercase();
                    if let Some(&at) = whole_token_positions(&lower, &word).first() {
                        note(at, word);
                    }
                }
            }
            AnswerSet::Pattern(pattern) => {
                // Tokens: runs of word characters, and runs of them joined by single spaces
                // (`c0 a8 01 02`), each tried whole.
                let tokens = tokens(&lower);
                for (at, token) in tokens {
                    if pattern.is_match(&token) {
                        note(at, token);
                    }
                }
                if let Some(expected) = expected.map(str::to_lowercase)
                    && let Some(&at) = whole_token_positions(&lower, &expected).first()
                {
                    note(at, expected);
                }
            }
        }
        named.sort_by_key(|(at, _)| *at);
        named.into_iter().map(|(_, answer)| answer).collect()
    }

    /// The answer `line` gives: the one it ends with, when it names no other.
    fn answer_of(&self, line: &str, expected: Option<&str>) -> Option<String> {
        let named = self.named(line, expected);
        let [only] = named.as_slice() else {
            return None;
        };
        let (folded_line, _) = fold(line);
        let (folded_answer, _) = fold(only);
        folded_line.ends_with(&folded_answer).then(|| only.clone())
    }
}

/// Whole tokens of `line` (lowercase): each run of word characters, and each run of such
/// tokens separated by single spaces (an answer may be `c0 a8 01 02`), with where it starts.
fn tokens(line: &str) -> Vec<(usize, String)> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (at, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                words.push((from, at));
                start = None;
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for first in 0..words.len() {
        let mut last = first;
        loop {
            found.push((
                words[first].0,
                line[words[first].0..words[last].1].to_owned(),
            ));
            let joined_by_one_space = words
                .get(last + 1)
                .is_some_and(|next| &line[words[last].1..next.0] == " ");
            // Bounded: an answer is a few tokens long.
            if !joined_by_one_space || last - first >= 8 {
                break;
            }
            last += 1;
        }
    }
    found
}

/// What `output` — the program's reaction to one input, as far as it got — answers when
/// `expected` is the right answer. `ended` says the stream is over (its last line counts
/// without a newline).
pub fn judge_answer(answers: &AnswerSet, expected: &str, output: &str, ended: bool) -> Judgement {
    let expected_folded = expected.to_lowercase();
    let mut given: Vec<String> = Vec::new();
    let mut end_of_expected = None;
    let mut offset = 0;
    for line in output.split_inclusive('\n') {
        let line_end = offset + line.len();
        offset = line_end;
        if !(line.ends_with('\n') || ended) {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        let Some(answer) = answers.answer_of(text, Some(expected)) else {
            continue;
        };
        if fold(&answer).0 == fold(&expected_folded).0 {
            end_of_expected = Some(line_end);
        }
        if !given.contains(&answer) {
            given.push(answer);
        }
    }
    match (end_of_expected, given.len()) {
        (Some(end), 1) => Judgement::Answered(end),
        (Some(_), _) => Judgement::Several(given),
        (None, _) => Judgement::NotThere,
    }
}

/// Every `answer` the tests expect: the possible answers when the spec does not list them.
pub(super) fn expected_answers(tests: &[TestPlan]) -> Vec<String> {
    let mut answers: Vec<String> = Vec::new();
    for step in tests.iter().flat_map(|test| &test.steps) {
        if let Action::Console(ConsoleAction::ExpectOutput {
            matcher: OutputMatcher::Answer(answer),
            ..
        }) = &step.action
            && !answers.contains(answer)
        {
            answers.push(answer.clone());
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> AnswerSet {
        AnswerSet::Words(
            ["well-known", "system", "user", "invalid"]
                .map(String::from)
                .to_vec(),
        )
    }

    #[test]
    fn a_references_answers_are_read_from_its_complete_lines() {
        let answers = classes();
        assert_eq!(
            answers.answers_given("Enter a port:\nport> system\nport> "),
            ["system"]
        );
        assert_eq!(answers.answers_given("checking...\n"), Vec::<String>::new());
        assert_eq!(answers.answers_given("user\nsystem\n"), ["user", "system"]);
        assert_eq!(answers.answers_given("system"), Vec::<String>::new());
    }

    #[test]
    fn one_answer_after_a_prompt_or_a_label_passes() {
        let answers = classes();
        assert_eq!(
            judge_answer(&answers, "system", "port> system\nport> ", false),
            Judgement::Answered(13)
        );
        assert_eq!(
            judge_answer(&answers, "system", "端口类型：SYSTEM\n", false),
            Judgement::Answered("端口类型：SYSTEM\n".len())
        );
    }

    #[test]
    fn a_menu_or_an_explanation_before_the_answer_is_fine() {
        let answers = classes();
        let reaction = "classes: well-known, system, user, invalid\n1023 is in 256-1023\nsystem\n";
        assert_eq!(
            judge_answer(&answers, "system", reaction, false),
            Judgement::Answered(reaction.len())
        );
    }

    #[test]
    fn every_candidate_printed_is_several_answers() {
        let answers = classes();
        let reaction = "well-known\nsystem\nuser\ninvalid\nport> ";
        assert_eq!(
            judge_answer(&answers, "system", reaction, false),
            Judgement::Several(
                ["well-known", "system", "user", "invalid"]
                    .map(String::from)
                    .to_vec()
            )
        );
        // The same answer twice is still one answer.
        assert!(matches!(
            judge_answer(&answers, "user", "user\nuser\n", false),
            Judgement::Answered(10)
        ));
    }

    #[test]
    fn a_wrong_answer_or_none_is_not_there() {
        let answers = classes();
        assert_eq!(
            judge_answer(&answers, "system", "port> user\n", false),
            Judgement::NotThere
        );
        assert_eq!(
            judge_answer(&answers, "system", "port> ", false),
            Judgement::NotThere
        );
        // A word inside another is not an answer: `users` is not `user`.
        assert_eq!(
            judge_answer(&answers, "user", "for users\n", false),
            Judgement::NotThere
        );
    }

    #[test]
    fn a_pattern_recognises_numbers_and_multi_word_answers() {
        let ports = AnswerSet::pattern(r"\d+|unknown").unwrap();
        assert_eq!(
            judge_answer(&ports, "3306", "service> 3306\n", false),
            Judgement::Answered(14)
        );
        assert_eq!(
            judge_answer(&ports, "80", "80\n8080\n443\n", false),
            Judgement::Several(["80", "8080", "443"].map(String::from).to_vec())
        );
        let bytes = AnswerSet::pattern(r"(?:[0-9a-f]{2} ){3}[0-9a-f]{2}|error").unwrap();
        assert_eq!(
            judge_answer(&bytes, "c0 a8 01 02", "hex: c0 a8 01 02\n", false),
            Judgement::Answered(17)
        );
        assert!(matches!(
            judge_answer(&bytes, "c0 a8 01 02", "c0 a8 01 02\nerror\n", false),
            Judgement::Several(_)
        ));
    }

    #[test]
    fn the_last_line_counts_once_the_stream_ends() {
        let answers = classes();
        assert_eq!(
            judge_answer(&answers, "user", "user", false),
            Judgement::NotThere
        );
        assert_eq!(
            judge_answer(&answers, "user", "user", true),
            Judgement::Answered(4)
        );
    }
}
