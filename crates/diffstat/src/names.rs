//! File names in diff headers: C-style quoting (`"a/x\303\251 y"`), trailing
//! timestamps on `---`/`+++` lines, `-p` stripping, and the two names of a
//! `diff --git` line.

use std::borrow::Cow;

/// Reads a C-quoted string at the start of `s` (which begins with `"`); returns the
/// unquoted bytes and the rest after the closing quote.
pub(crate) fn unquote(s: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 1;
    while let Some(&b) = s.get(i) {
        match b {
            b'"' => return Some((out, s.get(i + 1..).unwrap_or(&[]))),
            b'\\' => {
                let e = *s.get(i + 1)?;
                i += 2;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'0'..=b'3' => {
                        let d1 = *s.get(i)?;
                        let d2 = *s.get(i + 1)?;
                        if !(b'0'..=b'7').contains(&d1) || !(b'0'..=b'7').contains(&d2) {
                            return None;
                        }
                        out.push(((e - b'0') << 6) | ((d1 - b'0') << 3) | (d2 - b'0'));
                        i += 2;
                    }
                    other => out.push(other),
                }
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    None
}

/// A name that may be C-quoted (as on `rename from` and `diff --cc` lines).
pub(crate) fn quoted_name(rest: &[u8]) -> Cow<'_, [u8]> {
    if rest.first() == Some(&b'"') {
        if let Some((name, _)) = unquote(rest) {
            return Cow::Owned(name);
        }
    }
    Cow::Borrowed(rest)
}

/// The name on a `---`/`+++`/`***` header line (after the marker and space): quoted,
/// or cut before a tab, or before a trailing timestamp separated by spaces.
pub(crate) fn header_name(rest: &[u8]) -> Cow<'_, [u8]> {
    let rest = trim_end(rest);
    // Git's own headers: no tab, no space, no quote.
    if memchr::memchr3(b'\t', b' ', b'"', rest).is_none() {
        return Cow::Borrowed(rest);
    }
    if rest.first() == Some(&b'"') {
        if let Some((name, _)) = unquote(rest) {
            return Cow::Owned(name);
        }
    }
    // Cut at the first tab followed by a timestamp (names may hold tabs), else at
    // the first tab.
    let mut tabs = memchr::memchr_iter(b'\t', rest).peekable();
    if let Some(&first) = tabs.peek() {
        let cut = tabs.find(|&t| looks_like_timestamp(rest.get(t + 1..).unwrap_or(&[]))).unwrap_or(first);
        return Cow::Borrowed(rest.get(..cut).unwrap_or(rest));
    }
    // `diff` without tabs (whitespace-damaged mail): "name   2010-08-18 20:13:31 -0500"
    // or "name (revision 12)" from svn.
    let mut cut = rest.len();
    let mut i = 0;
    while i < rest.len() {
        if rest.get(i) == Some(&b' ') {
            let after = rest.get(i + 1..).unwrap_or(&[]);
            let after = trim_start(after);
            if looks_like_timestamp(after) {
                cut = i;
                break;
            }
        }
        i += 1;
    }
    Cow::Borrowed(trim_end(rest.get(..cut).unwrap_or(rest)))
}

fn looks_like_timestamp(s: &[u8]) -> bool {
    const DAYS: [&[u8]; 7] = [b"Mon ", b"Tue ", b"Wed ", b"Thu ", b"Fri ", b"Sat ", b"Sun "];
    let digits = |n: usize| s.len() > n && s.iter().take(n).all(u8::is_ascii_digit);
    (digits(4) && s.get(4) == Some(&b'-'))
        || DAYS.iter().any(|d| s.starts_with(d))
        || s.starts_with(b"(revision ")
        || s.starts_with(b"(working copy)")
}

/// True for an epoch timestamp, which `diff -N` writes for a missing file.
pub(crate) fn has_epoch_timestamp(rest: &[u8]) -> bool {
    // Cheap pre-check: every epoch form has "19" followed by "69" or "70".
    if memchr::memmem::find(rest, b"19").is_none() {
        return false;
    }
    let find = |needle: &[u8]| memchr::memmem::find(rest, needle).is_some();
    find(b"1970-01-01 00:00:00") || find(b"1969-12-31 ") || find(b"Thu Jan  1 00:00:00 1970")
}

pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && matches!(s.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(s.len());
    s.get(start..).unwrap_or(&[])
}

/// Removes `n` leading components, as `patch -pN` does; a name with fewer
/// components is returned whole.
pub(crate) fn strip(name: &[u8], n: usize) -> &[u8] {
    let mut rest = name;
    for _ in 0..n {
        match memchr::memchr(b'/', rest) {
            Some(slash) => {
                rest = rest.get(slash + 1..).unwrap_or(&[]);
                while rest.first() == Some(&b'/') {
                    rest = rest.get(1..).unwrap_or(&[]);
                }
            }
            None => return name,
        }
    }
    rest
}

