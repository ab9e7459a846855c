//! The LR range test for burn.
//!
//! [`range_test`] sweeps the LR over a copy of a model, records the raw and
//! smoothed loss and stops when it diverges; the original weights come back
//! untouched. [`hand_off`] turns a result into the peak LRs of warmup +
//! cosine and one-cycle for a run of a given length, with a verdict on the
//! curve and warnings on how it was read: the rule, its constants and its
//! dependence on the run's length were fitted on the project's LR benchmark
//! and judged on tasks and lengths held out of the fit. [`suggest`] also
//! applies fastai's rules (`steepest`, `minimum`, `valley`).
#![warn(missing_docs)]

mod sweep_curve;
// The rules' building blocks, public for the LR benchmark that fits them;
// not part of the API.
#[doc(hidden)]
pub mod descent;
mod handoff;
mod range_test;
#[doc(hidden)]
pub mod rule;
mod smooth;
mod suggest;
pub mod tune;

pub use handoff::{
    HandOff, MAX_NOISE, MIN_FALL, MIN_POINTS, MIN_SWEEP_POINTS, Plan, Trust, hand_off,
    hand_off_smoothed, no_hand_off_for,
};
pub use range_test::{
    DEFAULT_READBACK, FinderConfig, LR_RANGE, MAX_NUM_ITER, MAX_READBACK, RangeTest, Stop, Sweep,
    loss_of, range_test,
};
pub use rule::horizon_factor;
pub use suggest::{Method, Suggestion, suggest, suggest_within};
pub use sweep_curve::SweepCurve;
