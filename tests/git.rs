//! The Git backend against `git log --numstat` (the reference), run by each test on
//! the same repository: a fixture covering every case (`fixtures/make-git-repo.sh`),
//! its shallow and bare clones, this project's own history, and a generated history
//! of 20,000 commits. A failure names the first differing commit and file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, jsonl, run, vcscope};

/// (path, old path for renames, counts or None for binary)
type FileRow = (String, Option<String>, Option<(u64, u64)>);

#[derive(Debug, PartialEq)]
struct Entry {
    parents: Vec<String>,
    name: String,
    email: String,
    time: i64,
    files: Vec<FileRow>,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> (tempfile::TempDir, PathBuf) {
    util::require("git");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let out = run(Command::new("bash").arg(root().join("fixtures/make-git-repo.sh")).arg(&repo));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir, repo)
}

/// `git log` with `args`, parsed. `time` is `%at`, or `%ct` with `committer`.
fn reference(repo: &Path, args: &[&str], committer: bool) -> BTreeMap<String, Entry> {
    let time = if committer { "%ct" } else { "%at" };
    let out = run(Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "core.quotePath=false", "log", "--numstat", "-z"])
        .arg(format!("--format=%x01%H%x09%P%x09%aN%x09%aE%x09{time}"))
        .args(args));
    assert!(out.status.success(), "git log: {}", String::from_utf8_lossy(&out.stderr));
    let mut map = BTreeMap::new();
    for chunk in out.stdout.split(|b| *b == 1).skip(1) {
        let mut tokens = chunk.split(|b| *b == 0).map(|t| String::from_utf8_lossy(t).into_owned());
        let header = tokens.next().unwrap();
        let h: Vec<&str> = header.split('\t').collect();
        let mut files = Vec::new();
        while let Some(token) = tokens.next() {
            let token = token.trim_start_matches('\n');
            if token.is_empty() {
                continue;
            }
            let mut cols = token.splitn(3, '\t');
            let (a, r, path) = (cols.next().unwrap(), cols.next().unwrap(), cols.next().unwrap_or(""));
            let counts = if a == "-" { None } else { Some((a.parse().unwrap(), r.parse().unwrap())) };
            if path.is_empty() {
                let old = tokens.next().unwrap();
                let new = tokens.next().unwrap();
                files.push((new, Some(old), counts));
            } else {
                files.push((path.to_owned(), None, counts));
            }
        }
        files.sort();
        let parents = h[1].split_whitespace().map(str::to_owned).collect();
        map.insert(
            h[0].to_owned(),
            Entry { parents, name: h[2].to_owned(), email: h[3].to_owned(), time: h[4].parse().unwrap(), files },
        );
    }
    map
}

/// `vcscope ingest` with `args`, in the same shape.
fn ours(repo: &Path, args: &[&str]) -> BTreeMap<String, Entry> {
    let out = vcscope().args(["ingest", "-q", "--backend", "git"]).args(args).arg(repo).output().unwrap();
    assert!(out.status.success(), "vcscope failed: {}", String::from_utf8_lossy(&out.stderr));
    jsonl(&out.stdout)
        .into_iter()
        .map(|c| {
            let mut files: Vec<_> = c["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let counts = if f["binary"].as_bool().unwrap() {
                        None
                    } else {
                        Some((f["added"].as_u64().unwrap(), f["removed"].as_u64().unwrap()))
                    };
                    (f["path"].as_str().unwrap().to_owned(), f["old_path"].as_str().map(str::to_owned), counts)
                })
                .collect();
            files.sort();
            let time = chrono::DateTime::parse_from_rfc3339(c["time"].as_str().unwrap()).unwrap().timestamp();
            let entry = Entry {
                parents: c["parents"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect(),
                name: c["author"]["name"].as_str().unwrap().to_owned(),
                email: c["author"]["email"].as_str().unwrap_or("").to_owned(),
                time,
                files,
            };
            (c["id"].as_str().unwrap().to_owned(), entry)
        })
        .collect()
}

