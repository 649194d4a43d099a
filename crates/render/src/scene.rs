//! The drawing, independent of the file format: a list of rectangles, lines,
//! circles and text runs in CSS pixels, in paint order. `layout.rs` builds it;
//! `svg.rs` and `png.rs` each turn it into bytes, so both files show the same picture.

/// A colour with opacity (0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: f32,
}

impl Rgba {
    /// An opaque colour from `0xRRGGBB`.
    pub const fn hex(rgb: u32) -> Rgba {
        Rgba { r: (rgb >> 16) as u8, g: (rgb >> 8) as u8, b: rgb as u8, a: 1.0 }
    }

    /// The same colour with opacity `a`.
    pub fn alpha(self, a: f32) -> Rgba {
        Rgba { a, ..self }
    }

    /// `#rrggbb`, without the opacity.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// Parses `#rgb` or `#rrggbb` (the `#` is optional).
    pub fn parse(text: &str) -> Option<Rgba> {
        let digits = text.trim().trim_start_matches('#');
        let value = u32::from_str_radix(digits, 16).ok()?;
        match digits.len() {
            6 => Some(Rgba::hex(value)),
            3 => {
                let (r, g, b) = ((value >> 8) & 0xf, (value >> 4) & 0xf, value & 0xf);
                Some(Rgba::hex((r * 0x11) << 16 | (g * 0x11) << 8 | (b * 0x11)))
            }
            _ => None,
        }
    }
}

/// Where a text run's x coordinate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One commit (or, in a thinned SVG, several) as a circle.
#[derive(Debug, Clone, PartialEq)]
pub struct CircleMark {
    pub cx: f32,
    pub cy: f32,
    pub r: f32,
    pub fill: Rgba,
    pub stroke: Rgba,
    pub stroke_width: f32,
    /// A dashed outline: the circle is drawn smaller than its lines would make it.
    pub dashed: bool,
    /// The tooltip.
    pub title: String,
    /// The commit id(s), for `data-commit`.
    pub ids: String,
    /// The person the colour stands for, for `data-author`.
    pub person: String,
}

/// One thing to paint.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgba,
    },
    /// Horizontal or vertical lines only.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgba,
        width: f32,
        dashed: bool,
    },
    Circle(CircleMark),
    /// `y` is the baseline; `vertical` text reads bottom to top, rotated about (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        anchor: Anchor,
        color: Rgba,
        text: String,
        vertical: bool,
    },
}

/// A picture: its size in CSS pixels, and what to paint in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: f32,
    pub height: f32,
    /// The document title and description (SVG `<title>` and `<desc>`).
    pub title: String,
    pub description: String,
    pub items: Vec<Item>,
}
