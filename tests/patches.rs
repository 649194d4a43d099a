//! Real patches from `$VCSCOPE_TESTDATA/patches`: every count `vcscope` prints is
//! checked against `git apply --numstat` (per file), against `git mailsplit` +
//! `git mailinfo` + `git apply --numstat` (per mail), or, where git refuses the
//! input, against `diffstat`, all run here by the test. Every deliberate difference
//! is listed below and explained in docs/fidelity.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, diffstat_totals, git_apply_numstat_final_newline, parse_numstat, run, totals, vcscope, Row};

/// Inputs git refuses where vcscope and diffstat also disagree, with vcscope's
/// totals and why. Each reason is spelled out in docs/fidelity.md under the name.
const DIFFSTAT_DIFFERS: &[(&str, (u64, u64), &str)] = &[
    (
        "msys2-clucene-context.patch",
        (17, 16),
        "context diff: `!` lines count as removed (old section) and added (new section)",
    ),
    (
        "msys2-usql-context.patch",
        (44, 40),
        "context diff: `!` lines count as removed (old section) and added (new section)",
    ),
];

/// Inputs git accepts where vcscope lists more rows: `Binary files A and B differ`
/// without a `diff --git` header (git skips them; vcscope lists them as binary).
const EXTRA_BINARY_ROWS: &[&str] = &["msys2-petsc-binary-differ.patch"];

/// Inputs git refuses only because their last line lacks a newline; vcscope counts
/// them, and the test checks the counts against git on the text with one added.
const NO_FINAL_NEWLINE: &[&str] = &["msys2-ispc-003-diff-Naur-tree.patch", "msys2-libimobiledevice-003-series.patch"];

fn patch_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("patch" | "diff" | "mbox")))
        .collect();
    files.sort();
    files
}

fn name(file: &Path) -> &str {
    file.file_name().unwrap().to_str().unwrap()
}

fn ours_stat(file: &Path) -> Vec<Row> {
    let out = vcscope().arg("stat").arg(file).output().unwrap();
    assert!(out.status.success(), "vcscope stat {} failed: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    parse_numstat(&String::from_utf8_lossy(&out.stdout))
}

fn fidelity_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fidelity.md")).unwrap()
}

fn sorted(rows: impl IntoIterator<Item = Row>) -> Vec<Row> {
    let mut v: Vec<Row> = rows.into_iter().collect();
    v.sort();
    v
}

#[test]
fn every_patch_matches_git_apply_or_a_documented_reference() {
    let Some(td) = util::testdata() else { return };
    util::require("git");
    util::require("diffstat");
    let doc = fidelity_doc();
    let files = patch_files(&td.join("patches"));
    assert!(files.len() >= 40, "expected the 42 real patches, found {}", files.len());
    let mut checked_git = 0;
    let mut documented_seen = Vec::new();
    for file in &files {
        let n = name(file);
        let ours = ours_stat(file);
        let diffstat = diffstat_totals(file);
        match git_apply_numstat_final_newline(file) {
            Some((git, needed_newline)) => {
                checked_git += 1;
                if needed_newline {
                    assert!(NO_FINAL_NEWLINE.contains(&n), "{n}: git needs a final newline added; not documented");
                    assert!(doc.contains(n), "docs/fidelity.md must explain {n}");
                    documented_seen.push(n.to_owned());
                }
                let git_binary: Vec<&String> = git.iter().filter(|r| r.1.is_none()).map(|r| &r.0).collect();
                let ours_text = sorted(ours.iter().filter(|r| r.1.is_some()).cloned());
                let git_text = sorted(git.iter().filter(|r| r.1.is_some()).cloned());
                assert_eq!(ours_text, git_text, "{n}: per-file counts differ from git apply --numstat");
                let ours_binary: Vec<&String> = ours.iter().filter(|r| r.1.is_none()).map(|r| &r.0).collect();
                for path in &git_binary {
                    assert!(ours_binary.contains(path), "{n}: git apply lists {path} as binary; vcscope does not");
                }
                if ours_binary.len() > git_binary.len() {
                    assert!(
                        EXTRA_BINARY_ROWS.contains(&n),
                        "{n}: vcscope lists binary files git apply does not: {ours_binary:?}"
                    );
                    assert!(doc.contains(n), "docs/fidelity.md must explain {n}");
                    documented_seen.push(n.to_owned());
                }
                if diffstat != totals(&git) {
                    eprintln!(
                        "{n}: diffstat says +{} -{}, git apply +{} -{}; vcscope follows git apply",
                        diffstat.0,
                        diffstat.1,
                        totals(&git).0,
                        totals(&git).1
                    );
                }
            }
            None => {
                let ours_totals = totals(&ours);
                if ours_totals == diffstat {
                    continue;
                }
                let Some((_, expected, why)) = DIFFSTAT_DIFFERS.iter().find(|d| d.0 == n) else {
                    panic!(
                        "{n}: git apply refuses it and vcscope's +{} -{} differs from diffstat's +{} -{}",
                        ours_totals.0, ours_totals.1, diffstat.0, diffstat.1
                    );
                };
                eprintln!(
                    "{n}: git apply refuses it; diffstat +{} -{}; vcscope +{} -{} ({why})",
                    diffstat.0, diffstat.1, ours_totals.0, ours_totals.1
                );
                assert_eq!(ours_totals, *expected, "{n}");
                assert!(doc.contains(n), "docs/fidelity.md must explain {n}");
                documented_seen.push(n.to_owned());
            }
        }
    }
    assert!(checked_git >= 25, "only {checked_git} patches were checked against git apply");
    // The documented lists must not rot: each entry was met above.
    for n in DIFFSTAT_DIFFERS
        .iter()
        .map(|d| d.0)
        .chain(EXTRA_BINARY_ROWS.iter().copied())
        .chain(NO_FINAL_NEWLINE.iter().copied())
    {
        assert!(documented_seen.iter().any(|s| s == n), "{n} is documented as different but was not");
    }
}

