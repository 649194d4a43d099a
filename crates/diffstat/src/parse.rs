//! The diff reader: one pass over the input, line by line, recognising file headers
//! and counting hunk bodies by the line counts their headers declare.

use std::borrow::Cow;
use std::io::{self, Read};

use crate::names::{
    binary_names, git_names, has_epoch_timestamp, header_name, is_dev_null, quoted_name, strip, trim_end,
};
use crate::{DiffStat, FileStat, Status, Warning};

/// How to read names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Leading path components removed from names on `---`/`+++` and `diff --git`
    /// lines, like `patch -p`/`git apply -p` (default 1).
    pub strip: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { strip: 1 }
    }
}

/// Counts every file section in `input` with the default [`Options`].
pub fn diffstat(input: &[u8]) -> DiffStat {
    diffstat_with(input, &Options::default())
}

/// Counts every file section in `input`.
pub fn diffstat_with(input: &[u8], options: &Options) -> DiffStat {
    let mut out = DiffStat::default();
    parse_segment(input, 0, options, &mut out);
    out
}

/// Parses one segment whose first line is line `line_base + 1`; returns the number
/// of the last line read.
pub(crate) fn parse_segment(input: &[u8], line_base: usize, options: &Options, out: &mut DiffStat) -> usize {
    let mut parser = Parser {
        input,
        pos: 0,
        lineno: line_base,
        out: std::mem::take(out),
        cur: None,
        options: *options,
        last_hunk: None,
    };
    parser.run();
    *out = parser.out;
    parser.lineno
}

/// Lines no hunk body can start with, so a text may be cut before them and its
/// pieces counted one after another with the same result as the whole.
pub(crate) const SAFE_CUTS: [&[u8]; 4] = [b"diff ", b"Index: ", b"commit ", b"From "];

/// The start of the last line in `buf[from..]` before which it is safe to cut
/// (never 0: the first line is not a cut).
fn last_safe_cut(buf: &[u8], from: usize) -> Option<usize> {
    let tail = buf.get(from.saturating_sub(1)..)?;
    let base = from.saturating_sub(1);
    memchr::memrchr_iter(b'\n', tail).map(|nl| base + nl + 1).find(|&start| {
        let line = buf.get(start..).unwrap_or(&[]);
        // The line must be whole, so that the segment after the cut starts with it.
        SAFE_CUTS.iter().any(|p| line.starts_with(p)) && memchr::memchr(b'\n', line).is_some()
    })
}

/// A piece of a longer diff text, cut before a line no hunk can contain.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The text, whole lines.
    pub text: Vec<u8>,
    /// True for the last piece.
    pub eof: bool,
}

/// Counts one piece of a longer text ([`Segment`], [`crate::read_piece`]) on its
/// own: line numbers in the result start at 1 for the piece's first line. Returns
/// the result and the number of lines read, for [`DiffStat::append`].
pub fn count_segment(text: &[u8], options: &Options) -> (DiffStat, usize) {
    let mut out = DiffStat::default();
    let lines = parse_segment(text, 0, options, &mut out);
    (out, lines)
}

/// Cuts a diff read from a reader into [`Segment`]s of about `size` bytes (more when
/// there is no place to cut), so a large input is never held in memory whole.
/// Counting the segments one after another and appending the results gives exactly
/// what counting the whole text at once gives.
#[derive(Debug)]
pub struct Segments<R> {
    reader: R,
    buf: Vec<u8>,
    size: usize,
    eof: bool,
    done: bool,
    /// Buffers of counted segments, reused so that steady reading allocates nothing.
    spare: Vec<Vec<u8>>,
}

impl<R: Read> Segments<R> {
    /// Segments of about 256 KiB: small enough to stay in cache while counted.
    pub fn new(reader: R) -> Self {
        Self::with_size(reader, 1 << 18)
    }

    /// Segments of about `size` bytes (at least one).
    pub fn with_size(reader: R, size: usize) -> Self {
        Segments { reader, buf: Vec::new(), size: size.max(1), eof: false, done: false, spare: Vec::new() }
    }

    /// Hands back a segment's buffer once it is counted, for reuse.
    pub fn recycle(&mut self, mut text: Vec<u8>) {
        text.clear();
        self.spare.push(text);
    }

