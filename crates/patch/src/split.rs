//! Splitting one patch file into its pieces (mails of an mbox, commits of a
//! `git log -p`, or the whole file) and reading each piece's author, date, id and
//! message. The diff text itself is left for the stats stage to count.

use chrono::{DateTime, Utc};
use mailparse::MailHeaderMap;
use vcscope_core::Author;

use crate::dates::parse_date;

/// What kind of text a piece is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An RFC 2822 mail (`git format-patch`, one mail of an mbox).
    Mail,
    /// One commit of `git log -p` output.
    GitLog,
    /// `hg export` output.
    Hg,
    /// Anything else: a plain diff with optional prose around it.
    Plain,
}

/// One changeset's worth of a patch file.
#[derive(Debug, Clone)]
pub struct Piece<'a> {
    /// How to read it.
    pub kind: Kind,
    /// Its bytes, verbatim.
    pub bytes: &'a [u8],
    /// 1-based line in the file where it starts.
    pub start_line: usize,
}

/// A piece, read.
#[derive(Debug, Clone, Default)]
pub struct ReadPiece {
    /// Author from the mail or header, if any.
    pub author: Option<Author>,
    /// Date from the mail or header, if any.
    pub time: Option<DateTime<Utc>>,
    /// Commit id from the mail or header, if any.
    pub id: Option<String>,
    /// Log message (subject and body for mails).
    pub message: String,
    /// The text to count (the decoded body for mails).
    pub text: Vec<u8>,
    /// 1-based line in the file where `text` starts, when `text` is verbatim.
    pub text_line: Option<usize>,
    /// Whether `text` looks like it holds a diff at all.
    pub has_diff: bool,
}

fn lines_with_offsets(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = bytes.get(pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', rest).map_or(bytes.len(), |nl| start + nl + 1);
        pos = end;
        Some((start, bytes.get(start..end).unwrap_or(&[])))
    })
}

/// An mbox separator line: `From <sender> <asctime date>`.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else { return false };
    let text = String::from_utf8_lossy(rest);
    let fields: Vec<&str> = text.split_whitespace().collect();
    fields.len() >= 5 && fields.iter().any(|f| f.len() == 8 && f.as_bytes().get(2) == Some(&b':'))
}

/// `commit <hex>` at the start of a `git log` entry.
fn is_commit_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"commit ") else { return false };
    let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    hex >= 7 && matches!(rest.get(hex), None | Some(b' ' | b'\n' | b'\r'))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// A mail's header block: `Name: value` lines (with folded continuations) up to a
/// blank line, holding at least `From:` and `Subject:`.
fn looks_like_mail(bytes: &[u8]) -> bool {
    let (mut from, mut subject) = (false, false);
    for (_, line) in lines_with_offsets(bytes) {
        if is_blank(line) {
            break;
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else { return false };
        let name = line.get(..colon).unwrap_or(&[]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
            return false;
        }
        from |= name.eq_ignore_ascii_case(b"from");
        subject |= name.eq_ignore_ascii_case(b"subject");
    }
    from && subject
}

/// A test for the first line of a piece.
type LineTest = fn(&[u8]) -> bool;

/// Splits a file into pieces: mails, `git log` commits, or the whole file.
pub fn split(bytes: &[u8]) -> Vec<Piece<'_>> {
    let lines: Vec<(usize, &[u8])> = lines_with_offsets(bytes).collect();
    let first = lines.iter().position(|(_, l)| !is_blank(l));
    let Some(first) = first else {
        return vec![Piece { kind: Kind::Plain, bytes, start_line: 1 }];
    };
    let (_, first_line) = lines.get(first).copied().unwrap_or((0, &[]));
    let boundary: Option<(Kind, LineTest)> = if is_from_line(first_line) {
        Some((Kind::Mail, is_from_line))
    } else if is_commit_line(first_line) {
        Some((Kind::GitLog, is_commit_line))
    } else {
        None
    };
    let Some((kind, is_start)) = boundary else {
        let rest = lines.get(first).map_or(bytes, |(off, _)| bytes.get(*off..).unwrap_or(bytes));
        let kind = if first_line.starts_with(b"# HG changeset patch") {
            Kind::Hg
        } else if looks_like_mail(rest) {
            Kind::Mail
        } else {
            Kind::Plain
        };
        return vec![Piece { kind, bytes, start_line: 1 }];
    };
    let starts: Vec<usize> =
        lines.iter().enumerate().skip(first).filter(|(_, (_, l))| is_start(l)).map(|(i, _)| i).collect();
    let mut pieces = Vec::with_capacity(starts.len());
    for (k, &i) in starts.iter().enumerate() {
        let begin = lines.get(i).map_or(0, |(off, _)| *off);
        let end = starts.get(k + 1).and_then(|j| lines.get(*j)).map_or(bytes.len(), |(off, _)| *off);
        pieces.push(Piece { kind, bytes: bytes.get(begin..end).unwrap_or(&[]), start_line: i + 1 });
    }
    pieces
}

