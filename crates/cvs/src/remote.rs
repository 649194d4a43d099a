//! Counting the members of patchsets from a remote repository (`:pserver:`,
//! `:ext:`, `:fork:` roots), where there are no `,v` files to read: through the
//! `cvs` client, once per file `rlog` (states, dates, binary mode, and `lines:`,
//! which counts a modification against its predecessor), `rdiff -ko` for a
//! modification that skips revisions (unexpanded text, as `rlog` counts), and
//! `co -p -ko` for the length of an added or removed file. Slower than the local
//! reader, but the same numbers.

use std::any::Any;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use vcscope_core::{Commit, Counter, FileChange, FileStatus, Problem, SourceError};

use crate::{cvsps, date_gap, CvsJob, MemberError};

/// What `cvs rlog` says about one file.
struct FileInfo {
    binary: bool,
    revisions: HashMap<String, RevInfo>,
}

/// What `cvs rlog` says about one revision.
#[derive(Debug, Clone, Copy)]
struct RevInfo {
    dead: bool,
    date: Option<DateTime<Utc>>,
    /// `lines: +a -b`: against the revision's predecessor (absent for the first).
    lines: Option<(u64, u64)>,
}

/// Whether `from` is the revision `to` changes in rlog's `lines:` (its predecessor):
/// `1.4 -> 1.5`, `1.2.2.3 -> 1.2.2.4`, or a branch's first revision `1.2 -> 1.2.2.1`.
/// Other pairs (renumbered trunks, skipped revisions) are diffed instead.
fn is_predecessor(from: &str, to: &str) -> bool {
    let (f, t): (Vec<&str>, Vec<&str>) = (from.split('.').collect(), to.split('.').collect());
    let num = |s: &str| s.parse::<u64>().ok();
    match t.len().checked_sub(f.len()) {
        Some(0) => {
            let n = f.len();
            n >= 2 && f[..n - 1] == t[..n - 1] && num(f[n - 1]).zip(num(t[n - 1])).is_some_and(|(a, b)| b == a + 1)
        }
        Some(2) => t[..f.len()] == f[..] && t.last() == Some(&"1"),
        _ => false,
    }
}

/// A per-worker counter that talks to the remote repository with `cvs`.
pub(crate) struct RemoteCounter {
    root: String,
    home: tempfile::TempDir,
    files: HashMap<String, Result<Arc<FileInfo>, String>>,
    problems: Vec<Problem>,
}

fn lines_in(text: &[u8]) -> u64 {
    let newlines = text.iter().filter(|b| **b == b'\n').count() as u64;
    newlines + u64::from(text.last().is_some_and(|b| *b != b'\n'))
}

/// `2009/01/05 10:00:00` or `2009-01-05 10:00:00 +0000`, as cvs prints dates.
fn rlog_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y/%m/%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
        .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z").ok().map(|t| t.with_timezone(&Utc)))
}

impl RemoteCounter {
    pub(crate) fn new(root: String) -> Result<RemoteCounter, SourceError> {
        let home =
            tempfile::tempdir().map_err(|source| SourceError::Io { path: "a temporary folder".into(), source })?;
        Ok(RemoteCounter { root, home, files: HashMap::new(), problems: Vec::new() })
    }

    /// Runs `cvs -f -Q -d ROOT ARGS...` read-only; returns its stdout.
    fn cvs(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let out = Command::new("cvs")
            .args(["-f", "-Q", "-d", &self.root])
            .args(args)
            .current_dir(self.home.path())
            .env("HOME", self.home.path())
            .env("TZ", "UTC")
            .env("CVSREADONLYFS", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cvs ({e}); install it (Debian: apt-get install cvs)"))?;
        // rdiff exits 1 when the revisions differ, as diff does.
        let differ = args.first() == Some(&"rdiff") && out.status.code() == Some(1);
        if !(out.status.success() || differ) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
            return Err(format!("cvs {} failed: {}", args.join(" "), tail[tail.len().saturating_sub(3)..].join(" / ")));
        }
        Ok(out.stdout)
    }

    fn info(&mut self, path: &str) -> Result<Arc<FileInfo>, String> {
        if let Some(known) = self.files.get(path) {
            return known.clone();
        }
        let result = self.cvs(&["rlog", path]).map(|out| {
            let text = String::from_utf8_lossy(&out);
            let mut info = FileInfo { binary: false, revisions: HashMap::new() };
            let mut revision: Option<String> = None;
            for line in text.lines() {
                if let Some(mode) = line.strip_prefix("keyword substitution:") {
                    info.binary = mode.trim().contains('b');
                } else if let Some(r) = line.strip_prefix("revision ") {
                    revision = r.split_whitespace().next().map(str::to_owned);
                } else if let (Some(r), Some(rest)) = (&revision, line.strip_prefix("date: ")) {
                    let field = |name: &str| rest.split(';').find_map(|f| f.trim().strip_prefix(name)).map(str::trim);
                    let date = rest.split(';').next().and_then(rlog_time);
                    let lines = field("lines:").and_then(|l| {
                        let (a, d) = l.split_once(' ')?;
                        Some((a.trim_start_matches('+').parse().ok()?, d.trim().trim_start_matches('-').parse().ok()?))
                    });
                    info.revisions.insert(r.clone(), RevInfo { dead: field("state:") == Some("dead"), date, lines });
                    revision = None;
                }
            }
            Arc::new(info)
        });
        self.files.insert(path.to_owned(), result.clone());
        result
    }

