//! Property test: for random pairs of texts, the engine's counts on `diff -u`
//! output equal `git diff --no-index --numstat` on the same two files, and the
//! engine's counts on git's own diff text equal git's numstat. Both tools are asked
//! for minimal diffs, so the counts of any correct diff must agree.

use std::process::Command;

use proptest::prelude::*;

use crate::util::{self, parse_numstat, run, vcscope};

/// Lines chosen to trip a careless diff reader: headers inside hunks, markers,
/// blank lines, CR endings, and repeats so that LCS matters.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("--- a/fake".to_string()),
        Just("+++ b/fake".to_string()),
        Just("@@ -1,2 +1,2 @@".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("\\ No newline at end of file".to_string()),
        Just("".to_string()),
        Just(" ".to_string()),
        Just("diff --git a/x b/x".to_string()),
        Just("***************".to_string()),
        Just("with cr\r".to_string()),
        "[a-c]{1,3}",
        "[a-c]{1,3}",
        "[ -~]{0,12}",
    ]
}

fn text() -> impl Strategy<Value = (Vec<String>, bool)> {
    (proptest::collection::vec(line(), 0..30), any::<bool>())
}

fn render((lines, final_newline): &(Vec<String>, bool)) -> String {
    let mut s = lines.join("\n");
    if *final_newline && !lines.is_empty() {
        s.push('\n');
    }
    s
}

fn engine_totals(diff: &[u8], dir: &std::path::Path) -> (u64, u64) {
    let file = dir.join("d.diff");
    std::fs::write(&file, diff).unwrap();
    let out = vcscope().args(["stat", "--total"]).arg(&file).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut cols = text.split('\t');
    (cols.next().unwrap().parse().unwrap(), cols.next().unwrap().parse().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_git_numstat(a in text(), b in text()) {
        util::require("git");
        util::require("diff");
        let dir = tempfile::tempdir().unwrap();
        let (pa, pb) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&pa, render(&a)).unwrap();
        std::fs::write(&pb, render(&b)).unwrap();
        let git = run(Command::new("git")
            .args(["diff", "--no-index", "--no-color", "--numstat", "--diff-algorithm=minimal", "--text"])
            .arg(&pa).arg(&pb).current_dir(dir.path()));
        let rows = parse_numstat(&String::from_utf8_lossy(&git.stdout));
        let expected = rows.first().and_then(|r| r.1).unwrap_or((0, 0));

        let gnu = run(Command::new("diff").args(["-u", "--minimal", "--text"]).arg(&pa).arg(&pb));
        prop_assert!(gnu.status.code() != Some(2), "diff failed: {}", String::from_utf8_lossy(&gnu.stderr));
        prop_assert_eq!(engine_totals(&gnu.stdout, dir.path()), expected, "diff -u output:\n{}", String::from_utf8_lossy(&gnu.stdout));

        let git_text = run(Command::new("git")
            .args(["diff", "--no-index", "--no-color", "--diff-algorithm=minimal", "--text"])
            .arg(&pa).arg(&pb).current_dir(dir.path()));
        prop_assert_eq!(engine_totals(&git_text.stdout, dir.path()), expected, "git diff output:\n{}", String::from_utf8_lossy(&git_text.stdout));
    }
}
