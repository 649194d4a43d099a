//! What the user typed: the clap definitions of every command and flag, and their
//! help text. Nothing here does any work; `config.rs` turns these into a `Config`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Read the history of a version-control system (CVS through cvsps, Git, patch
/// files), turn it into one normalized stream of commits with the lines each
/// author added and removed, and draw who wrote how much, when.
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
    /// PATH may be a CVS module folder, root or working copy, a Git repository, a
    /// patch file, a folder of patches (read recursively in name order), a git
    /// format-patch mail, an mbox of many mails, or `git log -p` / `hg export`
    /// output. Each patchset, mail or commit becomes one commit; a plain patch
    /// becomes one commit dated by its `Date:` header or its file time.
    ///
    /// Warnings (odd input that was read anyway) and errors (input that was skipped)
    /// go to stderr with the file and line; the good commits are written either way,
    /// and the exit code is 1 if anything was skipped.
    Ingest(IngestArgs),
    /// Draw the history as a bubble timeline (SVG and/or PNG).
    ///
    /// One circle per commit: x is its date, its area is proportional to the lines
    /// it added plus removed, its colour is its author; the height is random
    /// (the same every time), only to spread the circles out. Dashed lines mark
    /// milestones. Commits far bigger than the rest are listed and drawn capped.
    /// Reads PATH with any backend, like `ingest`.
    Chart(ChartCmdArgs),
    /// Draw the chart of a saved commit stream (JSON Lines), like `chart`.
    Render(RenderArgs),
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
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Jsonl)]
    pub format: FormatArg,
    /// Write to FILE instead of stdout. The file appears only when complete.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// What to read and how: shared by `ingest` and `chart`.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Files or folders to read.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Which backend reads PATH; `auto` looks at what PATH is.
    #[arg(long, short = 'b', value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,
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
    #[command(flatten)]
    pub cvs: CvsArgs,
}

/// Options of the CVS backend.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "CVS options")]
pub struct CvsArgs {
    /// The repository root (the folder holding CVSROOT/), when PATH does not show
    /// it; or a remote root (`:pserver:anon@host:/cvs`, `:ext:...`), which can also
    /// be given as PATH. A remote root needs --module.
    #[arg(long, value_name = "DIR")]
    pub cvs_root: Option<String>,
    /// The module to read (a folder under the root); default: the one PATH is in,
    /// or every module when PATH is the root.
    #[arg(long, value_name = "NAME")]
    pub module: Option<String>,
    /// Map CVS logins to people: `login = Full Name <email>` lines (the format of
    /// cvs-fast-export and git-cvsimport). CVSROOT/users is read too when present.
    #[arg(long, value_name = "FILE")]
    pub authors: Option<PathBuf>,
    /// Stop cvsps after this many seconds per module (a malformed ,v file can make
    /// it hang).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub cvsps_timeout: u64,
    /// The cvsps program to run (default: `cvsps` on PATH).
    #[arg(long, value_name = "PROGRAM", default_value = "cvsps")]
    pub cvsps: PathBuf,
}

/// Arguments of `vcscope chart`.
#[derive(Debug, clap::Args)]
pub struct ChartCmdArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
}

/// Arguments of `vcscope render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// JSON Lines commit streams (`vcscope ingest` output, or any tool's that writes
    /// the fields of docs/stream-format.md); `-` reads stdin.
    #[arg(required = true, value_name = "STREAM")]
    pub streams: Vec<PathBuf>,
    /// Print nothing but errors (no outlier list, no "wrote" lines).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub chart: ChartArgs,
}

/// How the chart looks. Each flag overrides the same setting in the config file.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Chart options")]
pub struct ChartArgs {
    /// Write the chart to FILE: `.svg` or `.png` (repeatable). Default: NAME.svg and
    /// NAME.png in the current folder, NAME from the first input. Files appear only
    /// when complete.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// The chart's title (default: the input's name).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Size in CSS pixels, `WIDTHxHEIGHT` (default 1200x680).
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
    /// PNG pixels per CSS pixel: 2 for sharp pictures on HiDPI screens (default 1).
    #[arg(long, value_name = "F")]
    pub scale: Option<f32>,
    /// Colour theme (default light).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// A vertical labelled line, `DATE=LABEL` (`2009-03-15="Paper submitted"`);
    /// repeatable, added to the config file's milestones.
    #[arg(long, value_name = "DATE=LABEL")]
    pub milestone: Vec<String>,
    /// Also draw a milestone at every tagged commit whose tag matches PATTERN
    /// (`v*`, `release-?.?`); Git tags and CVS symbolic names.
    #[arg(long, value_name = "PATTERN")]
    pub milestones_from_tags: Option<String>,
    /// Outliers (commits far bigger than the rest, or whole files re-added) are
    /// always listed; `cap` draws them at the largest ordinary size with a dashed
    /// outline, `keep` at their true size, `drop` not at all (default cap).
    #[arg(long, value_enum, value_name = "HOW")]
    pub outliers: Option<OutliersArg>,
    /// Leave out commits before DATE (`2009-01-01` or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Leave out commits after DATE (a bare date includes that whole day).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Circle area proportional to lines changed (`area`, the default) or to its
    /// logarithm (`log`).
    #[arg(long, value_enum, value_name = "SCALE")]
    pub size_scale: Option<SizeScaleArg>,
    /// People with their own colour; the rest are grouped as "others" (default 8).
    #[arg(long, value_name = "N")]
    pub max_people: Option<usize>,
    /// Read settings from FILE (default: ./vcscope.toml, else vcscope.toml in the
    /// first input folder). See docs/chart.md.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read no config file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

/// `--theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeArg {
    Light,
    Dark,
}

/// `--outliers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutliersArg {
    Keep,
    Cap,
    Drop,
}

/// `--size-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeScaleArg {
    Area,
    Log,
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
    /// A CVS repository (module folder, root, or working copy) through cvsps.
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
