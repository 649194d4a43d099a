//! Shared helpers: the binary under test, the real-data folder, real tools.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `vcscope` as built for this test run.
pub fn vcscope() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("vcscope").expect("vcscope binary");
    cmd.env_remove("RUST_LOG").env("TZ", "UTC").env("COLUMNS", "100");
    cmd
}

/// The real-data folder named by `VCSCOPE_TESTDATA`; `None` (the test says it is
/// skipped) when the variable is unset; a failure when it names a missing folder.
pub fn testdata() -> Option<PathBuf> {
    let Some(value) = std::env::var_os("VCSCOPE_TESTDATA") else {
        eprintln!("skipped: VCSCOPE_TESTDATA is not set (the test command sets it to ../shared/testdata)");
        return None;
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(value);
    assert!(path.is_dir(), "VCSCOPE_TESTDATA names {}, which is not a folder", path.display());
    Some(path)
}

/// Fails the test, naming the tool, when `tool` is not on PATH.
pub fn require(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false);
    assert!(found, "this test needs `{tool}` on PATH; `bash scripts/test.sh` installs it (apt-get)");
}

/// Runs a command, returning its output whatever the exit status.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Undoes git's C-style quoting of a path in `--numstat` output.
pub fn unquote_git(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return s.to_owned();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let e = bytes[i + 1];
            if e.is_ascii_digit() && i + 3 < bytes.len() {
                let oct = std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap();
                out.push(u8::from_str_radix(oct, 8).unwrap());
                i += 4;
                continue;
            }
            out.push(match e {
                b'n' => b'\n',
                b't' => b'\t',
                b'r' => b'\r',
                other => other,
            });
            i += 2;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One `--numstat`-style row: `None` counts for a binary file.
pub type Row = (String, Option<(u64, u64)>);

/// Parses `added<TAB>removed<TAB>path` lines (git's quoting undone).
pub fn parse_numstat(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let a = parts.next().unwrap();
            let r = parts.next().unwrap();
            let path = unquote_git(parts.next().unwrap());
            let counts = if a == "-" { None } else { Some((a.parse().unwrap(), r.parse().unwrap())) };
            (path, counts)
        })
        .collect()
}

/// `git apply --numstat FILE` in an empty folder outside any repository;
/// `None` when git refuses the patch.
pub fn git_apply_numstat(file: &Path) -> Option<Vec<Row>> {
    let dir = tempfile::tempdir().unwrap();
    let out = run(Command::new("git").arg("apply").arg("--numstat").arg(file).current_dir(dir.path()));
    out.status.success().then(|| parse_numstat(&String::from_utf8_lossy(&out.stdout)))
}

/// Like [`git_apply_numstat`], but when git refuses the text only because its last
/// line has no newline, the answer for the text with one added (`true` beside it).
pub fn git_apply_numstat_final_newline(file: &Path) -> Option<(Vec<Row>, bool)> {
    if let Some(rows) = git_apply_numstat(file) {
        return Some((rows, false));
    }
    let mut text = std::fs::read(file).unwrap();
    if text.ends_with(b"\n") {
        return None;
    }
    text.push(b'\n');
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("with-final-newline.patch");
    std::fs::write(&fixed, text).unwrap();
    git_apply_numstat(&fixed).map(|rows| (rows, true))
}

/// Sums of the INSERTED and DELETED columns of `diffstat -t -p1 FILE`.
pub fn diffstat_totals(file: &Path) -> (u64, u64) {
    let out = run(Command::new("diffstat").args(["-t", "-p1"]).arg(file));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut totals = (0, 0);
    for line in text.lines().skip(1) {
        let mut cols = line.splitn(4, ',');
        totals.0 += cols.next().unwrap().parse::<u64>().unwrap();
        totals.1 += cols.next().unwrap().parse::<u64>().unwrap();
    }
    totals
}

/// Totals of non-binary rows.
pub fn totals(rows: &[Row]) -> (u64, u64) {
    rows.iter().filter_map(|(_, c)| *c).fold((0, 0), |acc, (a, r)| (acc.0 + a, acc.1 + r))
}

/// Reads a JSON Lines stream into values.
pub fn jsonl(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}
