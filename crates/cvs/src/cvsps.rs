//! Running `cvsps` safely and reading what it prints. The run gets a private HOME
//! (so its cache is never the user's `~/.cvsps`), `TZ=UTC`, `--norc`, `-x` (no
//! cache reuse), an empty working folder, a read-only CVS (`CVSREADONLYFS`, so no
//! lock files are written into the repository) and a time limit after which the
//! whole process group (cvsps and its `cvs rlog`) is killed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use wait_timeout::ChildExt;

/// One patchset as cvsps reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSet {
    pub number: u64,
    pub date: DateTime<Utc>,
    pub author: String,
    pub branch: String,
    pub tags: Vec<String>,
    pub log: String,
    pub members: Vec<Member>,
}

/// `path:from->to`, where `from` is `None` for `INITIAL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub path: String,
    pub from: Option<String>,
    pub to: String,
    /// `(DEAD)`: the file is removed at `to`.
    pub dead: bool,
}

/// Why a cvsps run gave no history.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot run cvsps ({0}); install it (Debian: apt-get install cvsps cvs)")]
    Missing(std::io::Error),
    #[error("cvsps did not finish within {seconds} s and was stopped (a malformed ,v file can make it hang){tail}")]
    Timeout { seconds: u64, tail: String },
    #[error("cvsps crashed ({what}){tail}")]
    Crashed { what: String, tail: String },
    #[error("cvsps exited with status {code}{tail}")]
    Failed { code: i32, tail: String },
    #[error("cannot run cvsps: {0}")]
    Io(#[from] std::io::Error),
}

/// The last lines of a program's stderr, for an error message.
fn tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(6);
    format!("; its stderr ends:\n    {}", lines[start..].join("\n    "))
}

/// What a finished cvsps run printed.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cvsps -x --norc MODULE` against the repository `root` (a path or a root string).
pub fn run(program: &Path, root: &std::ffi::OsStr, module: &str, timeout: Duration) -> Result<Output, RunError> {
    let home = tempfile::tempdir()?;
    let mut command = Command::new(program);
    command
        .args(["-x", "--norc", module])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("CVSROOT", root)
        .env("TZ", "UTC")
        .env("CVSREADONLYFS", "1")
        .env_remove("CVS_RSH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(RunError::Missing)?;
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let status = match child.wait_timeout(timeout)? {
        Some(status) => status,
        None => {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
            return Err(RunError::Timeout { seconds: timeout.as_secs(), tail: tail(&stderr) });
        }
    };
    let stdout = String::from_utf8_lossy(&out_thread.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    if !status.success() {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                let what = match signal {
                    11 => "signal 11, a segmentation fault".to_owned(),
                    6 => "signal 6, aborted".to_owned(),
                    s => format!("signal {s}"),
                };
                return Err(RunError::Crashed { what, tail: tail(&stderr) });
            }
        }
        return Err(RunError::Failed { code: status.code().unwrap_or(-1), tail: tail(&stderr) });
    }
    Ok(Output { stdout, stderr })
}

/// Kills cvsps's process group (cvsps and the `cvs rlog` it started).
fn kill_group(pid: u32) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
}

/// Parses cvsps's report. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<PatchSet>, String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("PatchSet ") {
            i += 1;
            continue;
        }
        let at = i + 1;
        let number = lines[i]["PatchSet ".len()..]
            .trim()
            .parse()
            .map_err(|_| format!("line {at}: bad patchset number `{}`", lines[i]))?;
        let mut ps = PatchSet {
            number,
            date: DateTime::UNIX_EPOCH,
            author: String::new(),
            branch: String::new(),
            tags: Vec::new(),
            log: String::new(),
            members: Vec::new(),
        };
        i += 1;
        // Header lines up to `Log:`.
        while i < lines.len() && lines[i] != "Log:" {
            let line = lines[i];
            if let Some(d) = line.strip_prefix("Date: ") {
                let t = NaiveDateTime::parse_from_str(d.trim(), "%Y/%m/%d %H:%M:%S")
                    .map_err(|_| format!("line {}: bad date `{d}`", i + 1))?;
                ps.date = t.and_utc();
            } else if let Some(a) = line.strip_prefix("Author: ") {
                ps.author = a.trim().to_owned();
            } else if let Some(b) = line.strip_prefix("Branch: ") {
                ps.branch = b.trim().to_owned();
            } else if let Some(t) = line.strip_prefix("Tag: ") {
                // cvsps marks doubtful tags `**INVALID**` or `**FUNKY**`; the name is before.
                let t = t.trim().trim_end_matches("**INVALID**").trim_end_matches("**FUNKY**").trim();
                if t != "(none)" && !t.is_empty() {
                    ps.tags.push(t.to_owned());
                }
            }
            i += 1;
        }
        if i >= lines.len() {
            return Err(format!("line {at}: patchset {number} has no `Log:`"));
        }
        i += 1;
        // The log runs until a `Members:` line followed by member lines.
        let log_start = i;
        while i < lines.len()
            && !(lines[i].trim_end() == "Members:" && lines.get(i + 1).is_some_and(|l| l.starts_with('\t')))
        {
            i += 1;
        }
        if i >= lines.len() {
            return Err(format!("line {at}: patchset {number} has no `Members:`"));
        }
        let mut log = lines[log_start..i].join("\n");
        while log.ends_with('\n') {
            log.pop();
        }
        ps.log = log;
        i += 1;
        while i < lines.len() && lines[i].starts_with('\t') {
            ps.members
                .push(member(lines[i].trim()).ok_or_else(|| format!("line {}: bad member `{}`", i + 1, lines[i]))?);
            i += 1;
        }
        out.push(ps);
    }
    Ok(out)
}

/// `path:1.2->1.3`, `path:INITIAL->1.1`, `path:1.3->1.4(DEAD)`; the path may hold colons.
fn member(text: &str) -> Option<Member> {
    let (path, revs) = text.rsplit_once(':')?;
    let (from, to) = revs.split_once("->")?;
    let (to, dead) = match to.strip_suffix("(DEAD)") {
        Some(t) => (t, true),
        None => (to, false),
    };
    let revision = |r: &str| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !revision(to) || !(from == "INITIAL" || revision(from)) {
        return None;
    }
    Some(Member { path: path.to_owned(), from: (from != "INITIAL").then(|| from.to_owned()), to: to.to_owned(), dead })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_report() {
        let text = "---------------------\nPatchSet 7 \nDate: 2009/09/04 09:45:32\nAuthor: mhagger\nBranch: BRANCH\n\
Ancestor branch: HEAD\nTag: v1 **INVALID** \nLog:\nTwo lines\n\nMembers: (not really)\n\nMembers: \n\
\ta.txt:1.1->1.2 \n\tdir/b:c.txt:INITIAL->1.1 \n\tgone.txt:1.3->1.4(DEAD) \n\n";
        let ps = parse(text).unwrap();
        assert_eq!(ps.len(), 1);
        let p = &ps[0];
        assert_eq!((p.number, p.author.as_str(), p.branch.as_str()), (7, "mhagger", "BRANCH"));
        assert_eq!(p.date.to_rfc3339(), "2009-09-04T09:45:32+00:00");
        assert_eq!(p.tags, vec!["v1"]);
        assert_eq!(p.log, "Two lines\n\nMembers: (not really)");
        assert_eq!(p.members[1], Member { path: "dir/b:c.txt".into(), from: None, to: "1.1".into(), dead: false });
        assert!(p.members[2].dead);
        assert!(parse("PatchSet x\n").is_err());
    }
}
