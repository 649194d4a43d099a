//! Snapshot tests (insta) of whole outputs whose exact text is a contract: the
//! help screens, and the CSV of the bundled example. The example's numbers are
//! checked against `git log --numstat` in `fixtures.rs`; this pins the layout.

use std::path::Path;

use crate::util::vcscope;

fn stdout(args: &[&str]) -> String {
    let out = vcscope().args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_screens() {
    insta::assert_snapshot!("help", stdout(&["--help"]));
    insta::assert_snapshot!("ingest_help", stdout(&["ingest", "--help"]));
    insta::assert_snapshot!("stat_help", stdout(&["stat", "--help"]));
    insta::assert_snapshot!("chart_help", stdout(&["chart", "--help"]));
}

#[test]
fn example_as_csv() {
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example").is_dir());
    let csv = stdout(&["ingest", "-q", "--format", "csv", "fixtures/example"]);
    insta::assert_snapshot!("example_csv", csv);
}

#[test]
fn backends_listing() {
    insta::assert_snapshot!("backends", stdout(&["backends"]));
}
