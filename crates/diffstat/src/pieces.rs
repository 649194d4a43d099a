//! Cutting a diff file into pieces at fixed byte offsets, each found and read on
//! its own with positional reads, so that several workers can read and count one
//! large file at the same time with no reader in front of them.
//!
//! Piece `k` of a file cut every `size` bytes starts at the first safe cut (a line
//! no hunk can contain, see `SAFE_CUTS`) at or after `k * size`, if that cut lies
//! before `(k + 1) * size`; else the piece is empty. It ends where piece `k + 1`
//! starts: the first safe cut at or after `(k + 1) * size`, or the end of the file.
//! So the pieces tile the file exactly, and counting them one after another gives
//! what counting the whole text gives. A piece never scans more than its own
//! `size` bytes to find its start, so a file with no cut at all costs one pass.

use std::io;
use std::ops::Range;

use crate::parse::SAFE_CUTS;

/// Longest safe-cut prefix: a line start closer than this to the end of what was
/// read cannot be judged yet.
const LONGEST_CUT: usize = 7;

/// What a search for a safe cut found.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// A cut before this position.
    At(usize),
    /// None up to `limit`.
    Nothing,
    /// None yet; the bytes read end before the search could decide.
    NeedMore,
}

/// The first safe cut in `buf` at a position in `from..limit` (`from >= 1`; a cut
/// is a line start, so the byte before it must be read). `eof` tells that `buf`
/// ends where the file ends.
fn first_cut(buf: &[u8], from: usize, limit: usize, eof: bool) -> Found {
    // The newlines whose next byte lies in from..limit.
    let nl_end = (limit - 1).min(buf.len());
    let hay = buf.get(from - 1..nl_end).unwrap_or(&[]);
    for nl in memchr::memchr_iter(b'\n', hay) {
        let start = from + nl;
        let line = buf.get(start..).unwrap_or(&[]);
        if line.len() < LONGEST_CUT && !eof {
            // Could still be "Index: " or "commit " once more is read.
            if SAFE_CUTS.iter().any(|p| p.starts_with(line)) {
                return Found::NeedMore;
            }
            continue;
        }
        if SAFE_CUTS.iter().any(|p| line.starts_with(p)) {
            return Found::At(start);
        }
    }
    if eof || limit - 1 <= buf.len() {
        Found::Nothing
    } else {
        Found::NeedMore
    }
}

