//! The CVS backend, `cvsps`: the pipeline of the blog post that started vcscope
//! (cvsps, then the lines each patchset changed), made exact and parallel.
//!
//! `cvsps` groups file revisions into patchsets (`cvsps.rs` runs it safely and
//! reads its report). Line counts do not come from `cvsps -g` diffs: each patchset
//! member is counted in the stats stage, in parallel, from the repository's `,v`
//! file (`rcs.rs`), as `rlog`'s `lines: +a -b` does: unexpanded text, so keywords
//! never inflate counts. Added files count all their lines as added, removed files
//! all theirs as removed, binary (`-kb`) files are flagged with no counts.
//!
//! Nothing is written to the repository: `,v` files are only read, and cvsps runs
//! `cvs` in read-only mode.

pub mod cvsps;
pub mod rcs;
mod remote;

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use vcscope_core::{
    Author, Changeset, Commit, Counter, CounterFactory, FileChange, FileStatus, Job, Listed, Origin, Problem, Severity,
    Source, SourceError,
};

/// How to find and read the repository.
#[derive(Debug, Clone)]
pub struct CvsOptions {
    /// The repository root (the folder holding `CVSROOT/`), when auto-detection
    /// cannot tell.
    pub cvs_root: Option<String>,
    /// The module (a folder under the root), when auto-detection cannot tell.
    pub module: Option<String>,
    /// `login = Full Name <email>` lines, as cvs-fast-export and git-cvsimport use.
    pub authors: Option<PathBuf>,
    /// How long cvsps may run per module.
    pub timeout: Duration,
    /// The cvsps program.
    pub cvsps: PathBuf,
}

impl Default for CvsOptions {
    fn default() -> Self {
        CvsOptions {
            cvs_root: None,
            module: None,
            authors: None,
            timeout: Duration::from_secs(600),
            cvsps: PathBuf::from("cvsps"),
        }
    }
}

/// A local CVS repository (one module, or every module of a root) read through cvsps.
pub struct CvsSource {
    root: Root,
    modules: Vec<String>,
    options: CvsOptions,
    authors: HashMap<String, Author>,
}

fn invalid(file: &Path, message: impl Into<String>) -> SourceError {
    SourceError::Invalid {
        origin: Origin { file: file.display().to_string(), ..Origin::default() },
        message: message.into(),
    }
}

/// True when `path` is inside a CVS repository (an ancestor holds `CVSROOT/`), is
/// a checked-out working copy (`CVS/Root`), or is a remote root string.
pub fn is_cvs(path: &Path) -> bool {
    is_remote(&path.to_string_lossy())
        || path.join("CVS").join("Root").is_file()
        || path.ancestors().any(|a| a.join("CVSROOT").is_dir())
}

/// Where the repository is.
#[derive(Debug, Clone)]
pub enum Root {
    /// A folder holding `CVSROOT/` and the modules' `,v` files.
    Local(PathBuf),
    /// A remote root string (`:pserver:`, `:ext:`, `:fork:`...), read through `cvs`.
    Remote(String),
}

impl Root {
    fn shown(&self, module: &str) -> String {
        match self {
            Root::Local(r) => r.join(module).display().to_string(),
            Root::Remote(r) => format!("{r}/{module}"),
        }
    }

    fn env(&self) -> std::ffi::OsString {
        match self {
            Root::Local(r) => r.clone().into_os_string(),
            Root::Remote(r) => r.into(),
        }
    }
}

/// A root string names a remote repository unless it is a path or `:local:`.
fn is_remote(root: &str) -> bool {
    root.starts_with(':') && !root.starts_with(":local:")
}

