//! Progress, forecasts and cluster metrics: pure functions over data handed to them.
//!
//! Nothing here touches a database, a file or the network. Money never passes through these
//! functions as a float except where a *rate* or a *forecast* is computed from it (growth,
//! shares, trend fits); amounts handed back to callers are rounded by the caller, explicitly.
//!
//! - [`progress`]: the Open SDG progress measure (observed vs required CAGR), pro-rating and
//!   yearly phasing of targets, county split.
//! - [`forecast`]: log-linear trend and damped Holt trend with prediction intervals.
//! - [`outlier`]: median, MAD, modified z and seasonal change checks for validation rules.
//! - [`targets`], [`quotas`]: the plan's targets (二) and quotas (三) as of a month over the
//!   rows the store read ([`progress_data`]).
//! - [`county_assessment`]: the county assessment's raw values, scores and places for a year.
//! - [`metrics`]: every cluster's metrics for a year over the rows the store read.
//! - [`cluster`]: revenue tiers, HHI and top-n share, location quotient, strong-cluster flag,
//!   shift-share, R&D intensity.

pub mod above_scale;
pub mod assessment;
pub mod cluster;
pub mod county_assessment;
pub mod forecast;
pub mod metrics;
pub mod outlier;
pub mod park_transfer;
pub mod progress;
pub mod progress_data;
pub mod quotas;
pub mod states;
pub mod targets;
pub mod validation;

pub use forecast::{Forecast, damped_holt, log_linear};
pub use progress::{Method, Progress, Status, measure_progress};
pub use states::{Basis, ForecastMethod, QuotaStatus, TargetSource};
