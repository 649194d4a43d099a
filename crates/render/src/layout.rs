//! Deciding and placing: which commits are drawn, who gets which colour, how big
//! each circle is, where the ticks, milestones and legends go. The result is a
//! [`Chart`], which lays itself out as a [`Scene`] for the SVG and PNG writers.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use vcscope_core::Commit;

use crate::outliers::{self, Reason};
use crate::palette::Colors;
use crate::scene::{Anchor, CircleMark, Item, Rgba, Scene};
use crate::text::Fonts;
use crate::ticks::{self, Tick};
use crate::{ChartOptions, OutlierPolicy, RenderError, SizeScale};

/// Totals of what is drawn (after `--since`/`--until`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub commits: usize,
    pub people: usize,
    pub added: u64,
    pub removed: u64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// A commit flagged as far above the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlier {
    pub id: String,
    pub person: String,
    pub time: DateTime<Utc>,
    pub added: u64,
    pub removed: u64,
    pub reason: Reason,
}

impl std::fmt::Display for Outlier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} +{} -{}: {}",
            short_id(&self.id),
            self.time.format("%Y-%m-%d"),
            self.person,
            self.added,
            self.removed,
            self.reason
        )
    }
}

/// One circle before layout into a scene. The commit and person are indexes into
/// `Chart::shown` and `Chart::names`; tooltips are made only for the SVG.
#[derive(Debug, Clone, Copy)]
struct Mark {
    x: f32,
    y: f32,
    lines: u64,
    color: Rgba,
    person: u32,
    commit: usize,
    capped: bool,
}

/// Dots of one person in one cell being merged: lines, commits, the largest dot
/// (where the merged one goes) and the first (kept as it is if it stays alone).
type Merging = (u64, usize, Dot, Dot);

/// The radius of a commit with no lines changed (a ring).
const RING: f32 = 2.5;

/// SVG thinning merges within cells of at most this many pixels: larger cells
/// would show their grid.
const MAX_CELL: f32 = 32.0;

/// A circle while an SVG is thinned: one commit (`mark`) or several merged.
#[derive(Debug, Clone, Copy)]
struct Dot {
    x: f32,
    y: f32,
    r: f32,
    lines: u64,
    count: usize,
    person: u32,
    mark: Option<usize>,
}

/// A legend line: a person (or "others") with their colour and lines changed.
#[derive(Debug, Clone)]
struct LegendEntry {
    label: String,
    color: Rgba,
    lines: u64,
    commits: usize,
}

/// A placed milestone label.
struct MilestoneLabel {
    text: String,
    left: f32,
    width: f32,
    anchor: Anchor,
    row: usize,
    /// Only the number fits; the name is listed in the side panel.
    abbreviated: bool,
}

/// The plot rectangle and the largest ordinary circle's radius.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
    r_max: f32,
}

/// A chart, decided and placed, ready to be written as SVG or PNG.
pub struct Chart<'a> {
    pub(crate) options: ChartOptions,
    /// The commits drawn (after `since`/`until`), and why some are outliers.
    shown: Vec<&'a Commit>,
    reasons: HashMap<usize, Reason>,
    /// Distinct people and their colours, by index.
    names: Vec<String>,
    person_colors: Vec<Rgba>,
    pub(crate) fonts: Fonts,
    colors: Colors,
    summary: Summary,
    outliers: Vec<Outlier>,
    marks: Vec<Mark>,
    legend: Vec<LegendEntry>,
    ticks: Vec<Tick>,
    milestones: Vec<(f32, String)>,
    frame: Frame,
    /// The padded time range the plot's width spans.
    range: (DateTime<Utc>, DateTime<Utc>),
    /// The lines changed that give a circle of radius `frame.r_max`.
    reference: u64,
}

/// The right-hand panel's width.
const PANEL: f32 = 250.0;

