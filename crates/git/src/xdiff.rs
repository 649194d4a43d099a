//! Line counts straight from xdiff, the diff engine inside libgit2 (the same code
//! as git's), without libgit2's patch machinery around it: no object ids computed
//! for the texts, no hunk and line records built and then walked. xdiff calls back
//! once per change with the lines it removes and adds, and that is all numstat
//! needs.
//!
//! `xdl_diff` is not part of libgit2's public API; it is linked in from the copy of
//! libgit2 that `libgit2-sys` builds (the `vendored-libgit2` feature makes sure
//! there is one). The declarations below follow `deps/xdiff/xdiff.h` of that copy
//! (libgit2 1.9); `tests::counts_match_libgit2_patches` checks them against libgit2's
//! own patches.

use std::ffi::{c_char, c_int, c_long, c_ulong, c_void};

#[repr(C)]
struct MmFile {
    ptr: *const c_char,
    size: c_long,
}

#[repr(C)]
struct XpParam {
    flags: c_ulong,
    ignore_regex: *mut *mut c_void,
    ignore_regex_nr: usize,
    anchors: *mut *mut c_char,
    anchors_nr: usize,
}

type HunkFunc = extern "C" fn(c_long, c_long, c_long, c_long, *mut c_void) -> c_int;

#[repr(C)]
struct EmitConf {
    ctxlen: c_long,
    interhunkctxlen: c_long,
    flags: c_ulong,
    find_func: Option<extern "C" fn(*const c_char, c_long, *mut c_char, c_long, *mut c_void) -> c_long>,
    find_func_priv: *mut c_void,
    hunk_func: Option<HunkFunc>,
}

#[repr(C)]
struct EmitCb {
    private: *mut c_void,
    out_hunk: Option<extern "C" fn(*mut c_void, c_long, c_long, c_long, c_long, *const c_char, c_long) -> c_int>,
    out_line: Option<extern "C" fn(*mut c_void, *mut MmFile, c_int) -> c_int>,
}

#[allow(unsafe_code)]
extern "C" {
    fn xdl_diff(
        mf1: *const MmFile,
        mf2: *const MmFile,
        xpp: *const XpParam,
        xecfg: *const EmitConf,
        ecb: *mut EmitCb,
    ) -> c_int;
}

/// Largest text xdiff is given (libgit2 refuses larger ones, too: its line
/// numbers are C `long`s, 32 bits on some systems).
const MAX_SIZE: usize = (1 << 30) - 1;

/// Sums a change's removed and added lines into the `(added, removed)` pair that
/// `private` points at.
extern "C" fn add_change(
    _old_start: c_long,
    old: c_long,
    _new_start: c_long,
    new: c_long,
    private: *mut c_void,
) -> c_int {
    // SAFETY: `private` is the `&mut (u64, u64)` that `counts` passed to xdl_diff,
    // alive and not otherwise borrowed while xdl_diff runs.
    #[allow(unsafe_code)]
    let counts = unsafe { &mut *private.cast::<(u64, u64)>() };
    counts.0 += new.max(0) as u64;
    counts.1 += old.max(0) as u64;
    0
}

/// Lines added and removed from `old` to `new` by git's default diff (Myers with
/// git's heuristics, no whitespace options), as `git diff --numstat` counts them.
/// `None` when xdiff fails (out of memory) or a text is too large for it.
pub(crate) fn counts(old: &[u8], new: &[u8]) -> Option<(u64, u64)> {
    if old.len() > MAX_SIZE || new.len() > MAX_SIZE {
        return None;
    }
    let file = |t: &[u8]| MmFile { ptr: t.as_ptr().cast(), size: t.len() as c_long };
    let (old_file, new_file) = (file(old), file(new));
    let params = XpParam {
        flags: 0,
        ignore_regex: std::ptr::null_mut(),
        ignore_regex_nr: 0,
        anchors: std::ptr::null_mut(),
        anchors_nr: 0,
    };
    // No context and no merging of near changes: xdiff reports each change alone.
    let conf = EmitConf {
        ctxlen: 0,
        interhunkctxlen: 0,
        flags: 0,
        find_func: None,
        find_func_priv: std::ptr::null_mut(),
        hunk_func: Some(add_change),
    };
    let mut counts = (0u64, 0u64);
    let mut callback = EmitCb { private: (&mut counts as *mut (u64, u64)).cast(), out_hunk: None, out_line: None };
    // SAFETY: every pointer is valid for the call: the texts are borrowed slices
    // whose lengths are given (xdiff reads no further and writes nothing to them),
    // the parameter structs live on this frame, and `add_change` only touches
    // `counts`, which nothing else uses until xdl_diff returns. The struct layouts
    // follow the vendored xdiff.h (see the module comment).
    #[allow(unsafe_code)]
    let status = unsafe { xdl_diff(&old_file, &new_file, &params, &conf, &mut callback) };
    (status >= 0).then_some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{libgit2_counts as via_libgit2, seeded};

    #[test]
    fn counts_match_libgit2_patches() {
        // Seeded texts of repeated and unique lines, some without a final newline,
        // some with CR, empty ones: what libgit2's own patches count (the same
        // xdiff with its patch machinery around it) must come out here too.
        let mut next = seeded(0x9e37_79b9);
        let mut checked = 0;
        for round in 0..3000 {
            let mut text = |lines: u64| {
                let mut t = Vec::new();
                for _ in 0..next(lines) {
                    match next(6) {
                        0 => t.extend_from_slice(b"}\n"),
                        1 => t.extend_from_slice(b"\n"),
                        2 => t.extend_from_slice(b"x\r\n"),
                        _ => t.extend_from_slice(format!("line {}\n", next(50)).as_bytes()),
                    }
                }
                if next(5) == 0 {
                    t.pop();
                }
                t
            };
            let lines = if round % 10 == 0 { 400 } else { 30 };
            let (old, new) = (text(lines), text(lines));
            assert_eq!(counts(&old, &new), Some(via_libgit2(&old, &new)), "round {round}");
            checked += 1;
        }
        assert_eq!(checked, 3000);
        assert_eq!(counts(b"", b""), Some((0, 0)));
        assert_eq!(counts(b"a\nb\n", b"a\nc\n"), Some((1, 1)));
    }
}
