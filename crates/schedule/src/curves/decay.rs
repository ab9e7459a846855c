//! PyTorch's multiplicative decays: `StepLR`, `MultiStepLR`, `ConstantLR`,
//! `LinearLR`, `ExponentialLR` and `PolynomialLR`, in closed form.
//!
//! `t` is the number of scheduler steps taken so far (`last_epoch` in PyTorch),
//! counted in the spec's unit; `t = 0` is the LR right after construction.

use serde::Serialize;

use crate::SpecError;
use crate::spec::params::{Params, Range};

/// `StepLR`: `base_lr * gamma^floor(t / step_size)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLr {
    /// Steps between two decays.
    pub step_size: u64,
    /// Multiplicative decay, in `[0, 1]`.
    pub gamma: f64,
}

impl StepLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            step_size: p.int("step_size", 1)?,
            gamma: p.float_or("gamma", 0.1, Range::Closed(0.0, 1.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * self.gamma.powf((t / self.step_size as f64).floor())
    }
}

/// `MultiStepLR`: `base_lr * gamma^(number of milestones <= t)`.
///
/// A milestone listed k times decays by `gamma^k`, as in PyTorch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiStepLr {
    /// Steps at which the LR is multiplied by `gamma` (kept sorted).
    pub milestones: Vec<u64>,
    /// Multiplicative decay, in `[0, 1]`.
    pub gamma: f64,
}

impl MultiStepLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let mut milestones = p.int_list("milestones")?;
        milestones.sort_unstable();
        Ok(Self {
            milestones,
            gamma: p.float_or("gamma", 0.1, Range::Closed(0.0, 1.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let passed = self.milestones.partition_point(|&m| m as f64 <= t);
        base_lr * self.gamma.powf(passed as f64)
    }
}

/// `ConstantLR`: `base_lr * factor` until `total_iters`, then `base_lr`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstantLr {
    /// The factor applied before `total_iters`, in `[0, 1]`.
    pub factor: f64,
    /// Steps during which the factor applies (at least 1).
    pub total_iters: u64,
}

impl ConstantLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            factor: p.float_or("factor", 1.0 / 3.0, Range::Closed(0.0, 1.0))?,
            total_iters: p.int_or("total_iters", 5, 1)?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if t < self.total_iters as f64 {
            base_lr * self.factor
        } else {
            base_lr
        }
    }
}

/// `LinearLR`: the factor moves linearly from `start_factor` to `end_factor`
/// over `total_iters` steps, then holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearLr {
    /// Factor at step 0 (`>= 0`; 0 gives a warmup from zero).
    pub start_factor: f64,
    /// Factor from `total_iters` on (`>= 0`).
    pub end_factor: f64,
    /// Length of the ramp in steps (at least 1).
    pub total_iters: u64,
}

impl LinearLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            start_factor: p.float_or("start_factor", 1.0 / 3.0, Range::AtLeast(0.0))?,
            end_factor: p.float_or("end_factor", 1.0, Range::AtLeast(0.0))?,
            total_iters: p.int_or("total_iters", 5, 1)?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let total = self.total_iters as f64;
        let progress = t.min(total) / total;
        base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)
    }
}

/// `ExponentialLR`: `base_lr * gamma^t`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExponentialLr {
    /// Decay per step, in `[0, 1]`.
    pub gamma: f64,
}

impl ExponentialLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            gamma: p.float("gamma", Range::Closed(0.0, 1.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * self.gamma.powf(t)
    }
}

/// `PolynomialLR`: `base_lr * (1 - min(t, total_iters) / total_iters)^power`,
/// reaching 0 at `total_iters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolynomialLr {
    /// Steps to reach 0 (at least 1).
    pub total_iters: u64,
    /// Exponent of the decay (`> 0`).
    pub power: f64,
}

impl PolynomialLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            total_iters: p.int_or("total_iters", 5, 1)?,
            power: p.float_or("power", 1.0, Range::Above(0.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let total = self.total_iters as f64;
        base_lr * (1.0 - t.min(total) / total).powf(self.power)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_milestone_decays_once_per_listing() {
        let m = MultiStepLr {
            milestones: vec![3, 3, 5],
            gamma: 0.5,
        };
        let lrs: Vec<f64> = (0..6).map(|t| m.lr(1.0, t as f64)).collect();
        assert_eq!(lrs, [1.0, 1.0, 1.0, 0.25, 0.25, 0.125]);
    }

    #[test]
    fn linear_holds_its_end_factor() {
        let l = LinearLr {
            start_factor: 0.0,
            end_factor: 2.0,
            total_iters: 4,
        };
        let lrs: Vec<f64> = (0..7).map(|t| l.lr(1.0, t as f64)).collect();
        assert_eq!(lrs, [0.0, 0.5, 1.0, 1.5, 2.0, 2.0, 2.0]);
    }
}