impl<'a> Chart<'a> {
    /// Decides everything about the picture of `commits`.
    pub fn new(commits: &'a [Commit], options: ChartOptions) -> Result<Chart<'a>, RenderError> {
        check_size(&options)?;
        let fonts = Fonts::load()?;
        let colors = options.theme.colors();
        let shown: Vec<&Commit> = commits
            .iter()
            .filter(|c| options.since.is_none_or(|s| c.time >= s) && options.until.is_none_or(|u| c.time <= u))
            .collect();
        // People: resolved once per distinct author, then referred to by index.
        let mut names: Vec<String> = Vec::new();
        let mut index_of_name: HashMap<String, u32> = HashMap::new();
        let mut index_of_author: HashMap<&vcscope_core::Author, u32> = HashMap::new();
        let person_index: Vec<u32> = shown
            .iter()
            .map(|c| {
                *index_of_author.entry(&c.author).or_insert_with(|| {
                    let name = options.people.person(&c.author);
                    *index_of_name.entry(name.clone()).or_insert_with(|| {
                        names.push(name);
                        (names.len() - 1) as u32
                    })
                })
            })
            .collect();
        let persons: Vec<&str> = person_index.iter().map(|&p| names[p as usize].as_str()).collect();
        let (legend, color_of) = people(&shown, &persons, &options, colors);
        let color_by_index: Vec<Rgba> =
            names.iter().map(|n| color_of.get(n).copied().unwrap_or(colors.others)).collect();
        let summary = Summary {
            commits: shown.len(),
            people: color_of.len(),
            added: shown.iter().map(|c| c.added).sum(),
            removed: shown.iter().map(|c| c.removed).sum(),
            first: shown.iter().map(|c| c.time).min(),
            last: shown.iter().map(|c| c.time).max(),
        };

        let flagged: HashMap<usize, Reason> = outliers::find(&shown).into_iter().collect();
        let mut outliers = flagged
            .iter()
            .map(|(&i, reason)| Outlier {
                id: shown[i].id.clone(),
                person: persons[i].to_owned(),
                time: shown[i].time,
                added: shown[i].added,
                removed: shown[i].removed,
                reason: reason.clone(),
            })
            .collect::<Vec<_>>();
        outliers.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));

        let lines = |c: &Commit| c.added + c.removed;
        let ordinary = shown
            .iter()
            .enumerate()
            .filter(|(i, _)| options.outliers == OutlierPolicy::Keep || !flagged.contains_key(i));
        let reference = ordinary.map(|(_, c)| lines(c)).max().unwrap_or(0).max(1);

