//! The command line as a user meets it: exit codes, messages on bad input, output
//! that is complete or absent, and byte-identical results whatever the thread count.

use std::path::Path;

use crate::util::{self, jsonl, vcscope};

const GOOD: &str = "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,3 @@\n a\n-b\n+c\n+d\n";

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_and_usage_errors() {
    let out = vcscope().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["ingest", "stat", "backends"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let out = vcscope().args(["ingest", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--format"));
    vcscope().args(["ingest", "--no-such-flag", "x"]).assert().code(2);
    vcscope().arg("ingest").assert().code(2);
    vcscope().args(["ingest", "--format", "xml", "x"]).assert().code(2);
}

#[test]
fn a_plain_patch_is_one_commit_with_its_date_header_and_given_author() {
    let dir = tempfile::tempdir().unwrap();
    let file =
        write(dir.path(), "fix.patch", format!("Date: 2009-03-15 10:00:00 +0100\n\nFix the frobnicator.\n\n{GOOD}"));
    let out = vcscope().args(["ingest", "--author", "Ann Lee <ann@example.org>"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let commits = jsonl(&out.stdout);
    assert_eq!(commits.len(), 1);
    let c = &commits[0];
    assert_eq!(c["time"], "2009-03-15T09:00:00Z");
    assert_eq!(c["author"]["name"], "Ann Lee");
    assert_eq!(c["author"]["email"], "ann@example.org");
    assert_eq!(c["message"], "Fix the frobnicator.");
    assert_eq!((c["added"].as_u64(), c["removed"].as_u64()), (Some(2), Some(1)));
    assert_eq!(c["files"][0]["path"], "f.c");
    assert_eq!(c["files"][0]["status"], "modified");
    assert_eq!(c["source"], "patch");
}

#[test]
fn without_a_date_header_the_file_time_is_used_and_the_author_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "p.diff", GOOD);
    let status =
        std::process::Command::new("touch").args(["-d", "2001-02-03 04:05:06 UTC"]).arg(&file).status().unwrap();
    assert!(status.success());
    let out = vcscope().arg("ingest").arg(&file).output().unwrap();
    let c = &jsonl(&out.stdout)[0];
    assert_eq!(c["time"], "2001-02-03T04:05:06Z");
    assert_eq!(c["author"]["name"], "unknown");
}

#[test]
fn folders_are_read_recursively_in_name_order_and_hidden_entries_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sub/.hidden")).unwrap();
    for (name, date) in [("b.patch", "2001-01-01"), ("a.patch", "2002-01-01"), ("sub/c.patch", "2003-01-01")] {
        write(dir.path(), name, format!("Date: {date}\n\n{GOOD}"));
    }
    write(dir.path(), "sub/.hidden/x.patch", GOOD);
    write(dir.path(), "series", "a.patch\nb.patch\n");
    let out = vcscope().arg("ingest").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let commits = jsonl(&out.stdout);
    let times: Vec<&str> = commits.iter().map(|c| c["time"].as_str().unwrap()).collect();
    assert_eq!(times, ["2001-01-01T00:00:00Z", "2002-01-01T00:00:00Z", "2003-01-01T00:00:00Z"]);
    assert!(stderr(&out).contains("skipped 1 files without a diff"), "{}", stderr(&out));
}

#[test]
fn empty_and_random_files_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.patch", "");
    let random: Vec<u8> = (0u32..4096).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let noise = write(dir.path(), "noise.bin", random);
    let good = write(dir.path(), "good.patch", GOOD);
    let out = vcscope().arg("ingest").args([&empty, &noise, &good]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(jsonl(&out.stdout).len(), 1);
    let err = stderr(&out);
    assert!(err.contains(&format!("warning: {}: empty file; skipped", empty.display())), "{err}");
    assert!(err.contains(&format!("warning: {}: no diff found; skipped", noise.display())), "{err}");
}

#[test]
fn damaged_hunks_warn_with_file_and_line_and_count_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = write(dir.path(), "t.patch", "Some prose.\n--- a/x\n+++ b/x\n@@ -1,4 +1,4 @@\n-a\n+b\n");
    let overlong = write(dir.path(), "o.patch", "--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n+c\n");
    let out = vcscope().arg("ingest").args([&truncated, &overlong]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("warning: {}:4: hunk ends early", truncated.display())), "{err}");
    assert!(
        err.contains(&format!("warning: {}:6: the hunk before this line has more lines", overlong.display())),
        "{err}"
    );
    let commits = jsonl(&out.stdout);
    let totals: Vec<(u64, u64)> =
        commits.iter().map(|c| (c["added"].as_u64().unwrap(), c["removed"].as_u64().unwrap())).collect();
    assert_eq!(totals.len(), 2);
    assert!(totals.iter().all(|t| *t == (1, 1)), "{totals:?}");
}