#[test]
fn context_diff_counts_equal_the_hand_counts_in_the_reference() {
    let Some(td) = util::testdata() else { return };
    // REFERENCE.tsv carries hand counts for the two context diffs, where
    // neither git apply nor diffstat gives split counts.
    let reference = std::fs::read_to_string(td.join("patches/REFERENCE.tsv")).unwrap();
    let mut found = 0;
    for line in reference.lines() {
        let Some(at) = line.find("hand count of context diff") else { continue };
        let file = line.split('\t').next().unwrap();
        let tail = &line[at..];
        let plus = tail.find(": +").map(|i| &tail[i + 3..]).unwrap();
        let added: u64 = plus.split_whitespace().next().unwrap().parse().unwrap();
        let minus = plus.find(" -").map(|i| &plus[i + 2..]).unwrap();
        let removed: u64 = minus
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let ours = totals(&ours_stat(&td.join("patches").join(file)));
        assert_eq!(ours, (added, removed), "{file}");
        found += 1;
    }
    assert_eq!(found, 2, "expected hand counts for two context diffs");
}

/// Per-mail truth: `git mailsplit` + `git mailinfo` + `git apply --numstat`.
fn git_per_mail(file: &Path) -> (Vec<(u64, u64)>, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let split =
        run(Command::new("git").arg("mailsplit").arg("-b").arg(format!("-o{}", dir.path().display())).arg(file));
    assert!(split.status.success(), "git mailsplit {}: {}", file.display(), String::from_utf8_lossy(&split.stderr));
    let mut mails: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    mails.sort();
    let mut counts = Vec::new();
    let mut refused = 0;
    let mut needed_newline = 0;
    for mail in mails {
        let work = tempfile::tempdir().unwrap();
        let input = std::fs::File::open(&mail).unwrap();
        let info = run(Command::new("git").args(["mailinfo", "msg", "patch"]).stdin(input).current_dir(work.path()));
        assert!(info.status.success(), "git mailinfo {}", mail.display());
        let patch = work.path().join("patch");
        if std::fs::metadata(&patch).map(|m| m.len()).unwrap_or(0) == 0 {
            continue;
        }
        match git_apply_numstat_final_newline(&patch) {
            Some((rows, fixed)) => {
                counts.push(totals(&rows));
                needed_newline += usize::from(fixed);
            }
            None => refused += 1,
        }
    }
    (counts, refused, needed_newline)
}

