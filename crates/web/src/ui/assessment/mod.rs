//! 考核排名: the county assessment as a published bulletin — the composite ranking with each
//! indicator's value and score, the 三(二)1 park-entry ranking with its zero-sum transfer, and
//! the 三(二)2 table of net new above-scale enterprises. A county sees every county with its
//! own row highlighted and a panel of its own standing. Every table downloads as .xlsx / .csv.
//!
//! The bureau's decisions: `/assessment/targets?year=` (三(二)2 targets issued by 市工信局,
//! read-only for everyone else) and, on the assessment page, the 三(二)1 transfer finalized
//! (定稿, `POST /assessment/transfer`) and revoked with a reason (`POST /assessment/transfer/revoke`).

mod download;
mod ranking;
mod targets;
mod transfer;

use crate::access::{Access, Pages};
use ranking::page;
use targets::{targets, targets_submit};
use transfer::{finalize, revoke};

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    year: Option<String>,
    /// `xlsx` or `csv`: download `table` instead of the page.
    format: Option<String>,
    /// `ranking` (default), `transfer` or `above_scale`.
    table: Option<String>,
    /// `1` after finalizing, `revoked` after revoking.
    done: Option<String>,
}

fn form_get(form: &[(String, String)], k: &str) -> String {
    crate::ui::extract::form_value(form, k).trim().to_string()
}

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/assessment", Access::CITY_OR_COUNTY, page)
        .get("/assessment/targets", Access::CITY_OR_COUNTY, targets)
        .post("/assessment/targets", Access::BUREAU, targets_submit)
        .post("/assessment/transfer", Access::BUREAU, finalize)
        .post("/assessment/transfer/revoke", Access::CITY_ADMIN, revoke)
}
