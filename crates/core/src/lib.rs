//! Closed-form learning-rate schedules for burn, PyTorch-exact, with
//! ReduceLROnPlateau and the burn-train hooks that keep them honest.
//!
//! A [`Spec`] describes a [`Schedule`] (a pure function of the step count)
//! with its unit, warmup, parameter groups and optional plateau rule. It is
//! built in code or read from JSON/TOML with PyTorch, Hugging Face and timm
//! parameter names; both paths are validated by the same checks.
//! [`Spec::init`] returns burn's `ModuleLrScheduler` (one [`Scheduler`] per
//! group) together with its [`LrHook`], the epoch-end check that the schedule
//! runs at the pace it assumes.
//!
//! ```
//! use burn_lr_core::Spec;
//!
//! let spec = Spec::from_toml(r#"
//!     scheduler = "MultiStepLR"      # PyTorch's names are accepted too
//!     milestones = [30, 60, 90]
//!     gamma = 0.1
//!     unit = "epoch"
//!     timing = "epoch"
//!     steps_per_epoch = 10
//! "#).unwrap();
//! let lrs = spec.preview(0.1, 1000).unwrap();
//! assert_eq!(lrs[299], 0.1);                  // last update of epoch 29
//! assert!((lrs[300] - 0.01).abs() < 1e-15);   // first update of epoch 30
//! ```
#![warn(missing_docs)]

pub mod alert;
mod check;
mod error;
pub mod groups;
pub mod optim;
pub mod plateau;
mod scheduler;
pub mod schedules;
pub mod spec;
pub mod train;

pub use error::ConfigError;
pub use groups::LrGroup;
pub use optim::{MomentumHandle, OptimizerKind};
pub use scheduler::Scheduler;
pub use schedules::{Curve, Schedule};
pub use spec::Timing;
// Shared with the sibling crates (finder, predict, CLI) so that every file is
// read under the same size limit; not part of the API.
#[doc(hidden)]
pub use spec::text::{MAX_INPUT_BYTES, read_input_file};
pub use spec::{Rescale, Spec, Unit, Warmup};
pub use train::{GroupLrMetric, HookProblem, LrHook, ModuleSchedule, OnMismatch, StepsPerEpoch};

/// A schedule written in code: `base_lr * lr_lambda(t)` (PyTorch's `LambdaLR`).
///
/// ```
/// use burn_lr_core::lambda;
/// let spec = lambda("halving", |t| 0.5f64.powf(t));
/// assert_eq!(spec.preview(1.0, 3).unwrap(), [1.0, 0.5, 0.25]);
/// ```
pub fn lambda(
    name: impl Into<String>,
    lr_lambda: impl Fn(f64) -> f64 + Send + Sync + 'static,
) -> Spec {
    Spec::new(schedules::LambdaLr::new(name, lr_lambda))
}
