//! vcscope-diffstat: the one place that reads diff text. It counts lines added and
//! removed per file in unified diffs (`diff -u`, `diff -ruN` trees, `git diff` and
//! `format-patch` output with renames, copies, mode changes and binary patches),
//! context diffs (`diff -c`), combined diffs (`diff --cc`), and text with diffs mixed
//! into other prose (mails, `git log -p`, `cvsps -g`).
//!
//! Hunks are counted by their headers, as `git apply` does, never by guessing from
//! line prefixes alone: a removed line that reads `--- x` inside a hunk is a removed
//! line, not a file header. Parsing never fails: damaged input yields what could be
//! counted plus [`Warning`]s that name the line.
#![deny(missing_docs)]

mod names;
mod parse;
mod pieces;

pub use parse::{count_segment, diffstat, diffstat_read, diffstat_with, Options, Segment, Segments};
pub use pieces::{piece_count, read_piece, ReadAt};

/// What happened to a file, as far as the diff tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Created (from `/dev/null`, `new file mode`, or a `diff -N` epoch timestamp).
    Added,
    /// Changed in place (content or mode).
    Modified,
    /// Deleted (to `/dev/null` or `deleted file mode`).
    Deleted,
    /// Renamed (`rename from`/`rename to`).
    Renamed,
    /// Copied (`copy from`/`copy to`).
    Copied,
}

/// Counts for one file section of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStat {
    /// Path after the change (before it for deletions), with `strip` leading
    /// components removed as `patch -p` does.
    pub path: String,
    /// Path before a rename or copy.
    pub old_path: Option<String>,
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
    /// Binary content (`Binary files ... differ` or `GIT binary patch`).
    pub binary: bool,
    /// Added, modified, deleted, renamed or copied.
    pub status: Status,
    /// 1-based line where this file's header starts.
    pub line: usize,
}

/// Something odd in the input that was stepped over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line in the input.
    pub line: usize,
    /// What was wrong and what was assumed.
    pub message: String,
}

/// The result of counting one diff text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffStat {
    /// One entry per file section, in input order.
    pub files: Vec<FileStat>,
    /// Problems met, in input order.
    pub warnings: Vec<Warning>,
}

impl DiffStat {
    /// Total lines added.
    pub fn added(&self) -> u64 {
        self.files.iter().map(|f| f.added).sum()
    }
    /// Total lines removed.
    pub fn removed(&self) -> u64 {
        self.files.iter().map(|f| f.removed).sum()
    }

    /// Appends the result of the text that follows, whose line 1 is line
    /// `line_offset + 1` of the whole.
    pub fn append(&mut self, mut next: DiffStat, line_offset: usize) {
        for f in &mut next.files {
            f.line += line_offset;
        }
        for w in &mut next.warnings {
            w.line += line_offset;
        }
        self.files.append(&mut next.files);
        self.warnings.append(&mut next.warnings);
    }
}
