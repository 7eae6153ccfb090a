//! Every integration test of `policy` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod engine;
mod plan_policies;
