//! 目标进度: the twelve targets of 二 with clause id, value, target, status (word + colour +
//! icon) and a progress bar drawn here as SVG; the numbers one click away.

mod map;
mod page;
mod phasing;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use page::page;
use phasing::{phasing, phasing_submit};

pub use map::{county_map, map_note};
pub(super) use page::target_text;
pub use clusterdesk_figures::progress::bar_svg;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/progress", get(page))
        .route("/progress/phasing", get(phasing).post(phasing_submit))
        .route("/progress/{target}", get(super::target::page))
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