fn has_diff(text: &[u8]) -> bool {
    const MARKS: [&[u8]; 6] =
        [b"@@ -", b"@@@ -", b"diff --git ", b"Binary files ", b"GIT binary patch", b"***************"];
    lines_with_offsets(text).any(|(_, l)| MARKS.iter().any(|m| l.starts_with(m)))
}

/// The commit message part of a body: up to `---`, a diff, or an `Index:` line.
fn message_of(body: &[u8]) -> String {
    let mut end = body.len();
    for (off, line) in lines_with_offsets(body) {
        let l = line.strip_suffix(b"\n").unwrap_or(line);
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l == b"---" || l.starts_with(b"diff ") || l.starts_with(b"Index: ") || l.starts_with(b"--- ") {
            end = off;
            break;
        }
    }
    let text = String::from_utf8_lossy(body.get(..end).unwrap_or(body));
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// `[PATCH 1/3] Re: x` -> `x`, unfolded.
fn clean_subject(subject: &str) -> String {
    let mut s = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let t = s.trim_start();
        if t.starts_with('[') {
            if let Some(close) = t.find(']') {
                s = t.get(close + 1..).unwrap_or("").to_owned();
                continue;
            }
        }
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("re:") {
            s = t.get(3..).unwrap_or("").to_owned();
            continue;
        }
        return t.to_owned();
    }
}

