//! netgrade: grades beginner network-programming exercises.
//!
//! The modules follow the pipeline, one stage each:
//!
//! ```text
//! exercise.yaml ─spec─▶ ExerciseSpec ─plan─▶ Exercise ─run─▶ TestResult ─report─▶ text
//!                                              │ sandbox · process · readiness · peers
//!                                              └ transcript (golden snapshots of references)
//! ```
//!
//! - [`spec`]: the YAML schema and its loader (errors with file:line:column).
//! - [`plan`]: the validated exercise the runner executes.
//! - [`pack`]: finding exercises (the bundled pack or a folder).
//! - [`submission`]: turning `server.py` or `-- cmd args` into a command to run.
//! - [`sandbox`], [`process`], [`readiness`], [`peers`]: running one test.
//! - [`run`]: playing every test and collecting results.
//! - [`reference`]: building the reference solutions for `verify`.
//! - [`audit`]: known-good and known-bad programs proving a spec's strength.
//! - [`batch`]: grading a whole class, in parallel, with resumable result files.
//! - [`transcript`], [`verdict`]: what happened and what it means.
//! - [`report`]: writers for people and machines.
pub mod audit;
pub mod batch;
pub mod differential;
pub mod pack;
pub mod peers;
pub mod plan;
pub mod procfs;
pub mod program;
pub mod readiness;
pub mod reference;
pub mod report;
pub mod run;
pub mod sandbox;
pub mod sockets;
pub mod spec;
pub mod submission;
pub mod transcript;
pub mod verdict;
