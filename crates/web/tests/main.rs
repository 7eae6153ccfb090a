//! Every integration test of `web` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod access_matrix;
mod account_admin;
mod api_access;
mod api_contract;
mod assessment;
mod assessment_decisions;
mod charts_pages;
mod chinese_pages;
mod common;
mod confidentiality;
mod edges;
mod engine;
mod fresh_results;
mod home;
mod identity;
mod incentive_pages;
mod incentives;
mod observability;
mod progress;
mod registry;
mod reminders;
mod reporting;
mod tls;
mod two_at_once;
mod upload_limits;
mod validation;
