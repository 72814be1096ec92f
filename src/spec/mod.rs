//! Stage 1, spec: the exercise YAML as written on disk ([`ExerciseSpec`]) and its loader.
mod load;
mod schema;
mod steps;
mod text;
mod words;

pub use load::{MAX_SPEC_BYTES, SpecError, SpecPositions, parse_spec};
pub use schema::*;
pub use steps::*;
pub use text::TextSpec;
pub use words::{closest, duration_advice};
