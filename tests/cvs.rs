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
    pub branch: String,
    pub tag: Option<String>,
    pub log: String,
    /// (path, from or "INITIAL", to, dead)
    pub members: Vec<(String, String, String, bool)>,
}

/// The real cvsps with `args`, as the test data's README ran it: a private HOME and
/// working folder, `TZ=UTC`, a read-only cvs, and 60 seconds at most.
fn run_cvsps(root: &Path, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    run(Command::new("timeout")
        .arg("60")
        .arg("cvsps")
        .args(args)
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("CVSROOT", root)
        .env("TZ", "UTC")
        .env("CVSREADONLYFS", "1"))
}

/// Runs the real cvsps as the test data's README did (without -A); returns its exit
/// code (None when killed by a signal), report and stderr.
pub fn cvsps(root: &Path, module: &str) -> (Option<i32>, Vec<RefPatchSet>, String) {
    let out = run_cvsps(root, &["-x", "--norc", module]);
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
            } else if let Some(b) = line.strip_prefix("Branch: ") {
                ps.branch = b.to_owned();
            } else if let Some(t) = line.strip_prefix("Tag: ") {
                let t = t.trim().trim_end_matches("**INVALID**").trim_end_matches("**FUNKY**").trim();
                ps.tag = (t != "(none)").then(|| t.to_owned());
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

/// What comparing one module gave.
#[derive(Debug, Default)]
struct Tally {
    agreed: usize,
    failed_clearly: usize,
    files_checked: usize,
    co_skipped: usize,
    reported: usize,
}

/// Ingests `module` of the repository `root` and checks it against the real cvsps
/// (patchsets), `revs` (rlog's lines per revision) and GNU co (lengths of added and
/// removed files); where cvsps fails, checks that vcscope says so.
fn check_module(root: &Path, module: &str, revs: &Revisions, here: &str, tally: &mut Tally) {
    let (code, reference, stderr) = cvsps(root, module);
    let out = vcscope()
        .args(["ingest", "-q", "--backend", "cvsps", "--module", module, "--cvs-root"])
        .arg(root)
        .arg(root)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let has_masters = walk(&root.join(module)).iter().any(|p| p.to_string_lossy().ends_with(",v"));
    if code != Some(0) || (reference.is_empty() && has_masters) {
        // cvsps failed (or lost everything): vcscope must say so, naming the module.
        assert_eq!(out.status.code(), Some(1), "{here}: cvsps failed ({code:?}: {stderr}) but vcscope: {err}");
        assert!(err.contains("cvsps") && err.contains(module), "{here}: unclear error: {err}");
        tally.failed_clearly += 1;
        return;
    }
    let commits = jsonl(&out.stdout);
    assert_eq!(commits.len(), reference.len(), "{here}: patchset count; stderr: {err}");
    let by_id: HashMap<String, &serde_json::Value> =
        commits.iter().map(|c| (c["id"].as_str().unwrap().to_owned(), c)).collect();
    for ps in &reference {
        let c = by_id.get(&ps.number).unwrap_or_else(|| panic!("{here}: patchset {} missing", ps.number));
        let at = format!("{here} patchset {}", ps.number);
        let time = chrono::NaiveDateTime::parse_from_str(&ps.date, "%Y/%m/%d %H:%M:%S").unwrap();
        assert_eq!(c["time"].as_str().unwrap(), time.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "{at}: date");
        assert_eq!(c["author"]["name"], ps.author.as_str(), "{at}: author");
        assert_eq!(c["message"], ps.log.as_str(), "{at}: message");
        assert_eq!(c["branch"], ps.branch.as_str(), "{at}: branch");
        let tags: Vec<&str> =
            c["tags"].as_array().map(|t| t.iter().map(|v| v.as_str().unwrap()).collect()).unwrap_or_default();
        assert_eq!(tags, ps.tag.as_deref().into_iter().collect::<Vec<_>>(), "{at}: tags");
        let files: BTreeMap<&str, &serde_json::Value> =
            c["files"].as_array().unwrap().iter().map(|f| (f["path"].as_str().unwrap(), f)).collect();
        let mut expected_paths = Vec::new();
        for (path, from, to, dead) in &ps.members {
            let state = |r: &str| {
                revs.get(&(path.clone(), r.to_owned())).unwrap_or_else(|| panic!("{at}: {path} {r} not in rlog"))
            };
            let (to_dead, added, removed, master) = state(to);
            let from_alive = from != "INITIAL" && !state(from).0;
            let gone = *dead || *to_dead;
            if !from_alive && gone {
                continue; // removed again: no change
            }
            let Some(f) = files.get(path.as_str()) else {
                // Left out only with an error that names the file and revision.
                let named = err
                    .lines()
                    .any(|l| l.contains("error") && l.contains(&format!("{path},v")) && l.contains(to.as_str()));
                assert!(named, "{at}: {path} missing from {files:?} without an error: {err}");
                tally.reported += 1;
                continue;
            };
            expected_paths.push(path.as_str());
            assert_eq!(f["revision"], to.as_str(), "{at}: {path} revision");
            let old_revision = if from == "INITIAL" { serde_json::Value::Null } else { from.as_str().into() };
            assert_eq!(f.get("old_revision").cloned().unwrap_or_default(), old_revision, "{at}: {path} old revision");
            let master = root.join(master);
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
                    None => tally.co_skipped += 1,
                }
                assert_eq!(f["status"], if gone { "deleted" } else { "added" }, "{at}: {path}");
            }
            tally.files_checked += 1;
        }
        expected_paths.sort_unstable();
        let got_paths: Vec<&str> = files.keys().copied().collect();
        assert_eq!(got_paths, expected_paths, "{at}: members");
    }
    tally.agreed += 1;
}

