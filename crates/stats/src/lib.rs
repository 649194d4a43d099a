//! vcscope-stats: the parallel stage. Takes the changesets a source listed, counts
//! their lines on a rayon pool (diff text with `vcscope-diffstat`, backend work with
//! each worker's own [`Counter`]), and returns commits in a deterministic order:
//! by time, then id, then listing order, whatever the number of threads.
//!
//! This is the only crate that knows rayon.

use std::sync::Arc;

use rayon::prelude::*;
use vcscope_core::{
    Changeset, Commit, Counter, CounterFactory, FileChange, FileStatus, Job, Origin, Problem, Severity,
};
use vcscope_diffstat::{diffstat_with, Options, Status};

/// How to run the stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsOptions {
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Path components stripped from diff names (`-p`), for [`Job::Diff`].
    pub strip: Option<usize>,
}

/// What the stage produced.
#[derive(Debug, Default)]
pub struct Counted {
    /// Counted commits, sorted by (time, id, listing order).
    pub commits: Vec<Commit>,
    /// Problems met while counting, in the same order as the commits they concern.
    pub problems: Vec<Problem>,
}

/// An error that stops the stage as a whole.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The thread pool could not be built.
    #[error("cannot start {jobs} worker threads")]
    Pool {
        /// Threads asked for.
        jobs: usize,
        /// Cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// Reading the input failed.
    #[error("cannot read the diff")]
    Read(#[source] std::io::Error),
}

fn convert(status: Status) -> FileStatus {
    match status {
        Status::Added => FileStatus::Added,
        Status::Modified => FileStatus::Modified,
        Status::Deleted => FileStatus::Deleted,
        Status::Renamed => FileStatus::Renamed,
        Status::Copied => FileStatus::Copied,
    }
}

/// Counts one diff text; warnings are placed at their line in the origin's file.
pub fn count_diff(text: &[u8], origin: &Origin, options: &Options) -> (Vec<FileChange>, Vec<Problem>) {
    let stat = diffstat_with(text, options);
    let problems = stat
        .warnings
        .into_iter()
        .map(|w| {
            let (line, message) = match origin.line {
                Some(base) => (Some(base + w.line - 1), w.message),
                None => (origin.line, format!("line {} of the decoded text: {}", w.line, w.message)),
            };
            Problem { severity: Severity::Warning, origin: Origin { line, ..origin.clone() }, message }
        })
        .collect();
    let files = stat
        .files
        .into_iter()
        .map(|f| FileChange {
            path: f.path,
            old_path: f.old_path,
            added: f.added,
            removed: f.removed,
            binary: f.binary,
            status: convert(f.status),
            old_revision: None,
            revision: None,
        })
        .collect();
    (files, problems)
}

/// Reads a JSON Lines commit stream, parsing its lines in parallel; the result and
/// the error (the first bad line in file order) are those of
/// `vcscope_core::stream::read_jsonl`.
pub fn read_jsonl_parallel<R: std::io::Read>(mut input: R) -> Result<Vec<Commit>, vcscope_core::stream::StreamError> {
    let mut text = String::new();
    input.read_to_string(&mut text)?;
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let parsed: Vec<_> =
        lines.par_iter().with_min_len(1024).map(|(n, l)| vcscope_core::stream::parse_jsonl_line(l, *n)).collect();
    // The first bad line in file order, whatever the thread count.
    parsed.into_iter().filter_map(Result::transpose).collect()
}

/// Counts one long diff text (a `git log -p` dump, a big patch) read from `reader`,
/// cutting it into segments ([`vcscope_diffstat::Segments`]) that are counted in
/// parallel and joined in order: the result equals counting the text in one pass.
pub fn diffstat_parallel<R: std::io::Read + Send>(
    reader: R,
    options: &Options,
    jobs: usize,
) -> Result<vcscope_diffstat::DiffStat, StatsError> {
    if jobs == 1 {
        return vcscope_diffstat::diffstat_read(reader, options).map_err(StatsError::Read);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|source| StatsError::Pool { jobs, source })?;
    // Batches of a few segments per thread: while one batch is counted, the next
    // one is read, so no worker waits for the disk and memory stays small.
    let batch_size = 4 * pool.current_num_threads().max(1);
    let mut segments = vcscope_diffstat::Segments::new(reader);
    let read_batch =
        |segments: &mut vcscope_diffstat::Segments<R>| -> Result<Vec<vcscope_diffstat::Segment>, StatsError> {
            segments.by_ref().take(batch_size).collect::<Result<_, _>>().map_err(StatsError::Read)
        };
    pool.install(|| {
        let mut out = vcscope_diffstat::DiffStat::default();
        let mut line_base = 0;
        let mut batch = read_batch(&mut segments)?;
        while !batch.is_empty() {
            let (next, counted) = rayon::join(
                || read_batch(&mut segments),
                || batch.par_iter().map(|seg| vcscope_diffstat::count_segment(&seg.text, options)).collect::<Vec<_>>(),
            );
            for (part, lines) in counted {
                out.append(part, line_base);
                line_base += lines;
            }
            for seg in batch {
                segments.recycle(seg.text);
            }
            batch = next?;
        }
        Ok(out)
    })
}

/// Counts a regular file of `len` bytes with positional reads: the file is cut into
/// pieces ([`vcscope_diffstat::read_piece`]) that each worker finds, reads and counts
/// on its own, so reading is as parallel as counting. The result equals counting
/// the text in one pass.
pub fn diffstat_pieces<S: vcscope_diffstat::ReadAt + Sync + ?Sized>(
    source: &S,
    len: u64,
    options: &Options,
    jobs: usize,
) -> Result<vcscope_diffstat::DiffStat, StatsError> {
    /// Pieces of 1 MiB: small enough to spread over the workers and stay in cache.
    const PIECE: u64 = 1 << 20;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|source| StatsError::Pool { jobs, source })?;
    // One buffer per thread, reused for every piece it reads (fresh buffers per
    // piece cost page faults), and pieces handed out in file order.
    let pieces = vcscope_diffstat::piece_count(len, PIECE);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let per_thread: Vec<Vec<(usize, PieceResult)>> = pool.broadcast(|_| {
        let mut buf = Vec::new();
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if k >= pieces {
                break done;
            }
            let counted = vcscope_diffstat::read_piece(source, len, PIECE, k, &mut buf)
                .map(|range| vcscope_diffstat::count_segment(buf.get(range).unwrap_or(&[]), options));
            done.push((k, counted));
        }
    });
    let mut counted: Vec<(usize, PieceResult)> = per_thread.into_iter().flatten().collect();
    counted.sort_by_key(|(k, _)| *k);
    let mut out = vcscope_diffstat::DiffStat::default();
    // Room for every file at once: growing the joined list piece by piece moved
    // megabytes again and again.
    let files = counted.iter().map(|(_, c)| c.as_ref().map_or(0, |(stat, _)| stat.files.len())).sum();
    out.files.reserve_exact(files);
    let mut line_base = 0;
    for (_, piece) in counted {
        let (part, lines) = piece.map_err(StatsError::Read)?;
        out.append(part, line_base);
        line_base += lines;
    }
    Ok(out)
}

