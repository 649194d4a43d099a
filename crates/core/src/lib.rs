//! vcscope-core: the normalized commit model, the `Source` trait every backend
//! implements, and the commit stream format (JSON Lines and CSV).
//!
//! This crate does no I/O of its own beyond reading and writing a stream through a
//! caller-supplied reader or writer: backends live in their own crates, the parallel
//! counting stage in `vcscope-stats`, and the command line in the `vcscope` binary.
#![deny(missing_docs)]

pub mod model;
pub mod source;
pub mod stream;

pub use model::{Author, Commit, FileChange, FileStatus};
pub use source::{Changeset, Counter, CounterFactory, Job, Listed, Origin, Problem, Severity, Source, SourceError};
