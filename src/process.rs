//! The program under test as a running process: [`RunningProgram`].
//!
//! A student's program is untrusted. It runs in its own process group inside a [`Sandbox`];
//! its stdout and stderr are captured up to a cap (the rest is counted, not stored); its end is
//! observed by a watcher task, never slept for; and stopping it escalates SIGINT → SIGTERM →
//! SIGKILL on the whole group. Every live group is registered so that the grader, when it is
//! itself interrupted, kills them all on the way out.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustix::process::{Pid, Signal};
use std::os::fd::OwnedFd;

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncWriteExt, Interest};
use tokio::process::ChildStdin;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::procfs;
use crate::sandbox::{Sandbox, Stage, program_environment, show_size};
use crate::spec::StopSpec;

/// How to start the program under test.
#[derive(Debug, Clone)]
pub struct ProgramCommand {
    /// Program and arguments, `argv[0]` first.
    pub argv: Vec<OsString>,
    /// Working directory (when nothing is staged).
    pub cwd: PathBuf,
    /// How the command is shown to people (`python3 server.py`).
    pub display: String,
    /// What to copy into the run's own folder; the program then runs on the copy, there.
    pub stage: Option<Stage>,
}

/// Forks and staging exclude each other. A staged executable is written through a descriptor;
/// a child forked meanwhile by a parallel test inherits it until its own `exec`, and `exec` of
/// the fresh copy then fails with ETXTBSY ("Text file busy"). Spawns share the lock; staging
/// takes it alone.
static FORK_LOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());

impl ProgramCommand {
    /// The argv and working directory for one run: on a staged copy when there is one.
    fn prepare(&self, sandbox: &Sandbox) -> io::Result<(Vec<OsString>, PathBuf)> {
        let Some(stage) = &self.stage else {
            return Ok((self.argv.clone(), self.cwd.clone()));
        };
        let original = match stage {
            Stage::Folder(_, script) => script,
            Stage::File(file) => file,
        };
        let copy = {
            let _no_forks = FORK_LOCK.write().unwrap_or_else(PoisonError::into_inner);
            sandbox.stage(stage)?
        };
        let argv = self
            .argv
            .iter()
            .map(|arg| {
                if arg == original.as_os_str() {
                    copy.clone().into_os_string()
                } else {
                    arg.clone()
                }
            })
            .collect();
        Ok((argv, sandbox.workdir().to_owned()))
    }
}

/// Bytes kept from the start of each output stream.
pub const OUTPUT_HEAD_BYTES: usize = 48 * 1024;
/// Bytes kept from the end of each output stream (a traceback is at the end).
pub const OUTPUT_TAIL_BYTES: usize = 16 * 1024;

/// What a program wrote to one stream, capped: the head and the tail are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedOutput {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    total: u64,
}

