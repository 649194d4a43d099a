//! What the user typed: the clap definitions of every command and flag, and their
//! help text. Nothing here does any work; `config.rs` turns these into a `Config`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Read the history of a version-control system (Git repositories and patch files
/// today; CVS is on the way) and turn it into one normalized stream of commits with
/// the lines each author added and removed.
#[derive(Debug, Parser)]
#[command(name = "vcscope", version, about, long_about = None, propagate_version = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a history and write its commits as JSON Lines or CSV.
    ///
    /// PATH may be a Git repository, a patch file, a folder of patches (read
    /// recursively in name order), a git format-patch mail, an mbox of many mails,
    /// or `git log -p` / `hg export` output. Each mail or commit becomes one commit; a plain patch
    /// becomes one commit dated by its `Date:` header or its file time.
    ///
    /// Warnings (odd input that was read anyway) and errors (input that was skipped)
    /// go to stderr with the file and line; the good commits are written either way,
    /// and the exit code is 1 if anything was skipped.
    Ingest(IngestArgs),
    /// Count lines added and removed per file in diff files, like `git apply --numstat`.
    ///
    /// Prints `added<TAB>removed<TAB>path` per file section (`-` `-` for binary
    /// files). Unlike `ingest`, the text is read as it is: mails are not decoded.
    Stat(StatArgs),
    /// List the backends this build knows and whether they can run here.
    Backends,
}

/// Arguments of `vcscope ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or folders to read.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Which backend reads PATH; `auto` looks at what PATH is.
    #[arg(long, short = 'b', value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Jsonl)]
    pub format: FormatArg,
    /// Write to FILE instead of stdout. The file appears only when complete.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Author of plain patches that name none, as `Name <email>` (default "unknown").
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    /// Leading path components to strip from names in diffs, like `patch -p`.
    #[arg(long, short = 'p', value_name = "N", default_value_t = 1)]
    pub strip: usize,
    /// Worker threads for counting lines (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print no progress and no warnings; errors are still printed.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print every warning (by default the first 20 are shown, then a count).
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    pub verbose: bool,
    #[command(flatten)]
    pub git: GitArgs,
}

/// Options of the Git backend.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Git options")]
pub struct GitArgs {
    /// A revision or range to read instead of HEAD (`v1.0..main`, `main~100..`).
    #[arg(long, value_name = "REV", conflicts_with = "all")]
    pub rev: Option<String>,
    /// Read every branch and tag, not just HEAD.
    #[arg(long)]
    pub all: bool,
    /// Detect renames, as `git log -M` (default: a rename is a delete and an add).
    #[arg(long)]
    pub renames: bool,
    /// How merges are counted: `empty` lists them with no file changes, as
    /// `git log --numstat`; `first-parent` counts their changes against the first
    /// parent.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = MergesArg::Empty)]
    pub merges: MergesArg,
    /// Date commits by committer time instead of author time.
    #[arg(long)]
    pub committer_time: bool,
}

/// `--merges`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergesArg {
    /// Listed, with no file changes.
    Empty,
    /// Counted against the first parent.
    FirstParent,
}

/// Arguments of `vcscope stat`.
#[derive(Debug, clap::Args)]
pub struct StatArgs {
    /// Diff files to count.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Leading path components to strip from names, like `patch -p`.
    #[arg(long, short = 'p', value_name = "N", default_value_t = 1)]
    pub strip: usize,
    /// Print only one line per input file: `added<TAB>removed<TAB>files<TAB>FILE`.
    #[arg(long)]
    pub total: bool,
    /// Worker threads (default: one per core). Large inputs are counted in parallel
    /// segments; the result is the same whatever the number.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// Decide from what PATH is.
    Auto,
    /// Patch files, mails, mboxes, `git log -p` output.
    Patch,
    /// A Git repository (work tree, bare, or a folder inside a work tree).
    Git,
    /// A CVS repository through cvsps (not yet available).
    Cvsps,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per commit per line (see docs/stream-format.md).
    Jsonl,
    /// One CSV row per commit, with totals.
    Csv,
    /// One CSV row per file of each commit.
    CsvFiles,
}
