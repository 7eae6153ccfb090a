//! Every integration test of `cli` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod assessment_cli;
mod audit_cli;
mod backup_cli;
mod common;
mod policy_scan_cli;
mod progress_cli;
mod serve_tls_cli;
mod user_cli;
mod values_load_cli;
