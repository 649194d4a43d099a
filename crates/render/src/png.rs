//! Writes a [`Scene`] as PNG: plotters' bitmap backend is the canvas (rectangles,
//! lines and blended pixels); circles are covered with exact, anti-aliased coverage
//! at their fractional radius (so areas stay true even for small circles), and text
//! is rasterized from the built-in font. Encoded with the `png` crate.

use plotters::prelude::{BitMapBackend, DrawingBackend};
use plotters_backend::BackendColor;

use crate::scene::{Anchor, CircleMark, Item, Rgba, Scene};
use crate::text::Fonts;
use crate::RenderError;

fn color(c: Rgba, coverage: f32) -> BackendColor {
    BackendColor { alpha: f64::from((c.a * coverage).clamp(0.0, 1.0)), rgb: (c.r, c.g, c.b) }
}

/// Renders `scene` at `scale` device pixels per CSS pixel; returns the PNG bytes.
pub fn write(scene: &Scene, fonts: &Fonts, scale: f32) -> Result<Vec<u8>, RenderError> {
    let (w, h) = ((scene.width * scale).round() as u32, (scene.height * scale).round() as u32);
    let mut buffer = vec![255u8; w as usize * h as usize * 3];
    {
        let mut canvas = BitMapBackend::with_buffer(&mut buffer, (w, h));
        let err = |e: plotters_backend::DrawingErrorKind<_>| RenderError::Png(format!("drawing failed: {e:?}"));
        for item in &scene.items {
            match item {
                Item::Rect { x, y, w, h, fill } => {
                    fill_rect(&mut canvas, (*x, *y, x + w, y + h), scale, *fill).map_err(err)?;
                }
                Item::Line { x1, y1, x2, y2, color, width, dashed } => {
                    // In device pixels, with the line snapped to whole pixels across it.
                    let px = (width * scale).round().max(1.0);
                    let snap = |v: f32| if px % 2.0 == 1.0 { (v * scale).floor() + 0.5 } else { (v * scale).round() };
                    let vertical = x1 == x2;
                    let (x1, y1, x2, y2) = if vertical {
                        (snap(*x1), y1 * scale, snap(*x2), y2 * scale)
                    } else {
                        (x1 * scale, snap(*y1), x2 * scale, snap(*y2))
                    };
                    let half = px / 2.0;
                    let (dx, dy) = (x2 - x1, y2 - y1);
                    let length = dx.abs().max(dy.abs()).max(0.001);
                    let (period, on) = if *dashed { (10.0 * scale, 6.0 * scale) } else { (length, length) };
                    let mut s = 0.0;
                    while s < length {
                        let (a, b) = (s / length, (s + on).min(length) / length);
                        let (ax, ay, bx, by) = (x1 + dx * a, y1 + dy * a, x1 + dx * b, y1 + dy * b);
                        let rect = (ax.min(bx) - half, ay.min(by) - half, ax.max(bx) + half, ay.max(by) + half);
                        let rect = if vertical {
                            (rect.0, ay.min(by), rect.2, ay.max(by))
                        } else {
                            (ax.min(bx), rect.1, ax.max(bx), rect.3)
                        };
                        fill_rect(&mut canvas, rect, 1.0, *color).map_err(err)?;
                        s += period;
                    }
                }
                Item::Circle(c) => circle(&mut canvas, c, scale).map_err(err)?,
                Item::Text { x, y, size, bold, anchor, color: c, text, vertical } => {
                    let width = fonts.width(*bold, size * scale, text);
                    let shift = match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => width / 2.0,
                        Anchor::End => width,
                    };
                    let (px, py) =
                        if *vertical { (x * scale, y * scale + shift) } else { (x * scale - shift, y * scale) };
                    let mut failed = None;
                    fonts.raster(*bold, size * scale, text, (px, py), *vertical, &mut |gx, gy, cov| {
                        if let Err(e) = canvas.draw_pixel((gx, gy), color(*c, cov)) {
                            failed = Some(e);
                        }
                    });
                    if let Some(e) = failed {
                        return Err(err(e));
                    }
                }
            }
        }
        canvas.present().map_err(err)?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| RenderError::Png(e.to_string()))?;
    writer.write_image_data(&buffer).map_err(|e| RenderError::Png(e.to_string()))?;
    writer.finish().map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(out)
}

