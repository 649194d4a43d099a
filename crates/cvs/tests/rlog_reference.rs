//! The `,v` reader against `cvs rlog` on real repositories: every revision listed
//! in `$VCSCOPE_TESTDATA/cvs/*/expected/revisions.tsv` (made by `cvs rlog`) has the
//! same date, author, state, commitid and `lines: +a -b` here. Files the reader
//! rejects must be the ones the test data documents as malformed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;

fn testdata() -> Option<PathBuf> {
    let dir = std::env::var_os("VCSCOPE_TESTDATA")?;
    let dir = PathBuf::from(dir);
    // CI gives a path relative to the workspace root; tests run in the crate folder.
    Some(if dir.is_relative() { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir) } else { dir })
}

/// `2009.09.04.09.44.53` or `99.01.02.03.04.05` as `2009-09-04 09:44:53 +0000`.
fn rlog_date(rcs: &str) -> String {
    let p: Vec<&str> = rcs.split('.').collect();
    let year = if p[0].len() == 2 { format!("19{}", p[0]) } else { p[0].to_owned() };
    format!("{year}-{}-{} {}:{}:{} +0000", p[1], p[2], p[3], p[4], p[5])
}

#[test]
fn every_revision_matches_cvs_rlog() {
    let Some(root) = testdata() else {
        eprintln!("skipped: VCSCOPE_TESTDATA is not set");
        return;
    };
    let mut checked = 0;
    let mut rejected = Vec::new();
    for repo in std::fs::read_dir(root.join("cvs")).unwrap() {
        let repo = repo.unwrap().path();
        let tsv = std::fs::read_to_string(repo.join("expected/revisions.tsv")).unwrap();
        let mut parsed: HashMap<String, Result<vcscope_cvs::rcs::RcsFile, String>> = HashMap::new();
        for row in tsv.lines().skip(1) {
            let f: Vec<&str> = row.split('\t').collect();
            let (file, rev) = (f[0], f[1]);
            let result = parsed.entry(file.to_owned()).or_insert_with(|| {
                let path = repo.join(file.trim_start_matches("@CVSROOT@/"));
                vcscope_cvs::rcs::parse(&std::fs::read(&path).unwrap()).map_err(|e| e.to_string())
            });
            let parsed_file = match result {
                Ok(p) => p,
                Err(e) => {
                    let what = format!("{}: {file}: {e}", repo.file_name().unwrap().to_string_lossy());
                    if !rejected.contains(&what) {
                        rejected.push(what);
                    }
                    continue;
                }
            };
            let r = parsed_file.revisions.get(rev).unwrap_or_else(|| panic!("{file} {rev}: not found"));
            if let Some(e) = &r.error {
                rejected.push(format!("{}: {file} {rev}: {e}", repo.file_name().unwrap().to_string_lossy()));
                continue;
            }
            let here = format!("{} {rev}", file);
            assert_eq!(rlog_date(&r.date), f[2], "{here}: date");
            assert_eq!(r.author, f[3], "{here}: author");
            assert_eq!(r.dead, f[4] == "dead", "{here}: state");
            if f[5].is_empty() {
                assert!(r.predecessor.is_none(), "{here}: rlog prints no lines, so it has no predecessor");
            } else {
                assert_eq!(
                    (r.added.to_string(), r.removed.to_string()),
                    (f[5].to_owned(), f[6].to_owned()),
                    "{here}: lines"
                );
            }
            assert_eq!(r.commitid.as_deref().unwrap_or(""), f.get(7).copied().unwrap_or(""), "{here}: commitid");
            checked += 1;
        }
    }
    eprintln!("checked {checked} revisions; rejected files:\n{}", rejected.join("\n"));
    assert!(checked > 3500, "only {checked} revisions checked");
    // Only files the test data documents as malformed may be rejected.
    for r in &rejected {
        assert!(
            ["c2s-missing-deltatext", "c2s-repeated-deltatext", "cfe-malformed"].iter().any(|m| r.starts_with(m)),
            "rejected a file cvs reads: {r}"
        );
    }
}
