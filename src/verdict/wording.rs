//! Small pieces of wording the problem and step texts share: a duration, a list of
//! addresses, a list of answers ("`a`, `b` and `c`"), what an idle program waits for and
//! which transport, in the current language.

use std::net::SocketAddr;
use std::time::Duration;

use crate::tr;

/// What an idle program waits for: said in the message, so a student knows where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// A line from the keyboard (`input()`, reading stdin).
    Keyboard,
    /// The network (`accept`, `recv`, a `select` without a timeout).
    Network,
}

impl Waiting {
    /// "waiting for input from the keyboard (input())".
    pub fn words(self) -> String {
        match self {
            Waiting::Keyboard => tr!("waiting-keyboard"),
            Waiting::Network => tr!("waiting-network"),
        }
    }
}

/// TCP or UDP, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP: the program listens.
    Tcp,
    /// UDP: the program binds.
    Udp,
}

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
