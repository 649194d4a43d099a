//! The bundled example (`fixtures/example/`): its generator is deterministic, and
//! `vcscope ingest` of its mails equals `git log --numstat` of the history that
//! `git am` rebuilds from them.

use std::path::Path;
use std::process::Command;

use crate::util::{self, jsonl, run, vcscope};

/// (author, epoch seconds, per-file (added, removed, path)).
type CommitRow = (String, i64, Vec<(u64, u64, String)>);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_generator_reproduces_the_committed_example_byte_for_byte() {
    util::require("git");
    let dir = tempfile::tempdir().unwrap();
    let out = run(Command::new("bash").arg(root().join("fixtures/make-example.sh")).arg(dir.path()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let committed = root().join("fixtures/example");
    let diff = run(Command::new("diff").arg("-r").arg(&committed).arg(dir.path()));
    assert!(
        diff.status.success(),
        "fixtures/example is stale; rerun fixtures/make-example.sh:\n{}",
        String::from_utf8_lossy(&diff.stdout)
    );
}

#[test]
fn ingest_of_the_example_equals_git_log_numstat_after_git_am() {
    util::require("git");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        let out = run(Command::new("git")
            .args(args)
            .current_dir(repo)
            .env("HOME", repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org"));
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q", "-b", "main"]);
    let mut patches: Vec<_> =
        std::fs::read_dir(root().join("fixtures/example")).unwrap().map(|e| e.unwrap().path()).collect();
    patches.retain(|p| p.extension().is_some_and(|e| e == "patch"));
    patches.sort();
    let mut am = vec!["am".to_owned(), "-q".to_owned(), "--keep-cr".to_owned()];
    am.extend(patches.iter().map(|p| p.display().to_string()));
    git(&am.iter().map(String::as_str).collect::<Vec<_>>());
    // One block per commit: "@<author>|<epoch>" then numstat rows.
    let log = git(&["log", "--reverse", "--numstat", "--no-renames", "--format=@%an|%at"]);
    let mut expected: Vec<CommitRow> = Vec::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        if let Some(head) = line.strip_prefix('@') {
            let (name, at) = head.split_once('|').unwrap();
            expected.push((name.to_owned(), at.parse().unwrap(), Vec::new()));
        } else {
            let mut cols = line.splitn(3, '\t');
            let a = cols.next().unwrap().parse().unwrap();
            let r = cols.next().unwrap().parse().unwrap();
            expected.last_mut().unwrap().2.push((a, r, cols.next().unwrap().to_owned()));
        }
    }
    let out = vcscope().args(["ingest", "-q"]).arg(root().join("fixtures/example")).output().unwrap();
    assert!(out.status.success());
    let ours: Vec<CommitRow> = jsonl(&out.stdout)
        .iter()
        .map(|c| {
            let time = chrono::DateTime::parse_from_rfc3339(c["time"].as_str().unwrap()).unwrap().timestamp();
            let mut files: Vec<(u64, u64, String)> = c["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["added"].as_u64().unwrap(),
                        f["removed"].as_u64().unwrap(),
                        f["path"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            files.sort_by(|a, b| a.2.cmp(&b.2));
            (c["author"]["name"].as_str().unwrap().to_owned(), time, files)
        })
        .collect();
    assert!(expected.len() > 50, "{} commits", expected.len());
    assert_eq!(ours.len(), expected.len());
    for (i, (o, e)) in ours.iter().zip(&expected).enumerate() {
        assert_eq!(o, e, "commit {} of the example differs from git log --numstat", i + 1);
    }
}
