//! Charts drawn on the server as SVG strings: the same picture serves the page, the printout
//! and later the PDF. Pure functions of the numbers handed in.
//!
//! Rules every chart follows: text is escaped; no `style` attributes or elements (the page's
//! CSP forbids inline styles), only SVG presentation attributes; `role="img"` with a `<title>`
//! and a `<desc>` that says in words what the picture shows; status and classes are written
//! as words or numbers beside any colour.

mod map;
mod portfolio;
mod svg;
mod tiers;
mod trend;

pub use map::{CANGZHOU_GRID, Tile, class_of, geo_map, tile_map};
pub use portfolio::{Bubble, bubbles};
pub use svg::{esc, nice_max};
pub use tiers::{TIERS, tiers};
pub use trend::{TREND_H, TREND_W, Trend, TrendScale, trend};
