//! Finding the commits that would flatten the picture: the seed post's one circle a
//! hundred times too big. Two tests, both without fixed thresholds in lines:
//!
//! - **size**: on log(lines changed), a modified z-score (median and median absolute
//!   deviation, the Iglewicz–Hoaglin rule) above 3.5, and at least ten times the
//!   median commit;
//! - **rewrite**: most of the commit's lines are in files whose change has the shape
//!   "remove all lines, add them all back" (a modified file with lines removed and
//!   added within 2% or 4 lines of each other, at least 20 each), and the commit is
//!   well above the rest (z-score at least 2, and ten times the median). That is how
//!   a line-ending or whole-file re-commit looks in a diffstat.

use vcscope_core::{Commit, FileStatus};

/// Why a commit was flagged.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Far above the rest: this many times the median commit.
    Size { times_median: f64 },
    /// Looks like a whole file removed and added back (the largest such file).
    Rewrite { path: String },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Size { times_median } => write!(f, "{times_median:.0}x the median commit"),
            Reason::Rewrite { path } => write!(f, "{path} removed and added back whole"),
        }
    }
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The largest file in `c` whose change looks like a whole-file rewrite, if such
/// files hold most of the commit's lines.
fn rewrite(c: &Commit) -> Option<String> {
    let looks_rewritten = |a: u64, r: u64| {
        let (lo, hi) = (a.min(r), a.max(r));
        lo >= 20 && hi - lo <= (hi / 50).max(4)
    };
    let files: Vec<_> = c
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Modified && !f.binary && looks_rewritten(f.added, f.removed))
        .collect();
    let lines: u64 = files.iter().map(|f| f.added + f.removed).sum();
    let total = c.added + c.removed;
    if total == 0 || lines * 2 <= total {
        return None;
    }
    files.iter().max_by_key(|f| f.added + f.removed).map(|f| f.path.clone())
}

/// Flags outliers among `commits`; returns (index, reason) in index order.
pub fn find(commits: &[&Commit]) -> Vec<(usize, Reason)> {
    let sizes: Vec<f64> = commits.iter().map(|c| (c.added + c.removed) as f64).collect();
    let nonzero = sorted(sizes.iter().copied().filter(|s| *s > 0.0).collect());
    if nonzero.len() < 5 {
        return Vec::new();
    }
    let median_size = median(&nonzero);
    let logs = sorted(nonzero.iter().map(|s| s.ln()).collect());
    let m = median(&logs);
    let mut spread = median(&sorted(logs.iter().map(|x| (x - m).abs()).collect()));
    if spread == 0.0 {
        // Over half the commits are the same size: fall back to the mean deviation,
        // scaled to estimate the same quantity for normal data.
        spread = logs.iter().map(|x| (x - m).abs()).sum::<f64>() / logs.len() as f64 * 0.7979;
    }
    let mut out = Vec::new();
    for (i, c) in commits.iter().enumerate() {
        let s = sizes[i];
        if s <= 0.0 {
            continue;
        }
        let z = if spread > 0.0 { 0.6745 * (s.ln() - m) / spread } else { 0.0 };
        if z > 3.5 && s >= 10.0 * median_size {
            out.push((i, Reason::Size { times_median: s / median_size }));
        } else if z >= 2.0 && s >= 10.0 * median_size {
            if let Some(path) = rewrite(c) {
                out.push((i, Reason::Rewrite { path }));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vcscope_core::{Author, FileChange};

    fn commit(id: usize, added: u64, removed: u64) -> Commit {
        let mut c = Commit::new(id.to_string(), chrono::DateTime::UNIX_EPOCH, Author::named("a"), "test");
        let file = FileChange {
            path: format!("f{id}.c"),
            old_path: None,
            added,
            removed,
            binary: false,
            status: FileStatus::Modified,
            old_revision: None,
            revision: None,
        };
        c.set_files(vec![file]);
        c
    }

    fn flagged(commits: &[Commit]) -> Vec<usize> {
        find(&commits.iter().collect::<Vec<_>>()).into_iter().map(|(i, _)| i).collect()
    }

    #[test]
    fn one_huge_commit_among_ordinary_ones() {
        let mut commits: Vec<_> = (0..60).map(|i| commit(i, 5 + (i as u64 * 7) % 40, (i as u64 * 3) % 11)).collect();
        assert_eq!(flagged(&commits), Vec::<usize>::new());
        commits.push(commit(60, 4000, 10));
        assert_eq!(flagged(&commits), vec![60]);
    }

    #[test]
    fn a_whole_file_removed_and_added_back() {
        // Ordinary commits of 5 to 400 lines: median about 200.
        let mut commits: Vec<_> = (0..30).map(|i| commit(i, 5 + (i as u64 * 137) % 396, 0)).collect();
        commits.push(commit(30, 1100, 1090)); // not far out by size, but shaped like a rewrite
        commits.push(commit(31, 2190, 0)); // as large, but an ordinary change
        let found = find(&commits.iter().collect::<Vec<_>>());
        assert_eq!(found, vec![(30, Reason::Rewrite { path: "f30.c".into() })]);
    }

    #[test]
    fn same_sizes_and_tiny_histories_flag_nothing_by_accident() {
        let same: Vec<_> = (0..20).map(|i| commit(i, 10, 0)).collect();
        assert!(flagged(&same).is_empty());
        let few: Vec<_> = [1, 1, 10_000].iter().enumerate().map(|(i, s)| commit(i, *s, 0)).collect();
        assert!(flagged(&few).is_empty());
        let mut skew: Vec<_> = (0..20).map(|i| commit(i, 10, 0)).collect();
        skew.push(commit(20, 20, 0));
        skew.push(commit(21, 5000, 0));
        assert_eq!(flagged(&skew), vec![21]);
    }
}