    fn fill(&mut self, want: usize) -> io::Result<()> {
        self.buf.reserve(want.saturating_sub(self.buf.len()));
        while !self.eof && self.buf.len() < want {
            let room = (want - self.buf.len()) as u64;
            if self.reader.by_ref().take(room).read_to_end(&mut self.buf)? == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for Segments<R> {
    type Item = io::Result<Segment>;

    fn next(&mut self) -> Option<io::Result<Segment>> {
        if self.done {
            return None;
        }
        let mut want = self.size;
        let mut scanned = 0;
        loop {
            if let Err(e) = self.fill(want) {
                self.done = true;
                return Some(Err(e));
            }
            if self.eof {
                self.done = true;
                return Some(Ok(Segment { text: std::mem::take(&mut self.buf), eof: true }));
            }
            match last_safe_cut(&self.buf, scanned) {
                Some(cut) => {
                    let mut rest = self.spare.pop().unwrap_or_default();
                    rest.extend_from_slice(self.buf.get(cut..).unwrap_or(&[]));
                    self.buf.truncate(cut);
                    let text = std::mem::replace(&mut self.buf, rest);
                    return Some(Ok(Segment { text, eof: false }));
                }
                None => {
                    // No place to cut yet: read more, scanning only the new part.
                    scanned = self.buf.len();
                    want = self.buf.len() + self.size;
                }
            }
        }
    }
}

/// Counts a diff read from `reader`, a segment at a time (see [`Segments`]).
pub fn diffstat_read<R: Read>(reader: R, options: &Options) -> io::Result<DiffStat> {
    let mut out = DiffStat::default();
    let mut line_base = 0;
    let mut segments = Segments::new(reader);
    while let Some(segment) = segments.next() {
        let segment = segment?;
        line_base = parse_segment(&segment.text, line_base, options, &mut out);
        segments.recycle(segment.text);
    }
    Ok(out)
}

#[derive(Default)]
struct Entry<'a> {
    line: usize,
    git: bool,
    combined: Option<Cow<'a, [u8]>>,
    old: Option<Cow<'a, [u8]>>,
    new: Option<Cow<'a, [u8]>>,
    /// `---`/`+++` (or `***`/`---`) names seen: later header pairs start a new entry.
    has_headers: bool,
    hunks: usize,
    only_empty_old_hunks: bool,
    old_epoch: bool,
    new_epoch: bool,
    created: bool,
    deleted: bool,
    rename_from: Option<Cow<'a, [u8]>>,
    rename_to: Option<Cow<'a, [u8]>>,
    copy: bool,
    binary: bool,
    added: u64,
    removed: u64,
}

/// Where the last hunk ended, to flag `+`/`-` lines right after it that its header
/// did not count.
#[derive(Clone, Copy)]
struct HunkEnd {
    last: usize,
    warned: bool,
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    lineno: usize,
    out: DiffStat,
    cur: Option<Entry<'a>>,
    options: Options,
    last_hunk: Option<HunkEnd>,
}

/// The first `\n` at or after `from` in `input`. On x86-64 the SSE2 searcher is
/// called directly: diff lines are short, and memchr's run-time dispatch costs as
/// much as the search itself on a 30-byte line.
#[inline]
fn find_newline(input: &[u8], from: usize) -> Option<usize> {
    let hay = input.get(from..)?;
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(finder) = memchr::arch::x86_64::sse2::memchr::One::new(b'\n') {
            return finder.find(hay).map(|at| from + at);
        }
    }
    memchr::memchr(b'\n', hay).map(|at| from + at)
}

/// Where [`count_body`] stopped, and what it counted.
struct Body {
    /// Start of the first line not read.
    pos: usize,
    /// Lines read.
    lines: usize,
    /// Old and new lines the hunk header still expects.
    old: u64,
    new: u64,
    added: u64,
    removed: u64,
}

/// One bit per `\n` in the (up to) 64 bytes of `block`, bit i for byte i: four
/// SSE2 compares for a whole block on x86-64, a byte loop otherwise (and for the
/// short last block of a text). A portable eight-bytes-at-a-time version measured
/// 20% slower overall than SSE2, and kept the engine over its time budget.
#[inline]
fn newline_mask(block: &[u8]) -> u64 {
    if let Ok(full) = <&[u8; 64]>::try_from(block) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of every x86-64 processor.
            #[allow(unsafe_code)]
            return unsafe { newline_mask_sse2(full) };
        }
    }
    let mut mask = 0u64;
    for (k, b) in block.iter().enumerate() {
        mask |= u64::from(*b == b'\n') << k;
    }
    mask
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn newline_mask_sse2(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x};
    let nl = _mm_set1_epi8(b'\n' as i8);
    let mut mask = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&part[at..at + 8]);
            i64::from_le_bytes(bytes)
        };
        let v = _mm_set_epi64x(word(8), word(0));
        mask |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16) << (16 * i);
    }
    mask
}

