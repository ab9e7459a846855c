//! PyTorch's multiplicative decays: `StepLR`, `MultiStepLR`, `ConstantLR`,
//! `LinearLR`, `ExponentialLR` and `PolynomialLR`, in closed form.
//!
//! `t` is the number of scheduler steps taken so far (`last_epoch` in PyTorch),
//! counted in the spec's unit; `t = 0` is the LR right after construction.

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::params::Params;

/// `StepLR`: `base_lr * gamma^floor(t / step_size)`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::StepLr};
/// let spec = Spec::new(StepLr::new(2).with_gamma(0.5));
/// assert_eq!(spec.preview(1.0, 5).unwrap(), [1.0, 1.0, 0.5, 0.5, 0.25]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLr {
    step_size: u64,
    gamma: f64,
}

impl StepLr {
    /// Decays every `step_size` steps (at least 1), by `gamma = 0.1`.
    pub fn new(step_size: u64) -> Self {
        Self {
            step_size,
            gamma: 0.1,
        }
    }

    /// The multiplicative decay, in `[0, 1]` (default 0.1).
    pub fn with_gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    /// Steps between two decays.
    pub fn step_size(&self) -> u64 {
        self.step_size
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get("step_size")?);
        p.set("gamma", &mut curve.gamma)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(30)
    }
}

impl Curve for StepLr {
    const NAME: &'static str = "step";
    const TORCH_NAME: &'static str = "StepLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * self.gamma.powf((t / self.step_size as f64).floor())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("step_size", self.step_size, 1)?;
        check::float("gamma", self.gamma, Bounds::Closed(0.0, 1.0))
    }
}

/// `MultiStepLR`: `base_lr * gamma^(number of milestones <= t)`.
///
/// A milestone listed k times decays by `gamma^k`, as in PyTorch.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.MultiStepLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::MultiStepLr};
/// let spec = Spec::new(MultiStepLr::new([2, 4]).with_gamma(0.5));
/// assert_eq!(spec.preview(1.0, 6).unwrap(), [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiStepLr {
    milestones: Vec<u64>,
    gamma: f64,
}

impl MultiStepLr {
    /// Decays by `gamma = 0.1` at each of `milestones` (steps, in any order).
    pub fn new(milestones: impl Into<Vec<u64>>) -> Self {
        let mut milestones = milestones.into();
        milestones.sort_unstable();
        Self {
            milestones,
            gamma: 0.1,
        }
    }

    /// The multiplicative decay, in `[0, 1]` (default 0.1).
    pub fn with_gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    /// The milestones, sorted.
    pub fn milestones(&self) -> &[u64] {
        &self.milestones
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get::<Vec<u64>>("milestones")?);
        p.set("gamma", &mut curve.gamma)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new([30, 60, 90])
    }
}

impl Curve for MultiStepLr {
    const NAME: &'static str = "multi_step";
    const TORCH_NAME: &'static str = "MultiStepLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let passed = self.milestones.partition_point(|&m| m as f64 <= t);
        base_lr * self.gamma.powf(passed as f64)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::float("gamma", self.gamma, Bounds::Closed(0.0, 1.0))
    }
}

/// `ConstantLR`: `base_lr * factor` until `total_iters`, then `base_lr`.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.ConstantLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::ConstantLr};
/// let spec = Spec::new(ConstantLr::new(0.5, 2));
/// assert_eq!(spec.preview(1.0, 4).unwrap(), [0.5, 0.5, 1.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstantLr {
    factor: f64,
    total_iters: u64,
}

impl Default for ConstantLr {
    /// PyTorch's defaults: `factor = 1/3`, `total_iters = 5`.
    fn default() -> Self {
        Self {
            factor: 1.0 / 3.0,
            total_iters: 5,
        }
    }
}

impl ConstantLr {
    /// `factor` (in `[0, 1]`) for the first `total_iters` steps (at least 1).
    pub fn new(factor: f64, total_iters: u64) -> Self {
        Self {
            factor,
            total_iters,
        }
    }

    /// Steps during which the factor applies.
    pub fn total_iters(&self) -> u64 {
        self.total_iters
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::default();
        p.set("factor", &mut curve.factor)?;
        p.set("total_iters", &mut curve.total_iters)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::default()
    }
}

impl Curve for ConstantLr {
    const NAME: &'static str = "constant";
    const TORCH_NAME: &'static str = "ConstantLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if t < self.total_iters as f64 {
            base_lr * self.factor
        } else {
            base_lr
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::float("factor", self.factor, Bounds::Closed(0.0, 1.0))?;
        check::int("total_iters", self.total_iters, 1)
    }
}

/// `LinearLR`: the factor moves linearly from `start_factor` to `end_factor`
/// over `total_iters` steps, then holds.
///
/// ```
/// use burn_lr_core::{Spec, schedules::LinearLr};
/// // A warmup from 0 over 4 steps:
/// let spec = Spec::new(LinearLr::new(0.0, 1.0, 4));
/// assert_eq!(spec.preview(1.0, 6).unwrap(), [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearLr {
    start_factor: f64,
    end_factor: f64,
    total_iters: u64,
}

impl Default for LinearLr {
    /// PyTorch's defaults: from 1/3 to 1 over 5 steps.
    fn default() -> Self {
        Self::new(1.0 / 3.0, 1.0, 5)
    }
}