#[test]
fn real_repositories_agree_with_cvsps_rlog_and_co() {
    let Some(data) = util::testdata() else { return };
    for tool in ["cvs", "cvsps", "co", "timeout"] {
        util::require(tool);
    }
    let mut repos: Vec<_> = std::fs::read_dir(data.join("cvs")).unwrap().map(|e| e.unwrap().path()).collect();
    repos.sort();
    let mut tally = Tally::default();
    for repo in &repos {
        let name = repo.file_name().unwrap().to_string_lossy().into_owned();
        for module in modules(repo) {
            let revs = revisions(repo, &module);
            check_module(repo, &module, &revs, &format!("{name}/{module}"), &mut tally);
        }
    }
    eprintln!("{tally:?}");
    assert!(tally.agreed >= 30 && tally.failed_clearly >= 3 && tally.files_checked > 2500, "{tally:?}");
}

/// rlog's view of every revision of every `,v` file under `root/module`, read from
/// GNU RCS `rlog` run here (the fixture's reference, like revisions.tsv).
fn rlog_revisions(root: &Path, module: &str) -> Revisions {
    let mut out = HashMap::new();
    for master in walk(&root.join(module)).into_iter().filter(|p| p.to_string_lossy().ends_with(",v")) {
        let rel = master.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let path = rel.strip_prefix(&format!("{module}/")).unwrap().trim_end_matches(",v").replace("Attic/", "");
        let log = run(Command::new("rlog").arg(&master));
        assert!(log.status.success(), "rlog {}: {}", master.display(), String::from_utf8_lossy(&log.stderr));
        let text = String::from_utf8_lossy(&log.stdout).into_owned();
        let mut rev = None;
        for line in text.lines() {
            if let Some(r) = line.strip_prefix("revision ") {
                rev = Some(r.split_whitespace().next().unwrap().to_owned());
            } else if let (Some(r), true) = (&rev, line.starts_with("date: ")) {
                let field =
                    |name: &str| line.split(';').find_map(|f| f.trim().strip_prefix(name)).map(|v| v.trim().to_owned());
                let (a, d) = match field("lines:") {
                    Some(l) => {
                        let (a, d) = l.split_once(' ').unwrap();
                        (a.trim_start_matches('+').to_owned(), d.trim_start_matches('-').to_owned())
                    }
                    None => (String::new(), String::new()),
                };
                let dead = field("state:").as_deref() == Some("dead");
                out.insert((path.clone(), r.clone()), (dead, a, d, rel.clone()));
                rev = None;
            }
        }
    }
    out
}