/// Reads the body of a unified hunk from the line starting at `pos`, as long as
/// every line fits what the header (`old`, `new` lines still expected) allows:
/// `+` while new lines are expected, `-` while old ones are, a context line (or an
/// empty line) while both are, and `\ No newline` markers anywhere. Newlines are
/// found 64 bytes at a time, a bit mask per block, instead of one search per line
/// (about 10% less CPU on `git log -p` text). Stops before the first line that does
/// not fit, at the end of the input, or when the header is satisfied.
#[inline]
fn count_body(input: &[u8], pos: usize, old: u64, new: u64) -> Body {
    let mut body = Body { pos, lines: 0, old, new, added: 0, removed: 0 };
    let len = input.len();
    let mut block = pos;
    let mut mask = newline_mask(input.get(block..len.min(block + 64)).unwrap_or(&[]));
    while (body.old > 0 || body.new > 0) && body.pos < len {
        let c = input.get(body.pos).copied().unwrap_or(0);
        // Plain `&` and `|`: the kind of line is unpredictable, so no branches.
        let (plus, minus, context) = (c == b'+', c == b'-', (c == b' ') | (c == b'\n'));
        let (has_old, has_new) = (body.old > 0, body.new > 0);
        let fits = (plus & has_new) | (minus & has_old) | (context & has_old & has_new) | (c == b'\\');
        if !fits {
            break;
        }
        body.new -= u64::from(plus | context);
        body.old -= u64::from(minus | context);
        body.added += u64::from(plus);
        body.removed += u64::from(minus);
        body.lines += 1;
        // The newline ending this line: the first set bit at or after the line's
        // start (which lies in the current block, or just past it).
        mask &= u64::MAX.checked_shl((body.pos - block) as u32).unwrap_or(0);
        loop {
            if mask != 0 {
                body.pos = block + mask.trailing_zeros() as usize + 1;
                break;
            }
            block += 64;
            if block >= len {
                body.pos = len;
                break;
            }
            mask = newline_mask(input.get(block..len.min(block + 64)).unwrap_or(&[]));
        }
    }
    body
}