/// Finds the root and module(s) `path` names: a module folder inside a root, a whole
/// root (every module), a working copy (its `CVS/Root` and `CVS/Repository`), or
/// `--cvs-root` (local or remote) with `--module`.
fn locate(path: &Path, options: &CvsOptions) -> Result<(Root, Vec<String>), SourceError> {
    let given = path.to_string_lossy();
    let (root, module) = if let Some(root) = &options.cvs_root {
        (root.clone(), options.module.clone())
    } else if is_remote(&given) {
        (given.into_owned(), options.module.clone())
    } else if path.join("CVS").join("Root").is_file() {
        let read = |name: &str| {
            std::fs::read_to_string(path.join("CVS").join(name))
                .map(|s| s.trim().to_owned())
                .map_err(|source| SourceError::Io { path: path.join("CVS").join(name).display().to_string(), source })
        };
        let root = read("Root")?;
        let repository = read("Repository")?;
        // CVS/Repository is relative to the root, or (old clients) absolute.
        let local = root.trim_start_matches(":local:");
        let module =
            repository.strip_prefix(local).map(|m| m.trim_start_matches('/').to_owned()).unwrap_or(repository.clone());
        (root, options.module.clone().or(Some(module)))
    } else {
        let full = std::fs::canonicalize(path)
            .map_err(|source| SourceError::Io { path: path.display().to_string(), source })?;
        let Some(root) = full.ancestors().find(|a| a.join("CVSROOT").is_dir()) else {
            return Err(invalid(
                path,
                "not in a CVS repository (no CVSROOT folder above it) and not a working copy; give --cvs-root",
            ));
        };
        let module = full.strip_prefix(root).ok().map(|m| m.display().to_string()).filter(|m| !m.is_empty());
        (root.display().to_string(), options.module.clone().or(module))
    };
    if is_remote(&root) {
        let Some(module) = module else {
            return Err(invalid(path, format!("{root} is a remote root: name the module to read with --module")));
        };
        return Ok((Root::Remote(root), vec![module]));
    }
    let root = PathBuf::from(root.trim_start_matches(":local:"));
    if !root.join("CVSROOT").is_dir() {
        return Err(invalid(&root, "is not a CVS repository root (it has no CVSROOT folder)"));
    }
    let modules = match module {
        Some(m) => vec![m],
        None => {
            let mut all: Vec<String> = std::fs::read_dir(&root)
                .map_err(|source| SourceError::Io { path: root.display().to_string(), source })?
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "CVSROOT" && !n.starts_with('.'))
                .collect();
            all.sort();
            if all.is_empty() {
                return Err(invalid(&root, "holds no modules (no folders beside CVSROOT)"));
            }
            all
        }
    };
    for m in &modules {
        if !root.join(m).is_dir() {
            return Err(invalid(&root.join(m), "no such module in the repository"));
        }
    }
    Ok((Root::Local(root), modules))
}

/// Reads `login = Full Name <email>` lines (`#` starts a comment).
pub fn read_authors(text: &str) -> Result<HashMap<String, Author>, String> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (login, who) =
            line.split_once('=').ok_or_else(|| format!("line {}: expected `login = Full Name <email>`", i + 1))?;
        // cvs-fast-export allows a time zone after the address: drop it.
        let who = match who.find('>') {
            Some(end) => &who[..=end],
            None => who,
        };
        out.insert(login.trim().to_owned(), Author::parse(who));
    }
    Ok(out)
}

/// Reads `CVSROOT/users` (`login:email` lines), when present.
fn read_users(root: &Path) -> HashMap<String, Author> {
    let Ok(text) = std::fs::read_to_string(root.join("CVSROOT").join("users")) else { return HashMap::new() };
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(login, email)| {
            (login.trim().to_owned(), Author { name: login.trim().to_owned(), email: Some(email.trim().to_owned()) })
        })
        .filter(|(l, _)| !l.is_empty())
        .collect()
}

impl CvsSource {
    /// Opens the repository `path` names (see [`CvsOptions`]).
    pub fn open(path: &Path, options: CvsOptions) -> Result<CvsSource, SourceError> {
        let (root, modules) = locate(path, &options)?;
        let mut authors = match &root {
            Root::Local(r) => read_users(r),
            Root::Remote(_) => HashMap::new(),
        };
        if let Some(file) = &options.authors {
            let text = std::fs::read_to_string(file)
                .map_err(|source| SourceError::Io { path: file.display().to_string(), source })?;
            authors.extend(read_authors(&text).map_err(|m| invalid(file, m))?);
        }
        Ok(CvsSource { root, modules, options, authors })
    }

    fn author(&self, login: &str) -> Author {
        self.authors.get(login).cloned().unwrap_or_else(|| Author::named(login))
    }
}

/// The `,v` files under `dir`, counted (to tell "no history" from "cvsps lost it").
fn count_masters(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                count_masters(&p)
            } else {
                usize::from(p.to_string_lossy().ends_with(",v"))
            }
        })
        .sum()
}

