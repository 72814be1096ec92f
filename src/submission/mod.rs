//! What to run: turning what the user typed or a student handed in into a [`ProgramCommand`]
//! whose files every run gets.
//!
//! A `.py` file runs with `python3`, an executable as it is, a single `.rs` file is compiled
//! (in the sandbox, see [`compile`]), anything else after `--`, with the files and folders the
//! command names ([`resolve`]); a submission folder is searched for its program
//! ([`find_entry`]). What the program gets is copied once, by the rules of [`stage`], into a
//! snapshot each run copies into its own folder; the program sees its files at
//! `/home/student` and nothing else of the machine's but the system folders.
//!
//! Every mistake is a typed reason with a plain message: [`SubmissionError`] for what the user
//! typed (netgrade cannot run: exit 2), [`NotRunnable`] for what a student handed in (the
//! student's verdict).

mod compile;
mod discover;
mod stage;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use compile::{CompileError, compile_rust};
pub use discover::find_entry;
pub use stage::{MAX_DEPTH, MAX_ENTRIES, SizeBound, StageError, Stager};

use crate::program::{ProgramArg, ProgramCommand};
use crate::sandbox::{Confinement, Isolation, confinement};
use crate::tr;

/// What the user asked to run could not be run (netgrade's error, not a verdict).
#[derive(Debug, thiserror::Error)]
pub enum SubmissionError {
    /// Nothing to run was given.
    #[error("{}", tr!("submission-missing"))]
    Missing,
    /// Both a path and a command were given.
    #[error("{}", tr!("submission-both"))]
    Both,
    /// The file does not exist.
    #[error("{}", tr!("submission-not-found", path = .0.display().to_string()))]
    NotFound(PathBuf),
    /// A folder was given where a file was expected.
    #[error("{}", tr!("submission-folder", path = .0.display().to_string()))]
    Folder(PathBuf),
    /// The program named is a symbolic link (never followed: it could name any file netgrade
    /// can read, whose content would then show in the report).
    #[error("{}", tr!("submission-link", path = .0.display().to_string()))]
    Link(PathBuf),
    /// Not runnable as it is.
    #[error("{}", tr!("submission-not-executable", path = .0.display().to_string()))]
    NotExecutable(PathBuf),
    /// An interpreter or command is not installed.
    #[error("{}", tr!("submission-command-not-found", command = .0.as_str()))]
    CommandNotFound(String),
    /// netgrade cannot read a file it must give the program.
    #[error("{}", tr!("submission-unreadable", path = path.display().to_string(), reason = reason.as_str()))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// The files are too many or too large.
    #[error("{}", tr!("not-runnable-too-large", bound = .0.to_string()))]
    TooLarge(SizeBound),
    /// The grader could not copy them.
    #[error("{}", tr!("submission-copy", reason = .0.as_str()))]
    Copy(String),
}

/// Why a student's submission cannot be run: its verdict, not netgrade's error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NotRunnable {
    /// The folder holds no files.
    #[error("{}", tr!("not-runnable-empty"))]
    Empty,
    /// No file matched the names the program is looked for under.
    #[error("{}", tr!("not-runnable-no-program", looked_for = looked_for.join(", ")))]
    NoProgram {
        /// What was looked for, in order.
        looked_for: Vec<String>,
    },
    /// Several files could each be the program, and none has a name the exercise expects.
    #[error("{}", ambiguous(files, named))]
    Ambiguous {
        /// The candidates (`.py` files, or executables), sorted.
        files: Vec<String>,
        /// The names the exercise expects its program under, if any.
        named: Vec<String>,
    },
    /// An `--entry` pattern is not a valid glob.
    #[error("{}", tr!("not-runnable-bad-pattern", pattern = pattern.as_str(), error = error.as_str()))]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why it is invalid.
        error: String,
    },
    /// The program did not compile.
    #[error("{}", tr!("not-runnable-compile", error = .0.to_string()))]
    DoesNotCompile(CompileError),
    /// Over the size bounds of a submission.
    #[error("{}", tr!("not-runnable-too-large", bound = .0.to_string()))]
    TooLarge(SizeBound),
    /// The program named is hidden or in a folder never handed to programs.
    #[error("{}", tr!("not-runnable-hidden", path = .0.as_str()))]
    Hidden(String),
    /// The program file cannot be run as it is (the reason, in words).
    #[error("{0}")]
    Unusable(String),
}

