//! Every integration test of `plan` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod assessment;
mod embedded;
mod rejects;
