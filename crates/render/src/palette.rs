//! Colours: the light and dark themes and the author palette. The palette is the
//! Okabe–Ito set of eight colours, chosen to stay apart for the common forms of
//! colour blindness; authors past the eighth share one grey as "others".

use crate::scene::Rgba;

/// Light or dark background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// The colours of everything that is not a commit.
#[derive(Debug, Clone, Copy)]
pub struct Colors {
    pub background: Rgba,
    pub plot: Rgba,
    pub text: Rgba,
    pub muted: Rgba,
    pub grid: Rgba,
    pub others: Rgba,
    /// Opacity of a commit's circle: overlaps stay readable.
    pub fill_alpha: f32,
}

impl Theme {
    /// This theme's colours.
    pub fn colors(self) -> Colors {
        match self {
            Theme::Light => Colors {
                background: Rgba::hex(0xffffff),
                plot: Rgba::hex(0xf7f7f7),
                text: Rgba::hex(0x222222),
                muted: Rgba::hex(0x666666),
                grid: Rgba::hex(0xdddddd),
                others: Rgba::hex(0x999999),
                fill_alpha: 0.55,
            },
            Theme::Dark => Colors {
                background: Rgba::hex(0x1b1b1f),
                plot: Rgba::hex(0x25252a),
                text: Rgba::hex(0xeeeeee),
                muted: Rgba::hex(0xaaaaaa),
                grid: Rgba::hex(0x3a3a40),
                others: Rgba::hex(0x8a8a8a),
                fill_alpha: 0.7,
            },
        }
    }

    /// The author palette, most prominent colour first.
    pub fn palette(self) -> [Rgba; 8] {
        let last = match self {
            Theme::Light => Rgba::hex(0x000000),
            Theme::Dark => Rgba::hex(0xffffff),
        };
        [
            Rgba::hex(0x0072b2), // blue
            Rgba::hex(0xe69f00), // orange
            Rgba::hex(0x009e73), // bluish green
            Rgba::hex(0xd55e00), // vermillion
            Rgba::hex(0xcc79a7), // reddish purple
            Rgba::hex(0x56b4e9), // sky blue
            Rgba::hex(0xf0e442), // yellow
            last,
        ]
    }
}
