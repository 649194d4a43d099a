//! Hand-counted cases for the diff reader: each input is small enough to count by
//! eye, and each covers one construct. Agreement with `git apply`, `git diff` and
//! `diffstat` on real data is checked by the workspace's integration tests.

use vcscope_diffstat::{diffstat, diffstat_with, Options, Status};

fn one(text: &str) -> (String, u64, u64, Status, bool) {
    let stat = diffstat(text.as_bytes());
    assert_eq!(stat.files.len(), 1, "{stat:?}");
    let f = &stat.files[0];
    (f.path.clone(), f.added, f.removed, f.status, f.binary)
}

#[test]
fn removed_lines_that_look_like_headers_are_counted() {
    let text = "--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,2 @@\n--- a/old\n+++ b/old\n keep\n+new\n";
    // Header says 3 old lines (two removed, one kept) and 2 new (keep, +new).
    let (path, added, removed, status, _) = one(text);
    assert_eq!((path.as_str(), added, removed, status), ("notes.txt", 1, 1, Status::Modified));
}

#[test]
fn crlf_and_no_newline_markers() {
    let text = "--- a/x\r\n+++ b/x\r\n@@ -1,2 +1,2 @@\r\n-a\r\n+b\r\n c\r\n\\ No newline at end of file\r\n";
    assert_eq!(one(text), ("x".into(), 1, 1, Status::Modified, false));
}

#[test]
fn empty_lines_in_hunks_are_context() {
    let text = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n";
    assert_eq!(one(text).1, 1);
    assert!(diffstat(text.as_bytes()).warnings.is_empty());
}

#[test]
fn creation_and_deletion_from_dev_null_and_epoch() {
    let added = "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1,2 @@\n+a\n+b\n";
    assert_eq!(one(added), ("new.c".into(), 2, 0, Status::Added, false));
    let deleted = "--- a/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n";
    assert_eq!(one(deleted), ("old.c".into(), 0, 1, Status::Deleted, false));
    let epoch =
        "--- a/n.c\t1970-01-01 00:00:00.000000000 +0000\n+++ b/n.c\t2020-01-01 00:00:00 +0000\n@@ -0,0 +1 @@\n+x\n";
    assert_eq!(one(epoch).3, Status::Added);
}