impl NotRunnable {
    /// Whether no program could be picked from the folder (nothing there, nothing that looks
    /// like one, or several): for `netgrade test` a usage error, not a verdict.
    pub fn no_program_chosen(&self) -> bool {
        matches!(
            self,
            NotRunnable::Empty
                | NotRunnable::NoProgram { .. }
                | NotRunnable::Ambiguous { .. }
                | NotRunnable::BadPattern { .. }
        )
    }
}

/// "3 .py files here and none is named server.py: …", listing at most five of them.
fn ambiguous(files: &[String], named: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut listed = files
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        listed.push_str(", …");
    }
    match named.first() {
        Some(first) => tr!(
            "not-runnable-ambiguous-named",
            count = files.len(),
            names = named.join(", "),
            first = first.as_str(),
            files = listed
        ),
        None => tr!(
            "not-runnable-ambiguous",
            count = files.len(),
            files = listed
        ),
    }
}

impl From<StageError> for SubmissionError {
    fn from(error: StageError) -> Self {
        match error {
            StageError::TooLarge(bound) => SubmissionError::TooLarge(bound),
            StageError::Unreadable { path, source } => SubmissionError::Unreadable {
                path,
                reason: crate::i18n::error_words(&source),
            },
            StageError::Copy(source) => SubmissionError::Copy(source.to_string()),
            StageError::Link(path) => SubmissionError::Link(path),
        }
    }
}

impl From<SubmissionError> for NotRunnable {
    fn from(error: SubmissionError) -> Self {
        match error {
            SubmissionError::TooLarge(bound) => NotRunnable::TooLarge(bound),
            other => NotRunnable::Unusable(other.to_string()),
        }
    }
}

/// A program resolved but not yet ready to run: a Rust source still has to be compiled.
#[derive(Debug)]
pub enum Resolved {
    /// Ready.
    Ready(ProgramCommand),
    /// A single Rust file, staged, to be compiled in the sandbox.
    Rust {
        /// The staged files, the source among them.
        stager: Stager,
        /// The source, in the snapshot.
        source: PathBuf,
        /// How the program is shown.
        display: String,
        /// Where the files came from.
        origins: Vec<(PathBuf, PathBuf)>,
    },
}

impl Resolved {
    /// How the program is shown to people.
    pub fn display(&self) -> &str {
        match self {
            Resolved::Ready(command) => &command.display,
            Resolved::Rust { display, .. } => display,
        }
    }

    /// The program, compiled first if it is a Rust source (in a sandbox of `isolation`).
    pub async fn build(self, isolation: Isolation) -> Result<ProgramCommand, NotRunnable> {
        match self {
            Resolved::Ready(command) => Ok(command),
            Resolved::Rust {
                stager,
                source,
                display,
                origins,
            } => {
                let binary = compile_rust(&stager, &source, isolation)
                    .await
                    .map_err(NotRunnable::DoesNotCompile)?;
                Ok(ProgramCommand {
                    argv: vec![ProgramArg::InFolder(binary)],
                    display,
                    files: Some(Arc::new(stager.finish())),
                    origins,
                    data_files: Vec::new(),
                    written_files: Vec::new(),
                })
            }
        }
    }
}

/// Resolves a program path or an explicit command into what to run.
pub fn resolve(path: Option<&Path>, command: &[OsString]) -> Result<Resolved, SubmissionError> {
    match (path, command.is_empty()) {
        (Some(_), false) => Err(SubmissionError::Both),
        (None, true) => Err(SubmissionError::Missing),
        (Some(path), true) => resolve_path(path),
        (None, false) => resolve_command(command).map(Resolved::Ready),
    }
}

