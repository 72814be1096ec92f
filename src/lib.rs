//! netgrade: grades beginner network-programming exercises.
pub mod plan;
pub mod spec;
