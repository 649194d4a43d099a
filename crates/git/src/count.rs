//! Counting one commit's lines per file, as `git log --numstat` does: a tree diff
//! against the chosen base, then a line diff of each changed blob. Binary files
//! (a NUL byte in the first 8000 bytes, git's rule) get no counts; submodule
//! changes count their `Subproject commit` line.

use std::any::Any;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Oid, Patch, Repository};
use vcscope_core::{Commit, Counter, CounterFactory, FileChange, FileStatus, SourceError};

use crate::{invalid, Base, GitJob};

/// Makes one counter (one open repository) per worker.
pub(crate) struct Factory {
    pub git_dir: PathBuf,
    pub shown: String,
    pub renames: bool,
    pub workers: std::sync::atomic::AtomicUsize,
}

impl CounterFactory for Factory {
    fn counter(&self) -> Result<Box<dyn Counter>, SourceError> {
        // Bare: counting reads objects only, and without a work tree libgit2 has no
        // .gitattributes files to look for on every diff.
        let flags = git2::RepositoryOpenFlags::NO_SEARCH | git2::RepositoryOpenFlags::BARE;
        let repo = git2::Repository::open_ext(&self.git_dir, flags, std::iter::empty::<&std::ffi::OsStr>())
            .map_err(|e| invalid(&self.shown, None, format!("cannot open: {}", e.message())))?;
        // A private object database per worker. libgit2 shares an open pack file
        // (its index, its delta-base cache and the lock around both) between all
        // repositories that name it by the same path, and two workers taking that
        // lock for every object spent 60% more CPU than one. Each worker names the
        // objects folder its own way (`objects/./.`), so each gets its own pack
        // handles and base cache. The objects live in the common folder (a linked
        // work tree's own git folder has none); a path that is not UTF-8, which
        // libgit2's call cannot take, keeps the shared database (slower, the same
        // counts).
        let objects = repo.commondir().join("objects");
        if let (Some(objects), true) = (objects.to_str(), objects.is_dir()) {
            // At most 64 spellings: workers past that share one (still correct).
            let n = self.workers.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 64;
            let mut spelled = objects.to_owned();
            for _ in 0..n {
                spelled.push_str("/.");
            }
            let private = git2::Odb::new()
                .and_then(|odb| odb.add_disk_alternate(&spelled).map(|()| odb))
                .and_then(|odb| repo.set_odb(&odb));
            private
                .map_err(|e| invalid(&self.shown, None, format!("cannot open the object database: {}", e.message())))?;
        }
        Ok(Box::new(GitCounter { repo, shown: self.shown.clone(), renames: self.renames, trees: TreeMemo::default() }))
    }
}

struct GitCounter {
    repo: Repository,
    shown: String,
    renames: bool,
    trees: TreeMemo,
}

/// Tree entries read once and not yet read the second time. Each version of a
/// tree is read twice: as the old side of the commit that replaces it (counted
/// first, workers go newest first) and as the new side of the commit that made it,
/// maybe many commits later; the second read takes it from here and forgets it.
#[derive(Default)]
struct TreeMemo {
    pending: HashMap<Oid, Rc<Vec<Entry>>>,
}

impl TreeMemo {
    /// Trees kept at most; past that the memo starts again (a worker that moved on
    /// to another stretch of history would never read the old ones again).
    const MAX: usize = 1 << 16;

    fn take(&mut self, id: &Oid) -> Option<Rc<Vec<Entry>>> {
        self.pending.remove(id)
    }

    fn keep(&mut self, id: Oid, entries: Rc<Vec<Entry>>) {
        if self.pending.len() >= Self::MAX {
            self.pending.clear();
        }
        self.pending.insert(id, entries);
    }
}