/// The folder a file is in, absolute (for messages that name the student's files).
fn folder_of(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .ok()
        .and_then(|absolute| absolute.parent().map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What netgrade can see of `path`: missing and unreachable are told apart.
fn metadata_of(path: &Path) -> Result<std::fs::Metadata, SubmissionError> {
    path.metadata().map_err(|error| match error.kind() {
        std::io::ErrorKind::PermissionDenied => SubmissionError::Unreadable {
            path: path.to_owned(),
            reason: error.to_string(),
        },
        _ => SubmissionError::NotFound(path.to_owned()),
    })
}

fn resolve_path(path: &Path) -> Result<Resolved, SubmissionError> {
    // The file named, never what a link points to (staging opens it with O_NOFOLLOW too).
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(SubmissionError::Link(path.to_owned()));
    }
    let metadata = metadata_of(path)?;
    if metadata.is_dir() {
        return Err(SubmissionError::Folder(path.to_owned()));
    }
    let shown = path.display().to_string();
    let name = PathBuf::from(path.file_name().unwrap_or_default());
    let origins = vec![(PathBuf::new(), folder_of(path))];
    let mut stager = Stager::new()?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("py") => {
            let python = find_on_path("python3")
                .ok_or_else(|| SubmissionError::CommandNotFound("python3".into()))?;
            stager.add_script(path, &name)?;
            Ok(Resolved::Ready(ProgramCommand {
                argv: vec![
                    ProgramArg::Plain(python.into_os_string()),
                    ProgramArg::InFolder(name),
                ],
                display: format!("python3 {shown}"),
                files: Some(Arc::new(stager.finish())),
                origins,
                data_files: Vec::new(),
                written_files: Vec::new(),
            }))
        }
        Some("rs") => {
            stager.add_file(path, &name)?;
            Ok(Resolved::Rust {
                stager,
                source: name,
                display: shown,
                origins,
            })
        }
        _ => {
            if metadata.permissions().mode() & 0o111 == 0 {
                return Err(SubmissionError::NotExecutable(path.to_owned()));
            }
            stager.add_file(path, &name)?;
            Ok(Resolved::Ready(ProgramCommand {
                argv: vec![ProgramArg::InFolder(name)],
                display: shown,
                files: Some(Arc::new(stager.finish())),
                origins,
                data_files: Vec::new(),
                written_files: Vec::new(),
            }))
        }
    }
}

/// A program inside a submission folder: the whole folder is staged (see [`stage`]) and the
/// program found there runs from it.
fn resolve_in_folder(dir: &Path, program: &Path) -> Result<Resolved, NotRunnable> {
    let mut stager = Stager::new().map_err(SubmissionError::from)?;
    stager
        .add_folder(dir, Path::new(""))
        .map_err(SubmissionError::from)?;
    let origins = vec![(PathBuf::new(), dir.to_owned())];
    let display = dir.join(program).display().to_string();
    if !stager.path().join(program).is_file() {
        return Err(NotRunnable::Hidden(display));
    }
    Ok(match program.extension().and_then(|e| e.to_str()) {
        Some("py") => {
            let python = find_on_path("python3").ok_or_else(|| {
                NotRunnable::from(SubmissionError::CommandNotFound("python3".into()))
            })?;
            Resolved::Ready(ProgramCommand {
                argv: vec![
                    ProgramArg::Plain(python.into_os_string()),
                    ProgramArg::InFolder(program.to_owned()),
                ],
                display: format!("python3 {display}"),
                files: Some(Arc::new(stager.finish())),
                origins,
                data_files: Vec::new(),
                written_files: Vec::new(),
            })
        }
        Some("rs") => Resolved::Rust {
            stager,
            source: program.to_owned(),
            display,
            origins,
        },
        _ => Resolved::Ready(ProgramCommand {
            argv: vec![ProgramArg::InFolder(program.to_owned())],
            display,
            files: Some(Arc::new(stager.finish())),
            origins,
            data_files: Vec::new(),
            written_files: Vec::new(),
        }),
    })
}

/// A command after `--`: every argument that names a file or folder of the user's (not a
/// system one) is handed to the program, staged into its folder, and the argument rewritten.
fn resolve_command(command: &[OsString]) -> Result<ProgramCommand, SubmissionError> {
    let mut stager = Stager::new()?;
    let mut staged_any = false;
    let mut origins = Vec::new();
    let mut argv = Vec::with_capacity(command.len());
    for (index, arg) in command.iter().enumerate() {
        let path = Path::new(arg);
        // An argument names a file when it is one, or when it is there but out of reach
        // (a private folder): then netgrade says so rather than the program failing.
        let exists_or_hidden = match path.symlink_metadata() {
            Ok(_) => true,
            Err(error) => error.kind() == std::io::ErrorKind::PermissionDenied,
        };
        let names_a_path =
            index == 0 && path.components().count() > 1 || index > 0 && exists_or_hidden;
        if index == 0 && !names_a_path {
            let shown = path.display().to_string();
            let found = find_on_path(&shown).ok_or(SubmissionError::CommandNotFound(shown))?;
            argv.push(ProgramArg::Plain(found.into_os_string()));
            continue;
        }
        if index == 0 && names_a_path {
            metadata_of(path)?;
        }
        if !names_a_path {
            argv.push(ProgramArg::Plain(arg.clone()));
            continue;
        }
        // A system file is there for the program already (as the program reaches it).
        if let Some(visible) = visible_as(path) {
            argv.push(ProgramArg::Plain(visible.into_os_string()));
            continue;
        }
        let metadata = metadata_of(path)?;
        let name = stager.free_name(&std::path::absolute(path).unwrap_or_else(|_| path.into()));
        if metadata.is_dir() {
            stager.add_folder(path, &name)?;
        } else if path.extension().is_some_and(|e| e == "py") {
            stager.add_script(path, &name)?;
        } else {
            stager.add_file(path, &name)?;
        }
        origins.push((
            name.clone(),
            std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
        ));
        argv.push(ProgramArg::InFolder(name));
        staged_any = true;
    }
    let display = command
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(ProgramCommand {
        argv,
        display,
        files: staged_any.then(|| Arc::new(stager.finish())),
        origins,
        data_files: Vec::new(),
        written_files: Vec::new(),
    })
}

