//! The LR range test for burn.
//!
//! [`range_test`] sweeps the LR over a copy of a model, records the raw and
//! smoothed loss and stops when it diverges; the original weights come back
//! untouched. [`suggest`] reads a curve with the descent rule (the default,
//! chosen on the project's LR benchmark) or fastai's rules
//! (`steepest`, `minimum`, `valley`), and [`hand_off`] turns a result into
//! LRs for warmup + cosine and one-cycle, with a verdict on the curve.
#![warn(missing_docs)]

mod curve;
pub mod descent;
mod handoff;
mod range_test;
mod smooth;
mod suggest;

pub use curve::{Curve, CurveError};
pub use handoff::{HandOff, MAX_NOISE, MIN_FALL, MIN_POINTS, Optimizer, Trust, hand_off};
pub use range_test::{
    FinderConfig, LR_RANGE, MAX_NUM_ITER, RangeTest, Stop, Sweep, loss_of, range_test,
};
pub use smooth::two_sided;
pub use suggest::{Method, Suggestion, suggest, suggest_within};
