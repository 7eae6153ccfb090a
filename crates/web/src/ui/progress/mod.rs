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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/progress", get(page))
        .route("/progress/phasing", get(phasing).post(phasing_submit))
        .route("/progress/{target}", get(super::target::page))
}