/// Lines added and removed between two texts, as git's numstat counts them;
/// `whole` diffs the whole texts (from their blobs, without hashing them again).
fn line_counts(
    old: &[u8],
    new: &[u8],
    whole: impl FnOnce() -> Result<(u64, u64), git2::Error>,
) -> Result<(u64, u64), git2::Error> {
    // Lines both sides share at the start and the end are never part of the diff
    // (xdiff trims them first, too): a change that only adds or only removes lines
    // needs no diff at all. Anything else is diffed whole: xdiff's choice of lines
    // to set aside as too common counts them over the whole files, so diffing only
    // the middles can give other counts (a test shows one).
    let (old_mid, new_mid) = trim_common_lines(old, new);
    if old_mid.is_empty() || new_mid.is_empty() {
        return Ok((count_lines(new_mid), count_lines(old_mid)));
    }
    whole()
}

/// The parts of `old` and `new` left when the whole lines they share at the start
/// and at the end are taken away (as xdiff's first step does).
fn trim_common_lines<'t>(old: &'t [u8], new: &'t [u8]) -> (&'t [u8], &'t [u8]) {
    let same = common_prefix(old, new);
    // Whole lines only: up to the last newline inside the shared bytes.
    let start = old[..same].iter().rposition(|b| *b == b'\n').map_or(0, |nl| nl + 1);
    let (old, new) = (&old[start..], &new[start..]);
    let limit = old.len().min(new.len());
    let same_end = common_suffix(&old[old.len() - limit..], &new[new.len() - limit..]);
    // The shared end must start a line on both sides: right after a newline, or at
    // the start of what is left (which starts a line, after the shared start).
    let starts_line = |t: &[u8]| t.len() == same_end || t[t.len() - same_end - 1] == b'\n';
    let tail = &old[old.len() - same_end..];
    let end = if starts_line(old) && starts_line(new) {
        same_end
    } else {
        // Else from just after the first newline inside the shared end.
        tail.iter().position(|b| *b == b'\n').map_or(0, |nl| same_end - nl - 1)
    };
    (&old[..old.len() - end], &new[..new.len() - end])
}

/// Bytes `a` and `b` share at the start: 32-byte blocks compared whole first
/// (a few vector compares each), then the block where they differ byte by byte.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n].iter().zip(&b[i..n]).take_while(|(x, y)| x == y).count()
}

