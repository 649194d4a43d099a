//! vcscope-patch: the raw-patch backend. Reads patch files, folders of them
//! (recursively, in name order), `git format-patch` mails, mboxes, `git log -p`
//! output and `hg export` output, and lists one changeset per patch, mail or commit.
//! Line counting is left to the stats stage ([`Job::Diff`]).

mod dates;
mod split;

use std::fs;
use std::path::{Path, PathBuf};

use vcscope_core::{Author, Changeset, Commit, Job, Listed, Origin, Problem, Severity, Source, SourceError};

pub use dates::parse_date;
pub use split::{split, Piece};

/// What the user told the patch backend.
#[derive(Debug, Clone, Default)]
pub struct PatchOptions {
    /// Author for plain patches that name none (default "unknown").
    pub author: Option<Author>,
}

/// A set of patch files and folders.
#[derive(Debug)]
pub struct PatchSource {
    paths: Vec<PathBuf>,
    options: PatchOptions,
}

impl PatchSource {
    /// Reads `paths` (files or folders) with `options`.
    pub fn new(paths: Vec<PathBuf>, options: PatchOptions) -> Self {
        PatchSource { paths, options }
    }
}

impl Source for PatchSource {
    fn name(&self) -> &str {
        "patch"
    }

    fn list(&mut self, sink: &mut dyn FnMut(Listed)) -> Result<(), SourceError> {
        for path in &self.paths {
            let mut files = Vec::new();
            let mut problems = Vec::new();
            collect_files(path, &mut files, &mut problems);
            let walked = path.is_dir();
            let mut without_diff = Vec::new();
            for p in problems {
                sink(Listed::Problem(p));
            }
            for file in files {
                match read_file(&file, &self.options, sink) {
                    Ok(0) if walked => without_diff.push(file.display().to_string()),
                    Ok(0) => sink(Listed::Problem(Problem {
                        severity: Severity::Warning,
                        origin: Origin { file: file.display().to_string(), ..Origin::default() },
                        message: "no diff found; skipped".into(),
                    })),
                    Ok(_) => {}
                    Err(p) => sink(Listed::Problem(p)),
                }
            }
            if !without_diff.is_empty() {
                let shown: Vec<_> = without_diff.iter().take(5).map(String::as_str).collect();
                let more = without_diff.len().saturating_sub(shown.len());
                let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
                sink(Listed::Problem(Problem {
                    severity: Severity::Warning,
                    origin: Origin { file: path.display().to_string(), ..Origin::default() },
                    message: format!("skipped {} files without a diff: {}{tail}", without_diff.len(), shown.join(", ")),
                }));
            }
        }
        Ok(())
    }
}

/// Files under `path` in name order, skipping hidden entries in folders and a
/// folder's `vcscope.toml` (its chart settings, not a patch).
fn collect_files(path: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let problem = |path: &Path, e: std::io::Error| Problem {
        severity: Severity::Error,
        origin: Origin { file: path.display().to_string(), ..Origin::default() },
        message: format!("cannot read: {e}"),
    };
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return problems.push(problem(path, e)),
    };
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return;
    }
    let entries = match fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) => return problems.push(problem(path, e)),
    };
    let mut children: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let name = entry.file_name();
                if name.to_string_lossy().starts_with('.') || name == "vcscope.toml" {
                    continue;
                }
                // Do not follow links to folders: they can loop.
                let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
                children.push((entry.path(), is_dir));
            }
            Err(e) => problems.push(problem(path, e)),
        }
    }
    children.sort();
    for (child, is_dir) in children {
        if is_dir {
            collect_files(&child, out, problems);
        } else {
            out.push(child);
        }
    }
}

/// Lists the changesets of one file; returns how many it found.
fn read_file(path: &Path, options: &PatchOptions, sink: &mut dyn FnMut(Listed)) -> Result<usize, Problem> {
    let file = path.display().to_string();
    let origin = |line: Option<usize>| Origin { file: file.clone(), line, revision: None };
    let bytes = fs::read(path).map_err(|e| Problem {
        severity: Severity::Error,
        origin: origin(None),
        message: format!("cannot read: {e}"),
    })?;
    if bytes.is_empty() {
        return Err(Problem {
            severity: Severity::Warning,
            origin: origin(None),
            message: "empty file; skipped".into(),
        });
    }
    let mtime = fs::metadata(path).and_then(|m| m.modified()).ok().map(chrono::DateTime::<chrono::Utc>::from);
    let fallback_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.clone());
    let pieces = split(&bytes);
    let many = pieces.len() > 1;
    let mails = pieces.first().is_some_and(|p| p.kind == split::Kind::Mail);
    let mut found = 0;
    let mut no_patch = Vec::new();
    for (index, piece) in pieces.into_iter().enumerate() {
        let label = piece.label(index + 1, many);
        let piece = match piece.read() {
            Ok(p) => p,
            Err(message) => {
                sink(Listed::Problem(Problem {
                    severity: Severity::Error,
                    origin: Origin { file: file.clone(), line: Some(piece.start_line), revision: label },
                    message,
                }));
                continue;
            }
        };
        if !piece.has_diff {
            no_patch.push(index + 1);
            continue;
        }
        let author = match (&piece.author, &options.author) {
            (Some(a), _) => a.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => Author::named("unknown"),
        };
        let time = match (piece.time, mtime) {
            (Some(t), _) => t,
            (None, Some(t)) => t,
            (None, None) => chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        };
        let id = piece.id.clone().unwrap_or_else(|| sha1_smol::Sha1::from(&piece.text).digest().to_string());
        let message = if piece.message.is_empty() { fallback_name.clone() } else { piece.message.clone() };
        let commit = Commit {
            id,
            time,
            author,
            message,
            parents: Vec::new(),
            branch: None,
            source: "patch".into(),
            added: 0,
            removed: 0,
            files: Vec::new(),
            tags: Vec::new(),
        };
        found += 1;
        sink(Listed::Changeset(Changeset {
            commit,
            origin: Origin { file: file.clone(), line: piece.text_line, revision: label },
            job: Job::Diff(piece.text),
        }));
    }
    if many && !no_patch.is_empty() && found > 0 {
        let word = if mails { "mail" } else { "part" };
        let list: Vec<String> = no_patch.iter().map(ToString::to_string).collect();
        sink(Listed::Problem(Problem {
            severity: Severity::Warning,
            origin: origin(None),
            message: format!(
                "{} of {} {word}s carry no patch and were skipped ({word}s {})",
                no_patch.len(),
                no_patch.len() + found,
                list.join(", ")
            ),
        }));
    }
    Ok(found)
}