/// A header line without its line end (`\n`, and `\r` before it).
fn chomp(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let input = self.input;
        let start = self.pos;
        if start >= input.len() {
            return None;
        }
        self.lineno += 1;
        match find_newline(input, start) {
            Some(nl) => {
                self.pos = nl + 1;
                input.get(start..nl)
            }
            None => {
                self.pos = input.len();
                input.get(start..)
            }
        }
    }

    fn peek(&self) -> Option<&'a [u8]> {
        let input = self.input;
        let start = self.pos;
        if start >= input.len() {
            return None;
        }
        match find_newline(input, start) {
            Some(nl) => input.get(start..nl),
            None => input.get(start..),
        }
    }

    fn mark(&self) -> (usize, usize) {
        (self.pos, self.lineno)
    }

    fn reset(&mut self, mark: (usize, usize)) {
        (self.pos, self.lineno) = mark;
    }

    fn warn(&mut self, line: usize, message: String) {
        self.out.warnings.push(Warning { line, message });
    }

    fn run(&mut self) {
        while let Some(raw) = self.next() {
            let line = chomp(raw);
            // A cut line (a new commit, mail, or file) ends the open file section;
            // this also makes counting in segments equal to counting the whole.
            if SAFE_CUTS.iter().any(|p| line.starts_with(p)) {
                self.finish();
                self.last_hunk = None;
            }
            match line.first() {
                Some(b'd') => self.diff_line(line),
                Some(b'-') => self.minus_line(line),
                Some(b'+') => self.extra_line(line),
                Some(b'*') => self.star_line(line),
                Some(b'@') => self.at_line(line),
                Some(b'B') => self.binary_line(line),
                Some(b'G') if line == b"GIT binary patch" => self.git_binary(),
                Some(b'n' | b'r' | b'c' | b'o' | b's' | b'i') => self.git_extended(line),
                _ => {}
            }
        }
        self.finish();
    }

    fn diff_line(&mut self, line: &'a [u8]) {
        if let Some(rest) = line.strip_prefix(b"diff --git ") {
            self.finish();
            let mut entry = Entry { line: self.lineno, git: true, ..Entry::default() };
            match git_names(rest) {
                Some((a, b)) => {
                    entry.old = Some(a);
                    entry.new = Some(b);
                }
                None => self.warn(self.lineno, "cannot read the file names on this `diff --git` line".into()),
            }
            self.cur = Some(entry);
        } else if let Some(rest) = line.strip_prefix(b"diff --cc ").or_else(|| line.strip_prefix(b"diff --combined ")) {
            self.finish();
            let name = quoted_name(trim_end(rest));
            self.cur = Some(Entry { line: self.lineno, git: true, combined: Some(name), ..Entry::default() });
        }
    }

    /// `--- name` followed by `+++ name` starts a file (or names the open git one).
    fn minus_line(&mut self, line: &'a [u8]) {
        let Some(rest) = line.strip_prefix(b"--- ") else {
            return self.extra_line(line);
        };
        let Some(plus) = self.peek().map(chomp).and_then(|next| next.strip_prefix(b"+++ ")) else {
            return self.extra_line(line);
        };
        let header_line = self.lineno;
        self.next();
        let reuse = matches!(&self.cur, Some(e) if e.git && e.hunks == 0 && !e.has_headers && !e.binary);
        if !reuse {
            self.finish();
            self.cur = Some(Entry { line: header_line, ..Entry::default() });
        }
        if let Some(entry) = self.cur.as_mut() {
            entry.has_headers = true;
            entry.old = Some(header_name(rest));
            entry.new = Some(header_name(plus));
            if !entry.git {
                entry.old_epoch = has_epoch_timestamp(rest);
                entry.new_epoch = has_epoch_timestamp(plus);
            }
        }
    }

    /// A `+`/`-` line outside any hunk: harmless prose, unless it directly follows a
    /// hunk, where it means the hunk's header counted too few lines.
    fn extra_line(&mut self, line: &'a [u8]) {
        if line == b"-- " || line.starts_with(b"---") || line.starts_with(b"+++") {
            return;
        }
        if let Some(end) = self.last_hunk.as_mut() {
            if end.last + 1 == self.lineno {
                end.last = self.lineno;
                if !end.warned {
                    end.warned = true;
                    self.warn(
                        self.lineno,
                        "the hunk before this line has more lines than its header counts; the extra lines are not counted"
                            .into(),
                    );
                }
            }
        }
    }

    fn star_line(&mut self, line: &'a [u8]) {
        if line.starts_with(b"***************") {
            return self.context_hunk();
        }
        let Some(rest) = line.strip_prefix(b"*** ") else { return };
        if line.ends_with(b"****") {
            return;
        }
        let Some(minus) = self.peek().map(chomp).and_then(|next| next.strip_prefix(b"--- ")) else { return };
        let header_line = self.lineno;
        self.next();
        self.finish();
        self.cur = Some(Entry {
            line: header_line,
            has_headers: true,
            old: Some(header_name(rest)),
            new: Some(header_name(minus)),
            old_epoch: has_epoch_timestamp(rest),
            new_epoch: has_epoch_timestamp(minus),
            ..Entry::default()
        });
    }

    fn at_line(&mut self, line: &[u8]) {
        let header = self.lineno;
        let ats = line.iter().take_while(|b| **b == b'@').count();
        if ats < 2 {
            return;
        }
        let Some(ranges) = parse_ranges(line.get(ats..).unwrap_or(&[]), ats) else {
            if line.starts_with(b"@@ -") {
                self.warn(header, "malformed hunk header; hunk skipped".into());
            }
            return;
        };
        if self.cur.is_none() {
            self.warn(header, "hunk without a file header before it; not counted".into());
        }
        if ats == 2 {
            let ((start, old), new) = (ranges.first, ranges.new.1);
            self.unified_hunk(header, old, new, start == 0 && old == 0);
        } else {
            self.combined_hunk(header, &ranges);
        }
    }

    fn unified_hunk(&mut self, header: usize, old: u64, new: u64, empty_old: bool) {
        // The body's well-formed lines in bulk; what stops the fast loop (a line
        // that does not fit, the end of the input) is handled below, line by line.
        let body = count_body(self.input, self.pos, old, new);
        self.pos = body.pos;
        self.lineno += body.lines;
        let (mut o, mut n) = (body.old, body.new);
        let (mut added, mut removed) = (body.added, body.removed);
        while o > 0 || n > 0 {
            let mark = self.mark();
            let Some(line) = self.next() else {
                // Within a segment of a longer text the next line is a cut line.
                self.warn(header, hunk_ends_early(o, n));
                break;
            };
            let fits = match line.first() {
                Some(b'+') if n > 0 => {
                    n -= 1;
                    added += 1;
                    true
                }
                Some(b'-') if o > 0 => {
                    o -= 1;
                    removed += 1;
                    true
                }
                // An empty line is an empty context line, as GNU diff writes it and
                // as mail programs leave it after stripping trailing blanks.
                Some(b' ') | None if o > 0 && n > 0 => {
                    o -= 1;
                    n -= 1;
                    true
                }
                Some(b'\\') => true,
                _ => false,
            };
            if !fits {
                self.reset(mark);
                self.warn(header, hunk_ends_early(o, n));
                break;
            }
        }
        self.end_hunk(added, removed, empty_old);
    }

    fn end_hunk(&mut self, added: u64, removed: u64, empty_old: bool) {
        if let Some(entry) = self.cur.as_mut() {
            entry.added += added;
            entry.removed += removed;
            entry.only_empty_old_hunks = (entry.hunks == 0 || entry.only_empty_old_hunks) && empty_old;
            entry.hunks += 1;
        }
        // A trailing "\ No newline at end of file" belongs to the hunk.
        while self.peek().is_some_and(|l| l.first() == Some(&b'\\')) {
            self.next();
        }
        self.last_hunk = Some(HunkEnd { last: self.lineno, warned: false });
    }

    fn combined_hunk(&mut self, header: usize, ranges: &Ranges) {
        let parents = 1 + ranges.more.len();
        let mut rem: Vec<u64> = ranges.old().map(|r| r.1).collect();
        let mut rem_new = ranges.new.1;
        let (mut added, mut removed) = (0u64, 0u64);
        while rem_new > 0 || rem.iter().any(|r| *r > 0) {
            let mark = self.mark();
            let Some(line) = self.next() else {
                self.warn(header, "combined hunk ends early; counted what is there".into());
                break;
            };
            if line.first() == Some(&b'\\') {
                continue;
            }
            let cols: &[u8] = if line.is_empty() { &[] } else { line.get(..parents).unwrap_or(b"x") };
            if cols.iter().any(|c| !matches!(c, b' ' | b'+' | b'-')) {
                self.reset(mark);
                self.warn(header, "combined hunk ends early; counted what is there".into());
                break;
            }
            let col = |i: usize| cols.get(i).copied().unwrap_or(b' ');
            for (i, r) in rem.iter_mut().enumerate() {
                if col(i) != b'+' {
                    *r = r.saturating_sub(1);
                }
            }
            if !cols.contains(&b'-') {
                rem_new = rem_new.saturating_sub(1);
            }
            // Counts are against the first parent, like `git diff --numstat` of a
            // merge against its first parent.
            match col(0) {
                b'+' => added += 1,
                b'-' => removed += 1,
                _ => {}
            }
        }
        self.end_hunk(added, removed, false);
    }

    fn context_hunk(&mut self) {
        let header = self.lineno;
        let Some(old_line) = self.peek().map(chomp) else { return };
        let Some(old_count) = context_range(old_line, b"*** ", b"****") else { return };
        self.next();
        if self.cur.is_none() {
            self.warn(header, "hunk without a file header before it; not counted".into());
        }
        let removed = self.context_section(header, old_count, b'-', "old");
        let mut added = 0;
        if let Some(new_count) = self.peek().map(chomp).and_then(|l| context_range(l, b"--- ", b"----")) {
            self.next();
            added = self.context_section(header, new_count, b'+', "new");
        } else {
            self.warn(header, "context hunk without its `--- a,b ----` line; counted the old section only".into());
        }
        self.end_hunk(added, removed, false);
    }

    /// Reads up to `count` lines of one section of a context hunk (it may be left
    /// out entirely); returns how many are `mark` (`-` or `+`) or `!` lines.
    fn context_section(&mut self, header: usize, count: u64, mark: u8, which: &str) -> u64 {
        let mut changed = 0;
        let mut seen = 0;
        while seen < count {
            let Some(line) = self.peek().map(chomp) else { break };
            // The old section ends early at the new section's range line.
            if mark == b'-' && context_range(line, b"--- ", b"----").is_some() {
                break;
            }
            match line.first() {
                Some(b'!') => changed += 1,
                Some(c) if *c == mark => changed += 1,
                Some(b' ') | None => {}
                Some(b'\\') => {
                    self.next();
                    continue;
                }
                _ => break,
            }
            self.next();
            seen += 1;
        }
        if seen > 0 && seen < count {
            self.warn(
                header,
                format!("context hunk's {which} section ends early ({seen} of {count} lines); counted what is there"),
            );
        }
        changed
    }

    fn binary_line(&mut self, line: &'a [u8]) {
        let Some(mid) = line.strip_prefix(b"Binary files ").and_then(|r| r.strip_suffix(b" differ")) else { return };
        if let Some(entry) = self.cur.as_mut() {
            if entry.git && entry.hunks == 0 {
                entry.binary = true;
                return;
            }
        }
        self.finish();
        let (old, new) = binary_names(mid);
        self.cur = Some(Entry {
            line: self.lineno,
            old_epoch: is_dev_null(&old),
            old: Some(old),
            new: Some(new),
            binary: true,
            has_headers: true,
            ..Entry::default()
        });
    }

    fn git_binary(&mut self) {
        match self.cur.as_mut() {
            Some(entry) => entry.binary = true,
            None => self.warn(self.lineno, "`GIT binary patch` without a `diff --git` line; skipped".into()),
        }
        // Skip the base85 payload: `literal N`/`delta N` lines, data lines (no
        // spaces), and the blank lines that end each of the two sections.
        while let Some(line) = self.peek().map(chomp) {
            let payload = line.is_empty()
                || line.starts_with(b"literal ")
                || line.starts_with(b"delta ")
                || line.iter().all(|b| b.is_ascii_graphic() && *b != b'"' && *b != b'\'' && *b != b',');
            if !payload {
                break;
            }
            self.next();
        }
    }

    /// `new file mode`, `rename from`, `copy to`, ... inside an open `diff --git` entry.
    fn git_extended(&mut self, line: &'a [u8]) {
        let Some(entry) = self.cur.as_mut() else { return };
        if !entry.git || entry.hunks > 0 || entry.has_headers {
            return;
        }
        let name = quoted_name;
        if line.starts_with(b"new file mode ") {
            entry.created = true;
        } else if line.starts_with(b"deleted file mode ") {
            entry.deleted = true;
        } else if let Some(rest) = line.strip_prefix(b"rename from ").or_else(|| line.strip_prefix(b"copy from ")) {
            entry.copy = line.starts_with(b"copy");
            entry.rename_from = Some(name(rest));
        } else if let Some(rest) = line.strip_prefix(b"rename to ").or_else(|| line.strip_prefix(b"copy to ")) {
            entry.rename_to = Some(name(rest));
        }
    }

    fn decode(&mut self, line: usize, bytes: &[u8]) -> String {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                self.warn(line, format!("file name {lossy:?} is not UTF-8; invalid bytes shown as U+FFFD"));
                lossy
            }
        }
    }

    fn finish(&mut self) {
        let Some(e) = self.cur.take() else { return };
        let strip_n = self.options.strip;
        let old = e.old.as_deref().filter(|n| !is_dev_null(n));
        let new = e.new.as_deref().filter(|n| !is_dev_null(n));
        let deleted = e.deleted || (e.old.is_some() && new.is_none());
        let created = e.created
            || (e.new.is_some() && old.is_none())
            || (!e.git && e.old_epoch && e.hunks > 0 && e.only_empty_old_hunks);
        let deleted = deleted || (!e.git && e.new_epoch && !created && e.added == 0 && e.removed > 0);
        // rename/copy lines carry names without the a/ b/ prefix.
        let rename_strip = strip_n.saturating_sub(1);
        let (path, old_path, status): (&[u8], Option<&[u8]>, Status) =
            if let (Some(from), Some(to)) = (&e.rename_from, &e.rename_to) {
                let status = if e.copy { Status::Copied } else { Status::Renamed };
                (strip(to, rename_strip), Some(strip(from, rename_strip)), status)
            } else {
                let status = if created {
                    Status::Added
                } else if deleted {
                    Status::Deleted
                } else {
                    Status::Modified
                };
                let name = match (&e.combined, new, old) {
                    (Some(direct), None, None) => Some(&direct[..]),
                    (_, Some(n), _) if !deleted => Some(strip(n, strip_n)),
                    (_, _, Some(o)) => Some(strip(o, strip_n)),
                    (_, Some(n), None) => Some(strip(n, strip_n)),
                    _ => None,
                };
                (name.unwrap_or_default(), None, status)
            };
        if path.is_empty() {
            self.warn(e.line, "file section without a usable name".into());
        }
        let path = self.decode(e.line, path);
        let old_path = old_path.map(|p| self.decode(e.line, p));
        let (added, removed) = if e.binary { (0, 0) } else { (e.added, e.removed) };
        self.out.files.push(FileStat { path, old_path, added, removed, binary: e.binary, status, line: e.line });
    }
}