/// The work for one patchset: its members and where their `,v` files live.
pub(crate) struct CvsJob {
    module: String,
    date: DateTime<Utc>,
    members: Vec<cvsps::Member>,
}

/// Where counting a patchset went wrong: the file, the revision, and why.
pub(crate) struct MemberError {
    file: String,
    revision: Option<String>,
    message: String,
}

impl MemberError {
    pub(crate) fn new(file: String, revision: Option<String>, message: String) -> Self {
        MemberError { file, revision, message }
    }
}

impl CvsJob {
    /// What both CVS counters do with a patchset: `date_problem` (a date gap found
    /// on a member) first, then every member counted with `count`; a member it
    /// cannot count becomes a problem of `commit` and the others are still counted.
    fn count_members(
        &self,
        commit: &Commit,
        date_problem: Option<MemberError>,
        mut count: impl FnMut(&cvsps::Member) -> Result<Option<FileChange>, MemberError>,
    ) -> (Vec<FileChange>, Vec<Problem>) {
        let problem = |e: MemberError| Problem {
            severity: Severity::Error,
            origin: Origin { file: e.file, line: None, revision: e.revision },
            message: format!("patchset {}: {}", commit.id, e.message),
        };
        let mut problems: Vec<Problem> = date_problem.into_iter().map(problem).collect();
        let mut files = Vec::with_capacity(self.members.len());
        for m in &self.members {
            match count(m) {
                Ok(Some(f)) => files.push(f),
                Ok(None) => {}
                Err(e) => problems.push(problem(e)),
            }
        }
        (files, problems)
    }

    /// The job back from the stats stage.
    fn from_any(commit: &Commit, job: Box<dyn Any + Send>) -> Result<Box<CvsJob>, SourceError> {
        job.downcast::<CvsJob>().map_err(|_| SourceError::Invalid {
            origin: Origin { file: commit.id.clone(), ..Origin::default() },
            message: "internal: not a CVS job".into(),
        })
    }
}

impl Source for CvsSource {
    fn name(&self) -> &str {
        "cvsps"
    }

    fn list(&mut self, sink: &mut dyn FnMut(Listed)) -> Result<(), SourceError> {
        let several = self.modules.len() > 1;
        for module in &self.modules {
            let shown = self.root.shown(module);
            let problem = |severity, message: String| {
                Listed::Problem(Problem {
                    severity,
                    origin: Origin { file: shown.clone(), ..Origin::default() },
                    message,
                })
            };
            let output = match cvsps::run(&self.options.cvsps, &self.root.env(), module, self.options.timeout) {
                Ok(o) => o,
                Err(cvsps::RunError::Missing(e)) => {
                    return Err(SourceError::Program {
                        program: "cvsps".into(),
                        message: cvsps::RunError::Missing(e).to_string(),
                    })
                }
                Err(e) => {
                    sink(problem(Severity::Error, format!("module {module}: {e}")));
                    continue;
                }
            };
            let patchsets = match cvsps::parse(&output.stdout) {
                Ok(p) => p,
                Err(e) => {
                    sink(problem(Severity::Error, format!("module {module}: cannot read cvsps's report: {e}")));
                    continue;
                }
            };
            if patchsets.is_empty() {
                let masters = match &self.root {
                    Root::Local(r) => count_masters(&r.join(module)),
                    // Remotely there are no files to count: trust cvs's own complaint.
                    Root::Remote(_) => usize::from(output.stderr.contains("aborted]")),
                };
                if masters > 0 {
                    let tail: Vec<&str> = output.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
                    let tail = tail[tail.len().saturating_sub(6)..].join("\n    ");
                    sink(problem(
                        Severity::Error,
                        format!(
                            "module {module}: cvsps reported no patchsets although the module holds {masters} ,v \
                             file(s); `cvs rlog` probably failed on a malformed file{}",
                            if tail.is_empty() { String::new() } else { format!("; cvsps's stderr ends:\n    {tail}") }
                        ),
                    ));
                }
                continue;
            }
            // cvsps's complaints about what it read (e.g. a revision it lost).
            let complaints =
                output.stderr.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("cvs rlog: Logging "));
            for line in complaints.take(20) {
                sink(problem(Severity::Warning, format!("module {module}: cvsps: {}", line.trim())));
            }
            for ps in patchsets {
                let id = if several { format!("{module}/{}", ps.number) } else { ps.number.to_string() };
                let commit = Commit {
                    id: id.clone(),
                    time: ps.date,
                    author: self.author(&ps.author),
                    message: ps.log,
                    parents: Vec::new(),
                    branch: Some(ps.branch),
                    source: "cvsps".into(),
                    added: 0,
                    removed: 0,
                    files: Vec::new(),
                    tags: ps.tags,
                };
                sink(Listed::Changeset(Changeset {
                    commit,
                    job: Job::Deferred(Box::new(CvsJob { module: module.clone(), date: ps.date, members: ps.members })),
                    origin: Origin { file: shown.clone(), line: None, revision: Some(format!("patchset {id}")) },
                }));
            }
        }
        Ok(())
    }

    fn counter_factory(&self) -> Option<Arc<dyn CounterFactory>> {
        Some(Arc::new(Factory { root: self.root.clone() }))
    }
}

