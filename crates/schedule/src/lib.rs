//! Closed-form learning-rate schedules for burn, PyTorch-exact.
//!
//! A [`Spec`] (JSON or TOML, `{"scheduler": NAME, ...}` with PyTorch, Hugging
//! Face and timm parameter names) describes a [`Schedule`]: a pure function of
//! the step count. [`Spec::scheduler`] wraps it in a [`Scheduler`], the thin
//! stateful adapter that implements burn's `LrScheduler`;
//! [`Spec::init`] builds burn's `ModuleLrScheduler` with per-group multipliers.
//!
//! ```
//! use burn_lr_schedule::Spec;
//!
//! let spec = Spec::from_toml(r#"
//!     scheduler = "multi_step"
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

pub mod clock;
pub mod curves;
mod error;
mod scheduler;
pub mod spec;

pub use clock::{Clock, Timing};
pub use curves::Schedule;
pub use error::SpecError;
pub use scheduler::Scheduler;
pub use spec::{LrGroup, Spec, Unit, Warmup};

/// A schedule written in code: `base_lr * lr_lambda(t)` (PyTorch's `LambdaLR`).
///
/// ```
/// use burn_lr_schedule::lambda;
/// let spec = lambda("halving", |t| 0.5f64.powf(t));
/// assert_eq!(spec.preview(1.0, 3).unwrap(), [1.0, 0.5, 0.25]);
/// ```
pub fn lambda(
    name: impl Into<String>,
    lr_lambda: impl Fn(f64) -> f64 + Send + Sync + 'static,
) -> Spec {
    Spec::new(Schedule::Lambda(curves::LambdaLr::new(name, lr_lambda)))
}