/// Messages carry no line numbers of their own: the warning's line is the hunk
/// header, which stays true when a text is counted in segments.
fn hunk_ends_early(old: u64, new: u64) -> String {
    format!("hunk ends early ({old} old and {new} new lines missing); counted what is there")
}

struct Ranges {
    /// (start, count) of the first old side.
    first: (u64, u64),
    /// The other old sides of a combined diff.
    more: Vec<(u64, u64)>,
    new: (u64, u64),
}

impl Ranges {
    fn old(&self) -> impl Iterator<Item = &(u64, u64)> {
        std::iter::once(&self.first).chain(&self.more)
    }
}

/// Parses ` -a,b +c,d @@...` (after the leading `@@`) with `ats - 1` old ranges.
fn parse_ranges(rest: &[u8], ats: usize) -> Option<Ranges> {
    let mut at = 0;
    let mut field = |sign: u8| -> Option<(u64, u64)> {
        while rest.get(at) == Some(&b' ') {
            at += 1;
        }
        if rest.get(at) != Some(&sign) {
            return None;
        }
        at += 1;
        let (start, used) = digits(rest.get(at..)?)?;
        at += used;
        if rest.get(at) != Some(&b',') {
            return Some((start, 1));
        }
        at += 1;
        let (count, used) = digits(rest.get(at..)?)?;
        at += used;
        Some((start, count))
    };
    let first = field(b'-')?;
    // Only combined diffs have more than one old range: no allocation otherwise.
    let mut more = Vec::new();
    for _ in 1..ats - 1 {
        more.push(field(b'-')?);
    }
    let new = field(b'+')?;
    let tail = rest.get(at..)?;
    let spaces = tail.iter().take_while(|b| **b == b' ').count();
    let close = tail.get(spaces..).filter(|_| spaces > 0)?;
    if close.len() < ats || !close.iter().take(ats).all(|b| *b == b'@') {
        return None;
    }
    Some(Ranges { first, more, new })
}

