//! The commit stream on disk: JSON Lines (one [`Commit`] object per line) and CSV
//! (one row per commit, or one per file change). The format is described for other
//! tools in `docs/stream-format.md`; [`STREAM_VERSION`] is the version it documents.

use std::io::{self, BufRead, Write};

use crate::model::Commit;

/// Version of the JSON Lines stream format. Lines without a `"v"` field are version 1;
/// a future incompatible version will add `"v": 2` to every line.
pub const STREAM_VERSION: u32 = 1;

/// An error while reading or writing a stream.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The underlying reader or writer failed.
    #[error("stream I/O failed")]
    Io(#[from] io::Error),
    /// A line is not a valid commit object.
    #[error("line {line}: not a vcscope commit: {source}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A line declares a stream version this build does not read.
    #[error("line {line}: stream version {version} is newer than this vcscope reads ({STREAM_VERSION})")]
    Version {
        /// 1-based line number.
        line: usize,
        /// The version found.
        version: u64,
    },
    /// CSV encoding failed.
    #[error("CSV output failed")]
    Csv(#[from] csv::Error),
}

/// Writes one JSON object per commit, each on its own line.
pub fn write_jsonl<W: Write>(out: W, commits: &[Commit]) -> Result<(), StreamError> {
    let mut out = io::BufWriter::new(out);
    for commit in commits {
        serde_json::to_writer(&mut out, commit).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Just the version field of a stream line.
#[derive(serde::Deserialize)]
struct Versioned {
    #[serde(default)]
    v: Option<u64>,
}

/// Reads a JSON Lines stream; blank lines are skipped, unknown fields ignored.
pub fn read_jsonl<R: BufRead>(input: R) -> Result<Vec<Commit>, StreamError> {
    let mut commits = Vec::new();
    for (index, line) in input.lines().enumerate() {
        if let Some(commit) = parse_jsonl_line(&line?, index + 1)? {
            commits.push(commit);
        }
    }
    Ok(commits)
}

/// Parses line `number` (1-based) of a JSON Lines stream: `None` for a blank line.
/// Readers that split a stream themselves (in parallel, say) call this per line.
pub fn parse_jsonl_line(line: &str, number: usize) -> Result<Option<Commit>, StreamError> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    // Version 1 lines carry no "v"; only a line that might is checked for one.
    if line.contains("\"v\"") {
        let versioned: Versioned =
            serde_json::from_str(line).map_err(|source| StreamError::BadLine { line: number, source })?;
        if let Some(version) = versioned.v.filter(|v| *v > u64::from(STREAM_VERSION)) {
            return Err(StreamError::Version { line: number, version });
        }
    }
    serde_json::from_str(line).map(Some).map_err(|source| StreamError::BadLine { line: number, source })
}

/// The id, time and author columns every CSV layout starts with.
fn commit_columns(c: &Commit) -> [String; 4] {
    [
        c.id.clone(),
        c.time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        c.author.name.clone(),
        c.author.email.clone().unwrap_or_default(),
    ]
}

/// Writes one CSV row per commit: totals, no per-file detail.
pub fn write_csv<W: Write>(out: W, commits: &[Commit]) -> Result<(), StreamError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "time",
        "author_name",
        "author_email",
        "added",
        "removed",
        "files",
        "parents",
        "branch",
        "source",
        "subject",
    ])?;
    for c in commits {
        let [id, time, name, email] = commit_columns(c);
        w.write_record([
            id.as_str(),
            &time,
            &name,
            &email,
            &c.added.to_string(),
            &c.removed.to_string(),
            &c.files.len().to_string(),
            &c.parents.join(" "),
            c.branch.as_deref().unwrap_or(""),
            &c.source,
            c.subject(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes one CSV row per file change (a commit without files gets no row).
pub fn write_csv_files<W: Write>(out: W, commits: &[Commit]) -> Result<(), StreamError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "time",
        "author_name",
        "author_email",
        "path",
        "old_path",
        "status",
        "binary",
        "added",
        "removed",
    ])?;
    for c in commits {
        let [id, time, name, email] = commit_columns(c);
        for f in &c.files {
            w.write_record([
                id.as_str(),
                &time,
                &name,
                &email,
                &f.path,
                f.old_path.as_deref().unwrap_or(""),
                f.status.as_str(),
                if f.binary { "true" } else { "false" },
                &f.added.to_string(),
                &f.removed.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, FileChange, FileStatus};
    use chrono::TimeZone;

    fn sample() -> Commit {
        let mut c = Commit {
            id: "abc".into(),
            time: chrono::Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 40).unwrap(),
            author: Author { name: "Ann \"A\" Lee".into(), email: Some("ann@example.org".into()) },
            message: "Fix, with comma\n\nbody".into(),
            parents: vec!["p1".into()],
            branch: None,
            source: "patch".into(),
            added: 0,
            removed: 0,
            files: vec![],
            tags: Vec::new(),
        };
        c.set_files(vec![FileChange {
            path: "a b.c".into(),
            old_path: None,
            added: 3,
            removed: 1,
            binary: false,
            status: FileStatus::Modified,
            old_revision: None,
            revision: None,
        }]);
        c
    }

    #[test]
    fn jsonl_text_is_pinned() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &[sample()]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"id":"abc","time":"1969-07-20T20:17:40Z","author":{"name":"Ann \"A\" Lee","email":"ann@example.org"},"message":"Fix, with comma\n\nbody","parents":["p1"],"source":"patch","added":3,"removed":1,"files":[{"path":"a b.c","added":3,"removed":1,"binary":false,"status":"modified"}]}"#
                .to_owned()
                + "\n"
        );
    }

    #[test]
    fn jsonl_round_trips_and_rejects_newer_versions() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &[sample(), sample()]).unwrap();
        let back = read_jsonl(&out[..]).unwrap();
        assert_eq!(back, vec![sample(), sample()]);
        let err = read_jsonl(&b"\n{\"v\":2}\n"[..]).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = read_jsonl(&b"{\"id\":1}\n"[..]).unwrap_err();
        assert!(err.to_string().starts_with("line 1: not a vcscope commit"), "{err}");
    }

    #[test]
    fn csv_quotes_fields() {
        let mut out = Vec::new();
        write_csv(&mut out, &[sample()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            r#"abc,1969-07-20T20:17:40Z,"Ann ""A"" Lee",ann@example.org,3,1,1,p1,,patch,"Fix, with comma""#
        );
        let mut out = Vec::new();
        write_csv_files(&mut out, &[sample()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "abc,1969-07-20T20:17:40Z,\"Ann \"\"A\"\" Lee\",ann@example.org,a b.c,,modified,false,3,1"
        );
    }
}
