//! The shape of the code, checked: no import circle between the modules of `src/`, the spec
//! layer imports nothing else of the crate, no file does too many jobs (over 600 lines), and
//! every file says at its top what lives there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`run/session.rs` → `run`).
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// The crate's modules each module's code (tests and comments aside) names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let uses = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&file);
        // The binary's own modules sit on top of the library; they are not part of it.
        if ["main", "cli", "commands", "lib"].contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let entry = graph.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for found in uses.captures_iter(line) {
                if found[1] != module {
                    entry.insert(found[1].to_owned());
                }
            }
        }
    }
    graph
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = imports();
    for start in graph.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<Vec<String>> = graph[start]
            .iter()
            .map(|next| vec![start.clone(), next.clone()])
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap();
            assert!(last != start, "import circle: {}", path.join(" → "));
            if !seen.insert(last.clone()) {
                continue;
            }
            for next in graph.get(last).into_iter().flatten() {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
}

#[test]
fn the_spec_layer_stands_on_its_own() {
    assert_eq!(imports()["spec"], BTreeSet::new());
}

#[test]
fn every_file_is_short_and_says_what_it_holds() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = text.lines().count();
        assert!(lines <= 600, "{}: {lines} lines", file.display());
        assert!(
            text.starts_with("//!"),
            "{} does not start with a //! comment",
            file.display()
        );
    }
}
