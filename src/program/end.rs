//! [`ProgramEnd`]: how a run of the program ended, and signals in a beginner's words.

use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use crate::tr;

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
        let words = match (self.stopped_with, self.exit) {
            (Some(sent), ExitKind::Signal(got)) if sent == got => {
                tr!("end-stopped", signal = signal_words(sent))
            }
            (Some(sent), ExitKind::Code(code)) => {
                tr!("end-stopped-code", signal = signal_words(sent), code = code)
            }
            (Some(sent), ExitKind::Signal(got)) => tr!(
                "end-stopped-by",
                signal = signal_words(sent),
                by = signal_name(got)
            ),
            (None, ExitKind::Code(code)) => tr!("end-exited", code = code),
            (None, ExitKind::Signal(signal)) => {
                tr!("end-crashed", signal = signal_words(signal))
            }
        };
        f.write_str(&words)
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

/// A signal with a beginner's gloss: `Ctrl-C (SIGINT)`, `SIGXCPU (CPU time limit reached)`.
pub fn signal_words(signal: i32) -> String {
    let name = signal_name(signal);
    match signal {
        libc::SIGINT => tr!("signal-interrupt"),
        libc::SIGXCPU => tr!("signal-cpu", name = name),
        libc::SIGXFSZ => tr!("signal-file-size", name = name),
        libc::SIGSEGV => tr!("signal-segfault", name = name),
        libc::SIGPIPE => tr!("signal-pipe", name = name),
        _ => name,
    }
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
