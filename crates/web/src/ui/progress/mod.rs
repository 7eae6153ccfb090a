//! 目标进度: the twelve targets of 二 with clause id, value, target, status (word + colour +
//! icon) and a progress bar drawn here as SVG; the numbers one click away.

mod map;
mod page;
mod phasing;

use crate::access::{Access, Pages};
use page::page;
use phasing::{phasing, phasing_submit};

pub use map::{county_map, map_note};

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