        let (w, h) = (options.width as f32, options.height as f32);
        let panel = PANEL.min(w * 0.3);
        let (x0, x1, y0, y1) = (64.0, w - panel - 20.0, 76.0, h - 64.0);
        let r_max = ((x1 - x0).min(y1 - y0) / 14.0).max(2.0);
        // Crowded histories: shrink every circle by one factor (areas stay
        // proportional) so that together they cover at most 40% of the plot.
        let f = |v: u64| measure(options.size_scale, v);
        let drawn_area: f64 = shown
            .iter()
            .enumerate()
            .filter(|(i, _)| options.outliers != OutlierPolicy::Drop || !flagged.contains_key(i))
            .map(|(i, c)| {
                if flagged.contains_key(&i) && options.outliers == OutlierPolicy::Cap {
                    1.0
                } else {
                    f(lines(c)) / f(reference)
                }
            })
            .map(|share| std::f64::consts::PI * f64::from(r_max).powi(2) * share.min(1e6))
            .sum();
        let room = 0.4 * f64::from((x1 - x0) * (y1 - y0));
        let r_max = if drawn_area > room { r_max * (room / drawn_area).sqrt() as f32 } else { r_max };
        let frame = Frame { x0, x1, y0, y1, r_max };
        // The time range: commits and milestones, padded; one instant gets a day each side.
        let times = shown.iter().map(|c| c.time).chain(options.milestones.iter().map(|m| m.time));
        let (lo, hi) = match (times.clone().min(), times.max()) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => (DateTime::UNIX_EPOCH, DateTime::UNIX_EPOCH),
        };
        let span = (hi - lo).max(Duration::days(1));
        // Pad the range so the largest ordinary circle fits at either end.
        let pad = span * ((r_max + 6.0) / (x1 - x0 - 2.0 * (r_max + 6.0)).max(1.0) * 1000.0) as i32 / 1000;
        let (lo, hi) = if hi == lo { (lo - Duration::days(1), hi + Duration::days(1)) } else { (lo - pad, hi + pad) };

        let x_of = |t: DateTime<Utc>| x_at(&frame, (lo, hi), t);
        // Keep the largest ordinary circle inside the plot vertically.
        let band = r_max + 4.0;

        let mut marks = Vec::with_capacity(shown.len());
        for (i, c) in shown.iter().enumerate() {
            let reason = flagged.get(&i);
            if reason.is_some() && options.outliers == OutlierPolicy::Drop {
                continue;
            }
            let capped = reason.is_some() && options.outliers == OutlierPolicy::Cap;
            let person = person_index[i];
            marks.push(Mark {
                x: x_of(c.time),
                y: y0 + band + jitter(&c.id) * (y1 - y0 - 2.0 * band),
                lines: lines(c),
                color: color_by_index[person as usize],
                person,
                commit: i,
                capped,
            });
        }

        let ticks = if shown.is_empty() { Vec::new() } else { ticks::ticks(lo, hi).0 };
        let milestones =
            options.milestones.iter().filter(|_| !shown.is_empty()).map(|m| (x_of(m.time), m.label.clone())).collect();
        let mut chart = Chart {
            options,
            shown,
            reasons: flagged,
            names,
            person_colors: color_by_index,
            fonts,
            colors,
            summary,
            outliers,
            marks,
            legend,
            ticks,
            milestones,
            frame,
            range: (lo, hi),
            reference,
        };
        // Paint big circles first so small ones stay visible on top; ties in time order.
        let mut order: Vec<(f32, usize)> =
            chart.marks.iter().enumerate().map(|(i, m)| (chart.radius_of(m), i)).collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let marks = std::mem::take(&mut chart.marks);
        chart.marks = order.into_iter().map(|(_, i)| marks[i]).collect();
        Ok(chart)
    }

    /// The chart as an SVG document (thinned above `svg_max_circles` circles).
    pub fn svg(&self) -> String {
        crate::svg::write(&self.scene(true), &self.fonts)
    }

    /// The chart as PNG bytes, at `scale` pixels per CSS pixel, every commit drawn.
    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        crate::png::write(&self.scene(false), &self.fonts, self.options.scale)
    }

    /// What is drawn, in totals.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The commits flagged as outliers, in time order.
    pub fn outliers(&self) -> &[Outlier] {
        &self.outliers
    }

    /// The radius of a circle for `lines` lines changed (0 for none).
    pub fn radius(&self, lines: u64) -> f32 {
        let f = |v: u64| measure(self.options.size_scale, v);
        (f64::from(self.frame.r_max) * (f(lines) / f(self.reference)).sqrt()) as f32
    }

    fn radius_of(&self, m: &Mark) -> f32 {
        if m.capped {
            self.frame.r_max
        } else {
            self.radius(m.lines)
        }
    }

    /// The picture as a format-free scene. `svg` adds the tooltips and merges dots
    /// too small to tell apart when there are more than `svg_max_circles` of them.
    pub fn scene(&self, svg: bool) -> Scene {
        let (w, h) = (self.options.width as f32, self.options.height as f32);
        let c = self.colors;
        let f = self.frame;
        let mut items = vec![
            Item::Rect { x: 0.0, y: 0.0, w, h, fill: c.background },
            Item::Rect { x: f.x0, y: f.y0, w: f.x1 - f.x0, h: f.y1 - f.y0, fill: c.plot },
        ];
        for t in &self.ticks {
            let x = self.x_of_tick(t);
            items.push(Item::Line { x1: x, y1: f.y0, x2: x, y2: f.y1, color: c.grid, width: 1.0, dashed: false });
        }
        for (x, _) in &self.milestones {
            items.push(Item::Line {
                x1: *x,
                y1: f.y0,
                x2: *x,
                y2: f.y1,
                color: c.text.alpha(0.75),
                width: 1.0,
                dashed: true,
            });
        }
        let circles = self.circles(svg);
        items.extend(circles.into_iter().map(Item::Circle));
        let labels = self.milestone_labels();
        self.axes(&mut items, &labels);
        self.panel(&mut items, &labels);
        if self.summary.commits == 0 {
            items.push(text(
                (f.x0 + f.x1) / 2.0,
                (f.y0 + f.y1) / 2.0,
                16.0,
                Anchor::Middle,
                c.muted,
                "No commits to draw",
            ));
        }
        let mut description = self.subtitle();
        for o in &self.outliers {
            description.push_str(&format!("\nOutlier: {o}"));
        }
        Scene { width: w, height: h, title: self.options.title.clone(), description, items }
    }

    fn x_of_tick(&self, t: &Tick) -> f32 {
        x_at(&self.frame, self.range, t.time)
    }

    /// A commit's tooltip: short id, person, date, +A −D, subject, outlier reason.
    fn title(&self, m: &Mark) -> String {
        let c = self.shown[m.commit];
        let mut title = format!(
            "{} · {} · {} · +{} −{}",
            short_id(&c.id),
            self.names[m.person as usize],
            c.time.format("%Y-%m-%d %H:%M UTC"),
            c.added,
            c.removed
        );
        if !c.subject().is_empty() {
            title.push_str(" · ");
            title.push_str(&truncate(c.subject(), 100));
        }
        if let Some(r) = self.reasons.get(&m.commit) {
            title.push_str(&format!("\noutlier: {r}"));
            if m.capped {
                title.push_str("; drawn at the cap size");
            }
        }
        title
    }

    /// The commit circles in paint order; for the SVG with tooltips, and thinned
    /// above `svg_max_circles`.
    fn circles(&self, svg: bool) -> Vec<CircleMark> {
        let mut dots: Vec<Dot> = self
            .marks
            .iter()
            .enumerate()
            .map(|(i, m)| Dot {
                x: m.x,
                y: m.y,
                r: self.radius_of(m),
                lines: m.lines,
                count: 1,
                person: m.person,
                mark: Some(i),
            })
            .collect();
        if svg && dots.len() > self.options.svg_max_circles {
            dots = self.thinned(dots);
        }
        dots.iter()
            .map(|d| {
                let person = self.names[d.person as usize].clone();
                let Some(m) = d.mark.map(|i| &self.marks[i]) else {
                    let color = self.person_colors[d.person as usize];
                    let ring = d.lines == 0;
                    return CircleMark {
                        cx: d.x,
                        cy: d.y,
                        r: d.r,
                        fill: if ring { color.alpha(0.0) } else { color.alpha(self.colors.fill_alpha) },
                        stroke: color.alpha(0.9),
                        stroke_width: if ring { 1.0 } else { 0.6 },
                        dashed: false,
                        title: format!(
                            "{} commits by {person} merged (too small to draw apart) · {} lines",
                            d.count, d.lines
                        ),
                        ids: String::new(),
                        person,
                    };
                };
                let (fill, stroke, stroke_width, r) = if m.capped {
                    (m.color.alpha(0.35), self.colors.text, 2.0, d.r)
                } else if m.lines == 0 {
                    // Nothing to size by (binary-only, merges, empty): a small ring.
                    (m.color.alpha(0.0), m.color.alpha(0.9), 1.0, RING)
                } else {
                    (m.color.alpha(self.colors.fill_alpha), m.color.alpha(0.9), 0.6, d.r)
                };
                CircleMark {
                    cx: m.x,
                    cy: m.y,
                    r,
                    fill,
                    stroke,
                    stroke_width,
                    dashed: m.capped,
                    title: if svg { self.title(m) } else { String::new() },
                    ids: if svg { self.shown[m.commit].id.clone() } else { String::new() },
                    person,
                }
            })
            .collect()
    }

    /// Merges same-person dots of under `cell / 2` radius that fall in one
    /// `cell`-pixel square into one dot with their summed lines (so area stays
    /// true) where the largest of them was, doubling the cell (up to `MAX_CELL`)
    /// until the count fits.
    fn thinned(&self, mut dots: Vec<Dot>) -> Vec<Dot> {
        let mut cell = 4.0_f32;
        while dots.len() > self.options.svg_max_circles && cell <= MAX_CELL {
            let mut kept = Vec::with_capacity(dots.len());
            let mut groups: HashMap<(u32, bool, i64, i64), Merging> = HashMap::new();
            let mut order = Vec::new();
            for d in dots {
                let capped = d.mark.is_some_and(|i| self.marks[i].capped);
                if (d.r >= cell / 2.0 && d.lines > 0) || capped {
                    kept.push(d);
                    continue;
                }
                // Rings (no lines) merge only with rings.
                let key = (d.person, d.lines == 0, (d.x / cell).floor() as i64, (d.y / cell).floor() as i64);
                let g = groups.entry(key).or_insert_with(|| {
                    order.push(key);
                    (0, 0, d, d)
                });
                g.0 += d.lines;
                g.1 += d.count;
                if d.lines > g.2.lines {
                    g.2 = d;
                }
            }
            for key in order {
                let Some((lines, count, largest, first)) = groups.remove(&key) else { continue };
                if count == first.count {
                    // Alone in its cell: it stays what it was.
                    kept.push(first);
                    continue;
                }
                // At the largest member's place: a real (jittered) position, so the
                // merged circles show no grid.
                let r = if lines == 0 { RING } else { self.radius(lines) };
                kept.push(Dot { x: largest.x, y: largest.y, r, lines, count, person: key.0, mark: None });
            }
            kept.sort_by(|a, b| b.r.total_cmp(&a.r));
            dots = kept;
            cell *= 2.0;
        }
        dots
    }

    fn subtitle(&self) -> String {
        let s = &self.summary;
        let mut out = format!(
            "{} commit{} · {} {} · +{} −{} lines",
            thousands(s.commits as u64),
            if s.commits == 1 { "" } else { "s" },
            s.people,
            if s.people == 1 { "person" } else { "people" },
            thousands(s.added),
            thousands(s.removed)
        );
        if let (Some(a), Some(b)) = (s.first, s.last) {
            out.push_str(&format!(" · {} to {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")));
        }
        out
    }

    fn axes(&self, items: &mut Vec<Item>, labels: &[MilestoneLabel]) {
        let (c, f) = (self.colors, self.frame);
        items.push(Item::Line { x1: f.x0, y1: f.y1, x2: f.x1, y2: f.y1, color: c.muted, width: 1.0, dashed: false });
        let (mut last_end, mut last_major_end) = (f32::MIN, f32::MIN);
        for t in &self.ticks {
            let x = self.x_of_tick(t);
            items.push(Item::Line {
                x1: x,
                y1: f.y1,
                x2: x,
                y2: f.y1 + 5.0,
                color: c.muted,
                width: 1.0,
                dashed: false,
            });
            // Skip labels that would run into the previous one.
            let width = self.fonts.width(false, 11.0, &t.label);
            if x - width / 2.0 > last_end + 4.0 {
                items.push(text(x, f.y1 + 18.0, 11.0, Anchor::Middle, c.text, &t.label));
                last_end = x + width / 2.0;
            }
            if let Some(major) = &t.major {
                let width = self.fonts.width(true, 11.0, major);
                if x - width / 2.0 > last_major_end + 6.0 {
                    items.push(bold(x, f.y1 + 32.0, 11.0, Anchor::Middle, c.text, major));
                    last_major_end = x + width / 2.0;
                }
            }
        }
        let h = self.options.height as f32;
        items.push(text((f.x0 + f.x1) / 2.0, h - 10.0, 12.0, Anchor::Middle, c.muted, "commit date (UTC)"));
        items.push(Item::Text {
            x: f.x0 - 14.0,
            y: (f.y0 + f.y1) / 2.0 + self.fonts.width(false, 12.0, "random spread (no meaning)") / 2.0,
            size: 12.0,
            bold: false,
            anchor: Anchor::Start,
            color: c.muted,
            text: "random spread (no meaning)".to_owned(),
            vertical: true,
        });
        for m in labels {
            let y = f.y0 + 14.0 + 15.0 * m.row as f32;
            let lx = if m.anchor == Anchor::End { m.left + m.width } else { m.left + 2.0 };
            items.push(Item::Rect { x: m.left, y: y - 11.0, w: m.width + 4.0, h: 14.0, fill: c.plot.alpha(0.85) });
            items.push(bold(lx, y, 11.0, m.anchor, c.text, &m.text));
        }
        items.push(bold(f.x0, 30.0, 20.0, Anchor::Start, c.text, &self.options.title));
        items.push(text(f.x0, 54.0, 13.0, Anchor::Start, c.muted, &self.subtitle()));
    }

    /// Milestone labels, each in the first of four rows where it does not run into
    /// the label before it; where no row has room, only its number (the side panel
    /// then lists the name).
    fn milestone_labels(&self) -> Vec<MilestoneLabel> {
        let f = self.frame;
        let mut row_ends = [f32::MIN; 4];
        let mut out = Vec::new();
        for (k, (x, name)) in self.milestones.iter().enumerate() {
            let place = |text: String, abbreviated: bool| {
                let width = self.fonts.width(true, 11.0, &text);
                // Labels near the right edge go to the left of their line.
                let (left, anchor) =
                    if x + 4.0 + width > f.x1 { (x - 4.0 - width, Anchor::End) } else { (x + 2.0, Anchor::Start) };
                MilestoneLabel { text, left, width, anchor, row: 0, abbreviated }
            };
            let mut label = place(format!("{} {name}", k + 1), false);
            match row_ends.iter().position(|end| label.left > end + 4.0) {
                Some(row) => label.row = row,
                None => {
                    label = place((k + 1).to_string(), true);
                    label.row = row_ends.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
                }
            }
            row_ends[label.row] = label.left + label.width + 2.0;
            out.push(label);
        }
        out
    }

    fn panel(&self, items: &mut Vec<Item>, labels: &[MilestoneLabel]) {
        let c = self.colors;
        let w = self.options.width as f32;
        let left = self.frame.x1 + 24.0;
        let right = w - 12.0;
        let mut y = self.frame.y0 + 4.0;
        items.push(bold(left, y, 13.0, Anchor::Start, c.text, "People, by lines changed"));
        y += 20.0;
        for e in &self.legend {
            items.push(Item::Circle(CircleMark {
                cx: left + 6.0,
                cy: y - 4.0,
                r: 6.0,
                fill: e.color.alpha(c.fill_alpha),
                stroke: e.color.alpha(0.9),
                stroke_width: 0.6,
                dashed: false,
                title: format!("{}: {} commits, {} lines", e.label, e.commits, e.lines),
                ids: String::new(),
                person: String::new(),
            }));
            let amount = compact(e.lines);
            let room = right - left - 20.0 - self.fonts.width(false, 12.0, &amount) - 8.0;
            items.push(text(left + 18.0, y, 12.0, Anchor::Start, c.text, &self.fit(&e.label, 12.0, room)));
            items.push(text(right, y, 12.0, Anchor::End, c.muted, &amount));
            y += 18.0;
        }

        // Size legend: up to three round numbers below the reference size.
        y += 16.0;
        let label = match self.options.size_scale {
            SizeScale::Area => "Lines changed (area ∝ A+D)",
            SizeScale::Log => "Lines changed (area ∝ log A+D)",
        };
        items.push(bold(left, y, 13.0, Anchor::Start, c.text, label));
        let sizes = size_steps(self.reference);
        let biggest = sizes.first().map(|s| self.radius(*s)).unwrap_or(0.0);
        let base = y + 10.0 + 2.0 * biggest;
        let mut x = left;
        for s in &sizes {
            let r = self.radius(*s).max(0.5);
            items.push(Item::Circle(CircleMark {
                cx: x + r,
                cy: base - r,
                r,
                fill: c.muted.alpha(0.25),
                stroke: c.muted,
                stroke_width: 0.8,
                dashed: false,
                title: format!("{s} lines"),
                ids: String::new(),
                person: String::new(),
            }));
            items.push(text(x + r, base + 14.0, 11.0, Anchor::Middle, c.muted, &compact(*s)));
            x += 2.0 * r + 14.0f32.max(self.fonts.width(false, 11.0, &compact(*s)) - 2.0 * r + 10.0);
        }
        y = base + 34.0;

        let short: Vec<usize> = labels.iter().enumerate().filter(|(_, m)| m.abbreviated).map(|(k, _)| k).collect();
        if !short.is_empty() {
            items.push(bold(left, y, 13.0, Anchor::Start, c.text, "Milestones"));
            y += 17.0;
            for &k in short.iter().take(8) {
                let line = format!("{} {}", k + 1, self.milestones[k].1);
                items.push(text(left, y, 11.0, Anchor::Start, c.text, &self.fit(&line, 11.0, right - left)));
                y += 14.0;
            }
            y += 10.0;
        }
        if !self.outliers.is_empty() {
            let how = match self.options.outliers {
                OutlierPolicy::Cap => "Outliers (capped, dashed)",
                OutlierPolicy::Keep => "Outliers (true size)",
                OutlierPolicy::Drop => "Outliers (not drawn)",
            };
            items.push(bold(left, y, 13.0, Anchor::Start, c.text, how));
            y += 17.0;
            for o in self.outliers.iter().take(6) {
                let line = format!("{} {} +{} −{}", short_id(&o.id), o.time.format("%Y-%m-%d"), o.added, o.removed);
                items.push(text(left, y, 11.0, Anchor::Start, c.text, &self.fit(&line, 11.0, right - left)));
                y += 14.0;
                items.push(text(
                    left + 8.0,
                    y,
                    10.0,
                    Anchor::Start,
                    c.muted,
                    &self.fit(&o.reason.to_string(), 10.0, right - left - 8.0),
                ));
                y += 16.0;
            }
            if self.outliers.len() > 6 {
                items.push(text(
                    left,
                    y,
                    11.0,
                    Anchor::Start,
                    c.muted,
                    &format!("and {} more", self.outliers.len() - 6),
                ));
            }
        }
    }

    /// `text`, cut with an ellipsis to fit `room` pixels.
    fn fit(&self, text: &str, size: f32, room: f32) -> String {
        if self.fonts.width(false, size, text) <= room {
            return text.to_owned();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>() + "…";
            if self.fonts.width(false, size, &candidate) <= room {
                return candidate;
            }
        }
        String::new()
    }
}

