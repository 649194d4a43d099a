//! The normalized commit: what every backend produces and everything downstream
//! (stream writers, the chart, comparisons) consumes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who wrote a commit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Author {
    /// Display name ("unknown" when the source has none).
    pub name: String,
    /// E-mail address, when the source records one.
    #[serde(default)]
    pub email: Option<String>,
}

impl Author {
    /// An author with a name and no e-mail.
    pub fn named(name: impl Into<String>) -> Self {
        Author { name: name.into(), email: None }
    }

    /// Parses `Name <email>`, `"Name" <email>`, `<email>`, a bare address or a bare name.
    pub fn parse(text: &str) -> Author {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if let (Some(lt), Some(gt)) = (text.find('<'), text.rfind('>')) {
            if lt < gt {
                let email = text.get(lt + 1..gt).unwrap_or("").trim().to_owned();
                let mut name = text.get(..lt).unwrap_or("").trim().trim_matches('"').trim().to_owned();
                if name.is_empty() {
                    name = text.get(gt + 1..).unwrap_or("").trim().trim_matches(|c| c == '(' || c == ')').to_owned();
                }
                if name.is_empty() {
                    name = email.clone();
                }
                return Author { name, email: (!email.is_empty()).then_some(email) };
            }
        }
        if text.contains('@') && !text.contains(' ') {
            return Author { name: text.clone(), email: Some(text) };
        }
        Author::named(text)
    }
}

/// What happened to one file in a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// The file did not exist before.
    Added,
    /// Content or mode changed in place.
    Modified,
    /// The file no longer exists after.
    Deleted,
    /// Moved from `old_path` (possibly with edits).
    Renamed,
    /// Copied from `old_path` (possibly with edits); the source still exists.
    Copied,
}

impl FileStatus {
    /// The lowercase word used in the stream formats.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Modified => "modified",
            FileStatus::Deleted => "deleted",
            FileStatus::Renamed => "renamed",
            FileStatus::Copied => "copied",
        }
    }
}

/// Lines added and removed in one file of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Path after the change (before it, for a deletion), `/`-separated, relative to
    /// the repository root.
    pub path: String,
    /// Path before a rename or copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
    /// True when the file is binary; its counts are then zero.
    pub binary: bool,
    /// What happened to the file.
    pub status: FileStatus,
    /// The revision before the change, where the system numbers files' revisions
    /// (CVS: `1.3`); absent for a new file and for systems without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_revision: Option<String>,
    /// The file's revision after the change (CVS: `1.4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// One normalized commit (a changeset, patchset or mail, whatever the system calls it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Identifier unique within its source: a Git hash, a cvsps patchset number, a
    /// content hash for a patch.
    pub id: String,
    /// When it was authored, in UTC.
    pub time: DateTime<Utc>,
    /// Who wrote it.
    pub author: Author,
    /// The full log message (empty when a stream from another tool has none).
    #[serde(default)]
    pub message: String,
    /// Parent ids (empty for a root commit or when the source has no graph).
    #[serde(default)]
    pub parents: Vec<String>,
    /// Branch name, when the source knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Which backend produced it (`patch`, `git`, `cvsps`, or a plugin's name).
    #[serde(default)]
    pub source: String,
    /// Sum of `files[].added`.
    pub added: u64,
    /// Sum of `files[].removed`.
    pub removed: u64,
    /// Tags (Git) or symbolic names (CVS) that point at this commit; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Per-file counts, in the order the source lists them.
    #[serde(default)]
    pub files: Vec<FileChange>,
}

impl Commit {
    /// A commit with no message, parents, branch, tags or files yet.
    pub fn new(id: impl Into<String>, time: DateTime<Utc>, author: Author, source: impl Into<String>) -> Commit {
        Commit {
            id: id.into(),
            time,
            author,
            message: String::new(),
            parents: Vec::new(),
            branch: None,
            source: source.into(),
            added: 0,
            removed: 0,
            tags: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Sets `files` and recomputes the totals from them.
    pub fn set_files(&mut self, files: Vec<FileChange>) {
        self.added = files.iter().map(|f| f.added).sum();
        self.removed = files.iter().map(|f| f.removed).sum();
        self.files = files;
    }

    /// The first line of the message, trimmed.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people() {
        assert_eq!(
            Author::parse(" A U Thor <a@x.org>"),
            Author { name: "A U Thor".into(), email: Some("a@x.org".into()) }
        );
        assert_eq!(Author::parse("\"Yann E. MORIN\" <y@m.fr>").name, "Yann E. MORIN");
        assert_eq!(Author::parse("<only@x.org>").name, "only@x.org");
        assert_eq!(Author::parse("bare@x.org").email.as_deref(), Some("bare@x.org"));
        assert_eq!(Author::parse("Just Name"), Author::named("Just Name"));
    }
}