#[test]
fn one_broken_mail_costs_only_that_mail() {
    let dir = tempfile::tempdir().unwrap();
    let mail = |n: u32, extra: &str, body: &str| {
        format!("From {n:040x} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nDate: Mon, {n} Jan 2001 10:00:00 +0000\nSubject: [PATCH] change {n}\n{extra}\n{body}")
    };
    // Mail 2 claims base64 but its body is not base64.
    let mbox = [
        mail(1, "", &format!("msg\n---\n{GOOD}")),
        mail(2, "Content-Transfer-Encoding: base64\n", "!!! not base64 ***\n"),
        mail(3, "", &format!("msg\n---\n{GOOD}")),
    ]
    .concat();
    let file = write(dir.path(), "series.mbox", mbox);
    let out = vcscope().arg("ingest").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let commits = jsonl(&out.stdout);
    let subjects: Vec<&str> = commits.iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["change 1\n\nmsg", "change 3\n\nmsg"]);
    let err = stderr(&out);
    assert!(err.contains(&format!("error: {}:15 (mail 2): cannot decode the mail body", file.display())), "{err}");
}

#[test]
fn a_missing_input_is_an_error_naming_it_but_other_inputs_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.patch", GOOD);
    let missing = dir.path().join("nope.patch");
    let out = vcscope().arg("ingest").arg(&missing).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(jsonl(&out.stdout).len(), 1);
    assert!(
        stderr(&out).contains(&format!("error: {}: cannot read: No such file", missing.display())),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_names_are_read_and_reported_readably() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.patch");
    let path = dir.path().join(name);
    std::fs::write(&path, b"--- a/caf\xe9.txt\n+++ b/caf\xe9.txt\n@@ -1 +1 @@\n-a\n+b\n").unwrap();
    let out = vcscope().arg("ingest").arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let c = &jsonl(&out.stdout)[0];
    assert_eq!(c["files"][0]["path"], "caf\u{fffd}.txt");
    assert!(
        stderr(&out).contains("caf\u{fffd}.patch:1: file name \"caf\u{fffd}.txt\" is not UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_files_appear_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.patch", GOOD);
    let target = dir.path().join("out.csv");
    vcscope().args(["ingest", "--format", "csv", "-o"]).arg(&target).arg(&good).assert().success();
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with("id,time,author_name"), "{text}");
    assert_eq!(text.lines().count(), 2);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".vcscope-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Into a folder that does not exist: an error, and no file.
    let bad = dir.path().join("no/such/dir/out.jsonl");
    let out = vcscope().arg("ingest").arg("-o").arg(&bad).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot create a temporary file"), "{}", stderr(&out));
    assert!(!bad.exists());
}

#[cfg(unix)]
#[test]
fn writing_to_a_device_or_fifo_does_not_replace_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.patch", GOOD);
    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read(fifo).unwrap()
    });
    vcscope().arg("ingest").arg("-o").arg(&fifo).arg(&good).assert().success();
    assert_eq!(jsonl(&reader.join().unwrap()).len(), 1);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
}

#[test]
fn csv_files_format_has_one_row_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let two = format!("{GOOD}--- a/g.c\n+++ b/g.c\n@@ -1 +1 @@\n-x\n+y\n");
    let file = write(dir.path(), "two.patch", two);
    let out = vcscope().args(["ingest", "-f", "csv-files"]).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[1].contains(",f.c,,modified,false,2,1"), "{text}");
    assert!(rows[2].contains(",g.c,,modified,false,1,1"), "{text}");
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let Some(td) = util::testdata() else { return };
    let dir = td.join("patches");
    let one = vcscope().args(["ingest", "-q", "--jobs", "1"]).arg(&dir).output().unwrap();
    let two = vcscope().args(["ingest", "-q", "--jobs", "2"]).arg(&dir).output().unwrap();
    let eight = vcscope().args(["ingest", "-q", "--jobs", "8"]).arg(&dir).output().unwrap();
    assert!(one.stdout.len() > 10_000);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, eight.stdout);
    vcscope().args(["ingest", "--jobs", "0"]).arg(&dir).assert().code(1);
}

#[test]
fn an_empty_cvs_module_and_the_backends_listing() {
    // A CVS root whose module has no ,v files: an empty history, not an error.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("CVSROOT")).unwrap();
    std::fs::create_dir_all(dir.path().join("module")).unwrap();
    let out = vcscope().args(["ingest", "-q"]).arg(dir.path().join("module")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = vcscope().arg("backends").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["patch", "git", "cvsps"] {
        assert!(text.lines().any(|l| l.starts_with(name) && l.contains("available")), "{text}");
    }
}
