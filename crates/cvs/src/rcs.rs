//! A reader for RCS `,v` files, the storage of CVS: what vcscope needs from them
//! without checking anything out. For every revision: its state, date, author, its
//! predecessor on its line of development, the lines added and removed against
//! that predecessor (as `rlog` prints in `lines: +a -b`), and the file's length in
//! lines at that revision (for added and removed files). Keyword expansion never
//! happens: counts come from the stored, unexpanded texts.
//!
//! Only the edit scripts' commands are read (`a` and `d` with their counts), never
//! applied, so a whole file costs one pass over its bytes.

use std::collections::HashMap;

/// A problem with a `,v` file; `revision` names the revision when one is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", revision.as_deref().map(|r| format!("revision {r}: ")).unwrap_or_default())]
pub struct RcsError {
    pub revision: Option<String>,
    pub message: String,
}

fn err(revision: Option<&str>, message: impl Into<String>) -> RcsError {
    RcsError { revision: revision.map(str::to_owned), message: message.into() }
}

/// What vcscope knows about one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `dead` state: the file does not exist at this revision.
    pub dead: bool,
    /// `YYYY.MM.DD.hh.mm.ss` (or two-digit years) as stored, UTC.
    pub date: String,
    pub author: String,
    pub commitid: Option<String>,
    /// The revision this one changes: the next older one on the trunk, the branch
    /// point for a branch's first revision, the previous one on a branch.
    pub predecessor: Option<String>,
    /// Lines added and removed against `predecessor` (`rlog`'s `lines: +a -b`).
    pub added: u64,
    pub removed: u64,
    /// The file's length in lines at this revision (a last line without a newline counts).
    pub lines: u64,
    /// Why the counts of this revision are unknown (a missing or broken delta text
    /// on the way to it); the counts are 0 then.
    pub error: Option<String>,
}

/// The summary of one `,v` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcsFile {
    pub head: Option<String>,
    /// `expand @b@`: a binary file.
    pub binary: bool,
    /// Symbolic names (tags and branches) and the revision numbers they name.
    pub symbols: Vec<(String, String)>,
    pub revisions: HashMap<String, Revision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a [u8]),
    /// The raw bytes between the `@`s, with `@@` still doubled.
    Str(&'a [u8]),
    Semi,
    Colon,
}

struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Option<Token<'a>>, RcsError> {
        let d = self.data;
        while self.pos < d.len() && d[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let Some(&c) = d.get(self.pos) else { return Ok(None) };
        match c {
            b';' => {
                self.pos += 1;
                Ok(Some(Token::Semi))
            }
            b':' => {
                self.pos += 1;
                Ok(Some(Token::Colon))
            }
            b'@' => {
                let start = self.pos + 1;
                let mut i = start;
                loop {
                    match memchr::memchr(b'@', &d[i..]) {
                        None => return Err(err(None, format!("a string opened at byte {} never ends", start - 1))),
                        Some(k) => {
                            let at = i + k;
                            if d.get(at + 1) == Some(&b'@') {
                                i = at + 2;
                            } else {
                                self.pos = at + 1;
                                return Ok(Some(Token::Str(&d[start..at])));
                            }
                        }
                    }
                }
            }
            _ => {
                let start = self.pos;
                while self.pos < d.len() && !d[self.pos].is_ascii_whitespace() && !b";:@".contains(&d[self.pos]) {
                    self.pos += 1;
                }
                Ok(Some(Token::Word(&d[start..self.pos])))
            }
        }
    }

    fn peek(&mut self) -> Result<Option<Token<'a>>, RcsError> {
        let save = self.pos;
        let t = self.next();
        self.pos = save;
        t
    }

    /// Skips to just after the next `;` (an unknown "newphrase").
    fn skip_phrase(&mut self) -> Result<(), RcsError> {
        loop {
            match self.next()? {
                Some(Token::Semi) => return Ok(()),
                Some(_) => {}
                None => return Err(err(None, "the file ends inside a phrase")),
            }
        }
    }

    /// Words and strings up to the next `;`, with colons kept as separate items.
    fn phrase_values(&mut self) -> Result<Vec<Token<'a>>, RcsError> {
        let mut out = Vec::new();
        loop {
            match self.next()? {
                Some(Token::Semi) => return Ok(out),
                Some(t) => out.push(t),
                None => return Err(err(None, "the file ends inside a phrase")),
            }
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn is_revision(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') && b[0].is_ascii_digit()
}

/// Lines in an `@`-string's content (`@@` does not matter for counting).
fn count_lines(s: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', s).count() as u64;
    newlines + u64::from(!s.is_empty() && s.last() != Some(&b'\n'))
}

/// Lines added (`a`) and deleted (`d`) by an edit script.
fn edit_counts(script: &[u8], revision: &str) -> Result<(u64, u64), RcsError> {
    let (mut added, mut deleted) = (0u64, 0u64);
    let mut rest = script;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if line.is_empty() {
            continue;
        }
        let bad = || err(Some(revision), format!("bad edit command `{}`", text(line)));
        let (kind, args) = (line[0], &line[1..]);
        let mut parts = args.split(|c| *c == b' ').filter(|p| !p.is_empty());
        let _at: u64 = parts.next().and_then(|p| std::str::from_utf8(p).ok()?.parse().ok()).ok_or_else(bad)?;
        let n: u64 = parts.next().and_then(|p| std::str::from_utf8(p).ok()?.parse().ok()).ok_or_else(bad)?;
        match kind {
            b'd' => deleted += n,
            b'a' => {
                added += n;
                // Skip the n lines of added text.
                for _ in 0..n {
                    if rest.is_empty() {
                        return Err(err(Some(revision), format!("an add of {n} lines runs past the end of the text")));
                    }
                    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                    rest = rest.get(end + 1..).unwrap_or(&[]);
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok((added, deleted))
}

/// One delta node as parsed, before counting.
struct Node {
    date: String,
    author: String,
    dead: bool,
    branches: Vec<String>,
    next: Option<String>,
    commitid: Option<String>,
}

/// Parses a `,v` file and computes every revision's counts.
pub fn parse(data: &[u8]) -> Result<RcsFile, RcsError> {
    let mut lx = Lexer { data, pos: 0 };
    let mut head = None;
    let mut binary = false;
    let mut symbols = Vec::new();

    // Admin section: phrases until the first revision number.
    loop {
        match lx.peek()? {
            Some(Token::Word(w)) if is_revision(w) => break,
            Some(Token::Word(b"desc")) => break,
            None => return Err(err(None, "the file ends in its header (no revisions, no desc)")),
            _ => {}
        }
        let Some(Token::Word(key)) = lx.next()? else {
            return Err(err(None, "malformed header: expected a keyword"));
        };
        let values = lx.phrase_values()?;
        match key {
            b"head" => {
                head = match values.first() {
                    Some(Token::Word(w)) if is_revision(w) => Some(text(w)),
                    None => None,
                    _ => return Err(err(None, "malformed `head`")),
                }
            }
            b"expand" => binary = matches!(values.first(), Some(Token::Str(s)) if s.contains(&b'b')),
            b"symbols" => {
                let mut it = values.iter();
                while let Some(t) = it.next() {
                    if let (Token::Word(name), Some(Token::Colon), Some(Token::Word(rev))) = (t, it.next(), it.next()) {
                        symbols.push((text(name), text(rev)));
                    }
                }
            }
            _ => {}
        }
    }

    // Delta nodes.
    let mut nodes: HashMap<String, Node> = HashMap::new();
    while let Some(Token::Word(w)) = lx.peek()? {
        if !is_revision(w) {
            break;
        }
        lx.next()?;
        let rev = text(w);
        let mut node = Node {
            date: String::new(),
            author: String::new(),
            dead: false,
            branches: Vec::new(),
            next: None,
            commitid: None,
        };
        loop {
            match lx.peek()? {
                Some(Token::Word(w)) if is_revision(w) => break,
                Some(Token::Word(b"desc")) => break,
                None => return Err(err(Some(&rev), "the file ends inside the revision list")),
                _ => {}
            }
            let Some(Token::Word(key)) = lx.next()? else {
                return Err(err(Some(&rev), "malformed revision entry"));
            };
            let values = lx.phrase_values()?;
            let word = |i: usize| match values.get(i) {
                Some(Token::Word(w)) | Some(Token::Str(w)) => Some(text(w)),
                _ => None,
            };
            match key {
                b"date" => node.date = word(0).unwrap_or_default(),
                // An author may be a string with a space in it (CVS allows it).
                b"author" => {
                    node.author = values
                        .iter()
                        .filter_map(|t| match t {
                            Token::Word(w) | Token::Str(w) => Some(text(w)),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                b"state" => node.dead = word(0).as_deref() == Some("dead"),
                b"branches" => node.branches = (0..values.len()).filter_map(word).collect(),
                b"next" => node.next = word(0),
                b"commitid" => node.commitid = word(0),
                _ => {}
            }
        }
        nodes.insert(rev, node);
    }

    // desc
    match lx.next()? {
        Some(Token::Word(b"desc")) => {}
        _ => return Err(err(None, "no `desc` after the revision list")),
    }
    match lx.next()? {
        Some(Token::Str(_)) => {}
        _ => return Err(err(None, "`desc` is not followed by a string")),
    }

    // Delta texts: revision, `log` string, newphrases, `text` string.
    let mut scripts: HashMap<String, &[u8]> = HashMap::new();
    while let Some(t) = lx.next()? {
        let Token::Word(w) = t else { return Err(err(None, "malformed delta text: expected a revision number")) };
        if !is_revision(w) {
            return Err(err(None, format!("malformed delta text: `{}` is not a revision number", text(w))));
        }
        let rev = text(w);
        let body = loop {
            match lx.next()? {
                Some(Token::Word(b"log")) => {
                    if !matches!(lx.next()?, Some(Token::Str(_))) {
                        return Err(err(Some(&rev), "`log` is not followed by a string"));
                    }
                }
                Some(Token::Word(b"text")) => match lx.next()? {
                    Some(Token::Str(s)) => break s,
                    _ => return Err(err(Some(&rev), "`text` is not followed by a string")),
                },
                Some(Token::Word(_)) => lx.skip_phrase()?,
                _ => return Err(err(Some(&rev), "malformed delta text")),
            }
        };
        if scripts.insert(rev.clone(), body).is_some() {
            return Err(err(Some(&rev), "has two delta texts"));
        }
    }

    // Walk the trunk from the head (reverse deltas), then every branch (forward).
    // A delta text that is missing or unreadable spoils the counts of the revisions
    // computed through it (they carry the error); the others stay exact.
    let mut revisions = HashMap::new();
    let Some(head_rev) = head.clone() else {
        return Ok(RcsFile { head, binary, symbols, revisions });
    };
    let counts = |rev: &str| -> Result<(u64, u64), String> {
        let script = scripts.get(rev).ok_or_else(|| format!("revision {rev} has no delta text"))?;
        edit_counts(script, rev).map_err(|e| e.to_string())
    };
    let node = |rev: &str| nodes.get(rev).ok_or_else(|| err(Some(rev), "is named but not in the revision list"));
    let revision = |n: &Node, predecessor: Option<String>, counts: Result<(u64, u64, u64), String>| {
        let (added, removed, lines, error) = match counts {
            Ok((a, d, l)) => (a, d, l, None),
            Err(e) => (0, 0, 0, Some(e)),
        };
        Revision {
            dead: n.dead,
            date: n.date.clone(),
            author: n.author.clone(),
            commitid: n.commitid.clone(),
            predecessor,
            added,
            removed,
            lines,
            error,
        }
    };
    // (branch start, branch point, the point's lines or why they are unknown)
    let mut pending: Vec<(String, String, Result<u64, String>)> = Vec::new();
    let mut current = head_rev;
    let mut lines: Result<u64, String> =
        scripts.get(&current).map(|s| count_lines(s)).ok_or_else(|| format!("the head revision {current} has no text"));
    let mut seen = 0usize;
    loop {
        let n = node(&current)?;
        seen += 1;
        if seen > nodes.len() {
            return Err(err(Some(&current), "the revision list loops"));
        }
        for b in &n.branches {
            pending.push((b.clone(), current.clone(), lines.clone()));
        }
        // `next`'s script turns this text into the older one.
        let step = match &n.next {
            Some(next) => counts(next).map(|(a, d)| (d, a)),
            None => Ok((0, 0)),
        };
        let this = match (&lines, &step) {
            (Ok(l), Ok((added, removed))) => Ok((*added, *removed, *l)),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        revisions.insert(current.clone(), revision(n, n.next.clone(), this));
        let Some(next) = n.next.clone() else { break };
        lines = match (lines, step) {
            (Ok(l), Ok((added, removed))) => (l + removed)
                .checked_sub(added)
                .ok_or_else(|| format!("revision {next} deletes more lines than there are")),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        current = next;
    }
    while let Some((start, point, base)) = pending.pop() {
        let mut previous = point;
        let mut current = start;
        let mut lines = base;
        loop {
            if revisions.contains_key(&current) {
                return Err(err(Some(&current), "is reached twice (the revision tree loops)"));
            }
            let n = node(&current)?;
            let this = lines.and_then(|l| {
                let (a, d) = counts(&current)?;
                let now = (l + a)
                    .checked_sub(d)
                    .ok_or_else(|| format!("revision {current} deletes more lines than there are"))?;
                Ok((a, d, now))
            });
            lines = this.as_ref().map(|t| t.2).map_err(Clone::clone);
            for b in &n.branches {
                pending.push((b.clone(), current.clone(), lines.clone()));
            }
            revisions.insert(current.clone(), revision(n, Some(previous.clone()), this));
            match &n.next {
                Some(next) => {
                    previous = current.clone();
                    current = next.clone();
                }
                None => break,
            }
        }
    }
    Ok(RcsFile { head, binary, symbols, revisions })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"head\t1.3;\naccess;\nsymbols\n\tv1:1.2 br:1.2.0.2;\nlocks; strict;\ncomment\t@# @;\n\n\n\
1.3\ndate\t2009.01.03.00.00.00;\tauthor ann;\tstate dead;\nbranches;\nnext\t1.2;\ncommitid\tabc;\n\n\
1.2\ndate\t2009.01.02.00.00.00;\tauthor bob;\tstate Exp;\nbranches\n\t1.2.2.1;\nnext\t1.1;\n\n\
1.1\ndate\t2009.01.01.00.00.00;\tauthor ann;\tstate Exp;\nbranches;\nnext\t;\n\n\
1.2.2.1\ndate\t2009.01.04.00.00.00;\tauthor cy;\tstate Exp;\nbranches;\nnext\t;\n\n\
desc\n@@\n\n\
1.3\nlog\n@gone@\ntext\n@one\ntwo @@x\nthree\n@\n\n\
1.2\nlog\n@edit@\ntext\n@@\n\n\
1.1\nlog\n@first@\ntext\n@d2 1\na3 2\nold a\nold b\n@\n\n\
1.2.2.1\nlog\n@branch@\ntext\n@a3 1\nnew\n@\n";

    #[test]
    fn counts_like_rlog() {
        let f = parse(SAMPLE).unwrap();
        assert_eq!(f.head.as_deref(), Some("1.3"));
        assert_eq!(f.symbols, vec![("v1".into(), "1.2".into()), ("br".into(), "1.2.0.2".into())]);
        let r = |v: &str| f.revisions[v].clone();
        // 1.3 is the head text (3 lines); 1.2 has the same text (empty script).
        assert_eq!((r("1.3").lines, r("1.3").added, r("1.3").removed, r("1.3").dead), (3, 0, 0, true));
        // 1.1's script (from 1.2): delete 1 line, add 2: so 1.2 added 1 and removed 2.
        assert_eq!((r("1.2").lines, r("1.2").added, r("1.2").removed), (3, 1, 2));
        assert_eq!((r("1.1").lines, r("1.1").predecessor), (4, None));
        // The branch adds one line to 1.2.
        assert_eq!((r("1.2.2.1").lines, r("1.2.2.1").added, r("1.2.2.1").predecessor.as_deref()), (4, 1, Some("1.2")));
        assert_eq!(r("1.3").commitid.as_deref(), Some("abc"));
    }

    #[test]
    fn damaged_files_never_panic() {
        // Every truncation, and many single-byte changes, of a valid file.
        for end in 0..SAMPLE.len() {
            let _ = parse(&SAMPLE[..end]);
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bytes = SAMPLE.to_vec();
            let at = (seed % bytes.len() as u64) as usize;
            bytes[at] = [b'@', b';', b'\n', b' ', b'1', b'.', b'a', b'd', 0][(seed >> 32) as usize % 9];
            let _ = parse(&bytes);
        }
    }

    #[test]
    fn malformed_files_name_the_revision() {
        // A missing delta text spoils only the revisions counted through it.
        let missing = String::from_utf8_lossy(SAMPLE).replace("1.2.2.1\nlog\n@branch@\ntext\n@a3 1\nnew\n@\n", "");
        let f = parse(missing.as_bytes()).unwrap();
        assert_eq!(f.revisions["1.2.2.1"].error.as_deref(), Some("revision 1.2.2.1 has no delta text"));
        assert_eq!((f.revisions["1.2"].error.as_ref(), f.revisions["1.2"].added), (None, 1));
        let missing_trunk = String::from_utf8_lossy(SAMPLE).replace("1.2\nlog\n@edit@\ntext\n@@\n\n", "");
        let f = parse(missing_trunk.as_bytes()).unwrap();
        assert!(f.revisions["1.3"].error.is_some() && f.revisions["1.1"].error.is_some());
        let truncated = &SAMPLE[..SAMPLE.len() - 20];
        assert!(parse(truncated).is_err());
        assert!(parse(b"").is_err());
        let bad_edit = String::from_utf8_lossy(SAMPLE).replace("@d2 1\na3 2", "@x2 1\na3 2");
        let e = parse(bad_edit.as_bytes()).unwrap().revisions["1.2"].error.clone().unwrap();
        assert!(e.contains("revision 1.1: bad edit command `x2 1`"), "{e}");
    }
}