/// A run of 1 to 18 ASCII digits at the start of `s`: its value and length.
fn digits(s: &[u8]) -> Option<(u64, usize)> {
    let len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 18 {
        return None;
    }
    Some((s.iter().take(len).fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')), len))
}

fn number(s: &[u8]) -> Option<u64> {
    match digits(s)? {
        (value, len) if len == s.len() => Some(value),
        _ => None,
    }
}

/// The line count of a context-diff range line `*** a,b ****` / `--- a,b ----`.
fn context_range(line: &[u8], open: &[u8], close: &[u8]) -> Option<u64> {
    let mid = trim_end(line).strip_prefix(open)?.strip_suffix(close)?;
    let mid = trim_end(mid);
    match memchr::memchr(b',', mid) {
        Some(comma) => {
            let a = number(mid.get(..comma)?)?;
            let b = number(mid.get(comma + 1..)?)?;
            Some(if b == 0 && a == 0 { 0 } else { (b + 1).saturating_sub(a) })
        }
        None => {
            let a = number(mid)?;
            Some(u64::from(a != 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn segmented(text: &[u8], size: usize) -> DiffStat {
        let mut out = DiffStat::default();
        let mut base = 0;
        for seg in Segments::with_size(text, size) {
            let (part, lines) = count_segment(&seg.unwrap().text, &Options::default());
            out.append(part, base);
            base += lines;
        }
        out
    }

    const SAMPLE: &str = "commit 1234567\nAuthor: A <a@b>\n\n    msg\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n c\n d\ndiff --git a/y b/y\nnew file mode 100644\n--- /dev/null\n+++ b/y\n@@ -0,0 +1,2 @@\n+1\n+2\nIndex: z\n--- z\n+++ z\n@@ -1,4 +1,4 @@\n-q\n+r\ndiff --git a/w b/w\nBinary files a/w and b/w differ\nFrom x Mon Sep 17 00:00:00 2001\n--- a/v\n+++ b/v\n@@ -1 +1 @@\n-x\n+y\n+extra\n";

    #[test]
    fn newline_mask_marks_every_newline_and_nothing_else() {
        // A fixed pseudo-random text, dense in newlines, read at every offset and
        // every block length (64 uses the vector path, shorter ones the scalar one).
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let text: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                [b'\n', b'a', b'\r', 0x8a, b'\n', 0x0a ^ 0x80, b' ', 0xff][(x % 8) as usize]
            })
            .collect();
        for start in 0..200 {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64] {
                let block = &text[start..start + len];
                let naive = block.iter().enumerate().fold(0u64, |m, (i, b)| m | u64::from(*b == b'\n') << i);
                assert_eq!(newline_mask(block), naive, "start {start}, len {len}");
            }
        }
    }

    #[test]
    fn segments_give_the_same_result_as_the_whole() {
        let whole = diffstat(SAMPLE.as_bytes());
        assert_eq!(whole.files.len(), 5);
        assert_eq!(whole.warnings.len(), 2, "{:?}", whole.warnings);
        for size in [1, 2, 7, 40, 100, 1 << 20] {
            assert_eq!(segmented(SAMPLE.as_bytes(), size), whole, "segment size {size}");
            assert_eq!(diffstat_read(SAMPLE.as_bytes(), &Options::default()).unwrap(), whole);
        }
    }

    proptest! {
        // A fixed seed: CI runs the same cases every time.
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        #[test]
        fn segments_equal_the_whole_on_noise(lines in proptest::collection::vec(prop_oneof![
            Just("diff --git a/x b/x"), Just("--- a/x"), Just("+++ b/x"), Just("@@ -1,2 +1,2 @@"), Just("-a"), Just("+b"),
            Just(" c"), Just(""), Just("commit 123abcd"), Just("Index: q"), Just("From a Mon Sep 17 00:00:00 2001"),
            Just("GIT binary patch"), Just("literal 3"), Just("***************"), Just("*** 1,2 ****"), Just("--- 1,2 ----"),
        ], 0..60), size in 1usize..200) {
            let text = lines.join("\n");
            prop_assert_eq!(segmented(text.as_bytes(), size), diffstat(text.as_bytes()));
        }
    }
}