/// The system folders a confined program sees (read-only).
const SYSTEM_FOLDERS: [&str; 7] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"];

/// How a confined program reaches `path`: the path itself when it is in the system folders,
/// else where it really is when that is (a virtual environment's `bin/python3` is a link to
/// `/usr/bin/python3`).
fn visible_as(path: &Path) -> Option<PathBuf> {
    let inside = |path: &Path| SYSTEM_FOLDERS.iter().any(|folder| path.starts_with(folder));
    if inside(path) {
        return Some(path.to_owned());
    }
    let real = path.canonicalize().ok()?;
    inside(&real).then_some(real)
}

/// Finds an executable on PATH, like `which`, that a graded program can run: one inside the
/// system folders it sees (a python3 under `/root/.pyenv` is skipped in favour of
/// `/usr/bin/python3`), where runs are confined.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let confined = confinement() != Confinement::Unconfined;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/local/bin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .filter(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .find_map(|candidate| {
            if confined {
                visible_as(&candidate)
            } else {
                Some(candidate)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(resolved: Resolved) -> ProgramCommand {
        match resolved {
            Resolved::Ready(command) => command,
            other => panic!("not ready: {other:?}"),
        }
    }

    #[test]
    fn python_files_run_with_a_system_python3_on_their_copy() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("server.py");
        std::fs::write(&script, "print('hi')\n").unwrap();
        let command = ready(resolve(Some(&script), &[]).unwrap());
        match &command.argv[..] {
            [ProgramArg::Plain(python), ProgramArg::InFolder(file)] => {
                assert!(python.to_string_lossy().ends_with("python3"));
                assert_eq!(file, Path::new("server.py"));
            }
            other => panic!("{other:?}"),
        }
        let files = command.files.expect("staged");
        assert!(files.path().join("server.py").is_file());
    }

    #[test]
    fn a_command_s_own_files_are_staged_and_system_ones_left() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("client.py");
        std::fs::write(&script, "print('hi')\n").unwrap();
        let command = resolve_command(&[
            "python3".into(),
            script.clone().into_os_string(),
            "127.0.0.1".into(),
            "/etc/services".into(),
        ])
        .unwrap();
        assert_eq!(
            command.argv[1..],
            [
                ProgramArg::InFolder("client.py".into()),
                ProgramArg::Plain("127.0.0.1".into()),
                ProgramArg::Plain("/etc/services".into()),
            ]
        );
        assert_eq!(command.origins, [("client.py".into(), script)]);
    }

    #[test]
    fn mistakes_are_named() {
        let missing = resolve(Some(Path::new("no/such/server.py")), &[]).unwrap_err();
        assert_eq!(missing.to_string(), "no such file: no/such/server.py");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("notes.txt");
        std::fs::write(&data, "x").unwrap();
        assert!(matches!(
            resolve(Some(&data), &[]),
            Err(SubmissionError::NotExecutable(_))
        ));
        assert!(matches!(
            resolve(Some(dir.path()), &[]),
            Err(SubmissionError::Folder(_))
        ));
        assert!(matches!(
            resolve(None, &["no-such-command-xyz".into()]),
            Err(SubmissionError::CommandNotFound(_))
        ));
        assert!(matches!(resolve(None, &[]), Err(SubmissionError::Missing)));
    }

    #[test]
    fn a_program_named_by_a_link_is_refused_and_its_target_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "root-only-content\n").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        for name in ["server.py", "main.rs", "server"] {
            let link = dir.path().join(name);
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            let error = resolve(Some(&link), &[]).unwrap_err();
            assert!(
                matches!(&error, SubmissionError::Link(path) if *path == link),
                "{name}: {error:?}"
            );
            assert!(error.to_string().contains("is a symbolic link"), "{error}");
        }
        // Named in a command, the same.
        let link = dir.path().join("client.py");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let error = resolve(None, &["python3".into(), link.clone().into_os_string()]).unwrap_err();
        assert!(matches!(error, SubmissionError::Link(_)), "{error:?}");
    }
}
