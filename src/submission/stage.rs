//! Copying exactly the submission into a [`Snapshot`] the runs are given: [`Stager`].
//!
//! - A **folder** (a class member's submission, `-- java -cp out Server`'s `out`) brings its
//!   files and sub-folders, except hidden ones (`.git`, `.env`), build and cache folders
//!   (`target`, `__pycache__`, `node_modules`, virtual environments), links and special files.
//! - A **single file** brings only what it needs to run: a Python script the Python modules
//!   and packages beside it (a student's `server.py` may `import helper`), other files only
//!   themselves. Never hidden files, never a file its owner kept private (not readable by
//!   others: a classmate's work, a key), never anything else of the folder.
//! - Links are never followed; nothing outside what was named can be reached. A single file
//!   named that is a link is refused ([`StageError::Link`]), and every file is opened with
//!   `O_NOFOLLOW` and copied from that descriptor, so a file swapped for a link after it was
//!   looked at is not followed either.
//!
//! Everything is bounded: folders and files looked at ([`MAX_ENTRIES`]), files and bytes
//! copied ([`MAX_FILES`], [`MAX_BYTES`]), depth ([`MAX_DEPTH`]). Over a bound, staging stops
//! at once with [`StageError::TooLarge`]: a submission of 28,000 empty folders gets its
//! verdict in milliseconds.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::sandbox::{MAX_BYTES, MAX_FILES, Snapshot};
use crate::tr;

/// Most folders and files looked at while staging one submission.
pub const MAX_ENTRIES: usize = 5_000;
/// Deepest folder copied (the submission's own folder is depth 0).
pub const MAX_DEPTH: usize = 8;

/// Folders never copied: build output, caches, virtual environments (version control is
/// hidden: `.git`).
const SKIPPED: [&str; 4] = ["target", "node_modules", "__pycache__", "venv"];

/// Which bound a submission is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeBound {
    /// More than [`MAX_ENTRIES`] files and folders.
    Entries,
    /// More than [`MAX_FILES`] files.
    Files,
    /// More than [`MAX_BYTES`].
    Bytes,
    /// Folders nested deeper than [`MAX_DEPTH`].
    Depth,
}

impl std::fmt::Display for SizeBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            SizeBound::Entries => tr!("size-entries", max = MAX_ENTRIES),
            SizeBound::Files => tr!("size-files", max = MAX_FILES),
            SizeBound::Bytes => {
                let mebibytes: u64 = MAX_BYTES / (1024 * 1024);
                tr!("size-bytes", max = mebibytes)
            }
            SizeBound::Depth => tr!("size-depth", max = MAX_DEPTH),
        })
    }
}

/// Why a submission could not be staged.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Over one of the bounds.
    #[error("{}", tr!("not-runnable-too-large", bound = .0.to_string()))]
    TooLarge(SizeBound),
    /// A file or folder could not be read.
    #[error("{}", tr!("stage-unreadable", path = path.display().to_string(), reason = crate::i18n::error_words(source)))]
    Unreadable {
        /// What.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing the copy failed (the grader's problem).
    #[error("{}", tr!("submission-copy", reason = .0.to_string()))]
    Copy(#[source] io::Error),
    /// A file named to be staged is a symbolic link (never followed).
    #[error("{}", tr!("submission-link", path = .0.display().to_string()))]
    Link(PathBuf),
}

/// Copies parts of a submission into a snapshot, within one budget.
#[derive(Debug)]
pub struct Stager {
    snapshot: Snapshot,
    entries: usize,
    files: usize,
    bytes: u64,
}

fn unreadable(path: &Path) -> impl FnOnce(io::Error) -> StageError + '_ {
    move |source| StageError::Unreadable {
        path: path.to_owned(),
        source,
    }
}

/// Opens `source` for reading without following a link, and checks it is a regular file (a
/// FIFO does not block the open: `O_NONBLOCK`).
fn open_regular(source: &Path) -> Result<(fs::File, fs::Metadata), StageError> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(source)
        .map_err(|error| {
            let is_link = error.raw_os_error() == Some(libc::ELOOP)
                && fs::symlink_metadata(source).is_ok_and(|m| m.file_type().is_symlink());
            if is_link {
                StageError::Link(source.to_owned())
            } else {
                StageError::Unreadable {
                    path: source.to_owned(),
                    source: error,
                }
            }
        })?;
    let metadata = file.metadata().map_err(unreadable(source))?;
    if !metadata.is_file() {
        return Err(StageError::Unreadable {
            path: source.to_owned(),
            source: io::Error::other("not a regular file"),
        });
    }
    Ok((file, metadata))
}

impl Stager {
    /// A stager with an empty snapshot and the whole budget.
    pub fn new() -> Result<Stager, StageError> {
        Ok(Stager {
            snapshot: Snapshot::new().map_err(StageError::Copy)?,
            entries: 0,
            files: 0,
            bytes: 0,
        })
    }

    /// The snapshot, once everything is in.
    pub fn finish(self) -> Snapshot {
        self.snapshot
    }

    /// Where the snapshot is (to add a compiled program, say).
    pub fn path(&self) -> &Path {
        self.snapshot.path()
    }

