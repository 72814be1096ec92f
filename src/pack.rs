//! [`ExercisePack`]: where exercises come from — the pack bundled into the binary, or a folder.
//!
//! An exercise is a folder `<id>/` holding `exercise.yaml` and optionally `statement.md`. The
//! bundled pack is compiled in, so `netgrade` works from any directory and after
//! `cargo install`; `--exercises DIR` grades against another pack.

use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::i18n::Localized;
use crate::plan::Exercise;
use crate::spec::SpecError;

/// The bundled pack: `exercises/` without its `solutions/` folders (see `build.rs`).
static BUNDLED: Dir<'static> = include_dir!("$OUT_DIR/bundled");

/// The file name of a spec inside an exercise folder.
pub const SPEC_FILE: &str = "exercise.yaml";
/// The file name of a statement inside an exercise folder.
pub const STATEMENT_FILE: &str = "statement.md";
/// The file name of its Chinese translation, beside it.
pub const STATEMENT_ZH_FILE: &str = "statement.zh.md";

/// A set of exercises.
#[derive(Debug, Clone)]
pub enum ExercisePack {
    /// Compiled into the binary.
    Bundled,
    /// A folder of exercise folders.
    Folder(PathBuf),
}

/// One exercise's files, before parsing.
#[derive(Debug, Clone)]
pub struct ExerciseSource {
    /// Name used in messages (a path, or `exercises/<id>/exercise.yaml` for bundled ones).
    pub name: String,
    /// The spec text.
    pub yaml: String,
    /// The statement (`statement.md`, and `statement.zh.md` when translated), if there is one.
    pub statement: Option<Localized>,
    /// The exercise's folder inside the bundled pack, for a bundled exercise (its data files
    /// are read from there, not from the disk).
    pub bundled: Option<String>,
}

