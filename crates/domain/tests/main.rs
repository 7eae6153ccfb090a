//! Every integration test of `domain` in one binary (one link, not one per
//! file): one module per feature, registered in this one list.

mod audit;
mod codes;
mod lockout;
mod money;
mod period;
mod role;
mod session;
mod totp;
mod wall_clock;
mod workflow;
