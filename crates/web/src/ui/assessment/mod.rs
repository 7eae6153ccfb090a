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

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
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
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(page))
        .route("/assessment/targets", get(targets).post(targets_submit))
        .route("/assessment/transfer", post(finalize))
        .route("/assessment/transfer/revoke", post(revoke))
}
