//! Helpers shared by this crate's unit tests: libgit2's own count of a diff, and
//! a seeded generator for test texts.

/// Lines added and removed by libgit2's patch of two byte texts (xdiff with
/// libgit2's patch machinery around it): the reference the unit tests hold to.
pub(crate) fn libgit2_counts(old: &[u8], new: &[u8]) -> (u64, u64) {
    let mut opts = git2::DiffOptions::new();
    opts.force_text(true).context_lines(0);
    let patch = git2::Patch::from_buffers(old, None, new, None, Some(&mut opts)).unwrap();
    let (_, added, removed) = patch.line_stats().unwrap();
    (added as u64, removed as u64)
}

/// A xorshift generator from `seed`: each call gives a number below its argument.
pub(crate) fn seeded(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}
