//! The diff reader: one pass over the input, line by line, recognising file headers
//! and counting hunk bodies by the line counts their headers declare.

use crate::names::{binary_names, git_names, has_epoch_timestamp, header_name, is_dev_null, strip, trim_end, unquote};
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
    let mut parser =
        Parser { input, pos: 0, lineno: 0, out: DiffStat::default(), cur: None, options: *options, last_hunk: None };
    parser.run();
    parser.out
}

#[derive(Default)]
struct Entry {
    line: usize,
    git: bool,
    combined: Option<Vec<u8>>,
    old: Option<Vec<u8>>,
    new: Option<Vec<u8>>,
    /// `---`/`+++` (or `***`/`---`) names seen: later header pairs start a new entry.
    has_headers: bool,
    hunks: usize,
    only_empty_old_hunks: bool,
    old_epoch: bool,
    new_epoch: bool,
    created: bool,
    deleted: bool,
    rename_from: Option<Vec<u8>>,
    rename_to: Option<Vec<u8>>,
    copy: bool,
    binary: bool,
    added: u64,
    removed: u64,
}

/// Where the last hunk ended, to flag `+`/`-` lines right after it that its header
/// did not count.
#[derive(Clone, Copy)]
struct HunkEnd {
    header: usize,
    last: usize,
    warned: bool,
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    lineno: usize,
    out: DiffStat,
    cur: Option<Entry>,
    options: Options,
    last_hunk: Option<HunkEnd>,
}

