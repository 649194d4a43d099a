//! vcscope-git: the Git backend. Lists every commit reachable from HEAD (or a range,
//! or every branch and tag) with libgit2, and counts each commit's lines added and
//! removed per file the way `git log --numstat` does, on the stats stage's workers
//! (one `git2::Repository` per worker, never shared).
//!
//! The repository is only read: no index refresh, no lock files, no writes.

mod count;
#[cfg(test)]
mod testing;
mod xdiff;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use git2::{Oid, Repository, RepositoryOpenFlags};
use vcscope_core::{
    Author, Changeset, Commit, CounterFactory, Job, Listed, Origin, Problem, Severity, Source, SourceError,
};

/// How merges are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergePolicy {
    /// Listed, marked by their parents, with no file changes (as `git log --numstat`).
    #[default]
    Empty,
    /// Counted against the first parent (as `git log --diff-merges=first-parent`).
    FirstParent,
}

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct GitOptions {
    /// A revision or range (`v1.0..main`); default HEAD.
    pub rev: Option<String>,
    /// Every branch and tag instead of HEAD.
    pub all: bool,
    /// Detect renames (`git log -M`); default off (`--no-renames`).
    pub renames: bool,
    /// How merges are counted.
    pub merges: MergePolicy,
    /// Date commits by committer time instead of author time.
    pub committer_time: bool,
}

/// A Git repository.
pub struct GitSource {
    git_dir: PathBuf,
    shown: String,
    options: GitOptions,
}

/// Which tree a commit is compared with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Base {
    /// A root commit: the empty tree.
    Root,
    /// This parent (its id, and its tree's id when the listing could read it).
    Parent(Oid, Option<Oid>),
    /// A merge under [`MergePolicy::Empty`]: nothing to count.
    Skip,
}

/// What a worker needs to count one commit.
#[derive(Debug)]
pub(crate) struct GitJob {
    /// The commit's tree, read while listing, so a worker needs no commit objects.
    pub tree: Oid,
    pub base: Base,
}

pub(crate) fn invalid(repo: &str, revision: Option<String>, message: String) -> SourceError {
    SourceError::Invalid { origin: Origin { file: repo.to_owned(), line: None, revision }, message }
}

/// Opens a repository read-only: never searches above `path` for a repository
/// unless asked to (`search`), never touches the index or takes locks.
pub(crate) fn open(path: &Path, search: bool) -> Result<Repository, git2::Error> {
    let flags = if search { RepositoryOpenFlags::empty() } else { RepositoryOpenFlags::NO_SEARCH };
    Repository::open_ext(path, flags, std::iter::empty::<&std::ffi::OsStr>())
}

/// True when `path` is a Git repository's top (a work tree, a bare repository or a
/// `.git` folder); a path merely inside a work tree does not count.
pub fn is_repository(path: &Path) -> bool {
    open(path, false).is_ok()
}

impl GitSource {
    /// Opens the repository at or above `path`.
    pub fn open(path: &Path, options: GitOptions) -> Result<Self, SourceError> {
        tune_libgit2();
        let shown = path.display().to_string();
        let repo =
            open(path, true).map_err(|e| invalid(&shown, None, format!("not a Git repository: {}", e.message())))?;
        Ok(GitSource { git_dir: repo.path().to_path_buf(), shown, options })
    }

    fn git_error(&self, revision: Option<String>, what: &str, e: &git2::Error) -> SourceError {
        invalid(&self.shown, revision, format!("{what}: {}", e.message()))
    }
}

/// Tunes libgit2 for reading a whole history once, before any counting thread
/// exists. Object hashes are not recomputed on every read (git log does not either;
/// zlib's checksum still catches corrupt data; the check was 29% of the time).
/// Trees are not kept in libgit2's object cache (blobs never are by default): each
/// worker keeps the parsed trees it will read again itself (`count.rs`), and
/// caching them in libgit2 as well measured 7% slower, its eviction scanning the
/// whole cache map once it is full.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // SAFETY: libgit2's options are process globals written without locks; this
        // runs once, on the thread that opens the repository, before the stats stage
        // starts the threads that use libgit2, and nothing else sets options.
        #[allow(unsafe_code)]
        let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 0) };
    });
}