/// Where time `t` falls across the plot spanning `range`.
fn x_at(f: &Frame, (lo, hi): (DateTime<Utc>, DateTime<Utc>), t: DateTime<Utc>) -> f32 {
    let seconds = (hi - lo).num_seconds().max(1) as f64;
    f.x0 + ((t - lo).num_seconds() as f64 / seconds) as f32 * (f.x1 - f.x0)
}

/// What a circle's area is proportional to, for `lines` lines changed.
fn measure(scale: SizeScale, lines: u64) -> f64 {
    match scale {
        SizeScale::Area => lines as f64,
        SizeScale::Log => (1.0 + lines as f64).ln(),
    }
}

fn check_size(o: &ChartOptions) -> Result<(), RenderError> {
    let (w, h) = ((o.width as f32 * o.scale).round() as u32, (o.height as f32 * o.scale).round() as u32);
    if o.width < 400 || o.height < 300 || o.scale.is_nan() || o.scale < 0.25 || w < 100 || h < 100 {
        return Err(RenderError::Size { width: w, height: h, what: "small" });
    }
    // 100 megapixels (300 MB of RGB) is the most a PNG may take.
    if w > 20_000 || h > 20_000 || o.width > 20_000 || o.height > 20_000 || u64::from(w) * u64::from(h) > 100_000_000 {
        return Err(RenderError::Size { width: w, height: h, what: "large" });
    }
    Ok(())
}