struct Factory {
    root: Root,
}

impl CounterFactory for Factory {
    fn counter(&self) -> Result<Box<dyn Counter>, SourceError> {
        Ok(match &self.root {
            Root::Local(root) => {
                Box::new(CvsCounter { root: root.clone(), cache: HashMap::new(), problems: Vec::new() })
            }
            Root::Remote(root) => Box::new(remote::RemoteCounter::new(root.clone())?),
        })
    }
}

/// Counts patchset members from `,v` files, each file parsed once per worker.
struct CvsCounter {
    root: PathBuf,
    cache: HashMap<PathBuf, Result<Arc<rcs::RcsFile>, rcs::RcsError>>,
    problems: Vec<Problem>,
}

/// `2009.09.04.09.44.53`, or with a two-digit year (19xx), as a time.
fn rcs_time(date: &str) -> Option<DateTime<Utc>> {
    let date = if date.split('.').next().is_some_and(|y| y.len() == 2) { format!("19{date}") } else { date.to_owned() };
    NaiveDateTime::parse_from_str(&date, "%Y.%m.%d.%H.%M.%S").ok().map(|t| t.and_utc())
}

/// Where a member's `,v` file is: beside the others, or in `Attic/` once removed.
fn master_path(module_dir: &Path, path: &str) -> Option<PathBuf> {
    let live = module_dir.join(format!("{path},v"));
    if live.is_file() {
        return Some(live);
    }
    let p = Path::new(path);
    let name = p.file_name()?.to_string_lossy().into_owned();
    let attic = module_dir.join(p.parent().unwrap_or(Path::new(""))).join("Attic").join(format!("{name},v"));
    attic.is_file().then_some(attic)
}