/// One piece's counts and lines, or the read error that stopped it.
type PieceResult = std::io::Result<(vcscope_diffstat::DiffStat, usize)>;

struct Worker {
    counter: Option<Result<Box<dyn Counter>, String>>,
}

/// Counts every changeset in parallel. `progress` is called once per changeset done.
pub fn count(
    changesets: Vec<Changeset>,
    factory: Option<Arc<dyn CounterFactory>>,
    options: StatsOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Counted, StatsError> {
    let (counted, ()) = count_while_listing(|sink| changesets.into_iter().for_each(sink), factory, options, progress)?;
    Ok(counted)
}

/// The most consecutive changesets a worker takes in one run.
const MAX_RUN: usize = 1024;

/// Counts changesets while `list` is still listing them: `list` runs on the calling
/// thread and hands each changeset to its sink, in listing order; the workers count
/// them meanwhile. Returns what `list` returned with the counted commits, sorted as
/// [`count`] sorts them (by time, id, listing order), so the result is the same
/// whatever the thread count and however listing and counting interleave.
///
/// Each worker counts runs of consecutive changesets: a backend's per-worker caches
/// (a Git worker's trees and delta bases) serve neighbouring commits. Runs start
/// short, so a small history still spreads over every worker, and double up to
/// [`MAX_RUN`].
pub fn count_while_listing<R>(
    list: impl FnOnce(&mut dyn FnMut(Changeset)) -> R,
    factory: Option<Arc<dyn CounterFactory>>,
    options: StatsOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Counted, R), StatsError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|source| StatsError::Pool { jobs: options.jobs, source })?;
    let diff_options = Options { strip: options.strip.unwrap_or(Options::default().strip) };
    let (runs, queue) = std::sync::mpsc::channel::<Vec<(usize, Changeset)>>();
    let count_runs = || -> Vec<(usize, Option<Commit>, Vec<Problem>)> {
        pool.install(|| {
            queue
                .into_iter()
                .par_bridge()
                .map_init(
                    || Worker { counter: None },
                    |worker, run| {
                        run.into_iter()
                            .map(|(seq, cs)| {
                                let r = count_one(worker, factory.as_deref(), cs, &diff_options);
                                progress();
                                (seq, r.0, r.1)
                            })
                            .collect::<Vec<_>>()
                    },
                )
                .flatten_iter()
                .collect()
        })
    };
    let (results, listed) = std::thread::scope(|scope| {
        let counting = scope.spawn(count_runs);
        let mut run = Vec::new();
        let mut run_len = 16;
        let mut seq = 0;
        let listed = list(&mut |cs| {
            run.push((seq, cs));
            seq += 1;
            if run.len() >= run_len {
                // A send fails only when the workers are gone; the join reports it.
                let _ = runs.send(std::mem::take(&mut run));
                run_len = (run_len * 2).min(MAX_RUN);
            }
        });
        if !run.is_empty() {
            let _ = runs.send(run);
        }
        drop(runs);
        // A worker that panicked takes the process down with it (panics are bugs).
        let results = counting.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (results, listed)
    });
    Ok((finish(results), listed))
}