/// Ranks people by lines changed and gives the first `max_people` a colour (a fixed
/// one from the configuration, else the next free palette colour); the rest share
/// the "others" grey and one legend line.
fn people(
    shown: &[&Commit],
    persons: &[&str],
    options: &ChartOptions,
    colors: Colors,
) -> (Vec<LegendEntry>, HashMap<String, Rgba>) {
    let mut totals: HashMap<&str, (u64, usize)> = HashMap::new();
    for (c, p) in shown.iter().zip(persons) {
        let t = totals.entry(p).or_default();
        t.0 += c.added + c.removed;
        t.1 += 1;
    }
    let mut ranked: Vec<(&str, u64, usize)> = totals.into_iter().map(|(p, (l, n))| (p, l, n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
    // "others" for a single person would waste a line: name them instead.
    let named = if ranked.len() <= options.max_people + 1 { ranked.len() } else { options.max_people };
    let fixed: Vec<Rgba> = ranked.iter().filter_map(|(p, _, _)| options.people.fixed_color(p)).collect();
    let mut free = options.theme.palette().into_iter().filter(|c| !fixed.contains(c));
    let mut legend = Vec::new();
    let mut color_of = HashMap::new();
    for (k, (p, lines, commits)) in ranked.iter().enumerate() {
        let color = match options.people.fixed_color(p) {
            Some(c) => c,
            None if k < named => free.next().unwrap_or(colors.others),
            None => colors.others,
        };
        color_of.insert((*p).to_owned(), color);
        if k < named {
            legend.push(LegendEntry { label: (*p).to_owned(), color, lines: *lines, commits: *commits });
        }
    }
    if ranked.len() > named {
        let rest = &ranked[named..];
        legend.push(LegendEntry {
            label: format!("others ({} people)", rest.len()),
            color: colors.others,
            lines: rest.iter().map(|r| r.1).sum(),
            commits: rest.iter().map(|r| r.2).sum(),
        });
    }
    (legend, color_of)
}

/// Up to three round sizes (1, 2 or 5 times a power of ten) at or below `reference`,
/// each about a tenth of the one before.
fn size_steps(reference: u64) -> Vec<u64> {
    let round_down = |v: u64| {
        let mut p = 1u64;
        while p * 10 <= v {
            p *= 10;
        }
        [5, 2, 1].into_iter().map(|m| m * p).find(|c| *c <= v).unwrap_or(p)
    };
    let mut out = Vec::new();
    let mut v = reference.max(1);
    while out.len() < 3 && v >= 1 {
        let s = round_down(v);
        if out.last() != Some(&s) {
            out.push(s);
        }
        v = s / 4;
    }
    out
}

/// A stable position in [0, 1) from a commit id (FNV-1a, then a SplitMix64 finish),
/// so the same commit lands in the same place in every picture.
fn jitter(id: &str) -> f32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    ((h >> 40) as f32) / ((1u64 << 24) as f32)
}

/// Ten characters of a hash-like id; other ids (CVS patchset numbers) whole.
pub(crate) fn short_id(id: &str) -> &str {
    if id.len() > 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..10]
    } else {
        id
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    let mut left = digits.len();
    for ch in digits.chars() {
        out.push(ch);
        left -= 1;
        if left > 0 && left.is_multiple_of(3) {
            out.push(',');
        }
    }
    out
}