#[test]
fn git_headers_renames_copies_modes_and_binaries() {
    let text = "\
diff --git a/old name.c b/new name.c
similarity index 90%
rename from old name.c
rename to new name.c
index 1..2 100644
--- a/old name.c
+++ b/new name.c
@@ -1 +1 @@
-x
+y
diff --git a/s.sh b/s.sh
old mode 100644
new mode 100755
diff --git a/pure b/moved
similarity index 100%
rename from pure
rename to moved
diff --git a/c1 b/c2
similarity index 100%
copy from c1
copy to c2
diff --git a/img.png b/img.png
new file mode 100644
index 0000000..1111111
Binary files /dev/null and b/img.png differ
diff --git a/blob b/blob
index 1..2 100644
GIT binary patch
literal 5
Mc${NkU|?VX00Rg8`~Uy|

literal 0
HcmV?d00001

diff --git \"a/t\\tq\" \"b/t\\tq\"
deleted file mode 100644
--- \"a/t\\tq\"
+++ /dev/null
@@ -1,2 +0,0 @@
-1
-2
";
    let stat = diffstat(text.as_bytes());
    assert!(stat.warnings.is_empty(), "{:?}", stat.warnings);
    let rows: Vec<_> = stat
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.old_path.as_deref(), f.added, f.removed, f.binary, f.status))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("new name.c", Some("old name.c"), 1, 1, false, Status::Renamed),
            ("s.sh", None, 0, 0, false, Status::Modified),
            ("moved", Some("pure"), 0, 0, false, Status::Renamed),
            ("c2", Some("c1"), 0, 0, false, Status::Copied),
            ("img.png", None, 0, 0, true, Status::Added),
            ("blob", None, 0, 0, true, Status::Modified),
            ("t\tq", None, 0, 2, false, Status::Deleted),
        ]
    );
}

#[test]
fn context_diffs_split_changed_lines_by_section() {
    let text = "\
*** a/f.c\t2001-01-01 00:00:00
--- b/f.c\t2001-01-02 00:00:00
***************
*** 1,4 ****
  one
! two
- three
  four
--- 1,4 ----
  one
! TWO
! 2b
  four
***************
*** 10 ****
--- 10,11 ----
+ added
+ more
";
    // old section: one changed (!) and one removed (-); new: two changed (!), then two added.
    assert_eq!(one(text), ("f.c".into(), 4, 2, Status::Modified, false));
}

#[test]
fn combined_diffs_count_against_the_first_parent() {
    let text = "\
diff --cc file.txt
index 1,2..3
--- a/file.txt
+++ b/file.txt
@@@ -1,3 -1,3 +1,4 @@@
  same
- gone from first
 +from second
++in both
  tail
";
    // Column 0: one '-' (removed vs first parent), one '+' (++ line); ' +' is not new
    // against the first parent.
    assert_eq!(one(text), ("file.txt".into(), 1, 1, Status::Modified, false));
}

#[test]
fn truncated_and_overlong_hunks_warn_with_line_numbers() {
    let truncated = "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n-a\n+b\n";
    let stat = diffstat(truncated.as_bytes());
    assert_eq!((stat.added(), stat.removed()), (1, 1));
    assert_eq!(stat.warnings.len(), 1);
    assert_eq!(stat.warnings[0].line, 3);
    assert!(stat.warnings[0].message.contains("ends early"), "{:?}", stat.warnings);

    let overlong = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n-d\n\nprose after\n- a bullet, not a diff line\n";
    let stat = diffstat(overlong.as_bytes());
    assert_eq!((stat.added(), stat.removed()), (1, 1));
    assert_eq!(stat.warnings.len(), 1, "{:?}", stat.warnings);
    assert_eq!(stat.warnings[0].line, 6);
}

#[test]
fn prose_around_diffs_is_ignored() {
    let text = "\
From 1234 Mon Sep 17 00:00:00 2001
Subject: [PATCH] x

- a bullet
+ another
---
 x | 2 +-

diff --git a/x b/x
--- a/x
+++ b/x
@@ -1 +1 @@
-a
+b
-- 
2.40.0
";
    let stat = diffstat(text.as_bytes());
    assert_eq!((stat.files.len(), stat.added(), stat.removed()), (1, 1, 1));
    assert!(stat.warnings.is_empty(), "{:?}", stat.warnings);
}

#[test]
fn strip_option_and_non_utf8_names() {
    let text = b"--- a/b/c\n+++ a/b/c\n@@ -1 +1 @@\n-x\n+y\n";
    assert_eq!(diffstat_with(text, &Options { strip: 2 }).files[0].path, "c");
    assert_eq!(diffstat_with(text, &Options { strip: 0 }).files[0].path, "a/b/c");
    let latin1 = b"--- a/caf\xe9\n+++ b/caf\xe9\n@@ -1 +1 @@\n-x\n+y\n";
    let stat = diffstat(latin1);
    assert_eq!(stat.files[0].path, "caf\u{fffd}");
    assert!(stat.warnings[0].message.contains("not UTF-8"));
}

#[test]
fn garbage_never_panics() {
    for text in [
        &b""[..],
        b"@@ -1 +1 @@\n",
        b"@@@@@ -1 -1 +1 @@@@@\n",
        b"@@ -99999999999999999999,1 +1 @@\n",
        b"***************\n*** 5,1 ****\n",
        b"diff --git \"a/\\",
        b"Binary files  differ",
        b"GIT binary patch",
        b"--- \n+++ \n@@ -1 +1 @@\n",
    ] {
        let _ = diffstat(text);
    }
}

mod properties {
    use proptest::prelude::*;

    proptest! {
        // A fixed seed: CI runs the same cases every time.
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let stat = vcscope_diffstat::diffstat(&bytes);
            // Each warning points inside the input.
            let lines = bytes.split(|b| *b == b'\n').count().max(1);
            for w in &stat.warnings {
                prop_assert!(w.line >= 1 && w.line <= lines + 1);
            }
        }

        #[test]
        fn diff_shaped_noise_never_panics(lines in proptest::collection::vec(
            prop_oneof![
                Just("--- a/x".to_string()), Just("+++ b/x".to_string()), Just("@@ -1,2 +1,3 @@".to_string()),
                Just("@@@ -1 -1 +1 @@@".to_string()), Just("***************".to_string()), Just("*** 1,2 ****".to_string()),
                Just("--- 1,2 ----".to_string()), Just("diff --git a/x b/x".to_string()), Just("GIT binary patch".to_string()),
                Just("rename from x".to_string()), Just("\\ No newline".to_string()), "[-+ !]{0,3}[a-z]{0,4}",
            ], 0..40)) {
            let text = lines.join("\n");
            let _ = vcscope_diffstat::diffstat(text.as_bytes());
        }
    }
}