    /// A name not yet taken in the snapshot's top folder, from `wanted` (`server.py`,
    /// `server-2.py`, …).
    pub fn free_name(&self, wanted: &Path) -> PathBuf {
        let name = wanted
            .file_name()
            .map_or_else(|| "file".into(), PathBuf::from);
        if !self.path().join(&name).exists() {
            return name;
        }
        let stem = name
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let extension = name
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        (2..)
            .map(|n| PathBuf::from(format!("{stem}-{n}{extension}")))
            .find(|candidate| !self.path().join(candidate).exists())
            .unwrap_or(name)
    }

    fn count_entry(&mut self) -> Result<(), StageError> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(StageError::TooLarge(SizeBound::Entries));
        }
        Ok(())
    }

    /// Copies one regular file to `relative` in the snapshot: opened without following a link
    /// (a link, or anything but a regular file, is refused), at most `size` bytes (what was
    /// counted against the budget).
    fn copy_file(&mut self, source: &Path, relative: &Path, size: u64) -> Result<(), StageError> {
        self.files += 1;
        self.bytes += size;
        if self.files > MAX_FILES {
            return Err(StageError::TooLarge(SizeBound::Files));
        }
        if self.bytes > MAX_BYTES {
            return Err(StageError::TooLarge(SizeBound::Bytes));
        }
        let (file, metadata) = open_regular(source)?;
        let target = self.path().join(relative);
        let mut copy = fs::File::create(&target).map_err(StageError::Copy)?;
        io::copy(&mut file.take(size), &mut copy).map_err(|error| match error.kind() {
            io::ErrorKind::PermissionDenied => StageError::Unreadable {
                path: source.to_owned(),
                source: error,
            },
            _ => StageError::Copy(error),
        })?;
        let mode = if metadata.mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        fs::set_permissions(&target, fs::Permissions::from_mode(mode)).map_err(StageError::Copy)
    }

    /// Copies the folder `source` to `relative` (its files and sub-folders, see the module's
    /// rules).
    pub fn add_folder(&mut self, source: &Path, relative: &Path) -> Result<(), StageError> {
        self.copy_folder(source, relative, 0)
    }

    fn copy_folder(
        &mut self,
        source: &Path,
        relative: &Path,
        depth: usize,
    ) -> Result<(), StageError> {
        if depth > MAX_DEPTH {
            return Err(StageError::TooLarge(SizeBound::Depth));
        }
        let target = self.path().join(relative);
        if !target.exists() {
            fs::create_dir(&target).map_err(StageError::Copy)?;
        }
        for entry in fs::read_dir(source).map_err(unreadable(source))? {
            self.count_entry()?;
            let entry = entry.map_err(unreadable(source))?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            // The entry itself, never what a link points to.
            let kind = entry.file_type().map_err(unreadable(source))?;
            if kind.is_dir() {
                if SKIPPED.iter().any(|skipped| name == *skipped) {
                    continue;
                }
                self.copy_folder(&entry.path(), &relative.join(&name), depth + 1)?;
            } else if kind.is_file() {
                let size = entry.metadata().map_err(unreadable(source))?.len();
                self.copy_file(&entry.path(), &relative.join(&name), size)?;
            }
        }
        Ok(())
    }

    /// Copies the single file `source` to `relative` (itself only). A link is refused, even
    /// to a file: what the program gets is what was named.
    pub fn add_file(&mut self, source: &Path, relative: &Path) -> Result<(), StageError> {
        self.count_entry()?;
        let (_, metadata) = open_regular(source)?;
        self.copy_file(source, relative, metadata.len())
    }

    /// Copies a Python script and the Python modules and packages beside it (public,
    /// not hidden), the script to `relative` and its neighbours next to it.
    pub fn add_script(&mut self, script: &Path, relative: &Path) -> Result<(), StageError> {
        self.add_file(script, relative)?;
        let (Some(folder), Some(into)) = (script.parent(), relative.parent()) else {
            return Ok(());
        };
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let Ok(entries) = fs::read_dir(folder) else {
            return Ok(()); // a folder we may not list: the script alone
        };
        for entry in entries {
            self.count_entry()?;
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let path = entry.path();
            if name.to_string_lossy().starts_with('.') || path == script {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            // Kept private by its owner (not readable by others): not part of what runs.
            if metadata.mode() & 0o004 == 0 {
                continue;
            }
            let target = into.join(&name);
            if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
                if !self.path().join(&target).exists() {
                    self.copy_file(&path, &target, metadata.len())?;
                }
            } else if kind.is_dir()
                && !SKIPPED.iter().any(|skipped| name == *skipped)
                && path.join("__init__.py").is_file()
            {
                self.add_package(&path, &target, 1)?;
            }
        }
        Ok(())
    }

    /// A Python package beside a script: its public modules and sub-packages only.
    fn add_package(
        &mut self,
        source: &Path,
        relative: &Path,
        depth: usize,
    ) -> Result<(), StageError> {
        if depth > MAX_DEPTH {
            return Err(StageError::TooLarge(SizeBound::Depth));
        }
        let target = self.path().join(relative);
        if !target.exists() {
            fs::create_dir(&target).map_err(StageError::Copy)?;
        }
        for entry in fs::read_dir(source).map_err(unreadable(source))? {
            self.count_entry()?;
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let path = entry.path();
            let (Ok(kind), Ok(metadata)) = (entry.file_type(), entry.metadata()) else {
                continue;
            };
            if name.to_string_lossy().starts_with('.') || metadata.mode() & 0o004 == 0 {
                continue;
            }
            if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
                self.copy_file(&path, &relative.join(&name), metadata.len())?;
            } else if kind.is_dir() && path.join("__init__.py").is_file() {
                self.add_package(&path, &relative.join(&name), depth + 1)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str, mode: u32) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn staged(stager: &Stager) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(relative) = stack.pop() {
            for entry in fs::read_dir(stager.path().join(&relative)).unwrap() {
                let entry = entry.unwrap();
                let path = relative.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    stack.push(path);
                } else {
                    found.push(path.display().to_string());
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn a_script_brings_its_public_modules_and_packages_only() {
        let folder = tempfile::tempdir().unwrap();
        let at = |name: &str| folder.path().join(name);
        write(&at("server.py"), "import helper\n", 0o600);
        write(&at("helper.py"), "X = 1\n", 0o644);
        write(&at("classmate.py"), "secret\n", 0o600);
        write(&at("notes.txt"), "not code\n", 0o644);
        write(&at(".env"), "TOKEN=1\n", 0o644);
        write(&at("pkg/__init__.py"), "", 0o644);
        write(&at("pkg/mod.py"), "", 0o644);
        write(&at("pkg/data.bin"), "", 0o644);
        write(&at("other/thing.py"), "", 0o644);
        std::os::unix::fs::symlink("/etc/passwd", at("passwd.py")).unwrap();
        let mut stager = Stager::new().unwrap();
        stager
            .add_script(&at("server.py"), Path::new("server.py"))
            .unwrap();
        assert_eq!(
            staged(&stager),
            ["helper.py", "pkg/__init__.py", "pkg/mod.py", "server.py"]
        );
    }

    #[test]
    fn a_folder_brings_everything_but_hidden_files_links_and_build_output() {
        let folder = tempfile::tempdir().unwrap();
        let at = |name: &str| folder.path().join(name);
        write(&at("server.py"), "", 0o600);
        write(&at("data/file.txt"), "", 0o644);
        write(&at(".git/config"), "", 0o644);
        write(&at("__pycache__/x.pyc"), "", 0o644);
        std::os::unix::fs::symlink("/etc", at("etc")).unwrap();
        let mut stager = Stager::new().unwrap();
        stager.add_folder(folder.path(), Path::new("")).unwrap();
        assert_eq!(staged(&stager), ["data/file.txt", "server.py"]);
    }

    #[test]
    fn too_many_folders_stop_staging_at_once() {
        let folder = tempfile::tempdir().unwrap();
        for index in 0..(MAX_ENTRIES + 10) {
            fs::create_dir(folder.path().join(format!("d{index}"))).unwrap();
        }
        let started = std::time::Instant::now();
        let mut stager = Stager::new().unwrap();
        let error = stager.add_folder(folder.path(), Path::new("")).unwrap_err();
        assert!(matches!(error, StageError::TooLarge(_)), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_single_file_that_is_a_link_is_refused_not_followed() {
        let folder = tempfile::tempdir().unwrap();
        let secret = folder.path().join("secret.txt");
        write(&secret, "root-only\n", 0o600);
        let link = folder.path().join("server.py");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let mut stager = Stager::new().unwrap();
        for error in [
            stager.add_file(&link, Path::new("server.py")).unwrap_err(),
            stager
                .add_script(&link, Path::new("server.py"))
                .unwrap_err(),
        ] {
            assert!(
                matches!(&error, StageError::Link(path) if *path == link),
                "{error:?}"
            );
            assert!(error.to_string().contains("is a symbolic link"), "{error}");
        }
        assert_eq!(staged(&stager), [] as [&str; 0]);
        // Nor is a FIFO (or any special file) staged, and opening it does not block.
        let fifo = folder.path().join("pipe.py");
        let fifo_c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo on a path alive for the call.
        assert_eq!(unsafe { libc::mkfifo(fifo_c.as_ptr(), 0o644) }, 0);
        let error = stager.add_file(&fifo, Path::new("pipe.py")).unwrap_err();
        assert!(matches!(error, StageError::Unreadable { .. }), "{error:?}");
    }

    #[test]
    fn names_do_not_collide() {
        let folder = tempfile::tempdir().unwrap();
        write(&folder.path().join("a/server.py"), "", 0o644);
        write(&folder.path().join("b/server.py"), "", 0o644);
        let mut stager = Stager::new().unwrap();
        let first = stager.free_name(Path::new("server.py"));
        stager
            .add_file(&folder.path().join("a/server.py"), &first)
            .unwrap();
        let second = stager.free_name(Path::new("server.py"));
        assert_eq!(second, Path::new("server-2.py"));
    }
}
