//! The resource limits a run hit ([`LimitHit`]), in words.

use std::fmt;

use crate::program::LimitHit;
use crate::sandbox::show_size;

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LimitHit::Cpu(limit) => write!(
                f,
                "CPU time limit ({}) reached",
                humantime::format_duration(limit)
            ),
            LimitHit::Memory(bytes) => write!(f, "memory limit ({}) reached", show_size(bytes)),
            LimitHit::Processes(count) => write!(
                f,
                "process limit ({count} processes and threads) reached: a fork() failed"
            ),
            LimitHit::OpenFiles(count) => write!(f, "open files limit ({count}) reached"),
            LimitHit::FileSize(bytes) => {
                write!(f, "file size limit ({}) reached", show_size(bytes))
            }
            LimitHit::OutputCut {
                stream,
                kept,
                total,
            } => write!(
                f,
                "{} cut at {}: {total} bytes written in all",
                stream.name(),
                show_size(kept)
            ),
        }
    }
}