impl Piece<'_> {
    /// "mail 3" / "commit 1a2b3c4" when the file holds several pieces.
    pub fn label(&self, number: usize, many: bool) -> Option<String> {
        if !many {
            return None;
        }
        Some(match self.kind {
            Kind::Mail => format!("mail {number}"),
            Kind::GitLog => format!("commit {number}"),
            Kind::Hg | Kind::Plain => format!("part {number}"),
        })
    }

    /// Reads the piece's metadata; an error names what is wrong with it.
    pub fn read(&self) -> Result<ReadPiece, String> {
        let mut out = match self.kind {
            Kind::Mail => self.read_mail()?,
            Kind::GitLog => self.read_git_log(),
            Kind::Hg => self.read_hg(),
            Kind::Plain => self.read_plain(),
        };
        out.has_diff = has_diff(&out.text);
        Ok(out)
    }

    fn read_mail(&self) -> Result<ReadPiece, String> {
        // Drop the mbox separator line before handing the mail to the parser.
        let (mail_bytes, skipped) = match self.bytes.strip_prefix(b"From ") {
            Some(_) if is_from_line(self.bytes) => {
                let nl = memchr::memchr(b'\n', self.bytes).map_or(self.bytes.len(), |n| n + 1);
                (self.bytes.get(nl..).unwrap_or(&[]), 1)
            }
            _ => (self.bytes, 0),
        };
        let id = self
            .bytes
            .strip_prefix(b"From ")
            .filter(|_| skipped == 1)
            .map(|r| r.iter().take_while(|b| b.is_ascii_hexdigit()).count())
            .filter(|n| *n == 40)
            .and_then(|n| std::str::from_utf8(self.bytes.get(5..5 + n)?).ok())
            .filter(|h| !h.bytes().all(|b| b == b'0'))
            .map(str::to_owned);
        let mail = mailparse::parse_mail(mail_bytes).map_err(|e| format!("not a readable mail: {e}"))?;
        let headers = mail.get_headers();
        let mut author = headers.get_first_value("From").map(|v| Author::parse(&v));
        let mut subject = headers.get_first_value("Subject").map(|s| clean_subject(&s)).unwrap_or_default();
        let mut time = headers.get_first_value("Date").and_then(|d| parse_date(&d));
        let mut body = Vec::new();
        collect_text(&mail, &mut body)?;
        // Verbatim bodies keep their line numbers in the file.
        let encoded = mail.subparts.is_empty()
            && !matches!(
                headers.get_first_value("Content-Transfer-Encoding").map(|v| v.trim().to_ascii_lowercase()).as_deref(),
                None | Some("7bit" | "8bit" | "binary")
            );
        let text_line = if mail.subparts.is_empty() && !encoded {
            header_lines(mail_bytes).map(|h| self.start_line + skipped + h)
        } else {
            None
        };
        // In-body headers (`From:`, `Subject:`, `Date:` at the top of the body)
        // override the mail's, as `git am` does.
        let mut rest: &[u8] = &body;
        loop {
            let trimmed_len = rest.iter().take_while(|b| **b == b'\n' || **b == b'\r').count();
            let candidate = rest.get(trimmed_len..).unwrap_or(&[]);
            let line_end = memchr::memchr(b'\n', candidate).map_or(candidate.len(), |n| n + 1);
            let line = String::from_utf8_lossy(candidate.get(..line_end).unwrap_or(&[])).trim().to_owned();
            let header = [("From:", 0), ("Subject:", 1), ("Date:", 2)].into_iter().find(|(h, _)| line.starts_with(h));
            let Some((h, which)) = header else { break };
            let value = line.get(h.len()..).unwrap_or("").trim().to_owned();
            match which {
                0 => author = Some(Author::parse(&value)),
                1 => subject = clean_subject(&value),
                _ => time = parse_date(&value).or(time),
            }
            rest = candidate.get(line_end..).unwrap_or(&[]);
        }
        let body_message = message_of(rest);
        let message = match (subject.is_empty(), body_message.is_empty()) {
            (_, true) => subject,
            (true, false) => body_message,
            (false, false) => format!("{subject}\n\n{body_message}"),
        };
        Ok(ReadPiece { author, time, id, message, text: body, text_line, has_diff: false })
    }

    fn read_git_log(&self) -> ReadPiece {
        let mut out = ReadPiece { text: self.bytes.to_vec(), text_line: Some(self.start_line), ..ReadPiece::default() };
        let mut message = Vec::new();
        for (i, (_, line)) in lines_with_offsets(self.bytes).enumerate() {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end();
            if i == 0 {
                out.id = text.strip_prefix("commit ").and_then(|r| r.split_whitespace().next()).map(str::to_owned);
            } else if let Some(a) = text.strip_prefix("Author:") {
                out.author = Some(Author::parse(a));
            } else if let Some(d) = text.strip_prefix("AuthorDate:").or_else(|| text.strip_prefix("Date:")) {
                out.time = out.time.or_else(|| parse_date(d));
            } else if let Some(m) = text.strip_prefix("    ") {
                message.push(m.to_owned());
            } else if text.starts_with("diff ") || text.starts_with("--- ") {
                break;
            }
        }
        out.message = message.join("\n").trim().to_owned();
        out
    }

    fn read_hg(&self) -> ReadPiece {
        let mut out = ReadPiece { text: self.bytes.to_vec(), text_line: Some(self.start_line), ..ReadPiece::default() };
        let mut message_start = 0;
        for (off, line) in lines_with_offsets(self.bytes) {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end();
            let Some(h) = text.strip_prefix('#') else {
                message_start = off;
                break;
            };
            let h = h.trim_start();
            if let Some(u) = h.strip_prefix("User ") {
                out.author = Some(Author::parse(u));
            } else if let Some(d) = h.strip_prefix("Date ") {
                out.time = out.time.or_else(|| parse_date(d));
            } else if let Some(n) = h.strip_prefix("Node ID ") {
                out.id = Some(n.trim().to_owned());
            }
            message_start = off + line.len();
        }
        out.message = message_of(self.bytes.get(message_start..).unwrap_or(&[]));
        out
    }

    fn read_plain(&self) -> ReadPiece {
        let mut out = ReadPiece { text: self.bytes.to_vec(), text_line: Some(self.start_line), ..ReadPiece::default() };
        // A preamble before the first diff may name the author and date (DEP-3
        // `Author:`, a pasted `From:`/`Date:`); those lines are not the message, and
        // a `Subject:`/`Description:` line gives its first line.
        let mut preamble = Vec::new();
        for (_, line) in lines_with_offsets(self.bytes) {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end();
            if text.starts_with("diff ")
                || text.starts_with("--- ")
                || text.starts_with("Index: ")
                || text.starts_with("*** ")
            {
                break;
            }
            if let Some(a) = text.strip_prefix("Author:").or_else(|| text.strip_prefix("From:")) {
                out.author = out.author.or_else(|| Some(Author::parse(a)));
            } else if let Some(d) = text.strip_prefix("Date:") {
                out.time = out.time.or_else(|| parse_date(d));
            } else if let Some(s) = text.strip_prefix("Subject:").or_else(|| text.strip_prefix("Description:")) {
                preamble.push(clean_subject(s));
            } else {
                preamble.push(text.to_owned());
            }
        }
        out.message = message_of(preamble.join("\n").as_bytes());
        out
    }
}

