//! netgrade: grades beginner network-programming exercises.
//!
//! The modules follow the pipeline, one stage each:
//!
//! ```text
//! exercise.yaml ─spec─▶ ExerciseSpec ─plan─▶ Exercise ─run─▶ TestResult ─report─▶ text, json, …
//!                                               │  sandbox · program · readiness · peers
//!  submission folder ─submission─▶ ProgramCommand┘  transcript (golden snapshots of references)
//! ```
//!
//! - [`spec`]: the YAML as written, and its loader (errors with file:line:column); imports
//!   nothing else of the crate.
//! - [`plan`]: the validated exercise the runner executes ([`plan::ProgramRole`], steps by
//!   family, matchers).
//! - [`pack`]: finding exercises (the bundled pack or a folder).
//! - [`submission`]: `server.py`, `-- cmd args` or a submission folder → what to run; a typed
//!   reason when it cannot run.
//! - [`sandbox`], [`program`], [`procfs`], [`sockets`], [`readiness`], [`peers`]: running one
//!   test — the sandbox, the program in it, what the kernel says of it, and the grader's side.
//! - [`run`]: every test of a grading, each in its own sandbox; a session plays a test's steps.
//! - [`transcript`], [`wire`], [`verdict`]: what happened (down to the packets, when captured),
//!   and what it means in a beginner's words.
//! - [`i18n`]: the language of every sentence a person reads.
//! - [`report`]: the result for people (live text) and machines (rendered whole).
//! - [`batch`]: grading a whole class, in parallel, with resumable result files.
//! - [`audit`]: known-good and known-bad programs proving a spec's strength.
//! - [`reference`], [`differential`]: the reference solutions, built for `verify` and compiled
//!   in as oracles.
pub mod audit;
pub mod batch;
pub mod differential;
pub mod i18n;
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
pub mod wire;
