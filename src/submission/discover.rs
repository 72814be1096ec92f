//! Which file of a submission folder is the program: [`find_entry`].
//!
//! By `--entry NAME|GLOB`, else the exercise's `entry` names in order, else the only `.py`
//! file, the only executable, or `main.rs` (compiled, see [`super::compile`]). Hidden files,
//! links and build folders are never candidates; the search is bounded.

use std::path::{Path, PathBuf};

use globset::Glob;

use super::{MAX_ENTRIES, NotRunnable, Resolved, SizeBound, resolve_in_folder};
use crate::tr;

/// Files of `dir` (relative paths, at most three folders deep), shallowest first, then by name;
/// `None` when the folder holds more entries than a submission may.
fn files_of(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![(PathBuf::new(), 0)];
    // Bounded in all: a submission of thousands of folders is searched in milliseconds (and
    // then refused by staging, with the reason).
    let mut budget = MAX_ENTRIES;
    while let Some((relative, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&relative)) else {
            continue;
        };
        for entry in entries.flatten() {
            if budget == 0 {
                return None;
            }
            budget -= 1;
            let name = entry.file_name();
            let path = relative.join(&name);
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if name.to_string_lossy().starts_with('.') || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() && depth < 3 && name != "target" && name != "__pycache__" {
                folders.push((path, depth + 1));
            } else if kind.is_file() {
                files.push(path);
            }
        }
    }
    files.sort_by_key(|path| (path.components().count(), path.clone()));
    Some(files)
}

/// Finds the program of a submission: `entry` (from `--entry`), else the exercise's entry
/// names in order, else the only `.py` file, else the only executable, else `main.rs`
/// (compiled with rustc in the sandbox; no Cargo build scripts are ever run).
pub fn find_entry(
    dir: &Path,
    entry: Option<&str>,
    defaults: &[String],
) -> Result<Resolved, NotRunnable> {
    let files = files_of(dir).ok_or(NotRunnable::TooLarge(SizeBound::Entries))?;
    if files.is_empty() {
        return Err(NotRunnable::Empty);
    }
    let patterns: Vec<&str> = match entry {
        Some(entry) => vec![entry],
        None => defaults.iter().map(String::as_str).collect(),
    };
    for pattern in &patterns {
        let matcher = Glob::new(pattern)
            .map_err(|e| NotRunnable::BadPattern {
                pattern: (*pattern).to_owned(),
                error: e.to_string(),
            })?
            .compile_matcher();
        if let Some(found) = files.iter().find(|file| {
            matcher.is_match(file) || file.file_name().is_some_and(|name| matcher.is_match(name))
        }) {
            return runnable(dir, found);
        }
    }
    if entry.is_none() {
        let top_level: Vec<&PathBuf> = files
            .iter()
            .filter(|f| f.components().count() == 1)
            .collect();
        let python: Vec<_> = top_level
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "py"))
            .collect();
        let executables: Vec<_> = top_level
            .iter()
            .filter(|f| is_executable(&dir.join(f)))
            .collect();
        for candidates in [&python, &executables] {
            match candidates.as_slice() {
                [] => {}
                [only] => return runnable(dir, only),
                several => {
                    return Err(NotRunnable::Ambiguous {
                        files: several.iter().map(|f| f.display().to_string()).collect(),
                        named: patterns.iter().map(|p| (*p).to_owned()).collect(),
                    });
                }
            }
        }
        for main in ["main.rs", "src/main.rs"] {
            if dir.join(main).is_file() {
                return runnable(dir, Path::new(main));
            }
        }
    }
    let mut looked_for: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
    if entry.is_none() {
        looked_for.extend([
            tr!("looked-for-single-python"),
            tr!("looked-for-single-executable"),
            "main.rs".to_owned(),
        ]);
    }
    Err(NotRunnable::NoProgram { looked_for })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn runnable(dir: &Path, program: &Path) -> Result<Resolved, NotRunnable> {
    resolve_in_folder(dir, program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_search_prefers_names_then_the_only_python_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            find_entry(dir.path(), None, &[]).unwrap_err().to_string(),
            "the submission is empty"
        );
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let missing = find_entry(dir.path(), None, &["server.py".into()]);
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("looked for server.py")
        );
        std::fs::write(dir.path().join("my_server.py"), "print(1)").unwrap();
        let found = find_entry(dir.path(), None, &["server.py".into()]).unwrap();
        assert!(
            found.display().ends_with("my_server.py"),
            "{}",
            found.display()
        );
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/server.py"), "print(1)").unwrap();
        let named = find_entry(dir.path(), None, &["server.py".into()]).unwrap();
        assert!(
            named.display().ends_with("src/server.py"),
            "{}",
            named.display()
        );
    }
}