    fn member(&mut self, job: &CvsJob, m: &cvsps::Member) -> Result<Option<FileChange>, (String, String)> {
        let path = format!("{}/{}", job.module, m.path);
        let fail = |rev: &str, message: String| (rev.to_owned(), message);
        let info = self.info(&path).map_err(|e| fail(&m.to, e))?;
        let state = |r: &str| {
            info.revisions
                .get(r)
                .copied()
                .ok_or_else(|| fail(r, "cvsps names a revision cvs rlog does not list".into()))
        };
        let to_dead = m.dead || state(&m.to)?.dead;
        let from_alive = match &m.from {
            Some(f) => !state(f)?.dead,
            None => false,
        };
        let (status, added, removed) = match (from_alive, to_dead) {
            (false, true) => return Ok(None),
            _ if info.binary => (
                match (from_alive, to_dead) {
                    (false, _) => FileStatus::Added,
                    (true, true) => FileStatus::Deleted,
                    (true, false) => FileStatus::Modified,
                },
                0,
                0,
            ),
            (false, false) => {
                let text = self.cvs(&["co", "-p", "-ko", "-r", &m.to, &path]).map_err(|e| fail(&m.to, e))?;
                (FileStatus::Added, lines_in(&text), 0)
            }
            (true, true) => {
                let from = m.from.as_deref().unwrap_or_default();
                let text = self.cvs(&["co", "-p", "-ko", "-r", from, &path]).map_err(|e| fail(from, e))?;
                (FileStatus::Deleted, 0, lines_in(&text))
            }
            (true, false)
                if m.from.as_deref().is_some_and(|f| is_predecessor(f, &m.to)) && state(&m.to)?.lines.is_some() =>
            {
                // rlog already counted this step (between the stored texts, as -ko).
                let (added, removed) = state(&m.to)?.lines.unwrap_or_default();
                (FileStatus::Modified, added, removed)
            }
            (true, false) => {
                let from = m.from.as_deref().unwrap_or_default();
                let diff =
                    self.cvs(&["rdiff", "-ko", "-u", "-r", from, "-r", &m.to, &path]).map_err(|e| fail(&m.to, e))?;
                let stat = vcscope_diffstat::diffstat(&diff);
                (FileStatus::Modified, stat.added(), stat.removed())
            }
        };
        Ok(Some(FileChange {
            path: m.path.clone(),
            old_path: None,
            added,
            removed,
            binary: info.binary,
            status,
            old_revision: m.from.clone(),
            revision: Some(m.to.clone()),
        }))
    }
}

impl Counter for RemoteCounter {
    fn count(&mut self, commit: &Commit, job: Box<dyn Any + Send>) -> Result<Vec<FileChange>, SourceError> {
        let job = CvsJob::from_any(commit, job)?;
        let file = format!("{}/{}", self.root, job.module);
        let at = |path: &str, revision: String, message: String| {
            MemberError::new(format!("{file}/{path}"), Some(revision), message)
        };
        let date_problem = job.members.first().and_then(|m| {
            let path = format!("{}/{}", job.module, m.path);
            let date = self.info(&path).ok().and_then(|i| i.revisions.get(&m.to).and_then(|r| r.date));
            date.and_then(|d| date_gap(d, job.date)).map(|gap| at(&m.path, m.to.clone(), gap))
        });
        let (files, problems) = job.count_members(commit, date_problem, |m| {
            self.member(&job, m).map_err(|(revision, message)| at(&m.path, revision, message))
        });
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
    fn predecessors() {
        assert!(is_predecessor("1.4", "1.5"));
        assert!(is_predecessor("1.2.2.3", "1.2.2.4"));
        assert!(is_predecessor("1.2", "1.2.2.1"));
        assert!(is_predecessor("1.1", "1.1.1.1"));
        assert!(!is_predecessor("1.9", "2.1"));
        assert!(!is_predecessor("1.2", "1.4"));
        assert!(!is_predecessor("1.2", "1.2.2.2"));
        assert!(!is_predecessor("1.2.2.1", "1.3"));
    }
}