/// Compares, naming the first differing commit and file.
fn assert_agree(what: &str, ours: &BTreeMap<String, Entry>, git: &BTreeMap<String, Entry>) {
    let missing: Vec<_> = git.keys().filter(|k| !ours.contains_key(*k)).take(3).collect();
    let extra: Vec<_> = ours.keys().filter(|k| !git.contains_key(*k)).take(3).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what}: commits missing {missing:?}, extra {extra:?}");
    for (id, g) in git {
        let o = &ours[id];
        if o == g {
            continue;
        }
        for (of, gf) in o.files.iter().zip(&g.files) {
            assert_eq!(of, gf, "{what}: commit {id}: first differing file");
        }
        assert_eq!(o, g, "{what}: commit {id} differs");
    }
    assert!(!git.is_empty(), "{what}: git listed no commits");
}

#[test]
fn fixture_agrees_with_git_log_numstat_no_renames() {
    let (_dir, repo) = fixture();
    let git = reference(&repo, &["--no-renames"], false);
    assert_agree("fixture", &ours(&repo, &[]), &git);
    // The fixture's special cases are really there (so the agreement means something).
    let all_files: Vec<&str> = git.values().flat_map(|e| e.files.iter().map(|f| f.0.as_str())).collect();
    for needle in ["blob.bin", "link", "sub", "caf\u{fffd}.txt", "large.txt", "crlf.txt"] {
        assert!(all_files.contains(&needle), "fixture lacks {needle}");
    }
    assert!(git.values().any(|e| e.parents.len() == 2), "fixture lacks a merge");
    assert!(git.values().any(|e| e.parents.is_empty()), "fixture lacks a root");
}

#[test]
fn renames_agree_with_git_log_m() {
    let (_dir, repo) = fixture();
    let git = reference(&repo, &["-M"], false);
    assert!(git.values().any(|e| e.files.iter().any(|f| f.1.is_some())), "no rename found by git");
    assert_agree("fixture -M", &ours(&repo, &["--renames"]), &git);
}

#[test]
fn merges_against_the_first_parent_agree_with_git() {
    let (_dir, repo) = fixture();
    let git = reference(&repo, &["--no-renames", "--diff-merges=first-parent"], false);
    let merge = git.values().find(|e| e.parents.len() == 2).unwrap();
    assert!(!merge.files.is_empty(), "the merge has changes against its first parent");
    assert_agree("fixture first-parent merges", &ours(&repo, &["--merges", "first-parent"]), &git);
}

#[test]
fn all_refs_ranges_and_committer_time_agree_with_git() {
    let (_dir, repo) = fixture();
    let all = reference(&repo, &["--no-renames", "--all"], false);
    assert!(all.len() > reference(&repo, &["--no-renames"], false).len());
    assert_agree("--all", &ours(&repo, &["--all"]), &all);
    let range = reference(&repo, &["--no-renames", "v0.1-side..main"], false);
    assert_agree("range", &ours(&repo, &["--rev", "v0.1-side..main"]), &range);
    let committer = reference(&repo, &["--no-renames"], true);
    assert_agree("committer time", &ours(&repo, &["--committer-time"]), &committer);
}