impl LinearLr {
    /// From `start_factor` to `end_factor` (both in `[0, 1]`) over
    /// `total_iters` steps (at least 1).
    pub fn new(start_factor: f64, end_factor: f64, total_iters: u64) -> Self {
        Self {
            start_factor,
            end_factor,
            total_iters,
        }
    }

    /// Length of the ramp in steps.
    pub fn total_iters(&self) -> u64 {
        self.total_iters
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::default();
        p.set("start_factor", &mut curve.start_factor)?;
        p.set("end_factor", &mut curve.end_factor)?;
        p.set("total_iters", &mut curve.total_iters)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::default()
    }
}

impl Curve for LinearLr {
    const NAME: &'static str = "linear";
    const TORCH_NAME: &'static str = "LinearLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let total = self.total_iters as f64;
        let progress = t.min(total) / total;
        base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)
    }

    /// PyTorch's ranges: both factors in `[0, 1]` (PyTorch wants
    /// `start_factor > 0`; 0 is allowed here for a warmup from 0). A factor
    /// above 1 would run above the optimizer's LR: raise the base LR instead.
    fn validate(&self) -> Result<(), ConfigError> {
        check::float("start_factor", self.start_factor, Bounds::Closed(0.0, 1.0))?;
        check::float("end_factor", self.end_factor, Bounds::Closed(0.0, 1.0))?;
        check::int("total_iters", self.total_iters, 1)
    }
}

/// `ExponentialLR`: `base_lr * gamma^t`.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.ExponentialLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::ExponentialLr};
/// let spec = Spec::new(ExponentialLr::new(0.5));
/// assert_eq!(spec.preview(1.0, 4).unwrap(), [1.0, 0.5, 0.25, 0.125]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExponentialLr {
    gamma: f64,
}

impl ExponentialLr {
    /// Decays by `gamma` (in `[0, 1]`) every step.
    pub fn new(gamma: f64) -> Self {
        Self { gamma }
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        Ok(Self::new(p.get("gamma")?))
    }

    pub(crate) fn example() -> Self {
        Self::new(0.99)
    }
}

impl Curve for ExponentialLr {
    const NAME: &'static str = "exponential";
    const TORCH_NAME: &'static str = "ExponentialLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * self.gamma.powf(t)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::float("gamma", self.gamma, Bounds::Closed(0.0, 1.0))
    }
}

/// `PolynomialLR`: `base_lr * (1 - min(t, total_iters) / total_iters)^power`,
/// reaching 0 at `total_iters`.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.PolynomialLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::PolynomialLr};
/// let spec = Spec::new(PolynomialLr::new(4).with_power(1.0));
/// assert_eq!(spec.preview(1.0, 6).unwrap(), [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolynomialLr {
    total_iters: u64,
    power: f64,
}

impl Default for PolynomialLr {
    /// PyTorch's defaults: linear (`power = 1`) to 0 over 5 steps.
    fn default() -> Self {
        Self::new(5)
    }
}

impl PolynomialLr {
    /// Decays to 0 over `total_iters` steps (at least 1), linearly.
    pub fn new(total_iters: u64) -> Self {
        Self {
            total_iters,
            power: 1.0,
        }
    }

    /// The exponent of the decay (`> 0`, default 1).
    pub fn with_power(mut self, power: f64) -> Self {
        self.power = power;
        self
    }

    /// Steps to reach 0.
    pub fn total_iters(&self) -> u64 {
        self.total_iters
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::default();
        p.set("total_iters", &mut curve.total_iters)?;
        p.set("power", &mut curve.power)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100).with_power(0.9)
    }
}

impl Curve for PolynomialLr {
    const NAME: &'static str = "polynomial";
    const TORCH_NAME: &'static str = "PolynomialLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let total = self.total_iters as f64;
        base_lr * (1.0 - t.min(total) / total).powf(self.power)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("total_iters", self.total_iters, 1)?;
        check::float("power", self.power, Bounds::Above(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&[
            "step",
            "multi_step",
            "constant",
            "linear",
            "exponential",
            "polynomial",
        ]);
    }

    #[test]
    fn a_repeated_milestone_decays_once_per_listing() {
        let m = MultiStepLr::new([5, 3, 3]).with_gamma(0.5);
        let lrs: Vec<f64> = (0..6).map(|t| m.lr(1.0, t as f64)).collect();
        assert_eq!(lrs, [1.0, 1.0, 1.0, 0.25, 0.25, 0.125]);
    }

    #[test]
    fn linear_holds_its_end_factor() {
        let l = LinearLr::new(0.0, 0.5, 4);
        let lrs: Vec<f64> = (0..7).map(|t| l.lr(1.0, t as f64)).collect();
        assert_eq!(lrs, [0.0, 0.125, 0.25, 0.375, 0.5, 0.5, 0.5]);
    }

    #[test]
    fn linear_factors_stay_in_pytorchs_range() {
        for (start, end, field) in [(1.5, 1.0, "start_factor"), (1.0, 2.0, "end_factor")] {
            let err = LinearLr::new(start, end, 5)
                .validate()
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&format!("`{field}` =")), "{err}");
            assert!(err.contains("[0, 1]"), "{err}");
        }
    }

    #[test]
    fn builders_are_validated_like_specs() {
        let err = StepLr::new(0).validate().unwrap_err().to_string();
        assert!(err.contains("`step_size` = 0"), "{err}");
        let err = LinearLr::new(f64::NAN, 1.0, 5)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("`start_factor` = NaN"), "{err}");
    }
}
