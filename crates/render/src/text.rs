//! Text without system fonts: DejaVu Sans (from the `dejavu` crate) is compiled in.
//! The same glyph outlines are measured for layout, written into SVG files as paths
//! (so an SVG looks the same on every machine) and rasterized into PNG files.

use ab_glyph::{point, Font, FontRef, GlyphId, OutlineCurve, PxScale, ScaleFont};

use crate::RenderError;

/// The two faces the chart uses.
pub struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// One glyph of a laid-out run: which glyph, and its pen position in pixels from
/// the start of the run.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub id: GlyphId,
    pub x: f32,
}

impl Fonts {
    /// Parses the compiled-in fonts.
    pub fn load() -> Result<Fonts, RenderError> {
        let parse = |bytes: &'static [u8], face: &str| {
            FontRef::try_from_slice(bytes).map_err(|e| RenderError::Font(format!("{face}: {e}")))
        };
        Ok(Fonts {
            regular: parse(dejavu::sans::regular(), "DejaVu Sans")?,
            bold: parse(dejavu::sans::bold(), "DejaVu Sans Bold")?,
        })
    }

    /// The regular or bold face.
    pub fn face(&self, bold: bool) -> &FontRef<'static> {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Lays out `text` at `size` pixels: glyphs and pen positions, with kerning.
    pub fn layout(&self, bold: bool, size: f32, text: &str) -> (Vec<Placed>, f32) {
        let font = self.face(bold).as_scaled(PxScale::from(size));
        let mut placed = Vec::with_capacity(text.len());
        let mut pen = 0.0;
        let mut previous: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                pen += font.kern(p, id);
            }
            placed.push(Placed { id, x: pen });
            pen += font.h_advance(id);
            previous = Some(id);
        }
        (placed, pen)
    }

    /// The width of `text` at `size` pixels.
    pub fn width(&self, bold: bool, size: f32, text: &str) -> f32 {
        self.layout(bold, size, text).1
    }

    /// Font units per pixel at `size`: SVG glyphs are drawn in font units, scaled.
    pub fn units_scale(&self, bold: bool, size: f32) -> f32 {
        let font = self.face(bold);
        size / font.height_unscaled()
    }

    /// A glyph outline as SVG path data in font units (y up), or `None` for blanks.
    pub fn svg_path(&self, bold: bool, id: GlyphId) -> Option<String> {
        let outline = self.face(bold).outline(id)?;
        let mut d = String::new();
        let mut end: Option<ab_glyph::Point> = None;
        let num = |v: f32| {
            let r = (v * 10.0).round() / 10.0;
            if r == r.trunc() {
                format!("{}", r as i64)
            } else {
                format!("{r:.1}")
            }
        };
        for curve in &outline.curves {
            let (start, rest) = match *curve {
                OutlineCurve::Line(a, b) => (a, format!("L{} {}", num(b.x), num(b.y))),
                OutlineCurve::Quad(a, b, c) => (a, format!("Q{} {} {} {}", num(b.x), num(b.y), num(c.x), num(c.y))),
                OutlineCurve::Cubic(a, b, c, e) => {
                    (a, format!("C{} {} {} {} {} {}", num(b.x), num(b.y), num(c.x), num(c.y), num(e.x), num(e.y)))
                }
            };
            if end != Some(start) {
                if end.is_some() {
                    d.push('Z');
                }
                d.push_str(&format!("M{} {}", num(start.x), num(start.y)));
            }
            d.push_str(&rest);
            end = Some(match *curve {
                OutlineCurve::Line(_, b) => b,
                OutlineCurve::Quad(_, _, c) => c,
                OutlineCurve::Cubic(_, _, _, e) => e,
            });
        }
        if d.is_empty() {
            return None;
        }
        d.push('Z');
        Some(d)
    }

    /// Rasterizes a run with its pen start at (x, y) (y is the baseline), calling
    /// `pixel(px, py, coverage)` for every touched pixel. `vertical` runs read bottom
    /// to top, turned about (x, y).
    pub fn raster(
        &self,
        bold: bool,
        size: f32,
        text: &str,
        (x, y): (f32, f32),
        vertical: bool,
        pixel: &mut dyn FnMut(i32, i32, f32),
    ) {
        let face = self.face(bold);
        let (placed, _) = self.layout(bold, size, text);
        for g in placed {
            // Horizontal runs are placed where they go (so sub-pixel positions are kept);
            // vertical runs are laid out at the origin and turned into place.
            let at = if vertical { point(g.x, 0.0) } else { point(x + g.x, y) };
            let glyph = g.id.with_scale_and_position(PxScale::from(size), at);
            let Some(outlined) = face.outline_glyph(glyph) else { continue };
            let bounds = outlined.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|gx, gy, c| {
                let (u, v) = (bx + gx as i32, by + gy as i32);
                if vertical {
                    pixel(x.round() as i32 + v, y.round() as i32 - u - 1, c);
                } else {
                    pixel(u, v, c);
                }
            });
        }
    }
}
