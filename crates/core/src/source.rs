//! The `Source` trait: how a backend lists changesets, and how the parallel stats
//! stage asks it to count the ones whose line counts are not known yet.
//!
//! A source only *lists*: it is sequential and cheap. Counting lines, the expensive
//! part, happens later in `vcscope-stats`, in parallel, from each changeset's [`Job`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::model::{Commit, FileChange};

/// Where a changeset (or a problem) came from, for messages a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file, repository or plugin the changeset was read from.
    pub file: String,
    /// The 1-based line in `file` where the changeset's text starts, when it has one.
    pub line: Option<usize>,
    /// The revision, mail number or patchset, when that helps to find it.
    pub revision: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rev) = &self.revision {
            write!(f, " ({rev})")?;
        }
        Ok(())
    }
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input was odd but was read; the output says what was assumed.
    Warning,
    /// Part of the input could not be read and is missing from the output.
    Error,
}

/// Something wrong with the input that did not stop the whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Warning or error.
    pub severity: Severity,
    /// Where it is.
    pub origin: Origin,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{word}: {}: {}", self.origin, self.message)
    }
}

/// What the stats stage must do to get a changeset's per-file counts.
pub enum Job {
    /// The source already knows them (a plugin that sends counts, a saved stream).
    Counted(Vec<FileChange>),
    /// Unified, context or git diff text, counted by `vcscope-diffstat`.
    Diff(Vec<u8>),
    /// Backend-specific work (a Git commit id, a list of CVS file revisions), done
    /// by the source's [`Counter`].
    Deferred(Box<dyn Any + Send>),
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Job::Counted(files) => f.debug_tuple("Counted").field(files).finish(),
            Job::Diff(text) => write!(f, "Diff({} bytes)", text.len()),
            Job::Deferred(_) => f.write_str("Deferred(..)"),
        }
    }
}

/// A commit whose metadata is known and whose line counts are still to be computed.
#[derive(Debug)]
pub struct Changeset {
    /// Everything but `files`, `added` and `removed`, which the stats stage fills in.
    pub commit: Commit,
    /// How to count it.
    pub job: Job,
    /// Where it came from.
    pub origin: Origin,
}

/// One item a source lists: a changeset, or a problem it met and stepped over.
/// (Items are moved once each, so the size difference between variants is harmless.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Listed {
    /// A changeset to count.
    Changeset(Changeset),
    /// A warning, or an error that cost one changeset but not the others.
    Problem(Problem),
}

/// An error that stops a source from listing anything more.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Reading an input failed.
    #[error("cannot read {path}")]
    Io {
        /// The file or folder.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The input is not what this backend reads.
    #[error("{origin}: {message}")]
    Invalid {
        /// Where.
        origin: Origin,
        /// What.
        message: String,
    },
    /// A helper program failed (cvsps, a plugin).
    #[error("{program} failed: {message}")]
    Program {
        /// The program's name.
        program: String,
        /// Exit status and the tail of its stderr.
        message: String,
    },
}

/// A per-worker counter for [`Job::Deferred`]; each rayon worker gets its own, so it
/// need not be `Sync` (a `git2::Repository`, an open `,v` file cache).
pub trait Counter {
    /// Counts one changeset.
    fn count(&mut self, commit: &Commit, job: Box<dyn Any + Send>) -> Result<Vec<FileChange>, SourceError>;

    /// Problems met by the last [`Counter::count`] that did not stop it (a file of
    /// the changeset that could not be read, while the others were counted).
    fn take_problems(&mut self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Makes one [`Counter`] per worker thread.
pub trait CounterFactory: Send + Sync {
    /// A fresh counter for one worker.
    fn counter(&self) -> Result<Box<dyn Counter>, SourceError>;
}

/// A version-control history, read by one backend.
///
/// Implementations need only [`Source::name`] and [`Source::list`]; a backend whose
/// changesets carry [`Job::Deferred`] also overrides [`Source::counter_factory`].
pub trait Source {
    /// The backend's name as the user types it (`patch`, `git`, `cvsps`, ...).
    fn name(&self) -> &str;

    /// Lists every changeset, in any order, calling `sink` once for each changeset
    /// and for each problem met on the way. Returns an error only when nothing more
    /// can be listed.
    fn list(&mut self, sink: &mut dyn FnMut(Listed)) -> Result<(), SourceError>;

    /// How to count [`Job::Deferred`] jobs; `None` when the source never makes them.
    /// Asked for before [`Source::list`] runs: counting starts while listing goes on,
    /// so the factory must not depend on what listing finds.
    fn counter_factory(&self) -> Option<Arc<dyn CounterFactory>> {
        None
    }

    /// Lists everything into two vectors: changesets and problems.
    fn collect(&mut self) -> Result<(Vec<Changeset>, Vec<Problem>), SourceError> {
        let mut changesets = Vec::new();
        let mut problems = Vec::new();
        self.list(&mut |item| match item {
            Listed::Changeset(c) => changesets.push(c),
            Listed::Problem(p) => problems.push(p),
        })?;
        Ok((changesets, problems))
    }
}
