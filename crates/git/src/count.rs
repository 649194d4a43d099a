//! Counting one commit's lines per file, as `git log --numstat` does: a tree diff
//! against the chosen base, then a line diff of each changed blob. Binary files
//! (a NUL byte in the first 8000 bytes, git's rule) get no counts; submodule
//! changes count their `Subproject commit` line.

use std::any::Any;
use std::path::PathBuf;

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Oid, Patch, Repository};
use vcscope_core::{Commit, Counter, CounterFactory, FileChange, FileStatus, SourceError};

use crate::{invalid, open, Base, GitJob};

/// Makes one counter (one open repository) per worker.
pub(crate) struct Factory {
    pub git_dir: PathBuf,
    pub shown: String,
    pub renames: bool,
}

impl CounterFactory for Factory {
    fn counter(&self) -> Result<Box<dyn Counter>, SourceError> {
        let repo = open(&self.git_dir, false)
            .map_err(|e| invalid(&self.shown, None, format!("cannot open: {}", e.message())))?;
        Ok(Box::new(GitCounter { repo, shown: self.shown.clone(), renames: self.renames }))
    }
}

struct GitCounter {
    repo: Repository,
    shown: String,
    renames: bool,
}

/// Git treats a blob as binary when its first 8000 bytes hold a NUL byte.
fn is_binary(content: &[u8]) -> bool {
    content.iter().take(8000).any(|b| *b == 0)
}

impl GitCounter {
    fn tree_of(&self, oid: Oid) -> Result<git2::Tree<'_>, git2::Error> {
        self.repo.find_commit(oid)?.tree()
    }

    /// (added, removed, binary) for one changed file.
    fn numstat(&self, old: &git2::DiffFile<'_>, new: &git2::DiffFile<'_>) -> Result<(u64, u64, bool), git2::Error> {
        if old.id() == new.id() {
            return Ok((0, 0, false));
        }
        let gitlink = |f: &git2::DiffFile<'_>| f.mode() == FileMode::Commit && !f.id().is_zero();
        if gitlink(old) || gitlink(new) {
            // The diff of a submodule is one `Subproject commit <id>` line a side.
            return Ok((u64::from(gitlink(new)), u64::from(gitlink(old)), false));
        }
        let load = |f: &git2::DiffFile<'_>| -> Result<Option<git2::Blob<'_>>, git2::Error> {
            if f.id().is_zero() {
                Ok(None)
            } else {
                self.repo.find_blob(f.id()).map(Some)
            }
        };
        let (old_blob, new_blob) = (load(old)?, load(new)?);
        let old_text = old_blob.as_ref().map_or(&[][..], |b| b.content());
        let new_text = new_blob.as_ref().map_or(&[][..], |b| b.content());
        if is_binary(old_text) || is_binary(new_text) {
            return Ok((0, 0, true));
        }
        let mut opts = DiffOptions::new();
        opts.force_text(true).context_lines(0);
        let patch = Patch::from_buffers(old_text, None, new_text, None, Some(&mut opts))?;
        let (_, added, removed) = patch.line_stats()?;
        Ok((added as u64, removed as u64, false))
    }
}

fn path_of(f: &git2::DiffFile<'_>) -> Option<String> {
    f.path_bytes().map(|p| String::from_utf8_lossy(p).into_owned())
}

impl Counter for GitCounter {
    fn count(&mut self, commit: &Commit, job: Box<dyn Any + Send>) -> Result<Vec<FileChange>, SourceError> {
        let revision = Some(commit.id.clone());
        let fail =
            |what: String, e: git2::Error| invalid(&self.shown, revision.clone(), format!("{what}: {}", e.message()));
        let job = job
            .downcast::<GitJob>()
            .map_err(|_| invalid(&self.shown, revision.clone(), "internal: not a Git job".into()))?;
        let base = match job.base {
            Base::Skip => return Ok(Vec::new()),
            Base::Root => None,
            Base::Parent(p) => Some(self.tree_of(p).map_err(|e| fail(format!("cannot read parent {p}"), e))?),
        };
        let tree = self.tree_of(job.oid).map_err(|e| fail("cannot read the commit's tree".into(), e))?;
        let mut opts = DiffOptions::new();
        // A file that becomes a symlink is one entry, as in git (status T).
        opts.ignore_submodules(false).skip_binary_check(true).include_typechange(true);
        let mut diff = self
            .repo
            .diff_tree_to_tree(base.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(|e| fail("cannot compare trees".into(), e))?;
        if self.renames {
            let mut find = DiffFindOptions::new();
            find.renames(true);
            diff.find_similar(Some(&mut find)).map_err(|e| fail("rename detection failed".into(), e))?;
        }
        let mut files = Vec::with_capacity(diff.deltas().len());
        for delta in diff.deltas() {
            let (old, new) = (delta.old_file(), delta.new_file());
            let (status, path, old_path) = match delta.status() {
                Delta::Added => (FileStatus::Added, path_of(&new), None),
                Delta::Deleted => (FileStatus::Deleted, path_of(&old), None),
                Delta::Renamed => (FileStatus::Renamed, path_of(&new), path_of(&old)),
                Delta::Copied => (FileStatus::Copied, path_of(&new), path_of(&old)),
                _ => (FileStatus::Modified, path_of(&new).or_else(|| path_of(&old)), None),
            };
            let path = path.unwrap_or_default();
            let (added, removed, binary) =
                self.numstat(&old, &new).map_err(|e| fail(format!("cannot diff {path}"), e))?;
            files.push(FileChange { path, old_path, added, removed, binary, status });
        }
        Ok(files)
    }
}
