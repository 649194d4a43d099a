#!/usr/bin/env bash
# Runs every test vcscope has, after installing the real tools the tests drive
# (cvs, cvsps, rcs, faketime, diffstat, mercurial, subversion) with apt-get when missing.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh cli        # only tests whose name contains "cli"
#
# Tests on real data run when VCSCOPE_TESTDATA names the shared test-data folder
# (CI sets it to ../shared/testdata); without it they say they were skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/need.sh
need cvs:cvs cvsps:cvsps rcs:rcs faketime:faketime diffstat:diffstat hg:mercurial svn:subversion git:git diff:diffutils python3:python3

if [ -n "${VCSCOPE_TESTDATA:-}" ]; then
  echo "test.sh: real-data tests read $VCSCOPE_TESTDATA" >&2
else
  echo "test.sh: VCSCOPE_TESTDATA is not set; real-data tests will say they were skipped" >&2
fi
cargo test --workspace --all-targets "$@"