/// A source of bytes at any offset: a regular file, or a byte slice in tests.
pub trait ReadAt {
    /// Reads as many bytes as fit in `buf` from `offset` (fewer only at the end).
    fn read_at_most(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

#[cfg(unix)]
impl ReadAt for std::fs::File {
    fn read_at_most(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let mut done = 0;
        while done < buf.len() {
            match self.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}

impl ReadAt for [u8] {
    fn read_at_most(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let from = usize::try_from(offset).unwrap_or(usize::MAX).min(self.len());
        let n = buf.len().min(self.len() - from);
        buf[..n].copy_from_slice(&self[from..from + n]);
        Ok(n)
    }
}

/// How many pieces a text of `len` bytes cut every `size` bytes has.
pub fn piece_count(len: u64, size: u64) -> usize {
    usize::try_from(len.div_ceil(size.max(1))).unwrap_or(usize::MAX)
}

/// Reads piece `index` of a text of `len` bytes cut every `size` bytes (see the
/// module comment) into `buf`, and returns where its text lies in `buf` (an empty
/// range for an empty piece). `buf` is reused: pass the same one for every piece a
/// worker reads; bytes past the returned range are left over from earlier reads.
pub fn read_piece<S: ReadAt + ?Sized>(
    source: &S,
    len: u64,
    size: u64,
    index: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Range<usize>> {
    let size = size.max(1);
    let nominal = index as u64 * size;
    // The byte before the nominal start too, to tell whether a line starts there.
    let base = nominal.saturating_sub(1);
    // `buf[..filled]` holds what was read; `buf` itself only ever grows, so a
    // reused buffer is not zeroed again for every piece.
    let mut filled = 0;
    let read_more = |buf: &mut Vec<u8>, filled: &mut usize, want: u64| -> io::Result<bool> {
        let at = *filled;
        let left = len.saturating_sub(base + at as u64);
        let want = usize::try_from(want.max(4096).min(left)).unwrap_or(usize::MAX);
        if buf.len() < at + want {
            buf.resize(at + want, 0);
        }
        let got = source.read_at_most(base + at as u64, &mut buf[at..at + want])?;
        *filled = at + got;
        Ok(got < want || base + *filled as u64 >= len)
    };
    // The piece and a little beyond, where its end usually is.
    let mut eof = read_more(buf, &mut filled, size + 1 + 4096)?;
    let offset = |pos: u64| usize::try_from(pos - base).unwrap_or(usize::MAX);
    let start = if index == 0 {
        0
    } else {
        loop {
            match first_cut(&buf[..filled], offset(nominal), offset(nominal + size), eof) {
                Found::At(at) => break at,
                Found::Nothing => return Ok(0..0),
                Found::NeedMore => eof = read_more(buf, &mut filled, 4096)?,
            }
        }
    };
    let end = loop {
        if nominal + size >= len {
            break filled;
        }
        match first_cut(&buf[..filled], offset(nominal + size), usize::MAX, eof) {
            Found::At(at) => break at,
            Found::Nothing => break filled,
            // No cut yet: read on, growing the step so a long piece costs few reads.
            Found::NeedMore => {
                let more = filled as u64;
                eof = read_more(buf, &mut filled, more)?;
            }
        }
    };
    Ok(start..end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_segment;
    use crate::{DiffStat, Options};

    fn by_pieces(text: &[u8], size: u64) -> (DiffStat, Vec<u8>) {
        let mut out = DiffStat::default();
        let mut joined = Vec::new();
        let mut buf = Vec::new();
        let mut line_base = 0;
        for k in 0..piece_count(text.len() as u64, size) {
            let range = read_piece(text, text.len() as u64, size, k, &mut buf).unwrap_or_else(|e| panic!("{e}"));
            let piece = &buf[range];
            joined.extend_from_slice(piece);
            let mut part = DiffStat::default();
            let lines = parse_segment(piece, 0, &Options::default(), &mut part);
            out.append(part, line_base);
            line_base += lines;
        }
        (out, joined)
    }

    const TEXT: &[u8] = b"commit 1\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n\
Index: y\n--- y\n+++ y\n@@ -0,0 +1 @@\n+new\ncommit 2\ndiff --git a/z b/z\nBinary files a/z and b/z differ\n\
From 0 Mon\nSubject: x\n---\n--- a/w\n+++ b/w\n@@ -1 +1 @@\n-diff x\n+Index: q\ndiff ";

    #[test]
    fn pieces_tile_the_text_and_count_as_the_whole() {
        let whole = crate::diffstat(TEXT);
        assert_eq!(whole.files.len(), 4);
        for size in 1..=TEXT.len() as u64 + 1 {
            let (counted, joined) = by_pieces(TEXT, size);
            assert_eq!(joined, TEXT, "pieces of {size} bytes");
            assert_eq!(counted, whole, "pieces of {size} bytes");
        }
    }

    #[test]
    fn a_text_without_cuts_is_one_piece() {
        let text = b"@@ -1 +1 @@\n-a\n+b\n".repeat(50);
        let mut buf = Vec::new();
        let first = read_piece(&text[..], text.len() as u64, 64, 0, &mut buf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, 0..text.len());
        let second = read_piece(&text[..], text.len() as u64, 64, 1, &mut buf).unwrap_or_else(|e| panic!("{e}"));
        assert!(second.is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            ..proptest::prelude::ProptestConfig::default()
        })]
        #[test]
        fn pieces_equal_the_whole_on_noise(lines in proptest::collection::vec(proptest::prop_oneof![
            proptest::prelude::Just("diff --git a/f b/f"), proptest::prelude::Just("--- a/f"),
            proptest::prelude::Just("+++ b/f"), proptest::prelude::Just("@@ -1,2 +1,2 @@"),
            proptest::prelude::Just("-x"), proptest::prelude::Just("+y"), proptest::prelude::Just(" z"),
            proptest::prelude::Just(""), proptest::prelude::Just("commit 9"), proptest::prelude::Just("Index: g"),
            proptest::prelude::Just("\\ No newline at end of file"), proptest::prelude::Just("From x"),
            proptest::prelude::Just("diff"), proptest::prelude::Just("Inde"),
        ], 0..60), size in 1u64..80, crlf in proptest::bool::ANY) {
            let end = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(end).into_bytes();
            let (counted, joined) = by_pieces(&text, size);
            proptest::prop_assert_eq!(&joined, &text);
            proptest::prop_assert_eq!(counted, crate::diffstat(&text));
        }
    }
}
