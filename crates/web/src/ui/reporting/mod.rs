//! 数据填报: the reporting page and its workflow steps, the template download and upload, the
//! entry form, the validation findings beside the cells, and the 报送情况 matrix.

mod entry;
mod files;
mod findings;
mod matrix;
mod page;

use crate::access::{Access, Pages};
use crate::auth::CurrentUser;
use clusterdesk_domain::Role;
use entry::{entry_form, entry_submit};
use files::{download, upload};
use matrix::matrix;
use page::{page, transition};

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/reporting", Access::CITY_OR_COUNTY, page)
        .post("/reporting", Access::BUSINESS, upload)
        .get("/reporting/template.xlsx", Access::SignedIn, download)
        .post("/reporting/transition", Access::REPORTERS, transition)
        .get("/reporting/status", Access::SignedIn, matrix)
        .get("/reporting/form", Access::BUSINESS, entry_form)
        .post("/reporting/form", Access::BUSINESS, entry_submit)
}

/// Who may enter data: the bureau for any county, a county operator for its own.
fn may_enter(u: &CurrentUser) -> bool {
    matches!(u.actor.role, Role::CityAdmin | Role::CountyOperator)
}

#[derive(serde::Deserialize, Default)]
pub struct Choice {
    dataset: Option<String>,
    county: Option<String>,
    period: Option<String>,
}