type Canvas<'a> = BitMapBackend<'a>;
type DrawResult = Result<(), plotters_backend::DrawingErrorKind<<Canvas<'static> as DrawingBackend>::ErrorType>>;

/// Fills a rectangle given in CSS pixels, with partial coverage at its edges.
fn fill_rect(canvas: &mut Canvas<'_>, (x0, y0, x1, y1): (f32, f32, f32, f32), scale: f32, fill: Rgba) -> DrawResult {
    let (x0, y0, x1, y1) = (x0 * scale, y0 * scale, x1 * scale, y1 * scale);
    let (ix0, iy0) = (x0.floor() as i32, y0.floor() as i32);
    let (ix1, iy1) = (x1.ceil() as i32, y1.ceil() as i32);
    let full = |p: i32, lo: f32, hi: f32| ((p as f32 + 1.0).min(hi) - (p as f32).max(lo)).clamp(0.0, 1.0);
    // The inside is one blended rectangle; the fringe is blended pixel by pixel.
    let (ax0, ay0, ax1, ay1) = (x0.ceil() as i32, y0.ceil() as i32, x1.floor() as i32, y1.floor() as i32);
    if ax1 > ax0 && ay1 > ay0 {
        // plotters fills the half-open box [upper_left, bottom_right).
        canvas.draw_rect((ax0, ay0), (ax1, ay1), &color(fill, 1.0), true)?;
    }
    for py in iy0..iy1 {
        for px in ix0..ix1 {
            if px >= ax0 && px < ax1 && py >= ay0 && py < ay1 {
                continue;
            }
            let cov = full(px, x0, x1) * full(py, y0, y1);
            if cov > 0.0 {
                canvas.draw_pixel((px, py), color(fill, cov))?;
            }
        }
    }
    Ok(())
}

/// Fills and strokes a circle with anti-aliased edges at its fractional radius.
fn circle(canvas: &mut Canvas<'_>, c: &CircleMark, scale: f32) -> DrawResult {
    let (cx, cy, r) = (c.cx * scale, c.cy * scale, c.r * scale);
    let half = c.stroke_width * scale * 0.5;
    let outer = r + half + 1.0;
    let (x0, x1) = ((cx - outer).floor() as i32, (cx + outer).ceil() as i32);
    let (y0, y1) = ((cy - outer).floor() as i32, (cy + outer).ceil() as i32);
    for py in y0..=y1 {
        for px in x0..=x1 {
            let (dx, dy) = (px as f32 + 0.5 - cx, py as f32 + 0.5 - cy);
            let d = (dx * dx + dy * dy).sqrt();
            // Coverage of the disc: 1 inside, 0 outside, linear across the edge pixel.
            let fill = (r + 0.5 - d).clamp(0.0, 1.0);
            if fill > 0.0 && c.fill.a > 0.0 {
                canvas.draw_pixel((px, py), color(c.fill, fill))?;
            }
            if c.stroke.a > 0.0 && half > 0.0 {
                let mut ring = ((d - (r - half) + 0.5).min(r + half - d + 0.5)).clamp(0.0, 1.0);
                if ring > 0.0 && c.dashed {
                    // Dashes of about 4 px on, 3 px off around the circle.
                    let along = dy.atan2(dx) * r / scale;
                    if along.rem_euclid(7.0) > 4.0 {
                        ring = 0.0;
                    }
                }
                if ring > 0.0 {
                    canvas.draw_pixel((px, py), color(c.stroke, ring.min(1.0)))?;
                }
            }
        }
    }
    Ok(())
}
