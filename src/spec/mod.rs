//! Stage 1, spec: the exercise YAML as written on disk ([`ExerciseSpec`]) and its loader.
mod load;
mod schema;

pub use load::{MAX_SPEC_BYTES, SpecError, parse_spec};
pub use schema::*;
