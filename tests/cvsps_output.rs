//! The mixed text `cvsps -g` prints (patchset headers, log messages and diffs) in
//! `$VCSCOPE_TESTDATA/cvs/*/expected`: vcscope's totals equal `diffstat`'s, run here.

use std::process::Command;

use crate::util::{self, run, vcscope};

#[test]
fn cvsps_g_output_counts_equal_diffstat() {
    let Some(td) = util::testdata() else { return };
    util::require("diffstat");
    let mut files = Vec::new();
    for repo in std::fs::read_dir(td.join("cvs")).unwrap() {
        let expected = repo.unwrap().path().join("expected");
        files.push(expected.join("cvsps-g.txt"));
        if let Ok(modules) = std::fs::read_dir(expected.join("by-module")) {
            for m in modules {
                files.push(m.unwrap().path().join("cvsps-g.txt"));
            }
        }
    }
    files.retain(|f| std::fs::metadata(f).map(|m| m.len() > 0).unwrap_or(false));
    files.sort();
    assert!(files.len() >= 20, "found only {} cvsps -g outputs", files.len());
    for file in &files {
        let ds = run(Command::new("diffstat").args(["-t", "-p0"]).arg(file));
        let (mut a, mut r) = (0u64, 0u64);
        for line in String::from_utf8_lossy(&ds.stdout).lines().skip(1) {
            let mut cols = line.splitn(4, ',');
            a += cols.next().unwrap().parse::<u64>().unwrap();
            r += cols.next().unwrap().parse::<u64>().unwrap();
        }
        let out = vcscope().args(["stat", "--total", "-p0"]).arg(file).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        let mut cols = text.split('\t');
        let ours: (u64, u64) = (cols.next().unwrap().parse().unwrap(), cols.next().unwrap().parse().unwrap());
        assert_eq!(ours, (a, r), "{}", file.display());
    }
}
