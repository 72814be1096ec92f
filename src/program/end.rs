//! [`ProgramEnd`]: how a run of the program ended, and signals in a beginner's words.

use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// How the program's process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// `exit(code)`.
    Code(i32),
    /// Killed by this signal number.
    Signal(i32),
}

/// The end of a run of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramEnd {
    /// Exit code or signal.
    pub exit: ExitKind,
    /// The signal the grader sent to stop it, if the grader stopped it.
    pub stopped_with: Option<i32>,
}

impl ProgramEnd {
    pub(super) fn from_status(status: ExitStatus) -> ExitKind {
        match (status.code(), status.signal()) {
            (Some(code), _) => ExitKind::Code(code),
            (None, Some(signal)) => ExitKind::Signal(signal),
            (None, None) => ExitKind::Code(-1),
        }
    }

    /// Whether the program ended on its own (not stopped by the grader).
    pub fn ended_by_itself(&self) -> bool {
        self.stopped_with.is_none()
    }
}

impl fmt::Display for ProgramEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.stopped_with, self.exit) {
            (Some(sent), ExitKind::Signal(got)) if sent == got => {
                write!(f, "stopped by the grader with {}", signal_words(sent))
            }
            (Some(sent), ExitKind::Code(code)) => write!(
                f,
                "stopped by the grader with {} (exit code {code})",
                signal_words(sent)
            ),
            (Some(sent), ExitKind::Signal(got)) => write!(
                f,
                "stopped by the grader with {}, ended by {}",
                signal_words(sent),
                signal_name(got)
            ),
            (None, ExitKind::Code(code)) => write!(f, "ended by itself with exit code {code}"),
            (None, ExitKind::Signal(signal)) => {
                write!(f, "crashed: killed by {}", signal_words(signal))
            }
        }
    }
}

/// `SIGINT` and friends by number.
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGPIPE => "SIGPIPE".into(),
        libc::SIGXCPU => "SIGXCPU".into(),
        libc::SIGXFSZ => "SIGXFSZ".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGFPE => "SIGFPE".into(),
        libc::SIGHUP => "SIGHUP".into(),
        other => format!("signal {other}"),
    }
}

/// A signal with a beginner's gloss: `Ctrl-C (SIGINT)`, `SIGXCPU (CPU time limit)`.
pub fn signal_words(signal: i32) -> String {
    let gloss = match signal {
        libc::SIGINT => return "Ctrl-C (SIGINT)".into(),
        libc::SIGXCPU => " (CPU time limit reached)",
        libc::SIGXFSZ => " (file size limit reached)",
        libc::SIGSEGV => " (segmentation fault)",
        libc::SIGPIPE => " (wrote to a closed connection)",
        _ => "",
    };
    format!("{}{gloss}", signal_name(signal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_end_reads_like_a_sentence() {
        let interrupted = ProgramEnd {
            exit: ExitKind::Signal(libc::SIGINT),
            stopped_with: Some(libc::SIGINT),
        };
        assert_eq!(
            interrupted.to_string(),
            "stopped by the grader with Ctrl-C (SIGINT)"
        );
        let crashed = ProgramEnd {
            exit: ExitKind::Code(1),
            stopped_with: None,
        };
        assert_eq!(crashed.to_string(), "ended by itself with exit code 1");
    }
}