/// A pack could not be read, or an exercise was not found.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The folder could not be read.
    #[error("cannot read the exercise folder {path}: {source}")]
    Unreadable {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No exercise has that id.
    #[error("no exercise `{id}` in {pack}; the exercises are: {known}")]
    UnknownExercise {
        /// Asked for.
        id: String,
        /// Which pack.
        pack: String,
        /// The ids there are.
        known: String,
    },
    /// A spec is invalid.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

impl ExercisePack {
    /// The pack's folder, when it is not the bundled pack (rerun lines must name it).
    pub fn folder(&self) -> Option<&Path> {
        match self {
            ExercisePack::Bundled => None,
            ExercisePack::Folder(dir) => Some(dir),
        }
    }

    /// Words for messages.
    pub fn describe(&self) -> String {
        match self {
            ExercisePack::Bundled => "the bundled exercises".into(),
            ExercisePack::Folder(path) => path.display().to_string(),
        }
    }

    /// The exercise folders' sources, sorted by folder name.
    pub fn sources(&self) -> Result<Vec<ExerciseSource>, PackError> {
        let mut sources = match self {
            ExercisePack::Bundled => BUNDLED
                .dirs()
                .filter_map(|dir| {
                    let spec = dir.get_file(dir.path().join(SPEC_FILE))?;
                    Some(ExerciseSource {
                        name: format!("exercises/{}", spec.path().display()),
                        yaml: spec.contents_utf8()?.to_owned(),
                        statement: statement(|file| {
                            dir.get_file(dir.path().join(file))
                                .and_then(|f| f.contents_utf8())
                                .map(str::to_owned)
                        }),
                        bundled: Some(dir.path().display().to_string()),
                    })
                })
                .collect(),
            ExercisePack::Folder(root) => folder_sources(root)?,
        };
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(sources)
    }

    /// Every exercise, parsed and validated; stops at the first invalid spec (with every
    /// problem of that spec).
    pub fn exercises(&self) -> Result<Vec<(Exercise, ExerciseSource)>, PackError> {
        self.sources()?
            .into_iter()
            .map(|source| Ok((source.exercise()?, source)))
            .collect()
    }

    /// The exercise with this id.
    pub fn find(&self, id: &str) -> Result<(Exercise, ExerciseSource), PackError> {
        let sources = self.sources()?;
        let known: Vec<String> = sources
            .iter()
            .filter_map(|s| folder_id(&s.name).map(str::to_owned))
            .collect();
        let Some(source) = sources.into_iter().find(|s| folder_id(&s.name) == Some(id)) else {
            return Err(PackError::UnknownExercise {
                id: id.to_owned(),
                pack: self.describe(),
                known: known.join(", "),
            });
        };
        let exercise = source.exercise()?;
        Ok((exercise, source))
    }
}

impl ExerciseSource {
    /// The exercise folder this spec is the `exercise.yaml` of, if it is one: its name is the
    /// exercise's id.
    pub fn folder(&self) -> Option<String> {
        let path = Path::new(&self.name);
        if path.file_name()? != SPEC_FILE {
            return None;
        }
        if let Some(id) = folder_id(&self.name).filter(|id| !id.is_empty()) {
            return Some(id.to_owned());
        }
        // `exercise.yaml` named from inside its folder: the folder is the working one.
        let absolute = fs::canonicalize(path).ok()?;
        Some(absolute.parent()?.file_name()?.to_str()?.to_owned())
    }

    /// Parses and validates the spec, with every problem it has; the spec of an exercise
    /// folder must have the folder's name as its `id`.
    pub fn exercise(&self) -> Result<Exercise, SpecError> {
        match self.folder() {
            Some(folder) => match &self.bundled {
                Some(id) => {
                    let read = |name: &str| {
                        BUNDLED
                            .get_file(Path::new(id).join(name))
                            .map(|file| file.contents().to_vec())
                    };
                    Exercise::from_yaml_with_data(&self.yaml, &self.name, Some(&folder), &read)
                }
                None => Exercise::from_yaml_in_folder(&self.yaml, &self.name, &folder),
            },
            None => Exercise::from_yaml(&self.yaml, &self.name),
        }
    }
}

/// `exercises/tcp-server/exercise.yaml` → `tcp-server`.
fn folder_id(spec_name: &str) -> Option<&str> {
    Path::new(spec_name).parent()?.file_name()?.to_str()
}

fn folder_sources(root: &Path) -> Result<Vec<ExerciseSource>, PackError> {
    let unreadable = |source| PackError::Unreadable {
        path: root.to_owned(),
        source,
    };
    let mut sources = Vec::new();
    for entry in fs::read_dir(root).map_err(unreadable)? {
        let folder = entry.map_err(unreadable)?.path();
        let spec = folder.join(SPEC_FILE);
        if !spec.is_file() {
            continue;
        }
        sources.push(read_source(&spec)?);
    }
    Ok(sources)
}

/// The statement, read by file name with `read`: English, and Chinese when translated.
fn statement(read: impl Fn(&str) -> Option<String>) -> Option<Localized> {
    Some(Localized {
        en: read(STATEMENT_FILE)?,
        zh: read(STATEMENT_ZH_FILE),
    })
}

/// Reads one spec file (and the statement beside it).
pub fn read_source(spec: &Path) -> Result<ExerciseSource, PackError> {
    let name = spec.display().to_string();
    let metadata = fs::metadata(spec).map_err(|e| SpecError::Unreadable {
        file: name.clone(),
        message: e.to_string(),
    })?;
    if metadata.len() > crate::spec::MAX_SPEC_BYTES as u64 {
        return Err(SpecError::Unreadable {
            file: name,
            message: format!(
                "spec is {} bytes; the limit is {} (an exercise is a few KiB)",
                metadata.len(),
                crate::spec::MAX_SPEC_BYTES
            ),
        }
        .into());
    }
    let bytes = fs::read(spec).map_err(|e| SpecError::Unreadable {
        file: name.clone(),
        message: e.to_string(),
    })?;
    let yaml = String::from_utf8(bytes).map_err(|_| SpecError::Unreadable {
        file: name.clone(),
        message: "not UTF-8 text; a spec is a YAML file".into(),
    })?;
    let statement = statement(|file| {
        spec.parent()
            .and_then(|dir| fs::read_to_string(dir.join(file)).ok())
    });
    Ok(ExerciseSource {
        name,
        yaml,
        statement,
        bundled: None,
    })
}
