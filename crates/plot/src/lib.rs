//! Line charts for burn-lr: LR schedules, LR-finder curves and training curves,
//! drawn with `plotters` (SVG, PNG) and `textplots` (terminal).
//!
//! ```no_run
//! use burn_lr_plot::{Chart, Series};
//! let lrs: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, 0.1 * 0.97f64.powi(i))).collect();
//! Chart::new("exponential decay", "update", "learning rate")
//!     .series(Series::new("lr", lrs))
//!     .save("lr.svg")
//!     .unwrap();
//! ```
#![warn(missing_docs)]

mod chart;
mod terminal;

pub use chart::{Chart, Marker, PlotError, Series, Span};
pub use terminal::terminal_chart;
