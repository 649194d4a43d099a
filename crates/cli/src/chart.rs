//! `vcscope chart` and `vcscope render`: the config file (`vcscope.toml`), merging it
//! with the command line into `ChartOptions`, and writing the SVG/PNG files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use vcscope_core::Commit;
use vcscope_render::{Chart, ChartOptions, Milestone, OutlierPolicy, People, Rgba, SizeScale, Theme};

use crate::args::{ChartArgs, OutliersArg, SizeScaleArg, ThemeArg};
use crate::output;

/// The config file: `vcscope.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    chart: ChartSection,
    /// Person = [names, logins or emails that are this person].
    #[serde(default)]
    authors: BTreeMap<String, Vec<String>>,
    /// Person = "#rrggbb".
    #[serde(default)]
    colors: BTreeMap<String, String>,
    #[serde(default, rename = "milestone")]
    milestones: Vec<MilestoneEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartSection {
    title: Option<String>,
    size: Option<String>,
    scale: Option<f32>,
    theme: Option<ThemeArg>,
    size_scale: Option<SizeScaleArg>,
    outliers: Option<OutliersArg>,
    since: Option<String>,
    until: Option<String>,
    max_people: Option<usize>,
    milestones_from_tags: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestoneEntry {
    date: String,
    label: String,
}

/// Finds and reads the config file: `--config`, else `./vcscope.toml`, else
/// `vcscope.toml` in the first input folder. Returns it and where it came from.
pub fn load_config(args: &ChartArgs, first_input: Option<&Path>) -> Result<(ConfigFile, Option<PathBuf>)> {
    if args.no_config {
        return Ok((ConfigFile::default(), None));
    }
    let candidates: Vec<PathBuf> = match &args.config {
        Some(path) => vec![path.clone()],
        None => {
            let mut c = vec![PathBuf::from("vcscope.toml")];
            if let Some(dir) = first_input.filter(|p| p.is_dir()) {
                c.push(dir.join("vcscope.toml"));
            }
            c
        }
    };
    for path in candidates {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.config.is_none() => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read the config file {}", path.display())),
        };
        let config: ConfigFile =
            toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        return Ok((config, Some(path)));
    }
    Ok((ConfigFile::default(), None))
}

/// A date (`2009-03-15`, as midnight UTC, or the end of that day for `end_of_day`)
/// or an RFC 3339 time.
pub fn parse_date(text: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| anyhow!("`{text}` is not a date; write 2009-03-15 or 2009-03-15T12:00:00Z"))?;
    let time = if end_of_day { day.and_hms_opt(23, 59, 59) } else { day.and_hms_opt(0, 0, 0) };
    time.map(|t| t.and_utc()).ok_or_else(|| anyhow!("`{text}` is out of range"))
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let bad = || anyhow!("size `{text}` should be WIDTHxHEIGHT, like 1200x680");
    let (w, h) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    Ok((w.trim().parse().map_err(|_| bad())?, h.trim().parse().map_err(|_| bad())?))
}

