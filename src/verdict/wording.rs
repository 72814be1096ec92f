//! Small pieces of wording the problem and step texts share: a duration, a list of
//! addresses, a list of answers ("`a`, `b` and `c`") in the current language.

use std::net::SocketAddr;
use std::time::Duration;

use crate::tr;

/// `` `system` and `user` ``, `` `a`, `b` and `c` `` (in the current language).
pub(super) fn answer_list(answers: &[String]) -> String {
    let quoted: Vec<String> = answers.iter().map(|a| format!("`{a}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!(
            "{}{}{last}",
            rest.join(&tr!("list-separator")),
            tr!("list-last-separator")
        ),
    }
}

pub(super) fn words(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

pub(super) fn addresses(found: &[SocketAddr]) -> String {
    found
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