pub(crate) fn is_dev_null(name: &[u8]) -> bool {
    name == b"/dev/null" || name == b"nul" || name == b"NUL"
}

/// The two names of `diff --git A B` (after `diff --git `), unstripped. Unquoted names
/// with spaces are split where both sides name the same file after their prefix.
pub(crate) type Names<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

pub(crate) fn git_names(rest: &[u8]) -> Option<Names<'_>> {
    let rest = trim_end(rest);
    if rest.first() == Some(&b'"') {
        let (a, tail) = unquote(rest)?;
        let tail = trim_start(tail);
        let b = if tail.first() == Some(&b'"') { Cow::Owned(unquote(tail)?.0) } else { Cow::Borrowed(tail) };
        return Some((Cow::Owned(a), b));
    }
    let split =
        |sp: usize| (Cow::Borrowed(rest.get(..sp).unwrap_or(&[])), Cow::Borrowed(rest.get(sp + 1..).unwrap_or(&[])));
    // Second name quoted, first not.
    if let Some(q) = memchr::memchr(b'"', rest).filter(|q| *q > 0 && rest.get(q - 1) == Some(&b' ')) {
        if let Some((b, _)) = unquote(rest.get(q..).unwrap_or(&[])) {
            return Some((Cow::Borrowed(rest.get(..q - 1).unwrap_or(&[])), Cow::Owned(b)));
        }
    }
    let mut spaces = memchr::memchr_iter(b' ', rest);
    let first = spaces.next()?;
    if spaces.next().is_none() {
        return Some(split(first));
    }
    let all: Vec<usize> = memchr::memchr_iter(b' ', rest).collect();
    for &sp in &all {
        let (a, b) = (rest.get(..sp).unwrap_or(&[]), rest.get(sp + 1..).unwrap_or(&[]));
        if strip(a, 1) == strip(b, 1) && !a.is_empty() {
            return Some(split(sp));
        }
    }
    // A rename with spaces cannot be split unambiguously; take the middle space.
    Some(split(*all.get(all.len() / 2)?))
}

/// The names of `Binary files A and B differ` (the text between `Binary files ` and
/// ` differ`).
pub(crate) fn binary_names(mid: &[u8]) -> Names<'_> {
    match memchr::memmem::rfind(mid, b" and ") {
        Some(at) => (Cow::Borrowed(mid.get(..at).unwrap_or(&[])), Cow::Borrowed(mid.get(at + 5..).unwrap_or(&[]))),
        None => (Cow::Borrowed(mid), Cow::Borrowed(mid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_git_names() {
        let (name, rest) = unquote(br#""a/x\303\251 \"y\"\t" tail"#).unwrap();
        assert_eq!(name, "a/xé \"y\"\t".as_bytes());
        assert_eq!(rest, b" tail");
        assert!(unquote(br#""unterminated"#).is_none());
        assert!(unquote(br#""bad \39""#).is_none());
    }

    #[test]
    fn header_names_lose_timestamps() {
        assert_eq!(&*header_name(b"a/x.c\t2020-01-01 10:00:00\r"), &b"a/x.c"[..]);
        assert_eq!(&*header_name(b"a/post.txt     1969-12-31 18:00:00.0 -0600"), &b"a/post.txt"[..]);
        assert_eq!(&*header_name(b"my file.c  Mon Jan  2 10:00:00 2006"), &b"my file.c"[..]);
        assert_eq!(&*header_name(b"src/x.c (revision 1234)"), &b"src/x.c"[..]);
        assert_eq!(&*header_name(b"\"b/sp ace\"\t(date)"), &b"b/sp ace"[..]);
        assert_eq!(&*header_name(b"plain name with spaces"), &b"plain name with spaces"[..]);
        assert_eq!(&*header_name(b"post\timage.txt\t2010-08-18 20:13:31 -0500"), &b"post\timage.txt"[..]);
        assert_eq!(&*header_name(b"name\tsome label"), &b"name"[..]);
    }

    #[test]
    fn strips_like_patch() {
        assert_eq!(strip(b"a/b/c", 1), b"b/c");
        assert_eq!(strip(b"a//b/c", 1), b"b/c");
        assert_eq!(strip(b"a/b/c", 2), b"c");
        assert_eq!(strip(b"c", 1), b"c");
        assert_eq!(strip(b"a/b", 0), b"a/b");
    }

    #[test]
    fn splits_git_lines() {
        let names = |s: &[u8]| git_names(s).map(|(a, b)| (a.into_owned(), b.into_owned())).unwrap();
        assert_eq!(names(b"a/x y.c b/x y.c"), (b"a/x y.c".to_vec(), b"b/x y.c".to_vec()));
        assert_eq!(names(b"\"a/t\\tb\" \"b/t\\tb\""), (b"a/t\tb".to_vec(), b"b/t\tb".to_vec()));
        assert_eq!(names(b"a/old b/new"), (b"a/old".to_vec(), b"b/new".to_vec()));
        assert!(git_names(b"").is_none());
    }
}
