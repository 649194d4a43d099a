//! The CVS backend against the real `cvsps`, `cvs rlog` and GNU RCS `co`, on the
//! shared real repositories: patchsets (date, author, message, members) equal
//! cvsps's own report, modified files' counts equal rlog's `lines: +a -b`, added
//! and removed files count the lines `co -ko` prints. Where cvsps fails, vcscope
//! says so and exits 1.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use crate::util::{self, jsonl, run, vcscope};

/// One patchset of cvsps's report, read by this test's own small parser.
#[derive(Debug, Default)]
pub struct RefPatchSet {
    pub number: String,
    pub date: String,
    pub author: String,
    pub log: String,
    /// (path, from or "INITIAL", to, dead)
    pub members: Vec<(String, String, String, bool)>,
}

/// Runs the real cvsps as the test data's README did (without -A); returns its exit
/// code (None when killed by a signal), report and stderr.
pub fn cvsps(root: &Path, module: &str) -> (Option<i32>, Vec<RefPatchSet>, String) {
    let home = tempfile::tempdir().unwrap();
    let out = run(Command::new("timeout")
        .args(["60", "cvsps", "-x", "--norc", module])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("CVSROOT", root)
        .env("TZ", "UTC")
        .env("CVSREADONLYFS", "1"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut sets = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(n) = line.strip_prefix("PatchSet ") else { continue };
        let mut ps = RefPatchSet { number: n.trim().to_owned(), ..Default::default() };
        for line in lines.by_ref() {
            if let Some(d) = line.strip_prefix("Date: ") {
                ps.date = d.to_owned();
            } else if let Some(a) = line.strip_prefix("Author: ") {
                ps.author = a.to_owned();
            } else if line == "Log:" {
                break;
            }
        }
        let mut log = Vec::new();
        while let Some(line) = lines.next() {
            if line == "Members: " && lines.peek().is_some_and(|l| l.starts_with('\t')) {
                break;
            }
            log.push(line);
        }
        ps.log = log.join("\n").trim_end_matches('\n').to_owned();
        while let Some(line) = lines.next_if(|l| l.starts_with('\t')) {
            let line = line.trim();
            let (path, revs) = line.rsplit_once(':').unwrap();
            let (from, to) = revs.split_once("->").unwrap();
            let dead = to.ends_with("(DEAD)");
            ps.members.push((path.to_owned(), from.to_owned(), to.trim_end_matches("(DEAD)").to_owned(), dead));
        }
        sets.push(ps);
    }
    (out.status.code(), sets, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `revisions.tsv` of a test repository: (module-relative path without Attic, rev) ->
/// (dead, lines added, lines removed, the ,v file).
type Revisions = HashMap<(String, String), (bool, String, String, String)>;

fn revisions(repo: &Path, module: &str) -> Revisions {
    let tsv = std::fs::read_to_string(repo.join("expected/revisions.tsv")).unwrap();
    let prefix = format!("@CVSROOT@/{module}/");
    let mut out = HashMap::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        let Some(rel) = f[0].strip_prefix(&prefix) else { continue };
        let path = rel.trim_end_matches(",v").replace("Attic/", "");
        out.insert(
            (path, f[1].to_owned()),
            (f[4] == "dead", f[5].to_owned(), f[6].to_owned(), f[0].replace("@CVSROOT@/", "")),
        );
    }
    out
}

/// Lines of revision `rev` as GNU RCS checks it out without keyword expansion, or
/// None when GNU RCS refuses the file.
fn co_lines(master: &Path, rev: &str) -> Option<u64> {
    let out = run(Command::new("co").args(["-q", "-p", "-ko", &format!("-r{rev}")]).arg(master));
    if !out.status.success() {
        return None;
    }
    let text = out.stdout;
    Some(text.iter().filter(|b| **b == b'\n').count() as u64 + u64::from(text.last().is_some_and(|b| *b != b'\n')))
}

fn is_binary(master: &Path) -> bool {
    let text = std::fs::read(master).unwrap();
    let head = String::from_utf8_lossy(&text[..text.len().min(4096)]).into_owned();
    head.split(';').any(|phrase| {
        let p: Vec<&str> = phrase.split_whitespace().collect();
        p.first() == Some(&"expand") && p.get(1).is_some_and(|v| v.contains('b'))
    })
}

fn modules(repo: &Path) -> Vec<String> {
    let info = std::fs::read_to_string(repo.join("expected/INFO.txt")).unwrap();
    let line = info.lines().find_map(|l| l.strip_prefix("modules: ")).unwrap();
    line.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn real_repositories_agree_with_cvsps_rlog_and_co() {
    let Some(data) = util::testdata() else { return };
    for tool in ["cvs", "cvsps", "co", "timeout"] {
        util::require(tool);
    }
    let mut repos: Vec<_> = std::fs::read_dir(data.join("cvs")).unwrap().map(|e| e.unwrap().path()).collect();
    repos.sort();
    let (mut agreed, mut failed_clearly, mut files_checked, mut co_skipped, mut reported) = (0, 0, 0, 0, 0);
    for repo in &repos {
        let name = repo.file_name().unwrap().to_string_lossy().into_owned();
        for module in modules(repo) {
            let here = format!("{name}/{module}");
            let (code, reference, stderr) = cvsps(repo, &module);
            let out = vcscope()
                .args(["ingest", "-q", "--backend", "cvsps", "--module", &module, "--cvs-root"])
                .arg(repo)
                .arg(repo)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            let has_masters = walk(&repo.join(&module)).iter().any(|p| p.to_string_lossy().ends_with(",v"));
            if code != Some(0) || (reference.is_empty() && has_masters) {
                // cvsps failed (or lost everything): vcscope must say so, naming the module.
                assert_eq!(out.status.code(), Some(1), "{here}: cvsps failed ({code:?}: {stderr}) but vcscope: {err}");
                assert!(err.contains("cvsps") && err.contains(&module), "{here}: unclear error: {err}");
                failed_clearly += 1;
                continue;
            }
            let commits = jsonl(&out.stdout);
            assert_eq!(commits.len(), reference.len(), "{here}: patchset count; stderr: {err}");
            let revs = revisions(repo, &module);
            let by_id: HashMap<String, &serde_json::Value> =
                commits.iter().map(|c| (c["id"].as_str().unwrap().to_owned(), c)).collect();
            for ps in &reference {
                let c = by_id.get(&ps.number).unwrap_or_else(|| panic!("{here}: patchset {} missing", ps.number));
                let at = format!("{here} patchset {}", ps.number);
                let time = chrono::NaiveDateTime::parse_from_str(&ps.date, "%Y/%m/%d %H:%M:%S").unwrap();
                assert_eq!(c["time"].as_str().unwrap(), time.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "{at}: date");
                assert_eq!(c["author"]["name"], ps.author.as_str(), "{at}: author");
                assert_eq!(c["message"], ps.log.as_str(), "{at}: message");
                let files: BTreeMap<&str, &serde_json::Value> =
                    c["files"].as_array().unwrap().iter().map(|f| (f["path"].as_str().unwrap(), f)).collect();
                let mut expected_paths = Vec::new();
                for (path, from, to, dead) in &ps.members {
                    let state = |r: &str| {
                        revs.get(&(path.clone(), r.to_owned()))
                            .unwrap_or_else(|| panic!("{at}: {path} {r} not in rlog"))
                    };
                    let (to_dead, added, removed, master) = state(to);
                    let from_alive = from != "INITIAL" && !state(from).0;
                    let gone = *dead || *to_dead;
                    if !from_alive && gone {
                        continue; // removed again: no change
                    }
                    let Some(f) = files.get(path.as_str()) else {
                        // Left out only with an error that names the file and revision.
                        let named = err.lines().any(|l| {
                            l.contains("error") && l.contains(&format!("{path},v")) && l.contains(to.as_str())
                        });
                        assert!(named, "{at}: {path} missing from {files:?} without an error: {err}");
                        reported += 1;
                        continue;
                    };
                    expected_paths.push(path.as_str());
                    let master = repo.join(master);
                    let got = (f["added"].as_u64().unwrap(), f["removed"].as_u64().unwrap());
                    if is_binary(&master) {
                        assert_eq!((f["binary"].as_bool(), got), (Some(true), (0, 0)), "{at}: {path} is binary");
                    } else if from_alive && !gone {
                        assert_eq!(f["status"], "modified", "{at}: {path}");
                        assert_eq!(
                            (got.0.to_string(), got.1.to_string()),
                            (added.clone(), removed.clone()),
                            "{at}: {path} {from}->{to} vs rlog"
                        );
                    } else {
                        let rev = if gone { from } else { to };
                        match co_lines(&master, rev) {
                            Some(n) => assert_eq!(if gone { got.1 } else { got.0 }, n, "{at}: {path} {rev} vs co -p"),
                            None => co_skipped += 1,
                        }
                        assert_eq!(f["status"], if gone { "deleted" } else { "added" }, "{at}: {path}");
                    }
                    files_checked += 1;
                }
                expected_paths.sort_unstable();
                let got_paths: Vec<&str> = files.keys().copied().collect();
                assert_eq!(got_paths, expected_paths, "{at}: members");
            }
            agreed += 1;
        }
    }
    eprintln!(
        "{agreed} modules agree, {failed_clearly} where cvsps fails gave a clear error; \
         {files_checked} file changes checked ({co_skipped} adds/removes GNU co refuses to check out), \
         {reported} reported as unreadable"
    );
    assert!(agreed >= 30 && failed_clearly >= 3 && files_checked > 2500);
}

/// Every file under `dir`.
pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
