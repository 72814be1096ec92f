//! The resource limits a run hit ([`LimitHit`]), in words.

use std::fmt;

use crate::program::LimitHit;
use crate::sandbox::show_size;
use crate::tr;

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match *self {
            LimitHit::Cpu(limit) => tr!(
                "limit-cpu",
                limit = humantime::format_duration(limit).to_string()
            ),
            LimitHit::Memory(bytes) => tr!("limit-memory", limit = show_size(bytes)),
            LimitHit::Processes(count) => tr!("limit-processes", count = count),
            LimitHit::OpenFiles(count) => tr!("limit-open-files", count = count),
            LimitHit::FileSize(bytes) => tr!("limit-file-size", limit = show_size(bytes)),
            LimitHit::OutputCut {
                stream,
                kept,
                total,
            } => tr!(
                "limit-output-cut",
                stream = stream.name(),
                kept = show_size(kept),
                total = total
            ),
        };
        f.write_str(&words)
    }
}