/// Bytes `a` and `b` share at the end, as [`common_prefix`] counts them.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut k = 0;
    while k + BLOCK <= n && a[n - k - BLOCK..n - k] == b[n - k - BLOCK..n - k] {
        k += BLOCK;
    }
    k + a[..n - k].iter().rev().zip(b[..n - k].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Lines in a text, a last line without a newline included (as git counts them).
fn count_lines(text: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', text).count() as u64 + u64::from(text.last().is_some_and(|b| *b != b'\n'))
}

/// Git treats a blob as binary when its first 8000 bytes hold a NUL byte.
fn is_binary(content: &[u8]) -> bool {
    memchr::memchr(0, &content[..content.len().min(8000)]).is_some()
}

impl GitCounter {
    fn tree_of(&self, oid: Oid) -> Result<git2::Tree<'_>, git2::Error> {
        self.repo.find_commit(oid)?.tree()
    }

    /// A tree's entries, in git's order, from the memo or read now.
    fn entries(&mut self, id: Oid) -> Result<Rc<Vec<Entry>>, git2::Error> {
        if let Some(found) = self.trees.take(&id) {
            return Ok(found);
        }
        let tree = self.repo.find_tree(id)?;
        let entries: Vec<Entry> = tree
            .iter()
            .map(|e| {
                let tree = e.filemode() == i32::from(FileMode::Tree);
                let mut key = e.name_bytes().to_vec();
                if tree {
                    key.push(b'/'); // git sorts a folder as its name with a slash
                }
                Entry { key, id: e.id(), mode: e.filemode(), tree }
            })
            .collect();
        let entries = Rc::new(entries);
        self.trees.keep(id, Rc::clone(&entries));
        Ok(entries)
    }

    /// The changed files with libgit2's tree diff and rename detection
    /// (`git log -M`), in its order.
    fn renamed_deltas(
        &self,
        base: Option<Oid>,
        tree: Oid,
        fail: &dyn Fn(String, git2::Error) -> SourceError,
    ) -> Result<Vec<Change>, SourceError> {
        let mut opts = DiffOptions::new();
        // A file that becomes a symlink is one entry, as in git (status T).
        opts.ignore_submodules(false).skip_binary_check(true).include_typechange(true);
        let read = |id: Oid| self.repo.find_tree(id).map_err(|e| fail(format!("cannot read tree {id}"), e));
        let (base, tree) = (base.map(read).transpose()?, read(tree)?);
        let mut diff = self
            .repo
            .diff_tree_to_tree(base.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(|e| fail("cannot compare trees".into(), e))?;
        let mut find = DiffFindOptions::new();
        find.renames(true);
        diff.find_similar(Some(&mut find)).map_err(|e| fail("rename detection failed".into(), e))?;
        let side = |f: &git2::DiffFile<'_>| (!f.id().is_zero()).then(|| (f.id(), u32::from(f.mode()) as i32));
        let deltas = diff
            .deltas()
            .map(|delta| {
                let (old, new) = (delta.old_file(), delta.new_file());
                let (status, path, old_path) = match delta.status() {
                    Delta::Added => (FileStatus::Added, path_of(&new), None),
                    Delta::Deleted => (FileStatus::Deleted, path_of(&old), None),
                    Delta::Renamed => (FileStatus::Renamed, path_of(&new), path_of(&old)),
                    Delta::Copied => (FileStatus::Copied, path_of(&new), path_of(&old)),
                    _ => (FileStatus::Modified, path_of(&new).or_else(|| path_of(&old)), None),
                };
                Change { status, path: path.unwrap_or_default(), old_path, old: side(&old), new: side(&new) }
            })
            .collect();
        Ok(deltas)
    }

    /// (added, removed, binary) for one changed file, from its two sides
    /// (blob or gitlink id and mode; `None` for a side that does not exist).
    fn numstat(&self, old: Side, new: Side) -> Result<(u64, u64, bool), git2::Error> {
        numstat(&self.repo, old, new)
    }

    /// The changed files between two trees, in git's order, without renames: a
    /// merge walk over both trees' sorted entries, descending only into subtrees
    /// whose ids differ. (libgit2's own tree diff re-reads the configuration and
    /// sets up iterators for every commit; this does neither.)
    fn walk(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        prefix: &mut Vec<u8>,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        let none = || Rc::new(Vec::new());
        let olds = old.map(|id| self.entries(id)).transpose()?.unwrap_or_else(none);
        let news = new.map(|id| self.entries(id)).transpose()?.unwrap_or_else(none);
        let (mut i, mut j) = (0, 0);
        while i < olds.len() || j < news.len() {
            let order = match (olds.get(i), news.get(j)) {
                (Some(o), Some(n)) => o.key.cmp(&n.key),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (o, n) = match order {
                std::cmp::Ordering::Less => (olds.get(i), None),
                std::cmp::Ordering::Greater => (None, news.get(j)),
                std::cmp::Ordering::Equal => (olds.get(i), news.get(j)),
            };
            i += usize::from(o.is_some());
            j += usize::from(n.is_some());
            if let (Some(o), Some(n)) = (o, n) {
                if o.id == n.id && o.mode == n.mode {
                    continue;
                }
            }
            let entry = o.or(n).map(|e| e.key.as_slice()).unwrap_or_default();
            let len = prefix.len();
            prefix.extend_from_slice(entry);
            if o.or(n).is_some_and(|e| e.tree) {
                self.walk(o.map(|e| e.id), n.map(|e| e.id), prefix, out)?;
            } else {
                let side = |e: Option<&Entry>| e.map(|e| (e.id, e.mode));
                let status = match (o, n) {
                    (None, _) => FileStatus::Added,
                    (_, None) => FileStatus::Deleted,
                    _ => FileStatus::Modified,
                };
                let path = String::from_utf8_lossy(prefix).into_owned();
                out.push(Change { status, path, old_path: None, old: side(o), new: side(n) });
            }
            prefix.truncate(len);
        }
        Ok(())
    }
}

/// (added, removed, binary) for one changed file, from its two sides (blob or
/// gitlink id and mode; `None` for a side that does not exist).
fn numstat(repo: &Repository, old: Side, new: Side) -> Result<(u64, u64, bool), git2::Error> {
    if old.map(|o| o.0) == new.map(|n| n.0) {
        return Ok((0, 0, false));
    }
    let gitlink = |side: Side| side.is_some_and(|(_, mode)| mode == i32::from(FileMode::Commit));
    if gitlink(old) || gitlink(new) {
        // The diff of a submodule is one `Subproject commit <id>` line a side.
        return Ok((u64::from(gitlink(new)), u64::from(gitlink(old)), false));
    }
    let load = |side: Side| -> Result<Option<git2::Blob<'_>>, git2::Error> {
        match side {
            Some((id, _)) if !id.is_zero() => repo.find_blob(id).map(Some),
            _ => Ok(None),
        }
    };
    let (old_blob, new_blob) = (load(old)?, load(new)?);
    let old_text = old_blob.as_ref().map_or(&[][..], |b| b.content());
    let new_text = new_blob.as_ref().map_or(&[][..], |b| b.content());
    if is_binary(old_text) || is_binary(new_text) {
        return Ok((0, 0, true));
    }
    if old_blob.is_none() || new_blob.is_none() {
        // An added or deleted file: every line counts, no diff needed.
        return Ok((count_lines(new_text), count_lines(old_text), false));
    }
    let whole = || {
        // xdiff on the bytes, without libgit2's patch machinery (see xdiff.rs).
        if let Some(counts) = crate::xdiff::counts(old_text, new_text) {
            return Ok(counts);
        }
        // Too large for xdiff, or it failed: libgit2's patch says why.
        let mut opts = DiffOptions::new();
        opts.force_text(true).context_lines(0);
        let none = Some(std::path::Path::new(""));
        let patch = match (old_blob.as_ref(), new_blob.as_ref()) {
            (Some(o), Some(n)) => Patch::from_blobs(o, none, n, none, Some(&mut opts))?,
            _ => Patch::from_buffers(old_text, none, new_text, none, Some(&mut opts))?,
        };
        let (_, added, removed) = patch.line_stats()?;
        Ok((added as u64, removed as u64))
    };
    let (added, removed) = line_counts(old_text, new_text, whole)?;
    Ok((added, removed, false))
}

/// One side of a changed file: its object id and mode.
type Side = Option<(Oid, i32)>;

/// A tree entry, with the key git sorts it by.
struct Entry {
    key: Vec<u8>,
    id: Oid,
    mode: i32,
    tree: bool,
}

/// A changed file: found by [`GitCounter::walk`] or by libgit2's rename detection.
struct Change {
    status: FileStatus,
    path: String,
    /// Path before a rename or copy.
    old_path: Option<String>,
    old: Side,
    new: Side,
}

fn path_of(f: &git2::DiffFile<'_>) -> Option<String> {
    f.path_bytes().map(|p| String::from_utf8_lossy(p).into_owned())
}

impl Counter for GitCounter {
    fn count(&mut self, commit: &Commit, job: Box<dyn Any + Send>) -> Result<Vec<FileChange>, SourceError> {
        let revision = Some(commit.id.clone());
        let shown = self.shown.clone();
        let fail = |what: String, e: git2::Error| invalid(&shown, revision.clone(), format!("{what}: {}", e.message()));
        let job = job
            .downcast::<GitJob>()
            .map_err(|_| invalid(&self.shown, revision.clone(), "internal: not a Git job".into()))?;
        let base = match job.base {
            Base::Skip => return Ok(Vec::new()),
            Base::Root => None,
            Base::Parent(_, Some(tree)) => Some(tree),
            Base::Parent(p, None) => {
                Some(self.tree_of(p).map_err(|e| fail(format!("cannot read parent {p}"), e))?.id())
            }
        };
        let tree = job.tree;
        let deltas = if self.renames {
            self.renamed_deltas(base, tree, &fail)?
        } else {
            let mut changes = Vec::new();
            self.walk(base, Some(tree), &mut Vec::new(), &mut changes)
                .map_err(|e| fail("cannot compare trees".into(), e))?;
            changes
        };
        let mut files = Vec::with_capacity(deltas.len());
        for c in deltas {
            let (added, removed, binary) =
                self.numstat(c.old, c.new).map_err(|e| fail(format!("cannot diff {}", c.path), e))?;
            files.push(FileChange {
                path: c.path,
                old_path: c.old_path,
                added,
                removed,
                binary,
                status: c.status,
                old_revision: None,
                revision: None,
            });
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{libgit2_counts as whole, seeded};

    #[test]
    fn trimming_shared_lines_changes_no_count() {
        let cases: [(&[u8], &[u8]); 8] = [
            (b"a\nb\n", b"a\nx\nb\n"),
            (b"a\nb\n", b"a\nb\nc\n"),
            (b"a\nb", b"a\nb\n"),
            (b"x\n", b"a\nx\n"),
            (b"abc", b"xxabc"),
            (b"a\nb\nc\n", b"c\n"),
            (b"same\nend", b"same\nEnd"),
            (b"", b"a\n"),
        ];
        for (old, new) in cases {
            assert_eq!(line_counts(old, new, || Ok(whole(old, new))).unwrap(), whole(old, new), "{old:?} -> {new:?}");
        }
        // Random texts over a few lines, with and without final newlines.
        let mut next = seeded(0x2545_f491);
        for _ in 0..3000 {
            let mut text = |max: u64| {
                let mut t = Vec::new();
                for _ in 0..next(max) {
                    t.extend_from_slice([&b"a"[..], b"b", b"c", b""][next(4) as usize]);
                    if next(8) != 0 {
                        t.push(b'\n');
                    }
                }
                t
            };
            let (old, new) = (text(7), text(7));
            // The shortcut for pure additions and removals, and the whole diff.
            let ours = line_counts(&old, &new, || Ok(whole(&old, &new))).unwrap();
            assert_eq!(ours, whole(&old, &new), "{old:?} -> {new:?}");
        }
    }

    /// Why a middle with changes is never diffed alone: xdiff sets aside lines
    /// that are common in the whole file (by a limit that grows with its length),
    /// so the same middle can count differently on its own. Here 10 `}` lines
    /// match in the whole files (git counts 50 and 50) but are set aside in the
    /// middles alone (59 and 59).
    #[test]
    fn a_middle_diffed_alone_can_count_differently_from_git() {
        let (mut old, mut new) = (String::new(), String::new());
        for i in 0..500 {
            old += &format!("p{i}\n");
            new += &format!("p{i}\n");
        }
        for i in 0..10 {
            old += &format!("a{i}\na{i}x\na{i}y\na{i}z\na{i}w\n}}\n");
            new += &format!("b{i}\nb{i}x\nb{i}y\nb{i}z\nb{i}w\n}}\n");
        }
        for i in 0..500 {
            old += &format!("s{i}\n");
            new += &format!("s{i}\n");
        }
        let (old, new) = (old.as_bytes(), new.as_bytes());
        assert_eq!(whole(old, new), (50, 50));
        let (old_mid, new_mid) = trim_common_lines(old, new);
        assert_eq!(whole(old_mid, new_mid), (59, 59));
        assert_eq!(line_counts(old, new, || Ok(whole(old, new))).unwrap(), (50, 50));
        assert_eq!(crate::xdiff::counts(old, new), Some((50, 50)));
    }

    #[test]
    fn shared_starts_and_ends_equal_a_byte_by_byte_count() {
        let mut next = seeded(0x5151_2024);
        for _ in 0..2000 {
            let common: Vec<u8> = (0..next(200)).map(|_| b"ab\n"[next(3) as usize]).collect();
            let mut a = common.clone();
            let mut b = common.clone();
            a.extend((0..next(100)).map(|_| b"abc\n"[next(4) as usize]));
            b.extend((0..next(100)).map(|_| b"abc\n"[next(4) as usize]));
            let tail: Vec<u8> = (0..next(200)).map(|_| b"ab\n"[next(3) as usize]).collect();
            a.extend_from_slice(&tail);
            b.extend_from_slice(&tail);
            let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
            assert_eq!(common_prefix(&a, &b), prefix, "{a:?} {b:?}");
            assert_eq!(common_suffix(&a, &b), suffix, "{a:?} {b:?}");
        }
    }
}
