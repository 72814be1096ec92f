//! The program under test as a running process: [`RunningProgram`].
//!
//! A student's program is untrusted. It runs in its own process group inside a [`Sandbox`];
//! its stdout and stderr are captured up to a cap (the rest is counted, not stored); its end is
//! observed by a watcher task, never slept for; and stopping it escalates SIGINT → SIGTERM →
//! SIGKILL on the whole group. Every live group is registered ([`registry`]) so that the
//! grader, when it is itself interrupted, kills them all on the way out.
//!
//! - [`command`]: what to start, and staging it into the run's folder.
//! - [`output`]: the output streams, captured and matched.
//! - [`end`]: how it ended, in words.

mod command;
mod end;
mod output;
mod registry;

use std::io;
use std::process::Stdio;
use std::sync::PoisonError;
use std::time::Duration;

use rustix::process::{Pid, Signal};
use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::watch;

pub use command::{ProgramArg, ProgramCommand};
pub use end::{ExitKind, ProgramEnd, signal_name, signal_words};
pub use output::{
    CapturedOutput, OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, OutputStream, UNMATCHED_OUTPUT_BYTES,
    UnmatchedOutput,
};
pub use registry::kill_all_live_groups;

use command::FORK_LOCK;
use output::OutputReader;

use crate::procfs;
use crate::sandbox::{Sandbox, program_environment};
use crate::spec::StopSpec;

/// Why a program could not be started at all (a problem for the grader, not a verdict).
#[derive(Debug, thiserror::Error)]
#[error("could not start `{command}`: {source}")]
pub struct SpawnError {
    /// The command as shown to people.
    pub command: String,
    /// What the operating system said.
    #[source]
    pub source: io::Error,
}

/// A running program under test.
pub struct RunningProgram {
    group: Pid,
    path_replacements: Vec<(String, String)>,
    end: watch::Receiver<Option<ExitKind>>,
    /// Held open so a program reading input waits, as at a terminal, instead of seeing EOF.
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    /// Set once the grader has closed `stdin`.
    input_closed: std::sync::atomic::AtomicBool,
    stdout: OutputReader,
    stderr: OutputReader,
    stopped_with: Option<i32>,
}

/// Everything the program produced, once it is over.
#[derive(Debug, Clone)]
pub struct FinishedProgram {
    /// How it ended.
    pub end: ProgramEnd,
    /// Its standard output.
    pub stdout: CapturedOutput,
    /// Its standard error.
    pub stderr: CapturedOutput,
    /// Limits it ran into.
    pub limits_hit: Vec<LimitHit>,
    /// Paths as the program saw them and the student's originals, so its output can name
    /// the student's own files.
    pub path_replacements: Vec<(String, String)>,
}

/// A resource limit the run ran into (put in words by the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// The CPU time limit: the program got SIGXCPU.
    Cpu(Duration),
    /// The memory limit of the whole run, in bytes.
    Memory(u64),
    /// The number of processes and threads: a fork() failed.
    Processes(u64),
    /// The open files limit per process.
    OpenFiles(u64),
    /// The largest file it may write, in bytes.
    FileSize(u64),
    /// An output stream was cut: `kept` bytes of `total` were kept.
    OutputCut {
        /// Which stream.
        stream: OutputStream,
        /// Bytes kept.
        kept: u64,
        /// Bytes written in all.
        total: u64,
    },
}

/// The most descriptors any process of the run holds (sampled before it is stopped: a program
/// that ran out of descriptors usually still holds them all).
fn most_open_files(sandbox: &Sandbox, group: i32) -> u64 {
    sandbox
        .processes(group)
        .into_iter()
        .map(procfs::open_descriptors)
        .max()
        .unwrap_or(0)
}