impl CvsCounter {
    fn master(&mut self, file: &Path) -> Result<Arc<rcs::RcsFile>, rcs::RcsError> {
        self.cache
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                std::fs::read(file)
                    .map_err(|e| rcs::RcsError { revision: None, message: format!("cannot read: {e}") })
                    .and_then(|bytes| rcs::parse(&bytes))
                    .map(Arc::new)
            })
            .clone()
    }

    /// An error when the patchset's date (from cvsps) and its first member's date
    /// (from the `,v` file) are far apart: cvsps ran in another time zone.
    fn check_date(&mut self, job: &CvsJob) -> Option<(PathBuf, Option<String>, String)> {
        let m = job.members.first()?;
        let file = master_path(&self.root.join(&job.module), &m.path)?;
        let master = self.master(&file).ok()?;
        let t = rcs_time(&master.revisions.get(&m.to)?.date)?;
        date_gap(t, job.date).map(|message| (file.clone(), Some(m.to.clone()), message))
    }

    /// One member's change, or `None` for a no-op (a removed file removed again).
    fn member(
        &mut self,
        job: &CvsJob,
        m: &cvsps::Member,
    ) -> Result<Option<FileChange>, (PathBuf, Option<String>, String)> {
        let module_dir = self.root.join(&job.module);
        let Some(file) = master_path(&module_dir, &m.path) else {
            return Err((
                module_dir.join(format!("{},v", m.path)),
                Some(m.to.clone()),
                "no ,v file (neither beside the others nor in Attic/)".into(),
            ));
        };
        let master =
            self.master(&file).map_err(|e| (file.clone(), e.revision.clone().or(Some(m.to.clone())), e.message))?;
        let revision = |r: &str| match master.revisions.get(r) {
            None => {
                Err((file.clone(), Some(r.to_owned()), "cvsps names a revision the ,v file does not have".to_owned()))
            }
            Some(rev) => match &rev.error {
                Some(e) => Err((file.clone(), Some(r.to_owned()), format!("cannot count this revision: {e}"))),
                None => Ok(rev),
            },
        };
        let to = revision(&m.to)?;
        let from_alive = match &m.from {
            Some(f) => !revision(f)?.dead,
            None => false,
        };
        let to_dead = m.dead || to.dead;
        let (status, added, removed) = match (from_alive, to_dead) {
            (false, true) => return Ok(None),
            (false, false) => (FileStatus::Added, to.lines, 0),
            (true, true) => {
                (FileStatus::Deleted, 0, m.from.as_deref().map(revision).transpose()?.map_or(0, |r| r.lines))
            }
            (true, false) => {
                // Sum the changes from `to` back to `from` (one step unless cvsps
                // skipped revisions).
                let (mut a, mut d) = (0, 0);
                let mut at = to;
                let mut steps = 0;
                loop {
                    a += at.added;
                    d += at.removed;
                    steps += 1;
                    match at.predecessor.as_deref() {
                        Some(p) if Some(p) == m.from.as_deref() => break,
                        Some(p) if steps < 10_000 => at = revision(p)?,
                        _ => {
                            return Err((
                                file.clone(),
                                Some(m.to.clone()),
                                format!("{} is not an ancestor of this revision", m.from.as_deref().unwrap_or("?")),
                            ))
                        }
                    }
                }
                if steps > 1 {
                    self.problems.push(Problem {
                        severity: Severity::Warning,
                        origin: Origin { file: file.display().to_string(), line: None, revision: Some(m.to.clone()) },
                        message: format!(
                            "cvsps skips from {} over {} revision(s); their changes are summed",
                            m.from.as_deref().unwrap_or("?"),
                            steps - 1
                        ),
                    });
                }
                (FileStatus::Modified, a, d)
            }
        };
        let (added, removed) = if master.binary { (0, 0) } else { (added, removed) };
        Ok(Some(FileChange {
            path: m.path.clone(),
            old_path: None,
            added,
            removed,
            binary: master.binary,
            status,
            old_revision: m.from.clone(),
            revision: Some(m.to.clone()),
        }))
    }
}

/// An error message when a revision's own date and its patchset's date (from
/// cvsps) are far apart: cvsps ran in another time zone.
fn date_gap(revision: DateTime<Utc>, patchset: DateTime<Utc>) -> Option<String> {
    let off = (revision - patchset).num_seconds().abs();
    (off > 20 * 60).then(|| {
        format!(
            "the repository dates this revision {revision}, cvsps dates its patchset {patchset}: {} apart \
             (cvsps ran in another time zone, or its grouping is wrong)",
            humanize(off)
        )
    })
}

fn humanize(seconds: i64) -> String {
    if seconds % 3600 == 0 {
        format!("exactly {} hour(s)", seconds / 3600)
    } else {
        format!("{} minutes", seconds / 60)
    }
}

impl Counter for CvsCounter {
    fn count(&mut self, commit: &Commit, job: Box<dyn Any + Send>) -> Result<Vec<FileChange>, SourceError> {
        let job = CvsJob::from_any(commit, job)?;
        let local = |(file, revision, message): (PathBuf, Option<String>, String)| {
            MemberError::new(file.display().to_string(), revision, message)
        };
        let date_problem = self.check_date(&job).map(local);
        let (files, problems) = job.count_members(commit, date_problem, |m| self.member(&job, m).map_err(local));
        self.problems.extend(problems);
        Ok(files)
    }

    fn take_problems(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_files() {
        let a = read_authors("# comment\nada = Ada Lovelace <ada@example.org>\nbob=Bob <b@x> America/New_York\n\n")
            .unwrap();
        assert_eq!(a["ada"], Author { name: "Ada Lovelace".into(), email: Some("ada@example.org".into()) });
        assert_eq!(a["bob"].email.as_deref(), Some("b@x"));
        assert!(read_authors("no equals sign").unwrap_err().contains("line 1"));
        assert_eq!(rcs_time("99.01.02.03.04.05").map(|t| t.to_rfc3339()).as_deref(), Some("1999-01-02T03:04:05+00:00"));
    }
}
