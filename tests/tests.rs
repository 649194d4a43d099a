//! Integration tests: the real `vcscope` binary, checked against the real `git`,
//! `diff` and `diffstat` on generated inputs and on `$VCSCOPE_TESTDATA`.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

mod chart;
mod cli;
mod cvs;
mod cvsps_output;
mod fixtures;
mod git;
mod patches;
mod property;
mod snapshots;
