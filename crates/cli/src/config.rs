//! The validated, resolved run configuration built from what the user typed
//! (`args.rs`). Library crates receive parts of a `Config`, never clap types.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use vcscope_core::Author;

use crate::args::{BackendArg, MergesArg, SourceArgs};

/// Backends this build knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Patch files, mails, mboxes.
    Patch,
    /// A Git repository.
    Git,
    /// A CVS repository through cvsps.
    Cvsps,
}

/// Everything needed to read a history (for `ingest` and `chart`), resolved.
#[derive(Debug)]
pub struct IngestConfig {
    pub paths: Vec<PathBuf>,
    pub backend: BackendKind,
    pub author: Option<Author>,
    pub strip: usize,
    pub jobs: usize,
    pub progress: bool,
    pub warnings_shown: Option<usize>,
    pub git: vcscope_git::GitOptions,
    pub cvs: vcscope_cvs::CvsOptions,
}

impl IngestConfig {
    pub fn from_args(args: SourceArgs) -> Result<Self> {
        let backend = match args.backend {
            BackendArg::Auto => detect(&args.paths),
            BackendArg::Patch => BackendKind::Patch,
            BackendArg::Git => BackendKind::Git,
            BackendArg::Cvsps => BackendKind::Cvsps,
        };
        let author = match args.author.as_deref().map(str::trim) {
            Some("") => bail!("--author is empty; give a name, optionally with <email>"),
            Some(text) => Some(Author::parse(text)),
            None => None,
        };
        if args.jobs == Some(0) {
            bail!("--jobs must be at least 1");
        }
        let git = vcscope_git::GitOptions {
            rev: args.git.rev,
            all: args.git.all,
            renames: args.git.renames,
            merges: match args.git.merges {
                MergesArg::Empty => vcscope_git::MergePolicy::Empty,
                MergesArg::FirstParent => vcscope_git::MergePolicy::FirstParent,
            },
            committer_time: args.git.committer_time,
        };
        if args.cvs.cvsps_timeout == 0 {
            bail!("--cvsps-timeout must be at least 1 second");
        }
        let cvs = vcscope_cvs::CvsOptions {
            cvs_root: args.cvs.cvs_root,
            module: args.cvs.module,
            authors: args.cvs.authors,
            timeout: std::time::Duration::from_secs(args.cvs.cvsps_timeout),
            cvsps: args.cvs.cvsps,
        };
        Ok(IngestConfig {
            paths: args.paths,
            backend,
            author,
            strip: args.strip,
            jobs: args.jobs.unwrap_or(0),
            progress: !args.quiet,
            warnings_shown: if args.quiet {
                Some(0)
            } else if args.verbose {
                None
            } else {
                Some(20)
            },
            git,
            cvs,
        })
    }
}

/// Picks a backend from what the paths are: a Git repository (its top, not a folder
/// inside it), a CVS repository or working copy, or anything else (patches).
pub fn detect(paths: &[PathBuf]) -> BackendKind {
    let first = paths.first().map(PathBuf::as_path).unwrap_or(Path::new("."));
    if first.to_string_lossy().starts_with(':') && !first.exists() {
        return BackendKind::Cvsps; // a remote CVS root (`:pserver:user@host:/cvs`)
    }
    if !first.is_dir() {
        return BackendKind::Patch;
    }
    if vcscope_git::is_repository(first) {
        return BackendKind::Git;
    }
    if vcscope_cvs::is_cvs(first) {
        return BackendKind::Cvsps;
    }
    BackendKind::Patch
}
