//! The exercise's data files (`files:` in the spec): read from the exercise's folder once,
//! when the spec becomes a plan, so every run gets the same bytes, and a name that is not
//! there is a spec error at its line rather than a failed test.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Reads one data file of the exercise's folder by name (`None`: not there).
pub type DataReader<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// The data files, by name.
pub type DataFiles = BTreeMap<String, Arc<[u8]>>;

/// Largest data file, and all of them together (data for beginner exercises is small).
const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// Reads every file `names` lists; returns those read and, for each name that could not be,
/// its index and why.
pub(super) fn load(names: &[String], read: DataReader<'_>) -> (DataFiles, Vec<(usize, String)>) {
    let mut files = DataFiles::new();
    let mut problems = Vec::new();
    let mut total = 0usize;
    for (index, name) in names.iter().enumerate() {
        if !is_plain_name(name) {
            problems.push((
                index,
                format!("files: `{name}` must be a plain file name of the exercise's folder (no folders, no `..`, not hidden)"),
            ));
            continue;
        }
        let Some(bytes) = read(name) else {
            problems.push((
                index,
                format!("files: `{name}` is not in the exercise's folder"),
            ));
            continue;
        };
        total = total.saturating_add(bytes.len());
        if bytes.len() > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
            problems.push((
                index,
                format!(
                    "files: `{name}` makes the data too large (at most {} MiB a file, {} MiB in all)",
                    MAX_FILE_BYTES / (1024 * 1024),
                    MAX_TOTAL_BYTES / (1024 * 1024)
                ),
            ));
            continue;
        }
        files.insert(name.clone(), Arc::from(bytes));
    }
    (files, problems)
}

/// A name the run's folder can hold as it is: `hello.txt`, not `../x`, `a/b` or `.hidden`.
pub(super) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 100
}

/// Whether `name` is one of the exercise's own files, which are never data: its spec, its
/// statements and its reference program.
pub(super) fn is_exercise_own(name: &str, reference: Option<&str>) -> bool {
    name == "exercise.yaml" || name.starts_with("statement") || Some(name) == reference
}

/// A relative path inside the program's folder: `out.txt`, `received/hello.txt`.
pub(super) fn is_folder_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\0')
        && path.len() <= 200
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_are_read_by_plain_name_and_bounded() {
        let read = |name: &str| (name == "hello.txt").then(|| b"hello\n".to_vec());
        let names = ["hello.txt", "../etc/passwd", "missing.txt", ".secret"].map(String::from);
        let (files, problems) = load(&names, &read);
        assert_eq!(&*files["hello.txt"], b"hello\n");
        let indexes: Vec<usize> = problems.iter().map(|(index, _)| *index).collect();
        assert_eq!(indexes, [1, 2, 3]);
        assert!(problems[1].1.contains("is not in the exercise's folder"));
    }

    #[test]
    fn folder_paths_stay_in_the_folder() {
        assert!(is_folder_path("out.txt"));
        assert!(is_folder_path("received/hello.txt"));
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a"] {
            assert!(!is_folder_path(bad), "{bad}");
        }
    }
}