#[test]
fn fixture_repositories_with_and_without_commitids_agree() {
    for tool in ["cvs", "cvsps", "co", "rlog", "faketime", "timeout"] {
        util::require(tool);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut tally = Tally::default();
    let without = dir.path().join("without");
    assert!(run(Command::new("cp").arg("-a").arg(fixture()).arg(&without)).status.success());
    assert!(run(Command::new("bash").arg(script()).arg("--strip-commitids").arg(&without)).status.success());
    for (name, root, flag) in [("with", fixture().to_path_buf(), ""), ("without", without, "--no-commitids")] {
        let text =
            walk(&root.join("kern")).iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect::<String>();
        assert_eq!(text.contains("\ncommitid"), flag.is_empty(), "{name} commitids");
        let revs = rlog_revisions(&root, "kern");
        check_module(&root, "kern", &revs, &format!("fixture {name} commitids"), &mut tally);
    }
    assert_eq!(tally.agreed, 2, "{tally:?}");
    assert!(tally.files_checked >= 30, "{tally:?}");
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

/// The fixture repository (fixtures/make-cvs-repo.sh), built once per test run and
/// shared: every test only reads it.
fn fixture() -> &'static Path {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        for tool in ["cvs", "faketime"] {
            util::require(tool);
        }
        let dir = tempfile::tempdir().unwrap().keep();
        let root = dir.join("with");
        let out = run(Command::new("bash").arg(script()).arg(&root));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        root
    })
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/make-cvs-repo.sh")
}

/// A stand-in for cvsps: a shell script that does `body` (it may exec the real one).
fn wrapper(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    run(Command::new("chmod").arg("+x").arg(&path));
    path
}

