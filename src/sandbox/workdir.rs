//! Staging a submission into a run's fresh working directory: [`stage`].
//!
//! The program runs on a copy, in a temporary folder owned by its (unprivileged) user and
//! removed after the run, so it can neither change the student's files nor leave files behind.
//! The copy is bounded and never follows symbolic links.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What of a submission is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// A script and the folder it is in (it may import its neighbours): `(folder, script)`.
    Folder(PathBuf, PathBuf),
    /// A single executable.
    File(PathBuf),
}

/// Most files copied from a submission folder.
pub const MAX_FILES: usize = 500;
/// Most bytes copied from a submission folder.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Folders never copied (build output, caches, version control).
const SKIPPED: [&str; 6] = [
    ".git",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
];

/// Copies the submission into `workdir`; returns the path of the program inside it.
pub fn stage(what: &Stage, workdir: &Path, owner: Option<(u32, u32)>) -> io::Result<PathBuf> {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(workdir, Some(uid), Some(gid))?;
    }
    fs::set_permissions(workdir, fs::Permissions::from_mode(0o755))?;
    match what {
        Stage::File(file) => {
            let name = file
                .file_name()
                .ok_or_else(|| io::Error::other("the program has no file name"))?;
            let target = workdir.join(name);
            fs::copy(file, &target)?;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755))?;
            Ok(target)
        }
        Stage::Folder(folder, script) => {
            let mut budget = Budget {
                files: MAX_FILES,
                bytes: MAX_BYTES,
            };
            copy_folder(folder, workdir, &mut budget, 0)?;
            let relative = script.strip_prefix(folder).map_err(io::Error::other)?;
            let target = workdir.join(relative);
            if !target.is_file() {
                // The script itself is always there, even if the budget ran out first.
                fs::copy(script, &target)?;
            }
            Ok(target)
        }
    }
}

struct Budget {
    files: usize,
    bytes: u64,
}

fn copy_folder(from: &Path, to: &Path, budget: &mut Budget, depth: usize) -> io::Result<()> {
    if depth > 4 {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        let target = to.join(&name);
        if kind.is_dir() {
            if SKIPPED.iter().any(|skip| name == *skip) {
                continue;
            }
            fs::create_dir(&target)?;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755))?;
            copy_folder(&entry.path(), &target, budget, depth + 1)?;
        } else if kind.is_file() {
            let size = entry.metadata()?.size();
            if budget.files == 0 || size > budget.bytes {
                continue;
            }
            budget.files -= 1;
            budget.bytes -= size;
            fs::copy(entry.path(), &target)?;
            let executable = entry.metadata()?.mode() & 0o111 != 0;
            let mode = if executable { 0o755 } else { 0o644 };
            fs::set_permissions(&target, fs::Permissions::from_mode(mode))?;
        }
        // Symbolic links and special files are not copied: a submission cannot point the
        // copy at files outside itself.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_is_copied_with_its_folder_but_not_links_or_caches() {
        let source = tempfile::tempdir().unwrap();
        fs::write(source.path().join("server.py"), "import helper\n").unwrap();
        fs::write(source.path().join("helper.py"), "X = 1\n").unwrap();
        fs::create_dir(source.path().join("__pycache__")).unwrap();
        fs::write(source.path().join("__pycache__/junk.pyc"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", source.path().join("passwd")).unwrap();
        let workdir = tempfile::tempdir().unwrap();
        let script = source.path().join("server.py");
        let staged = stage(
            &Stage::Folder(source.path().to_owned(), script),
            workdir.path(),
            None,
        )
        .unwrap();
        assert_eq!(staged, workdir.path().join("server.py"));
        assert!(workdir.path().join("helper.py").is_file());
        assert!(!workdir.path().join("__pycache__").exists());
        assert!(!workdir.path().join("passwd").exists());
    }
}