impl CapturedOutput {
    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = OUTPUT_HEAD_BYTES.saturating_sub(self.head.len());
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        if bytes.len() >= OUTPUT_TAIL_BYTES {
            self.tail.clear();
            bytes = &bytes[bytes.len() - OUTPUT_TAIL_BYTES..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(OUTPUT_TAIL_BYTES);
        self.tail.drain(..overflow);
        self.tail.extend(bytes);
    }

    /// Total bytes the program wrote, kept or not.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Bytes written but not kept (between head and tail).
    pub fn cut_bytes(&self) -> u64 {
        self.total - (self.head.len() + self.tail.len()) as u64
    }

    /// The kept text, lossily decoded, with a marker where bytes were cut.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.cut_bytes() > 0 {
            let kept = (OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) / 1024;
            text.push_str(&format!(
                "\n[… output cut: {} bytes not kept; netgrade keeps {kept} KiB per stream …]\n",
                self.cut_bytes()
            ));
        }
        let (front, back) = self.tail.as_slices();
        text.push_str(&String::from_utf8_lossy(&[front, back].concat()));
        text
    }

    /// Whether the program wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

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
    fn from_status(status: ExitStatus) -> ExitKind {
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

/// Process groups of programs still running, killed if the grader itself is interrupted.
static LIVE_GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Kills every program group the grader started and has not yet stopped. Called on Ctrl-C
/// and SIGTERM to the grader, so no student process outlives it.
pub fn kill_all_live_groups() {
    let groups: Vec<i32> = LIVE_GROUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect();
    for &group in &groups {
        if let Some(pid) = Pid::from_raw(group) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }
    // A killed process takes a moment to die: wait (bounded) until none is left alive, so
    // nothing of theirs is still running when the grader exits.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline && groups.iter().any(|&g| group_has_living(g)) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether process group `group` still has a member that is not a zombie.
fn group_has_living(group: i32) -> bool {
    procfs::process_group_members(group)
        .into_iter()
        .any(procfs::is_alive)
}

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
    staged_from: Option<(PathBuf, PathBuf)>,
    end: watch::Receiver<Option<ExitKind>>,
    /// Held open so a program reading input waits, as at a terminal, instead of seeing EOF.
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    stdout: OutputReader,
    stderr: OutputReader,
    stopped_with: Option<i32>,
}

/// One output stream of the program, read as it arrives: everything is captured (capped) for
/// the report, and what no `expect_output` step has consumed yet is kept for matching.
///
/// Reads are non-blocking and happen under the stream's lock, both in the background task and
/// in [`OutputReader::catch_up`]: once the program is idle, `catch_up` therefore sees every
/// byte it wrote — no read can be "in flight" between the pipe and the buffer.
struct OutputReader {
    state: Arc<Mutex<OutputState>>,
    pipe: Option<Arc<AsyncFd<OwnedFd>>>,
    arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

/// Bytes of not-yet-matched output kept for `expect_output` (at least; older ones are dropped
/// once twice as many have piled up).
pub const UNMATCHED_OUTPUT_BYTES: usize = 1024 * 1024;

#[derive(Default)]
struct OutputState {
    captured: CapturedOutput,
    unmatched: Vec<u8>,
    /// Bytes dropped from the front of `unmatched` by its cap, in all.
    dropped: u64,
    ended: bool,
}

impl OutputState {
    fn push(&mut self, bytes: &[u8]) {
        self.captured.push(bytes);
        self.unmatched.extend_from_slice(bytes);
        // Trim only past twice the cap, so a flood costs amortised constant time per byte.
        if self.unmatched.len() > 2 * UNMATCHED_OUTPUT_BYTES {
            let excess = self.unmatched.len() - UNMATCHED_OUTPUT_BYTES;
            self.unmatched.drain(..excess);
            self.dropped += excess as u64;
        }
    }
}

/// Reads what the pipe holds now, without blocking: `Ok(true)` at end of file, `Ok(false)`
/// after a bounded amount (a program writing without pause must not hold the lock forever),
/// `WouldBlock` once the pipe is empty.
fn read_available(pipe: &OwnedFd, state: &mut OutputState) -> io::Result<bool> {
    let mut buffer = [0u8; 16 * 1024];
    for _ in 0..64 {
        match rustix::io::read(pipe, &mut buffer) {
            Ok(0) => {
                state.ended = true;
                return Ok(true);
            }
            Ok(n) => state.push(&buffer[..n]),
            Err(rustix::io::Errno::INTR) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(false)
}

/// Reads whatever `pipe` holds right now into `state`, under its lock.
fn catch_up(pipe: Option<&AsyncFd<OwnedFd>>, state: &Mutex<OutputState>) {
    if let Some(pipe) = pipe {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.ended {
            let _ = read_available(pipe.get_ref(), &mut state);
        }
    }
}

impl OutputReader {
    fn start(pipe: io::Result<OwnedFd>) -> OutputReader {
        let state = Arc::new(Mutex::new(OutputState::default()));
        let arrived = Arc::new(Notify::new());
        let pipe = pipe
            .and_then(|fd| {
                rustix::io::ioctl_fionbio(&fd, true)?;
                // SAFETY: the `OwnedFd` owns the descriptor and moves into the `AsyncFd`, so it
                // stays open and the same for the `AsyncFd`'s whole life.
                unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
                    .map_err(|error| io::Error::other(error.to_string()))
            })
            .map(Arc::new)
            .ok();
        let task = {
            let (state, arrived, pipe) = (Arc::clone(&state), Arc::clone(&arrived), pipe.clone());
            tokio::spawn(async move {
                let Some(pipe) = pipe else { return };
                loop {
                    let Ok(mut ready) = pipe.readable().await else {
                        break;
                    };
                    let outcome = {
                        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                        read_available(pipe.get_ref(), &mut state)
                    };
                    arrived.notify_waiters();
                    match outcome {
                        Ok(true) => break,
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                            ready.clear_ready();
                        }
                        // More is waiting: let other tasks run before reading on.
                        Ok(false) => tokio::task::yield_now().await,
                        Err(_) => break,
                    }
                }
                state.lock().unwrap_or_else(PoisonError::into_inner).ended = true;
                arrived.notify_waiters();
            })
        };
        OutputReader {
            state,
            pipe,
            arrived,
            task,
        }
    }

    /// Reads whatever the pipe holds right now into the buffer.
    fn catch_up(&self) {
        catch_up(self.pipe.as_deref(), &self.state);
    }

    /// Waits up to `limit` for the stream to reach end of file, then returns what was captured.
    /// A process that escaped the group may still hold the pipe open; it is not waited for.
    async fn finish(self, limit: Duration) -> CapturedOutput {
        let OutputReader {
            state,
            pipe,
            task: mut reading,
            ..
        } = self;
        if tokio::time::timeout(limit, &mut reading).await.is_err() {
            reading.abort();
        }
        catch_up(pipe.as_deref(), &state);
        state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .captured
            .clone()
    }
}

/// Which output stream of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutputStream {
    /// Standard output (`print`).
    Stdout,
    /// Standard error (tracebacks).
    Stderr,
}

impl OutputStream {
    /// `stdout` or `stderr`.
    pub fn name(self) -> &'static str {
        match self {
            OutputStream::Stdout => "stdout",
            OutputStream::Stderr => "stderr",
        }
    }
}

/// What a program has written to one stream and no step has matched yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedOutput {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Whether the stream has ended (the program closed it or exited).
    pub ended: bool,
    /// Bytes dropped unmatched from the front so far (a program printing more than
    /// [`UNMATCHED_OUTPUT_BYTES`] that no step matched): offsets into `bytes` shift by this.
    pub dropped: u64,
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
    /// Limits it ran into, in words (`memory limit (512 MiB) reached`).
    pub limits_hit: Vec<String>,
    /// Where the program ran from (a staged copy) and the folder it was copied from, so its
    /// output can name the student's own files.
    pub staged_from: Option<(PathBuf, PathBuf)>,
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
) -> Vec<String> {
    let limits = sandbox.limits();
    let usage = sandbox.usage();
    let mut hit = Vec::new();
    if end.exit == ExitKind::Signal(libc::SIGXCPU) {
        hit.push(format!(
            "CPU time limit ({}) reached",
            humantime::format_duration(limits.cpu())
        ));
    }
    if usage.memory_limited {
        hit.push(format!(
            "memory limit ({}) reached",
            show_size(limits.memory_bytes)
        ));
    }
    if usage.processes_limited {
        hit.push(format!(
            "process limit ({} processes and threads) reached: a fork() failed",
            limits.processes
        ));
    }
    if open_files >= limits.open_files {
        hit.push(format!("open files limit ({}) reached", limits.open_files));
    }
    if end.exit == ExitKind::Signal(libc::SIGXFSZ) || sandbox.has_file_at_size(limits.file_bytes) {
        hit.push(format!(
            "file size limit ({}) reached",
            show_size(limits.file_bytes)
        ));
    }
    for (name, output) in [("stdout", stdout), ("stderr", stderr)] {
        if output.cut_bytes() > 0 {
            hit.push(format!(
                "{name} cut at {}: {} bytes written in all",
                show_size((OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) as u64),
                output.total_bytes()
            ));
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
        let (argv, cwd) = command.prepare(sandbox).map_err(&spawn_error)?;
        let staged_from = match &command.stage {
            Some(Stage::Folder(folder, _)) => Some((cwd.clone(), folder.clone())),
            Some(Stage::File(file)) => file.parent().map(|dir| (cwd.clone(), dir.to_owned())),
            None => None,
        };
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| spawn_error(io::Error::other("empty command")))?;
        let mut child_command = tokio::process::Command::new(program);
        child_command
            .args(args)
            .current_dir(&cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_clear()
            .envs(program_environment(&cwd))
            .kill_on_drop(true);
        sandbox.confine(&mut child_command);
        let mut child = {
            let _forking = FORK_LOCK.read().unwrap_or_else(PoisonError::into_inner);
            child_command.spawn().map_err(spawn_error)?
        };
        let raw_pid = child.id().and_then(|id| i32::try_from(id).ok());
        let group = raw_pid
            .and_then(Pid::from_raw)
            .ok_or_else(|| spawn_error(io::Error::other("the program has no process id")))?;
        LIVE_GROUPS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(group.as_raw_nonzero().get());
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
            staged_from,
            end,
            stdin: tokio::sync::Mutex::new(stdin),
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
        LIVE_GROUPS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.pid());
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
            staged_from: self.staged_from.take(),
            end,
            stdout,
            stderr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail_and_counts_the_rest() {
        let mut out = CapturedOutput::default();
        out.push(&vec![b'a'; OUTPUT_HEAD_BYTES]);
        out.push(&vec![b'b'; 100_000]);
        out.push(b"Traceback: the end");
        assert_eq!(out.total_bytes(), (OUTPUT_HEAD_BYTES + 100_000 + 18) as u64);
        let text = out.text();
        assert!(text.starts_with("aaaa"));
        assert!(text.ends_with("Traceback: the end"));
        assert!(text.contains("output cut"));
        assert_eq!(
            out.cut_bytes(),
            out.total_bytes() - (OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) as u64
        );
    }

    #[test]
    fn small_output_is_kept_whole() {
        let mut out = CapturedOutput::default();
        out.push(b"hello\n");
        out.push(b"world\n");
        assert_eq!(out.text(), "hello\nworld\n");
        assert_eq!(out.cut_bytes(), 0);
    }

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