fn finish(results: Vec<(usize, Option<Commit>, Vec<Problem>)>) -> Counted {
    let mut rows: Vec<(usize, Commit, Vec<Problem>)> = Vec::with_capacity(results.len());
    let mut orphan_problems = Vec::new();
    for (seq, commit, problems) in results {
        match commit {
            Some(c) => rows.push((seq, c, problems)),
            None => orphan_problems.push((seq, problems)),
        }
    }
    rows.sort_by(|a, b| (a.1.time, &a.1.id, a.0).cmp(&(b.1.time, &b.1.id, b.0)));
    orphan_problems.sort_by_key(|(seq, _)| *seq);
    let mut out = Counted::default();
    for (_, commit, problems) in rows {
        out.commits.push(commit);
        out.problems.extend(problems);
    }
    for (_, problems) in orphan_problems {
        out.problems.extend(problems);
    }
    out
}

fn count_one(
    worker: &mut Worker,
    factory: Option<&dyn CounterFactory>,
    cs: Changeset,
    diff_options: &Options,
) -> (Option<Commit>, Vec<Problem>) {
    let Changeset { mut commit, job, origin } = cs;
    let error = |message: String| Problem { severity: Severity::Error, origin: origin.clone(), message };
    match job {
        Job::Counted(files) => {
            commit.set_files(files);
            (Some(commit), Vec::new())
        }
        Job::Diff(text) => {
            let (files, problems) = count_diff(&text, &origin, diff_options);
            commit.set_files(files);
            (Some(commit), problems)
        }
        Job::Deferred(work) => {
            let Some(factory) = factory else {
                return (None, vec![error("the backend left work to count but gave no way to count it".into())]);
            };
            let counter = worker.counter.get_or_insert_with(|| factory.counter().map_err(|e| e.to_string()));
            match counter {
                Ok(counter) => {
                    let counted = counter.count(&commit, work);
                    let mut problems = counter.take_problems();
                    match counted {
                        Ok(files) => {
                            commit.set_files(files);
                            (Some(commit), problems)
                        }
                        Err(e) => {
                            problems.push(error(format!("commit {}: {e}", commit.id)));
                            (None, problems)
                        }
                    }
                }
                Err(e) => (None, vec![error(e.clone())]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_stream_reading_equals_sequential_and_reports_the_first_bad_line() {
        let line = |i: usize| {
            format!(
                "{{\"id\":\"c{i}\",\"time\":\"2009-01-01T00:00:{:02}Z\",\"author\":{{\"name\":\"A\"}},\"message\":\"m\",\"added\":{i},\"removed\":0}}\n",
                i % 60
            )
        };
        let mut text: String = (0..5000).map(line).collect();
        text.push('\n'); // a blank line is skipped
        let sequential = vcscope_core::stream::read_jsonl(text.as_bytes()).unwrap();
        let parallel = read_jsonl_parallel(text.as_bytes()).unwrap();
        assert_eq!(parallel.len(), 5000);
        assert_eq!(parallel, sequential);
        let mut lines: Vec<String> = (0..5000).map(line).collect();
        lines[2] = "not json\n".into();
        lines[4000] = "{}\n".into();
        let err = read_jsonl_parallel(lines.concat().as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("line 3:"), "{err}");
    }
    use chrono::TimeZone;
    use vcscope_core::{Author, SourceError};

    fn changeset(id: &str, secs: i64, job: Job) -> Changeset {
        Changeset {
            commit: Commit::new(id, chrono::Utc.timestamp_opt(secs, 0).unwrap(), Author::named("a"), "test"),
            job,
            origin: Origin { file: "f".into(), line: Some(10), revision: None },
        }
    }

    struct Doubler;
    impl Counter for Doubler {
        fn count(&mut self, _: &Commit, job: Box<dyn std::any::Any + Send>) -> Result<Vec<FileChange>, SourceError> {
            let n = *job
                .downcast::<u64>()
                .map_err(|_| SourceError::Program { program: "t".into(), message: "bad job".into() })?;
            Ok(vec![FileChange {
                path: "x".into(),
                old_path: None,
                added: 2 * n,
                removed: n,
                binary: false,
                status: FileStatus::Modified,
                old_revision: None,
                revision: None,
            }])
        }
    }
    struct Factory;
    impl CounterFactory for Factory {
        fn counter(&self) -> Result<Box<dyn Counter>, SourceError> {
            Ok(Box::new(Doubler))
        }
    }

    fn many() -> Vec<Changeset> {
        (0..300)
            .map(|i| {
                let job = match i % 3 {
                    0 => Job::Diff(format!("--- a/f{i}\n+++ b/f{i}\n@@ -1 +1,2 @@\n-x\n+y\n+z\n").into_bytes()),
                    1 => Job::Deferred(Box::new(i as u64)),
                    _ => Job::Counted(vec![]),
                };
                // Many equal times so the id and listing order decide.
                changeset(&format!("{:03}", 300 - i), i64::from(i % 7), job)
            })
            .collect()
    }

    #[test]
    fn order_and_numbers_do_not_depend_on_threads() {
        let one = count(many(), Some(Arc::new(Factory)), StatsOptions { jobs: 1, strip: None }, &|| {}).unwrap();
        let four = count(many(), Some(Arc::new(Factory)), StatsOptions { jobs: 4, strip: None }, &|| {}).unwrap();
        assert_eq!(one.commits, four.commits);
        assert_eq!(one.commits.len(), 300);
        assert!(one.commits.windows(2).all(|w| (w[0].time, &w[0].id) <= (w[1].time, &w[1].id)));
        let diffed = one.commits.iter().find(|c| c.id == "300").unwrap();
        assert_eq!((diffed.added, diffed.removed, diffed.files[0].path.as_str()), (2, 1, "f0"));
        let deferred = one.commits.iter().find(|c| c.id == "299").unwrap();
        assert_eq!((deferred.added, deferred.removed), (2, 1));
    }

    #[test]
    fn parallel_segments_equal_one_pass() {
        // Several megabytes of `git log -p`-shaped text with a damaged hunk in it.
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!("commit {i:07x}\n\n    msg\n\ndiff --git a/f{i} b/f{i}\n--- a/f{i}\n+++ b/f{i}\n"));
            if i == 20_000 {
                text.push_str("@@ -1,3 +1,3 @@\n-a\n");
            } else {
                text.push_str("@@ -1,2 +1,3 @@\n-a\n+b\n+c\n d\n");
            }
        }
        let whole = vcscope_diffstat::diffstat(text.as_bytes());
        for jobs in [1, 2, 3] {
            let parallel = diffstat_parallel(text.as_bytes(), &Options::default(), jobs).unwrap();
            assert_eq!(parallel, whole, "jobs {jobs}");
        }
        assert_eq!(whole.files.len(), 40_000);
        assert_eq!(whole.warnings.len(), 1);
    }

    #[test]
    fn warnings_land_on_file_lines_and_failures_drop_only_their_commit() {
        let jobs = vec![
            changeset("a", 1, Job::Diff(b"--- a/x\n+++ b/x\n@@ -1,3 +1 @@\n-x\n".to_vec())),
            changeset("b", 2, Job::Deferred(Box::new("not a number"))),
            changeset("c", 3, Job::Deferred(Box::new(1u64))),
        ];
        let out = count(jobs, Some(Arc::new(Factory)), StatsOptions::default(), &|| {}).unwrap();
        assert_eq!(out.commits.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(out.problems.len(), 2);
        // The hunk header is line 3 of the text, which starts at line 10 of the file.
        assert_eq!((out.problems[0].severity, out.problems[0].origin.line), (Severity::Warning, Some(12)));
        assert_eq!(out.problems[1].severity, Severity::Error);
        assert!(out.problems[1].message.contains("commit b"), "{}", out.problems[1]);
    }
}