#[test]
fn every_mail_matches_git_mailinfo_and_git_apply() {
    let Some(td) = util::testdata() else { return };
    util::require("git");
    let mut checked = 0;
    for file in patch_files(&td.join("patches")) {
        let text = std::fs::read(&file).unwrap();
        let first = String::from_utf8_lossy(&text).lines().find(|l| !l.trim().is_empty()).unwrap_or("").to_owned();
        if !(first.starts_with("From ") || first.starts_with("From:")) {
            continue;
        }
        let n = name(&file);
        let out = vcscope().args(["ingest", "--backend", "patch", "-q"]).arg(&file).output().unwrap();
        assert!(out.status.success(), "{n}: {}", String::from_utf8_lossy(&out.stderr));
        let mut ours: Vec<(u64, u64)> = util::jsonl(&out.stdout)
            .iter()
            .map(|c| (c["added"].as_u64().unwrap(), c["removed"].as_u64().unwrap()))
            .collect();
        let (mut git, refused, needed_newline) = git_per_mail(&file);
        assert_eq!(refused, 0, "{n}: git refuses {refused} mail(s)");
        if needed_newline > 0 {
            assert!(
                NO_FINAL_NEWLINE.contains(&n),
                "{n}: {needed_newline} mail(s) need a final newline for git; not documented"
            );
        }
        ours.sort();
        git.sort();
        assert_eq!(ours, git, "{n}: per-mail (added, removed) differ from git mailinfo + apply");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} mail files checked");
}

#[test]
fn ingest_totals_equal_stat_totals_for_plain_patches() {
    let Some(td) = util::testdata() else { return };
    // For a file that is not a mail, ingest gives one commit whose counts are the
    // engine's counts of the whole text.
    let mut by_file = BTreeMap::new();
    for file in patch_files(&td.join("patches")) {
        let out = vcscope().args(["ingest", "--backend", "patch", "-q"]).arg(&file).output().unwrap();
        let commits = util::jsonl(&out.stdout);
        if commits.len() != 1 || String::from_utf8_lossy(&std::fs::read(&file).unwrap()).starts_with("From") {
            continue;
        }
        let c = &commits[0];
        let ingest = (c["added"].as_u64().unwrap(), c["removed"].as_u64().unwrap());
        by_file.insert(name(&file).to_owned(), (ingest, totals(&ours_stat(&file))));
    }
    assert!(by_file.len() >= 15, "{by_file:?}");
    for (n, (ingest, stat)) in by_file {
        assert_eq!(ingest, stat, "{n}");
    }
}

/// A file of several MiB made of every real patch, many times over, counted three
/// ways: in pieces read by each worker (`stat` on a regular file), by one streaming
/// reader (`-j1`), and from a pipe. Every count, name, warning and line number must
/// be the same; the streaming reader is the one the tests above hold to git.
#[test]
fn pieces_read_in_parallel_equal_one_streaming_pass() {
    let Some(td) = util::testdata() else { return };
    let mut text = Vec::new();
    while text.len() < 6 << 20 {
        for file in patch_files(&td.join("patches")) {
            text.extend_from_slice(&std::fs::read(&file).unwrap());
            text.extend_from_slice(b"\n");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("all.patch");
    std::fs::write(&big, &text).unwrap();
    let run_stat = |args: &[&str], stdin: Option<&[u8]>| {
        let mut cmd = vcscope();
        cmd.arg("stat").args(args);
        let out = match stdin {
            None => cmd.arg(&big).output().unwrap(),
            // assert_cmd writes stdin through a pipe, from a thread of its own.
            Some(bytes) => cmd.arg("/dev/stdin").write_stdin(bytes.to_vec()).output().unwrap(),
        };
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // Warnings name the input; the pipe's name differs, the rest must not.
        let stderr = String::from_utf8_lossy(&out.stderr).replace("/dev/stdin", &big.display().to_string());
        (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
    };
    let stream = run_stat(&["-j1"], None);
    let rows = stream.0.lines().count();
    assert!(rows > 1000, "expected many file rows, got {rows}");
    assert!(stream.1.contains("warning"), "the real patches include damaged ones; their warnings must show");
    for jobs in ["2", "3"] {
        assert_eq!(run_stat(&["-j", jobs], None), stream, "pieces on {jobs} threads differ from -j1");
    }
    assert_eq!(run_stat(&[], Some(&text)), stream, "a pipe differs from the file");
}
