//! The `vcscope` binary: parses the command line, runs one command, prints problems
//! and sets the exit code (0 success, 1 error, 2 bad usage). The only crate that
//! knows clap, anyhow, toml and indicatif.

mod args;
mod chart;
mod config;
mod output;
mod sources;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use vcscope_core::stream;
use vcscope_core::{Listed, Problem, Severity};

use crate::args::{Args, ChartCmdArgs, Command, FormatArg, IngestArgs, RenderArgs, StatArgs};
use crate::config::IngestConfig;

/// mimalloc for Rust and, through its `override` feature, for libgit2's C
/// allocations too: glibc's malloc was 15% of the Git backend's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Ingest(a) => ingest(a),
        Command::Chart(a) => chart_command(a),
        Command::Render(a) => render_command(a),
        Command::Stat(a) => stat(&a),
        Command::Backends => backends(),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`vcscope ingest ... | head`) is the reader's choice, not an error.
        Err(e) if e.chain().any(is_broken_pipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vcscope: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Reads the history `config` names, counting lines in parallel; returns the
/// commits and how many inputs could not be read (after printing the problems).
fn read_history(config: &IngestConfig) -> Result<(Vec<vcscope_core::Commit>, usize)> {
    let mut source = sources::open_source(config)?;
    // Listing can take a while (cvsps on a large module), and counting starts while
    // it goes on: one line tells both, its total growing as changesets are listed.
    let bar = if config.progress {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos}/{len} changesets counted [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(format!("reading the history ({} backend) and counting lines", source.name()));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let options = vcscope_stats::StatsOptions { jobs: config.jobs, strip: Some(config.strip) };
    let factory = source.counter_factory();
    let mut problems = Vec::new();
    let (counted, listed) = vcscope_stats::count_while_listing(
        |sink| {
            source.list(&mut |item| match item {
                Listed::Changeset(cs) => {
                    bar.inc_length(1);
                    sink(cs);
                }
                Listed::Problem(p) => problems.push(p),
            })
        },
        factory,
        options,
        &|| bar.inc(1),
    )?;
    bar.finish_and_clear();
    listed.with_context(|| format!("the {} backend stopped", source.name()))?;
    problems.extend(counted.problems);
    let failed = report(&problems, config.warnings_shown);
    Ok((counted.commits, failed))
}

fn failed_inputs(failed: usize, commits: usize, what: &str) -> ExitCode {
    if failed > 0 {
        eprintln!("vcscope: {failed} input(s) could not be read; the {commits} commit(s) that could were {what}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn ingest(args: IngestArgs) -> Result<ExitCode> {
    let config = IngestConfig::from_args(args.source)?;
    let output = args.output.filter(|o| o.as_os_str() != "-");
    let (commits, failed) = read_history(&config)?;
    output::write_atomically(output.as_deref(), |out| {
        match args.format {
            FormatArg::Jsonl => stream::write_jsonl(out, &commits),
            FormatArg::Csv => stream::write_csv(out, &commits),
            FormatArg::CsvFiles => stream::write_csv_files(out, &commits),
        }
        .context("cannot write the commit stream")
    })?;
    Ok(failed_inputs(failed, commits.len(), "written"))
}

fn chart_command(args: ChartCmdArgs) -> Result<ExitCode> {
    let first = args.source.paths.first().cloned();
    let (file, _) = chart::load_config(&args.chart, first.as_deref())?;
    let name = first.as_deref().map(chart::name_of).unwrap_or_else(|| "chart".to_owned());
    let outputs = chart::outputs(&args.chart, &name)?;
    let quiet = args.source.quiet;
    let config = IngestConfig::from_args(args.source)?;
    let (commits, failed) = read_history(&config)?;
    let options = chart::options(&args.chart, file, &name, &commits)?;
    chart::draw(&commits, options, &outputs, quiet)?;
    Ok(failed_inputs(failed, commits.len(), "drawn"))
}

fn render_command(args: RenderArgs) -> Result<ExitCode> {
    let first = args.streams.first().filter(|p| p.as_os_str() != "-").cloned();
    let (file, _) = chart::load_config(&args.chart, None)?;
    let name = first.as_deref().map(chart::name_of).unwrap_or_else(|| "chart".to_owned());
    let outputs = chart::outputs(&args.chart, &name)?;
    let mut commits = Vec::new();
    for path in &args.streams {
        let read = if path.as_os_str() == "-" {
            vcscope_stats::read_jsonl_parallel(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            vcscope_stats::read_jsonl_parallel(file)
        };
        commits.extend(read.with_context(|| format!("cannot read the commit stream {}", path.display()))?);
    }
    let options = chart::options(&args.chart, file, &name, &commits)?;
    chart::draw(&commits, options, &outputs, args.quiet)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints problems to stderr (warnings up to `shown`); returns how many were errors.
fn report(problems: &[Problem], shown: Option<usize>) -> usize {
    let mut warnings = 0;
    let mut errors = 0;
    for p in problems {
        match p.severity {
            Severity::Error => {
                errors += 1;
                eprintln!("vcscope: {p}");
            }
            Severity::Warning => {
                warnings += 1;
                if shown.is_none_or(|n| warnings <= n) {
                    eprintln!("vcscope: {p}");
                }
            }
        }
    }
    if let Some(n) = shown {
        if n > 0 && warnings > n {
            eprintln!("vcscope: ... and {} more warnings (--verbose shows them all)", warnings - n);
        }
    }
    errors
}

fn stat(args: &StatArgs) -> Result<ExitCode> {
    let options = vcscope_diffstat::Options { strip: args.strip };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for file in &args.files {
        let counted = std::fs::File::open(file).map_err(vcscope_stats::StatsError::Read).and_then(|f| {
            let jobs = args.jobs.unwrap_or(0);
            match f.metadata() {
                // A regular file: every worker reads its own pieces.
                #[cfg(unix)]
                Ok(meta) if meta.is_file() && jobs != 1 => {
                    vcscope_stats::diffstat_pieces(&f, meta.len(), &options, jobs)
                }
                // A pipe or a terminal: one reader cuts the stream into segments.
                _ => vcscope_stats::diffstat_parallel(f, &options, jobs),
            }
        });
        let result = match counted {
            Ok(r) => r,
            Err(e) => {
                eprintln!("vcscope: error: cannot read {}: {:#}", file.display(), anyhow::Error::from(e));
                failed = true;
                continue;
            }
        };
        for w in &result.warnings {
            eprintln!("vcscope: warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        if args.total {
            writeln!(out, "{}\t{}\t{}\t{}", result.added(), result.removed(), result.files.len(), file.display())?;
            continue;
        }
        for f in &result.files {
            if f.binary {
                writeln!(out, "-\t-\t{}", f.path)?;
            } else {
                writeln!(out, "{}\t{}\t{}", f.added, f.removed, f.path)?;
            }
        }
    }
    out.flush()?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn backends() -> Result<ExitCode> {
    for (name, available, what) in sources::backends() {
        println!("{name:8} {:13} {what}", if available { "available" } else { "not available" });
    }
    Ok(ExitCode::SUCCESS)
}
