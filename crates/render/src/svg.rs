//! Writes a [`Scene`] as SVG: every circle with a `<title>` tooltip and `data-commit`
//! / `data-author` attributes, every text as glyph outlines from the built-in font
//! (defined once in `<defs>`, placed with `<use>`), so the file needs no fonts to
//! look the same everywhere. All text is escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::scene::{Anchor, Item, Rgba, Scene};
use crate::text::Fonts;

/// A number with at most two decimals and no trailing zeros.
fn num(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn paint(attr: &str, c: Rgba) -> String {
    if c.a <= 0.0 {
        return format!(" {attr}=\"none\"");
    }
    let mut s = format!(" {attr}=\"{}\"", c.css());
    if c.a < 1.0 {
        let _ = write!(s, " {attr}-opacity=\"{}\"", num(c.a));
    }
    s
}

/// The SVG document for `scene`.
pub fn write(scene: &Scene, fonts: &Fonts) -> String {
    let mut body = String::with_capacity(scene.items.len() * 160);
    // Glyphs used, by (bold, glyph id) -> element id.
    let mut glyphs: BTreeMap<(bool, u16), Option<String>> = BTreeMap::new();
    for item in &scene.items {
        match item {
            Item::Rect { x, y, w, h, fill } => {
                let _ = writeln!(
                    body,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}/>",
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h),
                    paint("fill", *fill)
                );
            }
            Item::Line { x1, y1, x2, y2, color, width, dashed } => {
                let _ = writeln!(
                    body,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{} stroke-width=\"{}\"{}/>",
                    num(*x1),
                    num(*y1),
                    num(*x2),
                    num(*y2),
                    paint("stroke", *color),
                    num(*width),
                    if *dashed { " stroke-dasharray=\"6 4\"" } else { "" }
                );
            }
            Item::Circle(c) => {
                let mut data = String::new();
                if !c.ids.is_empty() {
                    let _ = write!(data, " data-commit=\"{}\"", escape(&c.ids));
                }
                if !c.person.is_empty() {
                    let _ = write!(data, " data-author=\"{}\"", escape(&c.person));
                }
                let _ = writeln!(
                    body,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{}{} stroke-width=\"{}\"{}{}><title>{}</title></circle>",
                    num(c.cx),
                    num(c.cy),
                    num(c.r),
                    paint("fill", c.fill),
                    paint("stroke", c.stroke),
                    num(c.stroke_width),
                    if c.dashed { " stroke-dasharray=\"4 3\"" } else { "" },
                    data,
                    escape(&c.title)
                );
            }
            Item::Text { x, y, size, bold, anchor, color, text, vertical } => {
                let (placed, width) = fonts.layout(*bold, *size, text);
                let shift = match anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => -width / 2.0,
                    Anchor::End => -width,
                };
                let k = fonts.units_scale(*bold, *size);
                let turn = if *vertical { " rotate(-90)" } else { "" };
                let _ = write!(
                    body,
                    "<g aria-label=\"{}\"{} transform=\"translate({} {}){turn} translate({} 0) scale({} -{})\">",
                    escape(text),
                    paint("fill", *color),
                    num(*x),
                    num(*y),
                    num(shift),
                    k,
                    k
                );
                for g in placed {
                    let entry = glyphs.entry((*bold, g.id.0)).or_insert_with(|| fonts.svg_path(*bold, g.id));
                    if entry.is_some() {
                        let _ = write!(
                            body,
                            "<use xlink:href=\"#{}{}\" x=\"{}\"/>",
                            if *bold { 'b' } else { 'r' },
                            g.id.0,
                            num(g.x / k)
                        );
                    }
                }
                body.push_str("</g>\n");
            }
        }
    }
    let mut out = String::with_capacity(body.len() + glyphs.len() * 400 + 512);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">",
        w = num(scene.width),
        h = num(scene.height)
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&scene.title));
    let _ = writeln!(out, "<desc>{}</desc>", escape(&scene.description));
    out.push_str("<defs>\n");
    for ((bold, id), d) in &glyphs {
        if let Some(d) = d {
            let _ = writeln!(out, "<path id=\"{}{id}\" d=\"{d}\"/>", if *bold { 'b' } else { 'r' });
        }
    }
    out.push_str("</defs>\n");
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}
