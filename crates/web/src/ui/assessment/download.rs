//! The assessment's tables as .xlsx / .csv downloads; their contents come from
//! `clusterdesk_figures::assessment`, as the bulletins' tables do.

use crate::ui::{PageError, table_download};
use axum::response::Response;
use clusterdesk_figures::assessment::{above_scale_table, ranking_table, transfer_table};
use clusterdesk_store::assessment::AssessmentReport;

pub(super) fn download(r: &AssessmentReport, format: &str, table: &str) -> Result<Response, PageError> {
    let t = match table {
        "transfer" => transfer_table(r.year, &r.park_entry.clause, &r.park_entry.rows),
        "above_scale" => above_scale_table(r.year, &r.above_scale),
        _ => ranking_table(r.year, &r.indicators, &r.rows),
    };
    let h: Vec<&str> = t.headers.iter().map(String::as_str).collect();
    table_download(format, &t.name, &h, &t.rows)
}