/// The limits a run ran into, from how it ended, the cgroup's counters and the output caps.
fn limits_hit(
    end: ProgramEnd,
    sandbox: &Sandbox,
    open_files: u64,
    stdout: &CapturedOutput,
    stderr: &CapturedOutput,
) -> Vec<LimitHit> {
    let limits = sandbox.limits();
    let usage = sandbox.usage();
    let mut hit = Vec::new();
    if end.exit == ExitKind::Signal(libc::SIGXCPU) {
        hit.push(LimitHit::Cpu(limits.cpu()));
    }
    if usage.memory_limited {
        hit.push(LimitHit::Memory(limits.memory_bytes));
    }
    if usage.processes_limited {
        hit.push(LimitHit::Processes(limits.processes));
    }
    if open_files >= limits.open_files {
        hit.push(LimitHit::OpenFiles(limits.open_files));
    }
    if end.exit == ExitKind::Signal(libc::SIGXFSZ) || sandbox.has_file_at_size(limits.file_bytes) {
        hit.push(LimitHit::FileSize(limits.file_bytes));
    }
    for (stream, output) in [
        (OutputStream::Stdout, stdout),
        (OutputStream::Stderr, stderr),
    ] {
        if output.cut_bytes() > 0 {
            hit.push(LimitHit::OutputCut {
                stream,
                kept: (OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) as u64,
                total: output.total_bytes(),
            });
        }
    }
    hit
}

/// Time each stop signal is given before the next, stronger one.
pub const STOP_GRACE: Duration = Duration::from_millis(1500);

impl RunningProgram {
    /// Starts the program inside `sandbox`.
    pub fn spawn(
        command: &ProgramCommand,
        sandbox: &Sandbox,
    ) -> Result<RunningProgram, SpawnError> {
        let spawn_error = |source| SpawnError {
            command: command.display.clone(),
            source,
        };
        let argv = command.prepare(sandbox).map_err(&spawn_error)?;
        let folder = sandbox.program_folder();
        let path_replacements = command.path_replacements(&folder);
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| spawn_error(io::Error::other("empty command")))?;
        let mut child_command = tokio::process::Command::new(program);
        child_command
            .args(args)
            .current_dir(sandbox.workdir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_clear()
            .envs(program_environment(&folder))
            // On the host, the shared /tmp is out of bounds: temporary files go to its folder.
            .envs((!sandbox.is_confined()).then(|| ("TMPDIR", folder.as_os_str())))
            .kill_on_drop(true);
        sandbox.confine(&mut child_command).map_err(&spawn_error)?;
        let mut child = {
            let _forking = FORK_LOCK.read().unwrap_or_else(PoisonError::into_inner);
            child_command.spawn().map_err(spawn_error)?
        };
        let raw_pid = child.id().and_then(|id| i32::try_from(id).ok());
        let group = raw_pid
            .and_then(Pid::from_raw)
            .ok_or_else(|| spawn_error(io::Error::other("the program has no process id")))?;
        registry::register(group.as_raw_nonzero().get());
        let stdout = OutputReader::start(
            child
                .stdout
                .take()
                .expect("stdout is piped")
                .into_owned_fd(),
        );
        let stderr = OutputReader::start(
            child
                .stderr
                .take()
                .expect("stderr is piped")
                .into_owned_fd(),
        );
        let stdin = child.stdin.take();
        let (report_end, end) = watch::channel(None);
        tokio::spawn(async move {
            let exit = match child.wait().await {
                Ok(status) => ProgramEnd::from_status(status),
                Err(_) => ExitKind::Code(-1),
            };
            let _ = report_end.send(Some(exit));
        });
        Ok(RunningProgram {
            group,
            path_replacements,
            end,
            stdin: tokio::sync::Mutex::new(stdin),
            input_closed: std::sync::atomic::AtomicBool::new(false),
            stdout,
            stderr,
            stopped_with: None,
        })
    }

    /// The process id, which is also its process group id.
    pub fn pid(&self) -> i32 {
        self.group.as_raw_nonzero().get()
    }

    /// How the program ended, if it has.
    pub fn ended(&self) -> Option<ProgramEnd> {
        let exit = (*self.end.borrow())?;
        Some(ProgramEnd {
            exit,
            stopped_with: self.stopped_with,
        })
    }

    /// Waits up to `limit` for the program to end by itself.
    pub async fn wait_for_end(&self, limit: Duration) -> Option<ProgramEnd> {
        let mut end = self.end.clone();
        let exit = tokio::time::timeout(limit, end.wait_for(Option::is_some))
            .await
            .ok()?
            .ok()?;
        let exit = (*exit)?;
        Some(ProgramEnd {
            exit,
            stopped_with: self.stopped_with,
        })
    }

