//! Loss-curve laws for burn-lr: predict what a schedule will do before it is
//! trained, and plan the schedule for a budget.
//!
//! Fit a law to one or more logged runs (the LR and the training loss of
//! every update), then predict the per-update training loss of any LR
//! sequence or [`Spec`](burn_lr_core::Spec):
//!
//! - [`MultiPower`], the multi-power law of Luo et al. (ICLR 2025), which
//!   follows constant, cosine, step and warmup-stable-decay schedules and
//!   other horizons from a constant and a cosine run;
//! - [`Annealing`], the LR-annealing law of Tissue et al. (2024), a baseline.
//!
//! Runs come from code ([`Run::new`]), a CSV of `step,lr,loss`
//! ([`Run::from_csv`]) or the directory burn-train logged to
//! ([`Run::from_burn_train`]). [`plan`] searches a schedule family for the
//! lowest predicted final loss; [`warnings`] says when a prediction leaves what
//! the fitted runs show.
//!
//! Conventions: update 0 is the first update; the loss of update `i` is the
//! loss of the batch it was computed on, predicted from the LRs of updates
//! `0..=i`; a run's final loss is the mean over its last 5% of updates.
#![warn(missing_docs)]

mod error;
mod fit;
mod interval;
mod law;
mod lm;
mod one_pass;
mod parallel;
mod path;
mod plan;
mod quality;
mod read;
mod warnings;

pub use error::FitError;
pub use fit::{Fitted, LawKind, MIN_UPDATES, Run, RunFit, fit};
pub use interval::Interval;
pub use law::{Annealing, Law, MultiPower, final_window};
pub use path::{LrPath, PEAK_TOLERANCE};
pub use plan::{Family, Planned, plan};
pub use quality::{FitWarning, POOR_FIT};
pub use warnings::{FASTER, PredictWarning, warnings};
