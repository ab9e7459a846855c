//! The LR range test for burn.
//!
//! [`range_test`] sweeps the LR over a copy of a model, records the smoothed
//! loss and stops when it diverges; the original weights come back untouched.
//! [`suggest`] reads a curve with fastai's rules (`steepest`, `minimum`,
//! `valley`), and [`HandOff`] turns a result into LRs for a schedule.
#![warn(missing_docs)]

mod curve;
mod handoff;
mod range_test;
mod smooth;
mod suggest;

pub use curve::{Curve, CurveError};
pub use handoff::{HandOff, Optimizer, Trust, hand_off};
pub use range_test::{FinderConfig, LR_RANGE, MAX_NUM_ITER, RangeTest, Stop, Sweep, loss_of, range_test,
};
pub use smooth::two_sided;
pub use suggest::{Method, Suggestion, suggest, suggest_within};