fn to_time(t: git2::Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.seconds(), 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Tag names by the commit they point at (annotated tags peeled), sorted. A tag
/// that cannot be read is left out: tags only label commits, they never change counts.
fn tags_by_commit(repo: &Repository) -> std::collections::HashMap<Oid, Vec<String>> {
    let mut out: std::collections::HashMap<Oid, Vec<String>> = std::collections::HashMap::new();
    let Ok(names) = repo.tag_names(None) else { return out };
    for name in names.iter() {
        let Ok(Some(name)) = name else { continue };
        let target = repo.revparse_single(&format!("refs/tags/{name}")).and_then(|o| o.peel_to_commit());
        if let Ok(commit) = target {
            out.entry(commit.id()).or_default().push(name.to_owned());
        }
    }
    for names in out.values_mut() {
        names.sort();
    }
    out
}

impl Source for GitSource {
    fn name(&self) -> &str {
        "git"
    }

    fn list(&mut self, sink: &mut dyn FnMut(Listed)) -> Result<(), SourceError> {
        let repo = open(&self.git_dir, false).map_err(|e| self.git_error(None, "cannot open", &e))?;
        let mailmap = match repo.mailmap() {
            Ok(m) => Some(m),
            Err(e) => {
                sink(Listed::Problem(Problem {
                    severity: Severity::Warning,
                    origin: Origin { file: self.shown.clone(), ..Origin::default() },
                    message: format!("cannot read .mailmap, names are shown as recorded: {}", e.message()),
                }));
                None
            }
        };
        let tags = tags_by_commit(&repo);
        let mut walk = repo.revwalk().map_err(|e| self.git_error(None, "cannot walk history", &e))?;
        if self.options.all {
            for glob in ["refs/heads", "refs/tags"] {
                walk.push_glob(glob).map_err(|e| self.git_error(None, &format!("cannot read {glob}"), &e))?;
            }
        } else if let Some(rev) = &self.options.rev {
            if rev.contains("..") {
                walk.push_range(rev).map_err(|e| self.git_error(Some(rev.clone()), "bad range", &e))?;
            } else {
                let object =
                    repo.revparse_single(rev).map_err(|e| self.git_error(Some(rev.clone()), "unknown revision", &e))?;
                let commit =
                    object.peel_to_commit().map_err(|e| self.git_error(Some(rev.clone()), "not a commit", &e))?;
                walk.push(commit.id()).map_err(|e| self.git_error(Some(rev.clone()), "cannot walk", &e))?;
            }
        } else if let Err(e) = walk.push_head() {
            if repo.head().is_err() {
                // An unborn HEAD: a repository without commits has an empty history.
                sink(Listed::Problem(Problem {
                    severity: Severity::Warning,
                    origin: Origin { file: self.shown.clone(), ..Origin::default() },
                    message: "HEAD has no commits yet; the history is empty".into(),
                }));
                return Ok(());
            }
            return Err(self.git_error(Some("HEAD".into()), "cannot walk", &e));
        }
        for oid in walk {
            let oid = oid.map_err(|e| self.git_error(None, "history walk failed", &e))?;
            let revision = Some(oid.to_string());
            let commit = match repo.find_commit(oid) {
                Ok(c) => c,
                Err(e) => {
                    sink(Listed::Problem(Problem {
                        severity: Severity::Error,
                        origin: Origin { file: self.shown.clone(), line: None, revision },
                        message: format!("cannot read commit: {}", e.message()),
                    }));
                    continue;
                }
            };
            let signature = match &mailmap {
                Some(m) => commit.author_with_mailmap(m).unwrap_or_else(|_| commit.author().to_owned()),
                None => commit.author().to_owned(),
            };
            let author = Author {
                name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
                email: Some(String::from_utf8_lossy(signature.email_bytes()).into_owned()).filter(|e| !e.is_empty()),
            };
            let time = if self.options.committer_time { to_time(commit.time()) } else { to_time(signature.when()) };
            let parents: Vec<Oid> = commit.parent_ids().collect();
            let base = match (parents.as_slice(), self.options.merges) {
                ([], _) => Base::Root,
                // The parent's tree id now: the walk reads that commit next anyway
                // (libgit2 keeps it in its commit cache), and workers then read
                // trees and blobs only. If it cannot be read here, the worker
                // tries again and reports the error with the commit.
                ([p], _) | ([p, ..], MergePolicy::FirstParent) => {
                    Base::Parent(*p, commit.parent(0).ok().map(|c| c.tree_id()))
                }
                (_, MergePolicy::Empty) => Base::Skip,
            };
            let message = String::from_utf8_lossy(commit.message_raw_bytes()).into_owned();
            sink(Listed::Changeset(Changeset {
                commit: Commit {
                    id: oid.to_string(),
                    time,
                    author,
                    message,
                    parents: parents.iter().map(Oid::to_string).collect(),
                    branch: None,
                    source: "git".into(),
                    added: 0,
                    removed: 0,
                    files: Vec::new(),
                    tags: tags.get(&oid).cloned().unwrap_or_default(),
                },
                job: Job::Deferred(Box::new(GitJob { tree: commit.tree_id(), base })),
                origin: Origin { file: self.shown.clone(), line: None, revision: Some(oid.to_string()) },
            }));
        }
        Ok(())
    }

    fn counter_factory(&self) -> Option<Arc<dyn CounterFactory>> {
        Some(Arc::new(count::Factory {
            git_dir: self.git_dir.clone(),
            shown: self.shown.clone(),
            renames: self.options.renames,
            workers: std::sync::atomic::AtomicUsize::new(0),
        }))
    }
}