/// A header line without its line end (`\n`, and `\r` before it).
fn chomp(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.input.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        self.lineno += 1;
        match memchr::memchr(b'\n', rest) {
            Some(nl) => {
                self.pos += nl + 1;
                rest.get(..nl)
            }
            None => {
                self.pos = self.input.len();
                Some(rest)
            }
        }
    }

    fn peek(&self) -> Option<&'a [u8]> {
        let rest = self.input.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        Some(match memchr::memchr(b'\n', rest) {
            Some(nl) => rest.get(..nl).unwrap_or(rest),
            None => rest,
        })
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

    fn diff_line(&mut self, line: &[u8]) {
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
            let name = if rest.first() == Some(&b'"') {
                unquote(rest).map(|(n, _)| n).unwrap_or_else(|| rest.to_vec())
            } else {
                trim_end(rest).to_vec()
            };
            self.cur = Some(Entry { line: self.lineno, git: true, combined: Some(name), ..Entry::default() });
        }
    }

    /// `--- name` followed by `+++ name` starts a file (or names the open git one).
    fn minus_line(&mut self, line: &[u8]) {
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
            entry.old_epoch = has_epoch_timestamp(rest);
            entry.new_epoch = has_epoch_timestamp(plus);
        }
    }

    /// A `+`/`-` line outside any hunk: harmless prose, unless it directly follows a
    /// hunk, where it means the hunk's header counted too few lines.
    fn extra_line(&mut self, line: &[u8]) {
        if line == b"-- " || line.starts_with(b"---") || line.starts_with(b"+++") {
            return;
        }
        if let Some(end) = self.last_hunk.as_mut() {
            if end.last + 1 == self.lineno {
                end.last = self.lineno;
                if !end.warned {
                    end.warned = true;
                    let header = end.header;
                    self.warn(
                        self.lineno,
                        format!("the hunk at line {header} has more lines than its header counts; the extra lines are not counted"),
                    );
                }
            }
        }
    }

    fn star_line(&mut self, line: &[u8]) {
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
            let (old, new) = (ranges.old.first().map_or(0, |r| r.1), ranges.new.1);
            self.unified_hunk(header, old, new, ranges.old.first().map_or(0, |r| r.0) == 0 && old == 0);
        } else {
            self.combined_hunk(header, &ranges);
        }
    }

    fn unified_hunk(&mut self, header: usize, old: u64, new: u64, empty_old: bool) {
        let (mut o, mut n) = (old, new);
        let (mut added, mut removed) = (0u64, 0u64);
        while o > 0 || n > 0 {
            let mark = self.mark();
            let Some(line) = self.next() else {
                self.warn(
                    header,
                    format!(
                        "hunk ends early at end of input ({o} old and {n} new lines missing); counted what is there"
                    ),
                );
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
                self.warn(
                    header,
                    format!(
                        "hunk ends early at line {} ({o} old and {n} new lines missing); counted what is there",
                        self.lineno + 1
                    ),
                );
                break;
            }
        }
        self.end_hunk(header, added, removed, empty_old);
    }

    fn end_hunk(&mut self, header: usize, added: u64, removed: u64, empty_old: bool) {
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
        self.last_hunk = Some(HunkEnd { header, last: self.lineno, warned: false });
    }

    fn combined_hunk(&mut self, header: usize, ranges: &Ranges) {
        let parents = ranges.old.len();
        let mut rem: Vec<u64> = ranges.old.iter().map(|r| r.1).collect();
        let mut rem_new = ranges.new.1;
        let (mut added, mut removed) = (0u64, 0u64);
        while rem_new > 0 || rem.iter().any(|r| *r > 0) {
            let mark = self.mark();
            let Some(line) = self.next() else {
                self.warn(header, "combined hunk ends early at end of input; counted what is there".into());
                break;
            };
            if line.first() == Some(&b'\\') {
                continue;
            }
            let cols: &[u8] = if line.is_empty() { &[] } else { line.get(..parents).unwrap_or(b"x") };
            if cols.iter().any(|c| !matches!(c, b' ' | b'+' | b'-')) {
                self.reset(mark);
                self.warn(
                    header,
                    format!("combined hunk ends early at line {}; counted what is there", self.lineno + 1),
                );
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
        self.end_hunk(header, added, removed, false);
    }

    fn context_hunk(&mut self) {
        let header = self.lineno;
        let Some(old_line) = self.peek().map(chomp) else { return };
        let Some(old_count) = context_range(old_line, b"*** ", b"****") else { return };
        self.next();
        if self.cur.is_none() {
            self.warn(header, "hunk without a file header before it; not counted".into());
        }
        let (mut added, mut removed) = (0u64, 0u64);
        let mut seen = 0;
        while seen < old_count {
            let Some(line) = self.peek().map(chomp) else { break };
            if context_range(line, b"--- ", b"----").is_some() {
                break;
            }
            match line.first() {
                Some(b'-' | b'!') => removed += 1,
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
        if seen > 0 && seen < old_count {
            self.warn(
                header,
                format!("context hunk's old section ends early ({seen} of {old_count} lines); counted what is there"),
            );
        }
        if let Some(new_count) = self.peek().map(chomp).and_then(|l| context_range(l, b"--- ", b"----")) {
            self.next();
            let mut seen = 0;
            while seen < new_count {
                let Some(line) = self.peek().map(chomp) else { break };
                match line.first() {
                    Some(b'+' | b'!') => added += 1,
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
            if seen > 0 && seen < new_count {
                self.warn(
                    header,
                    format!(
                        "context hunk's new section ends early ({seen} of {new_count} lines); counted what is there"
                    ),
                );
            }
        } else {
            self.warn(header, "context hunk without its `--- a,b ----` line; counted the old section only".into());
        }
        self.end_hunk(header, added, removed, false);
    }

    fn binary_line(&mut self, line: &[u8]) {
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
    fn git_extended(&mut self, line: &[u8]) {
        let Some(entry) = self.cur.as_mut() else { return };
        if !entry.git || entry.hunks > 0 || entry.has_headers {
            return;
        }
        let name = |rest: &[u8]| {
            if rest.first() == Some(&b'"') {
                unquote(rest).map(|(n, _)| n).unwrap_or_else(|| rest.to_vec())
            } else {
                rest.to_vec()
            }
        };
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
        let (path, old_path, status) = if let (Some(from), Some(to)) = (&e.rename_from, &e.rename_to) {
            let status = if e.copy { Status::Copied } else { Status::Renamed };
            (strip(to, rename_strip).to_vec(), Some(strip(from, rename_strip).to_vec()), status)
        } else {
            let status = if created {
                Status::Added
            } else if deleted {
                Status::Deleted
            } else {
                Status::Modified
            };
            let name = match (&e.combined, new, old) {
                (Some(direct), None, None) => Some(direct.clone()),
                (_, Some(n), _) if !deleted => Some(strip(n, strip_n).to_vec()),
                (_, _, Some(o)) => Some(strip(o, strip_n).to_vec()),
                (_, Some(n), None) => Some(strip(n, strip_n).to_vec()),
                _ => None,
            };
            (name.unwrap_or_default(), None, status)
        };
        if path.is_empty() {
            self.warn(e.line, "file section without a usable name".into());
        }
        let path = self.decode(e.line, &path);
        let old_path = old_path.map(|p| self.decode(e.line, &p));
        let (added, removed) = if e.binary { (0, 0) } else { (e.added, e.removed) };
        self.out.files.push(FileStat { path, old_path, added, removed, binary: e.binary, status, line: e.line });
    }
}

struct Ranges {
    /// (start, count) for each old side (one for unified, N for combined).
    old: Vec<(u64, u64)>,
    new: (u64, u64),
}

/// Parses ` -a,b +c,d @@...` (after the leading `@@`) with `ats - 1` old ranges.
fn parse_ranges(rest: &[u8], ats: usize) -> Option<Ranges> {
    let mut fields = rest.split(|b| *b == b' ').filter(|f| !f.is_empty());
    let mut old = Vec::with_capacity(ats - 1);
    for _ in 0..ats - 1 {
        old.push(range(fields.next()?.strip_prefix(b"-")?)?);
    }
    let new = range(fields.next()?.strip_prefix(b"+")?)?;
    let close = fields.next()?;
    if !close.starts_with(&vec![b'@'; ats]) {
        return None;
    }
    Some(Ranges { old, new })
}

fn range(s: &[u8]) -> Option<(u64, u64)> {
    let (start, count) = match memchr::memchr(b',', s) {
        Some(comma) => (number(s.get(..comma)?)?, number(s.get(comma + 1..)?)?),
        None => (number(s)?, 1),
    };
    Some((start, count))
}

fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 18 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')))
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
