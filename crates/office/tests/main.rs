//! Every integration test of `office` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod as_meant;
mod as_seen;
mod bounded_reads;
mod enterprise_import;
mod reporting_import;
