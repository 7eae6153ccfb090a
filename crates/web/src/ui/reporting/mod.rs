//! 数据填报: the reporting page and its workflow steps, the template download and upload, the
//! entry form, the validation findings beside the cells, and the 报送情况 matrix.

mod entry;
mod files;
mod findings;
mod matrix;
mod page;

use crate::AppState;
use crate::auth::CurrentUser;
use axum::Router;
use axum::routing::get;
use clusterdesk_domain::Role;
use entry::{entry_form, entry_submit};
use files::{download, upload};
use matrix::matrix;
use page::{page, transition};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reporting", get(page).post(upload))
        .route("/reporting/template.xlsx", get(download))
        .route("/reporting/transition", axum::routing::post(transition))
        .route("/reporting/status", get(matrix))
        .route("/reporting/form", get(entry_form).post(entry_submit))
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
