//! The chart: the seed post's bubble timeline. One circle per commit, x = time,
//! circle area ∝ lines added + removed, colour = person, y = a fixed-seed jitter,
//! dashed lines for milestones, legends for people and sizes, and outliers capped.
//!
//! `Chart::new` does all the deciding (people, colours, scale, outliers, ticks);
//! `Chart::scene` lays it out as a format-free [`Scene`]; `svg.rs` and `png.rs`
//! write that scene. This is the only crate that uses plotters (for the PNG canvas).

mod layout;
mod outliers;
mod palette;
mod png;
mod scene;
mod svg;
mod text;
mod ticks;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

pub use layout::{Chart, Outlier, Summary};
pub use outliers::Reason;
pub use palette::Theme;
pub use scene::{Anchor, CircleMark, Item, Rgba, Scene};

/// What can go wrong while drawing.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the built-in font cannot be read ({0})")]
    Font(String),
    #[error(
        "a {width}x{height} pixel picture is too {what}; --size and --scale must give 100 to 20000 pixels a side \
         and at most 100 megapixels"
    )]
    Size { width: u32, height: u32, what: &'static str },
    #[error("cannot encode the PNG: {0}")]
    Png(String),
}

/// A labelled vertical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub time: DateTime<Utc>,
    pub label: String,
}

/// How lines changed map to circle area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SizeScale {
    /// Area ∝ lines added + removed (the seed's encoding).
    #[default]
    Area,
    /// Area ∝ log(1 + lines): for histories where a few commits dwarf the rest.
    Log,
}

/// What to do with outliers (they are listed in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutlierPolicy {
    /// Draw them at their true size.
    Keep,
    /// Draw them at the largest ordinary size, with a dashed outline.
    #[default]
    Cap,
    /// Leave them out of the picture.
    Drop,
}

/// Who is who: aliases that merge identities (a CVS login, several emails) into one
/// person, and fixed colours for people.
#[derive(Debug, Clone, Default)]
pub struct People {
    aliases: HashMap<String, String>,
    colors: HashMap<String, Rgba>,
}

impl People {
    /// Makes `key` (a name, login or email; case does not matter) mean `person`.
    pub fn alias(&mut self, key: &str, person: &str) {
        self.aliases.insert(key.trim().to_lowercase(), person.to_owned());
    }

    /// Draws `person` (after aliasing) in `color`.
    pub fn color(&mut self, person: &str, color: Rgba) {
        self.colors.insert(person.to_owned(), color);
    }

    /// The person an author is: an alias of the email, else of the name, else the name.
    pub fn person(&self, author: &vcscope_core::Author) -> String {
        let by_email = author.email.as_deref().and_then(|e| self.aliases.get(&e.trim().to_lowercase()));
        let by_name = || self.aliases.get(&author.name.trim().to_lowercase());
        if let Some(p) = by_email.or_else(by_name) {
            return p.clone();
        }
        match (author.name.trim(), author.email.as_deref()) {
            ("", Some(email)) => email.to_owned(),
            ("", None) => "unknown".to_owned(),
            (name, _) => name.to_owned(),
        }
    }

    fn fixed_color(&self, person: &str) -> Option<Rgba> {
        self.colors.get(person).copied()
    }
}

/// Everything that shapes the picture. `Default` gives the standard chart.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    pub title: String,
    /// Size in CSS pixels (the SVG's size; the PNG is this times `scale`).
    pub width: u32,
    pub height: u32,
    /// PNG pixels per CSS pixel (2 for HiDPI screens).
    pub scale: f32,
    pub theme: Theme,
    pub size_scale: SizeScale,
    pub outliers: OutlierPolicy,
    pub milestones: Vec<Milestone>,
    pub people: People,
    /// People with their own colour and legend line; the rest are "others".
    pub max_people: usize,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Above this many circles, an SVG merges dots too small to tell apart.
    pub svg_max_circles: usize,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            title: "vcscope".to_owned(),
            width: 1200,
            height: 680,
            scale: 1.0,
            theme: Theme::Light,
            size_scale: SizeScale::Area,
            outliers: OutlierPolicy::Cap,
            milestones: Vec::new(),
            people: People::default(),
            max_people: 8,
            since: None,
            until: None,
            svg_max_circles: 20_000,
        }
    }
}