#[test]
fn known_cvsps_failures_are_reported_not_hidden() {
    for tool in ["cvs", "cvsps", "faketime"] {
        util::require(tool);
    }
    let dir = tempfile::tempdir().unwrap();
    let root = fixture();
    let ingest = |extra: &[&str]| {
        let out = vcscope().args(["ingest", "-q"]).args(extra).arg(root.join("kern")).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), out.stdout)
    };

    // A hang: cvsps is stopped at the time limit, and with it everything it started.
    let hang = wrapper(dir.path(), "hang", "sleep 30 & wait");
    let started = std::time::Instant::now();
    let (code, err, _) = ingest(&["--cvsps", hang.to_str().unwrap(), "--cvsps-timeout", "1"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("did not finish within 1 s"), "{err}");
    assert!(started.elapsed().as_secs() < 20, "the hung cvsps was not killed");

    // A crash: the real cvsps with -A segfaults on c2s-main/proj in the test data
    // (see its INFO.txt); here a cvsps that dies of SIGSEGV after printing a bit.
    let crash = wrapper(dir.path(), "crash", "echo 'cvs rlog: Logging kern' >&2; kill -SEGV $$");
    let (code, err, _) = ingest(&["--cvsps", crash.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("crashed") && err.contains("segmentation fault") && err.contains("Logging kern"), "{err}");

    // The real crash: cvsps 2.1 with -A segfaults on c2s-main/proj (its INFO.txt).
    if let Some(data) = util::testdata() {
        let with_a = wrapper(dir.path(), "with-a", "exec cvsps -A \"$@\"");
        let repo = data.join("cvs/c2s-main");
        let out = vcscope()
            .args(["ingest", "-q", "--module", "proj", "--cvsps", with_a.to_str().unwrap(), "--cvs-root"])
            .arg(&repo)
            .arg(&repo)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("module proj: cvsps crashed (signal 11, a segmentation fault)"), "{err}");
    }

    // A cvsps that ignores TZ=UTC (dates shifted by the local zone): the ,v dates
    // disagree by whole hours, and every patchset says so.
    let shifted = wrapper(dir.path(), "shifted", "TZ=Asia/Tokyo exec cvsps \"$@\"");
    let (code, err, _) = ingest(&["--cvsps", shifted.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("hour(s) apart") && err.contains("time zone"), "{err}");
    assert_eq!(err.lines().filter(|l| l.contains("apart")).count(), 18, "one error per patchset: {err}");

    // Success with nothing to show while cvs rlog failed.
    let empty = wrapper(dir.path(), "empty", "echo 'cvs [rlog aborted]: unrecognized operation' >&2; exit 0");
    let (code, err, _) = ingest(&["--cvsps", empty.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("no patchsets although the module holds 5 ,v file(s)") && err.contains("rlog aborted"),
        "{err}"
    );

    // No cvsps at all.
    let (code, err, _) = ingest(&["--cvsps", "/nonexistent/cvsps"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot run cvsps") && err.contains("apt-get install cvsps"), "{err}");

    // A remote root needs the module named.
    let out = vcscope()
        .args(["ingest", "--backend", "cvsps", "--cvs-root", ":pserver:anon@cvs.example.org:/cvs", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--module"));
}

#[test]
fn a_remote_root_gives_what_the_local_reader_gives() {
    for tool in ["cvs", "cvsps", "faketime"] {
        util::require(tool);
    }
    // `:fork:` runs the real client/server protocol against a local repository, the
    // way `:pserver:` and `:ext:` do over the network: counts come from
    // `cvs rdiff -ko` and `cvs co -p -ko` instead of the ,v files.
    let mut cases = vec![(fixture().to_path_buf(), "kern".to_owned())];
    if let Some(data) = util::testdata() {
        // real-grasp-doc renumbers its trunk (1.x to 4.x): those steps are diffed with rdiff.
        let repos = [
            ("c2s-keywords", "keywords"),
            ("c2s-eol-mime", "eolmime"),
            ("cfe-issue22", "module"),
            ("real-grasp-doc", "Grasp"),
        ];
        for (repo, module) in repos {
            cases.push((data.join("cvs").join(repo), module.to_owned()));
        }
    }
    for (root, module) in cases {
        let local =
            vcscope().args(["ingest", "-q", "--module", &module, "--cvs-root"]).arg(&root).arg(&root).output().unwrap();
        let remote = vcscope()
            .args(["ingest", "-q", "--backend", "cvsps", "--module", &module, "--cvs-root"])
            .arg(format!(":fork:{}", root.display()))
            .arg("unused")
            .output()
            .unwrap();
        assert!(local.status.success() && remote.status.success(), "{}", String::from_utf8_lossy(&remote.stderr));
        assert!(!local.stdout.is_empty());
        assert!(local.stdout == remote.stdout, "{}/{module}: remote and local streams differ", root.display());
    }
}

#[test]
fn the_repository_is_never_written() {
    for tool in ["cvs", "cvsps", "faketime"] {
        util::require(tool);
    }
    let dir = tempfile::tempdir().unwrap();
    let root = fixture().to_path_buf();
    let snapshot = || {
        let mut files: Vec<_> = walk(&root)
            .into_iter()
            .map(|p| {
                let meta = std::fs::metadata(&p).unwrap();
                (p.clone(), std::fs::read(&p).unwrap(), meta.modified().unwrap(), meta.len())
            })
            .collect();
        files.sort();
        let dirs: Vec<_> = walk_dirs(&root);
        (files, dirs)
    };
    let before = snapshot();
    // The module, the whole root and a working copy.
    let wc = dir.path().join("wc");
    let co = run(Command::new("cvs")
        .args(["-Q", "-d"])
        .arg(&root)
        .args(["checkout", "-d"])
        .arg(&wc)
        .arg("kern")
        .current_dir(dir.path()));
    assert!(co.status.success(), "{}", String::from_utf8_lossy(&co.stderr));
    let before_wc = snapshot();
    assert_eq!(before.0.len(), before_wc.0.len(), "checkout wrote to the repository?");
    for path in [root.join("kern"), root.clone(), wc.clone()] {
        let out = vcscope().args(["ingest", "-q"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        assert_eq!(jsonl(&out.stdout).len(), 18, "{}", path.display());
    }
    assert!(before_wc == snapshot(), "the repository changed (lock files, history, ...)");
}

fn walk_dirs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk_dirs(&e.path()));
        }
    }
    out.sort();
    out
}

/// diffstat's totals (inserted, deleted) for one text, as the seed post used it.
fn diffstat_totals(text: &str) -> (u64, u64) {
    use std::io::Write;
    let mut child = Command::new("diffstat")
        .arg("-t")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().skip(1).fold((0, 0), |(a, d), row| {
        let f: Vec<&str> = row.split(',').collect();
        (a + f[0].parse::<u64>().unwrap_or(0), d + f[1].parse::<u64>().unwrap_or(0))
    })
}

/// The seed post's pipeline, literally: `cvsps -g`, then diffstat on each
/// patchset's diff. Every difference from vcscope is one docs/fidelity.md explains:
/// expanded keywords (`$Id$` lines that differ only in their expansion) inflate the
/// seed's counts, and `cvsps -g` stops at the first changed binary file, so the
/// patchsets after it are lost to the seed's pipeline.
#[test]
fn the_seed_pipeline_and_every_difference_from_it() {
    for tool in ["cvs", "cvsps", "diffstat", "faketime"] {
        util::require(tool);
    }
    let root = fixture();
    let g = run_cvsps(root, &["-x", "--norc", "-g", "kern"]);
    let text = String::from_utf8_lossy(&g.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&g.stderr).into_owned();
    // Difference 2: cvsps -g gives up at the binary logo (patchset 8).
    assert_ne!(g.status.code(), Some(0), "cvsps -g is expected to fail on the binary file");
    assert!(stderr.contains("failed to read diff file header") && stderr.contains("logo.bin"), "{stderr}");

    let mut seed: BTreeMap<u64, (u64, u64, u64)> = BTreeMap::new(); // patchset -> (added, removed, keyword lines)
    for chunk in text.split("---------------------\nPatchSet ").skip(1) {
        let number: u64 = chunk.split_whitespace().next().unwrap().parse().unwrap();
        let (a, d) = diffstat_totals(chunk);
        let keyword_lines = chunk
            .lines()
            .filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---"))
            .filter(|l| l.contains("$Id:") || l.contains("$Header:") || l.contains("$Revision:"))
            .count() as u64;
        seed.insert(number, (a, d, keyword_lines));
    }
    let out = vcscope().args(["ingest", "-q"]).arg(root.join("kern")).output().unwrap();
    assert!(out.status.success());
    let ours: BTreeMap<u64, (u64, u64)> = jsonl(&out.stdout)
        .iter()
        .map(|c| {
            (c["id"].as_str().unwrap().parse().unwrap(), (c["added"].as_u64().unwrap(), c["removed"].as_u64().unwrap()))
        })
        .collect();
    let last_seed = *seed.keys().last().unwrap();
    assert!(last_seed <= 8 && ours.len() == 18, "the seed's pipeline lost patchsets {}..18", last_seed + 1);
    let mut explained_by_keywords = 0;
    for (n, (a, d, kw)) in &seed {
        let (oa, od) = ours[n];
        if (*a, *d) == (oa, od) {
            continue;
        }
        if *n == last_seed && g.status.code() != Some(0) {
            continue; // the patchset cvsps -g died in
        }
        // Difference 1: only keyword lines differ.
        assert!(*kw > 0, "patchset {n}: seed +{a} -{d}, vcscope +{oa} -{od}, not explained");
        assert!(
            a.abs_diff(oa) + d.abs_diff(od) <= *kw,
            "patchset {n}: seed +{a} -{d} vs +{oa} -{od}, {kw} keyword lines"
        );
        explained_by_keywords += 1;
    }
    assert!(explained_by_keywords >= 1, "the vendor import's $Id$ lines should differ");
}

#[test]
fn logins_become_people_from_an_authors_file_or_cvsroot_users() {
    for tool in ["cvs", "cvsps", "faketime"] {
        util::require(tool);
    }
    let dir = tempfile::tempdir().unwrap();
    let authors = dir.path().join("authors.txt");
    std::fs::write(&authors, "# login = Name <email>\nada = Ada Byron <ada@example.org>\nbob = Brian Kern <bwk@example.org> America/New_York\n").unwrap();
    let out = vcscope().args(["ingest", "-q", "--authors"]).arg(&authors).arg(fixture().join("kern")).output().unwrap();
    assert!(out.status.success());
    let commits = jsonl(&out.stdout);
    let first = &commits[0]["author"];
    assert_eq!((first["name"].as_str(), first["email"].as_str()), (Some("Ada Byron"), Some("ada@example.org")));
    assert!(commits.iter().any(|c| c["author"]["name"] == "Brian Kern"));
    assert!(commits.iter().any(|c| c["author"]["name"] == "chen"), "logins without an entry stay as they are");

    // CVSROOT/users (login:email), in a copy of the repository.
    let copy = dir.path().join("copy");
    assert!(run(Command::new("cp").arg("-a").arg(fixture()).arg(&copy)).status.success());
    std::fs::write(copy.join("CVSROOT/users"), "chen:chen@example.org\n").unwrap();
    let out = vcscope().args(["ingest", "-q"]).arg(copy.join("kern")).output().unwrap();
    let commits = jsonl(&out.stdout);
    let chen = commits.iter().find(|c| c["author"]["name"] == "chen").unwrap();
    assert_eq!(chen["author"]["email"], "chen@example.org");

    // A bad authors file is an error naming the file and line.
    std::fs::write(&authors, "ada Ada\n").unwrap();
    let out = vcscope().args(["ingest", "-q", "--authors"]).arg(&authors).arg(fixture().join("kern")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("authors.txt") && err.contains("line 1"), "{err}");
}
