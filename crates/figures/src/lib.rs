//! The figures and charts the pages show, computed once for every reader: the pages of `web`
//! and the PDF bulletins call the same functions, so a bulletin and a page cannot disagree.
//!
//! Pure functions over plain data (analytics results and plain structs) that return SVG
//! strings or figure structs. No web framework, no store, no database.
//!
//! - [`assessment`]: the county assessment's ranking rows, own panel, transfer and 三(二)2 lines
//!   and downloadable tables.
//! - [`charts`]: SVG charts (trend, tiers, portfolio bubbles, county maps) and the one escaper.
//! - [`home`]: the dashboard's headline numbers and target list.
//! - [`metrics`]: the cluster metrics page's portfolio series.
//! - [`progress`]: a target's progress bar and trend chart, the colour of a status.
//! - [`table`]: the progress page's table and status counts (also on the home page).
//! - [`target`]: one target's trend chart, verdict and number formats.

pub mod assessment;
pub mod charts;
pub mod home;
pub mod metrics;
pub mod progress;
pub mod table;
pub mod target;

pub use charts::esc;