    /// Resolves when the program ends (for `select!` against other waits).
    pub async fn ended_signal(&self) {
        let mut end = self.end.clone();
        let _ = end.wait_for(Option::is_some).await;
    }

    /// Types `bytes` on the program's standard input, as a user at a terminal would. Fails
    /// when stdin was closed or the program no longer reads it (it ended, or `limit` passed
    /// with the pipe full).
    pub async fn type_input(&self, bytes: &[u8], limit: Duration) -> io::Result<()> {
        let mut stdin = self.stdin.lock().await;
        let stdin = stdin
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "stdin is closed"))?;
        match tokio::time::timeout(limit, async {
            stdin.write_all(bytes).await?;
            stdin.flush().await
        })
        .await
        {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the program does not read its input",
            )),
        }
    }

    /// Closes the program's standard input (Ctrl-D at a terminal: `input()` raises EOFError).
    pub async fn close_input(&self) {
        drop(self.stdin.lock().await.take());
        self.input_closed
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether the grader has closed the program's standard input.
    pub fn input_closed(&self) -> bool {
        self.input_closed.load(std::sync::atomic::Ordering::Acquire)
    }

    fn reader(&self, stream: OutputStream) -> &OutputReader {
        match stream {
            OutputStream::Stdout => &self.stdout,
            OutputStream::Stderr => &self.stderr,
        }
    }

    /// What the program wrote on `stream` that no step has matched yet. Reads the pipe first,
    /// so once the program is idle nothing it wrote is missing.
    pub fn unmatched_output(&self, stream: OutputStream) -> UnmatchedOutput {
        let reader = self.reader(stream);
        reader.catch_up();
        let state = reader.state.lock().unwrap_or_else(PoisonError::into_inner);
        UnmatchedOutput {
            bytes: state.unmatched.clone(),
            ended: state.ended,
            dropped: state.dropped,
        }
    }

    /// Marks the first `count` unmatched bytes of `stream` as matched.
    pub fn consume_output(&self, stream: OutputStream, count: usize) {
        let mut state = self
            .reader(stream)
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = count.min(state.unmatched.len());
        state.unmatched.drain(..count);
    }

    /// Resolves when more output may have arrived on `stream` (or it ended).
    pub async fn output_arrived(&self, stream: OutputStream) {
        self.reader(stream).arrived.notified().await;
    }

    /// Stops the program (if still running) the way the spec says, kills whatever is left of
    /// it, and collects its output.
    pub async fn stop(mut self, how: StopSpec, sandbox: &Sandbox) -> FinishedProgram {
        let open_files = most_open_files(sandbox, self.pid());
        let escalation: &[Signal] = match how {
            StopSpec::Interrupt => &[Signal::INT, Signal::TERM, Signal::KILL],
            StopSpec::Terminate => &[Signal::TERM, Signal::KILL],
            StopSpec::Kill => &[Signal::KILL],
        };
        for &signal in escalation {
            if self.ended().is_some() {
                break;
            }
            self.stopped_with = Some(signal.as_raw());
            let _ = rustix::process::kill_process_group(self.group, signal);
            if self.wait_for_end(STOP_GRACE).await.is_some() {
                break;
            }
        }
        // Children the program started may outlive it in its group or elsewhere: end them too.
        let _ = rustix::process::kill_process_group(self.group, Signal::KILL);
        sandbox.kill_all();
        registry::unregister(self.pid());
        let end = match self.wait_for_end(Duration::from_secs(5)).await {
            Some(end) => end,
            None => ProgramEnd {
                exit: ExitKind::Signal(libc::SIGKILL),
                stopped_with: Some(libc::SIGKILL),
            },
        };
        drop(self.stdin.get_mut().take());
        let stdout = self.stdout.finish(Duration::from_secs(1)).await;
        let stderr = self.stderr.finish(Duration::from_secs(1)).await;
        FinishedProgram {
            limits_hit: limits_hit(end, sandbox, open_files, &stdout, &stderr),
            path_replacements: std::mem::take(&mut self.path_replacements),
            end,
            stdout,
            stderr,
        }
    }
}