/// Merges the config file and the command line (which wins) into chart options.
/// `commits` are needed for `--milestones-from-tags`.
pub fn options(args: &ChartArgs, file: ConfigFile, default_title: &str, commits: &[Commit]) -> Result<ChartOptions> {
    let c = file.chart;
    let mut o = ChartOptions {
        title: args.title.clone().or(c.title).unwrap_or_else(|| default_title.to_owned()),
        ..ChartOptions::default()
    };
    if let Some(size) = args.size.as_deref().or(c.size.as_deref()) {
        (o.width, o.height) = parse_size(size)?;
    }
    if let Some(scale) = args.scale.or(c.scale) {
        o.scale = scale;
    }
    o.theme = match args.theme.or(c.theme) {
        Some(ThemeArg::Dark) => Theme::Dark,
        _ => Theme::Light,
    };
    o.size_scale = match args.size_scale.or(c.size_scale) {
        Some(SizeScaleArg::Log) => SizeScale::Log,
        _ => SizeScale::Area,
    };
    o.outliers = match args.outliers.or(c.outliers) {
        Some(OutliersArg::Keep) => OutlierPolicy::Keep,
        Some(OutliersArg::Drop) => OutlierPolicy::Drop,
        _ => OutlierPolicy::Cap,
    };
    if let Some(n) = args.max_people.or(c.max_people) {
        if n == 0 {
            bail!("--max-people must be at least 1");
        }
        o.max_people = n;
    }
    o.since = args.since.as_deref().or(c.since.as_deref()).map(|t| parse_date(t, false)).transpose()?;
    o.until = args.until.as_deref().or(c.until.as_deref()).map(|t| parse_date(t, true)).transpose()?;
    let mut people = People::default();
    for (person, keys) in &file.authors {
        for key in keys {
            people.alias(key, person);
        }
        people.alias(person, person);
    }
    for (person, color) in &file.colors {
        let rgb = Rgba::parse(color).ok_or_else(|| anyhow!("colour `{color}` for {person} is not #rrggbb"))?;
        people.color(person, rgb);
    }
    o.people = people;
    for m in &file.milestones {
        o.milestones.push(Milestone { time: parse_date(&m.date, false)?, label: m.label.clone() });
    }
    for m in &args.milestone {
        let (date, label) = m
            .split_once('=')
            .ok_or_else(|| anyhow!("--milestone `{m}` should be DATE=LABEL, like 2009-03-15=\"Paper submitted\""))?;
        o.milestones.push(Milestone { time: parse_date(date, false)?, label: label.trim().to_owned() });
    }
    if let Some(pattern) = args.milestones_from_tags.as_deref().or(c.milestones_from_tags.as_deref()) {
        let glob = glob::Pattern::new(pattern).with_context(|| format!("bad tag pattern `{pattern}`"))?;
        for commit in commits {
            for tag in commit.tags.iter().filter(|t| glob.matches(t)) {
                o.milestones.push(Milestone { time: commit.time, label: tag.clone() });
            }
        }
    }
    o.milestones.sort_by(|a, b| (a.time, &a.label).cmp(&(b.time, &b.label)));
    Ok(o)
}

/// Where the chart goes: the `-o` files, or NAME.svg and NAME.png.
pub fn outputs(args: &ChartArgs, name: &str) -> Result<Vec<(PathBuf, bool)>> {
    let paths = if args.output.is_empty() {
        vec![PathBuf::from(format!("{name}.svg")), PathBuf::from(format!("{name}.png"))]
    } else {
        args.output.clone()
    };
    paths
        .into_iter()
        .map(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            match ext.as_deref() {
                Some("svg") => Ok((p, false)),
                Some("png") => Ok((p, true)),
                _ => bail!("cannot tell the format of {}: name it .svg or .png", p.display()),
            }
        })
        .collect()
}

/// A file name for the input: the folder or file name, without extension.
pub fn name_of(path: &Path) -> String {
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let stem = if full.is_dir() { full.file_name() } else { full.file_stem() };
    stem.map(|s| s.to_string_lossy().into_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| "chart".to_owned())
}

/// Draws `commits` and writes every output; reports outliers on stderr.
pub fn draw(commits: &[Commit], options: ChartOptions, outputs: &[(PathBuf, bool)], quiet: bool) -> Result<()> {
    let chart = Chart::new(commits, options)?;
    if chart.summary().commits == 0 {
        eprintln!("vcscope: warning: no commits to draw; the chart says so");
    }
    if !quiet {
        for o in chart.outliers() {
            eprintln!("vcscope: outlier: {o}");
        }
    }
    for (path, png) in outputs {
        if *png {
            let bytes = chart.png()?;
            output::write_atomically(Some(path), |w| w.write_all(&bytes).context("cannot write the PNG"))?;
        } else {
            let svg = chart.svg();
            output::write_atomically(Some(path), |w| w.write_all(svg.as_bytes()).context("cannot write the SVG"))?;
        }
        if !quiet {
            eprintln!("vcscope: wrote {}", path.display());
        }
    }
    Ok(())
}