#[test]
fn shallow_and_bare_clones_and_paths_inside_the_work_tree() {
    let (dir, repo) = fixture();
    let url = format!("file://{}", repo.display());
    let shallow = dir.path().join("shallow");
    let bare = dir.path().join("bare.git");
    for (args, target) in [(vec!["--depth", "4"], &shallow), (vec!["--bare"], &bare)] {
        let out = run(Command::new("git").args(["clone", "-q"]).args(&args).arg(&url).arg(target));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let git = reference(&shallow, &["--no-renames"], false);
    // Depth 4 along both sides of the merge: fewer commits than the full history.
    assert!(git.len() >= 4 && git.len() < reference(&repo, &[], false).len(), "{} commits", git.len());
    assert!(git.values().any(|e| e.parents.is_empty()), "the shallow clone has a new root");
    assert_agree("shallow clone", &ours(&shallow, &[]), &git);
    assert_agree("bare clone", &ours(&bare, &[]), &reference(&bare, &["--no-renames"], false));
    // Auto-detection takes a bare repository; `--backend git` also takes a folder
    // inside a work tree.
    let out = vcscope().args(["ingest", "-q"]).arg(&bare).output().unwrap();
    assert_eq!(jsonl(&out.stdout).len(), reference(&bare, &[], false).len());
    let inside = repo.join("inner");
    std::fs::create_dir(&inside).unwrap();
    assert_agree("inside the work tree", &ours(&inside, &[]), &reference(&repo, &["--no-renames"], false));
}

#[test]
fn this_projects_own_history_agrees_with_git() {
    if !root().join(".git").exists() {
        eprintln!("skipped: {} is not a Git checkout", root().display());
        return;
    }
    util::require("git");
    let git = reference(root(), &["--no-renames"], false);
    assert_agree("own history", &ours(root(), &[]), &git);
}

/// Every file in a folder with its size, time and content, to see that nothing
/// was written.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else if meta.is_file() {
                out.insert(e.path(), (meta.len(), meta.modified().ok(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

#[test]
fn the_repository_is_never_written_to() {
    let (_dir, repo) = fixture();
    let before = snapshot(&repo);
    for args in [&[][..], &["--renames", "--all"][..], &["--merges", "first-parent"][..]] {
        ours(&repo, args);
    }
    assert_eq!(
        snapshot(&repo).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "files were added or removed"
    );
    assert!(snapshot(&repo) == before, "a file in the repository changed");
}

#[test]
fn a_missing_object_is_an_error_naming_commit_and_path_and_the_rest_is_output() {
    let (_dir, repo) = fixture();
    // The blob of large.txt as first added, stored loose (the fixture never packs).
    let blob =
        String::from_utf8(run(Command::new("git").arg("-C").arg(&repo).args(["rev-parse", "HEAD~3:large.txt"])).stdout)
            .unwrap();
    let blob = blob.trim();
    let adding = String::from_utf8(
        run(Command::new("git").arg("-C").arg(&repo).args([
            "log",
            "--format=%H",
            "--diff-filter=A",
            "--",
            "large.txt",
        ]))
        .stdout,
    )
    .unwrap();
    let object = repo.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();
    let out = vcscope().args(["ingest", "--backend", "git"]).arg(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(adding.trim()), "error does not name the commit {}: {err}", adding.trim());
    assert!(err.contains("cannot diff large.txt"), "error does not name the path: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let listed = jsonl(&out.stdout).len();
    assert!(listed >= 15, "only {listed} commits were output");
}

#[test]
fn an_empty_repository_is_an_empty_history_and_a_non_repository_is_an_error() {
    util::require("git");
    let dir = tempfile::tempdir().unwrap();
    assert!(run(Command::new("git").args(["init", "-q"]).arg(dir.path())).status.success());
    let out = vcscope().arg("ingest").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commits yet"));
    let plain = tempfile::tempdir().unwrap();
    let out = vcscope().args(["ingest", "--backend", "git"]).arg(plain.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a Git repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_generated_history_of_20000_commits_agrees_with_git() {
    util::require("git");
    util::require("python3");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("big");
    assert!(run(Command::new("git").args(["init", "-q", "-b", "main"]).arg(&repo)).status.success());
    let script = format!(
        "python3 '{}' --commits 20000 --files 60 --lines 120 | git -C '{}' fast-import --quiet",
        root().join("bench/gen-history.py").display(),
        repo.display()
    );
    let out = run(Command::new("bash").args(["-c", &script]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let git = reference(&repo, &["--no-renames", "main"], false);
    assert_eq!(git.len(), 20_000);
    assert_agree("20,000 generated commits", &ours(&repo, &["--rev", "main"]), &git);
}

#[test]
fn tags_equal_git_show_ref_peeled() {
    let (_dir, repo) = fixture();
    // `git show-ref --tags -d`: "<oid> refs/tags/<name>" and, for annotated tags,
    // "<commit> refs/tags/<name>^{}"; the peeled line wins.
    let out = run(Command::new("git").arg("-C").arg(&repo).args(["show-ref", "--tags", "-d"]));
    let mut want: BTreeMap<String, String> = BTreeMap::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let (oid, name) = l.split_once(' ').unwrap();
        let name = name.trim_start_matches("refs/tags/");
        if let Some(tag) = name.strip_suffix("^{}") {
            want.insert(tag.to_owned(), oid.to_owned());
        } else {
            want.entry(name.to_owned()).or_insert_with(|| oid.to_owned());
        }
    }
    assert!(want.len() >= 2, "the fixture has tags: {want:?}");
    let out = vcscope().args(["ingest", "-q", "--all"]).arg(&repo).output().unwrap();
    let mut got: BTreeMap<String, String> = BTreeMap::new();
    for c in jsonl(&out.stdout) {
        for t in c["tags"].as_array().into_iter().flatten() {
            got.insert(t.as_str().unwrap().to_owned(), c["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(got, want);
}

/// Edits whose changed middle, diffed alone, counts differently from the whole
/// file (xdiff sets aside lines common in the whole file by a limit that grows
/// with its length): every count must still be git's.
#[test]
fn edits_among_common_lines_count_as_git_counts_the_whole_file() {
    util::require("git");
    util::require("python3");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("common");
    let script = r#"
git init -q -b main "$1" && cd "$1"
n=0
for k in 10 20 30 40; do
  for side in a b; do
    python3 -c '
import sys
k, side = int(sys.argv[1]), sys.argv[2]
body = "".join("p%d\n" % i for i in range(500))
body += "".join("%s%d\n%s%dx\n%s%dy\n%s%dz\n%s%dw\n}\n" % ((side, i) * 5) for i in range(k))
body += "".join("s%d\n" % i for i in range(500))
open("f.c", "w").write(body)' "$k" "$side"
    n=$((n + 1))
    git add f.c
    GIT_AUTHOR_DATE="2001-01-0$((n % 9 + 1))T10:00:00Z" GIT_COMMITTER_DATE="2001-01-0$((n % 9 + 1))T10:00:00Z" \
      git commit -q -m "k=$k side=$side"
  done
done
"#;
    git_script(script, &repo);
    let git = reference(&repo, &["--no-renames", "main"], false);
    assert_eq!(git.len(), 8);
    assert_agree("edits among common lines", &ours(&repo, &["--rev", "main"]), &git);
}

/// A linked work tree (`git worktree add`): its git folder holds no objects; they
/// are in the main repository's common folder, where every worker must find them.
#[test]
fn a_linked_work_tree_agrees_with_git() {
    let (dir, repo) = fixture();
    let linked = dir.path().join("linked");
    let out = run(Command::new("git").arg("-C").arg(&repo).args(["worktree", "add", "-q"]).arg(&linked).arg("HEAD~2"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(linked.join(".git").is_file(), "a linked work tree has a .git file");
    let git = reference(&linked, &["--no-renames"], false);
    assert!(git.len() > 10, "{} commits", git.len());
    assert_agree("linked work tree", &ours(&linked, &["-j", "3"]), &git);
}

/// Objects found only through `objects/info/alternates` (a `git clone --shared`,
/// whose own object folder is empty) and loose objects next to packed ones: each
/// worker opens its own object database, and it must find both.
#[test]
fn shared_clones_and_loose_objects_agree_with_git() {
    let (dir, repo) = fixture();
    let shared = dir.path().join("shared");
    let out = run(Command::new("git").args(["clone", "-q", "--shared"]).arg(&repo).arg(&shared));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let alternates = std::fs::read_to_string(shared.join(".git/objects/info/alternates")).unwrap();
    assert!(!alternates.trim().is_empty());
    // Pack what the fixture has, then add commits as loose objects on top.
    assert!(run(Command::new("git").arg("-C").arg(&repo).args(["gc", "-q"])).status.success());
    let script = r#"
cd "$1"
export GIT_AUTHOR_DATE=2001-02-01T10:00:00Z GIT_COMMITTER_DATE=2001-02-01T10:00:00Z
printf 'loose one\nloose two\n' >loose.txt && git add loose.txt && git commit -q -m "A loose commit"
printf 'loose one\nloose 2\nthree\n' >loose.txt && git commit -q -am "Another loose commit"
"#;
    git_script(script, &repo);
    let loose = run(Command::new("git").arg("-C").arg(&repo).args(["count-objects"]));
    assert!(!String::from_utf8_lossy(&loose.stdout).starts_with("0 objects"), "expected loose objects");
    for (what, path) in [("shared clone", &shared), ("packed and loose objects", &repo)] {
        let git = reference(path, &["--no-renames"], false);
        assert!(git.len() > 10, "{what}: {} commits", git.len());
        assert_agree(what, &ours(path, &["-j", "3"]), &git);
    }
}

/// Runs a bash script (`set -e`, Ada as author and committer) with `repo` as `$1`.
fn git_script(script: &str, repo: &Path) {
    let out = run(Command::new("bash").args(["-c", &format!("set -e\n{script}"), "bash"]).arg(repo).envs([
        ("GIT_AUTHOR_NAME", "Ada"),
        ("GIT_AUTHOR_EMAIL", "ada@example.org"),
        ("GIT_COMMITTER_NAME", "Ada"),
        ("GIT_COMMITTER_EMAIL", "ada@example.org"),
    ]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