fn compact(v: u64) -> String {
    match v {
        0..=9_999 => v.to_string(),
        10_000..=999_999 => format!("{:.0}k", v as f64 / 1e3),
        _ => format!("{:.1}M", v as f64 / 1e6),
    }
}

fn text(x: f32, y: f32, size: f32, anchor: Anchor, color: Rgba, s: &str) -> Item {
    Item::Text { x, y, size, bold: false, anchor, color, text: s.to_owned(), vertical: false }
}

fn bold(x: f32, y: f32, size: f32, anchor: Anchor, color: Rgba, s: &str) -> Item {
    Item::Text { x, y, size, bold: true, anchor, color, text: s.to_owned(), vertical: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vcscope_core::Author;

    fn commits(n: usize) -> Vec<Commit> {
        (0..n)
            .map(|i| Commit {
                added: 1 + (i as u64 * 7919) % 60,
                removed: (i as u64 * 104_729) % 7,
                ..Commit::new(
                    format!("{i:040x}"),
                    DateTime::UNIX_EPOCH + Duration::hours(i as i64 * 3),
                    Author::named(["Ada", "Brian", "Chen"][i % 3]),
                    "test",
                )
            })
            .collect()
    }

    fn commit_circles(scene: &Scene) -> Vec<&CircleMark> {
        scene
            .items
            .iter()
            .filter_map(|i| if let Item::Circle(c) = i { Some(c) } else { None })
            .filter(|c| !c.person.is_empty())
            .collect()
    }

    #[test]
    fn thinning_merges_small_dots_and_keeps_each_persons_total_area() {
        let options = ChartOptions { svg_max_circles: 600, ..ChartOptions::default() };
        let many = commits(6000);
        let chart = Chart::new(&many, options).unwrap();
        let full = chart.scene(false);
        let thin = chart.scene(true);
        let (all, few) = (commit_circles(&full), commit_circles(&thin));
        assert_eq!(all.len(), 6000);
        // Cells stop at MAX_CELL, so the limit is a goal, not a promise; here the
        // uniform sizes leave about a quarter.
        assert!(few.len() < all.len() / 3, "{} circles after thinning", few.len());
        for person in ["Ada", "Brian", "Chen"] {
            let area = |cs: &[&CircleMark]| {
                cs.iter().filter(|c| c.person == person).map(|c| f64::from(c.r).powi(2)).sum::<f64>()
            };
            let (a, b) = (area(&all), area(&few));
            assert!((a - b).abs() / a < 1e-3, "{person}: area {a} before, {b} after");
        }
        // Below the limit nothing is merged.
        let few = commits(500);
        let chart = Chart::new(&few, ChartOptions::default()).unwrap();
        assert_eq!(commit_circles(&chart.scene(true)).len(), 500);
    }

    #[test]
    fn helpers() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(size_steps(3700), vec![2000, 500, 100]);
        assert_eq!(size_steps(57), vec![50, 10, 2]);
        assert_eq!(size_steps(1), vec![1]);
        assert_eq!(size_steps(15), vec![10, 2]);
        assert_eq!(short_id("0123456789abcdef0123"), "0123456789");
        assert_eq!(short_id("42"), "42");
        let j: Vec<f32> = (0..1000).map(|i| jitter(&i.to_string())).collect();
        assert!(j.iter().all(|v| (0.0..1.0).contains(v)));
        let mean = j.iter().sum::<f32>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "jitter is not spread evenly: mean {mean}");
    }
}
