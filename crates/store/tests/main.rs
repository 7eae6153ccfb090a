//! Every integration test of `store` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod assessment;
mod assessment_decisions;
mod assessment_fixture;
mod bulk;
mod concentration;
mod demo;
mod engine;
mod follow_on_targets;
mod freshness;
mod progress;
mod reminders;
mod result_cache;
mod slow_statements;
mod validation;
mod values_write;
mod write_interleavings;
mod write_races;
