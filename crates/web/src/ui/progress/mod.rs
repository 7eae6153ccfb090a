//! 目标进度: the twelve targets of 二 with clause id, value, target, status (word + colour +
//! icon) and a progress bar drawn here as SVG; the numbers one click away.

mod map;
mod page;
mod phasing;
mod svg;

use crate::access::{Access, Pages};
use page::page;
use phasing::{phasing, phasing_submit};
use rust_decimal::prelude::ToPrimitive;

pub use map::{county_map, map_note};
pub(super) use page::target_text;
pub use svg::bar_svg;

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/progress", Access::CITY_OR_COUNTY, page)
        .get("/progress/phasing", Access::CITY, phasing)
        .post("/progress/phasing", Access::CITY_ADMIN, phasing_submit)
        .get("/progress/{target}", Access::CITY_OR_COUNTY, super::target::page)
        .get("/clusters/metrics", Access::CITY_OR_COUNTY, super::metrics::page)
        .get("/values", Access::BUSINESS, super::values::page)
}

/// The Open SDG statuses in the order they are counted on a page.
pub(super) const STATUSES: [(&str, &str); 5] = [
    ("achieved", "已达成"),
    ("on_track", "进度正常"),
    ("needs_acceleration", "需加快"),
    ("limited_progress", "进展有限"),
    ("deteriorating", "倒退"),
];

pub(super) fn icon(status: &str) -> &'static str {
    match status {
        "achieved" => "✓",
        "on_track" => "↗",
        "needs_acceleration" => "→",
        "limited_progress" => "↘",
        "deteriorating" => "✗",
        _ => "?",
    }
}

/// Fill colour of a status; the word and the icon go with it everywhere.
fn colour(status: &str) -> &'static str {
    match status {
        "achieved" => "#1e7b34",
        "on_track" => "#1d4f91",
        "needs_acceleration" => "#9a6700",
        "limited_progress" => "#c2410c",
        "deteriorating" => "#b42318",
        _ => "#7b8794",
    }
}

fn f(d: &rust_decimal::Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}