/// Lines in the header block, counting the blank line that ends it.
fn header_lines(mail: &[u8]) -> Option<usize> {
    for (i, (_, line)) in lines_with_offsets(mail).enumerate() {
        if line == b"\n" || line == b"\r\n" {
            return Some(i + 1);
        }
    }
    None
}

/// Appends the decoded text of every leaf part (the whole body for a simple mail).
fn collect_text(part: &mailparse::ParsedMail<'_>, out: &mut Vec<u8>) -> Result<(), String> {
    if part.subparts.is_empty() {
        let mime = part.ctype.mimetype.to_ascii_lowercase();
        if mime.starts_with("text/") || mime == "application/octet-stream" || mime.is_empty() {
            let body = part.get_body_raw().map_err(|e| format!("cannot decode the mail body: {e}"))?;
            out.extend_from_slice(&body);
            if !body.ends_with(b"\n") && !body.is_empty() {
                out.push(b'\n');
            }
        }
        return Ok(());
    }
    for sub in &part.subparts {
        collect_text(sub, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(clean_subject("[PATCH 2/7] Re: [RFC]  fix\n the  thing"), "fix the thing");
        assert_eq!(clean_subject("plain"), "plain");
    }

    #[test]
    fn splits_mboxes_and_logs() {
        let mbox = b"From a@b Mon Sep 17 00:00:00 2001\nFrom: a\nSubject: one\n\nx\nFrom b@c Tue Sep 18 00:00:00 2001\nFrom: b\nSubject: two\n\ny\n";
        let pieces = split(mbox);
        assert_eq!(pieces.len(), 2);
        assert_eq!((pieces[0].kind, pieces[1].start_line), (Kind::Mail, 6));
        let log =
            b"commit 1234567\nAuthor: A <a@b>\nDate:   Tue May 13 00:43:56 2008 +0200\n\n    msg\n\ncommit abcdef0\n";
        let pieces = split(log);
        assert_eq!(pieces.len(), 2);
        let read = pieces[0].read().unwrap();
        assert_eq!((read.id.as_deref(), read.message.as_str()), (Some("1234567"), "msg"));
        assert_eq!(read.time.unwrap().to_rfc3339(), "2008-05-12T22:43:56+00:00");
        assert_eq!(split(b"").len(), 1);
        assert_eq!(split(b"From: x\nSubject: y\n\nbody")[0].kind, Kind::Mail);
        assert_eq!(split(b"Description: x\nAuthor: y\n\nbody")[0].kind, Kind::Plain);
    }
}
