//! Cosine schedules: PyTorch's `CosineAnnealingLR` and
//! `CosineAnnealingWarmRestarts`, and timm's `CosineLRScheduler`.
//!
//! `t` counts scheduler steps (or epochs, for a spec in epochs); `t = 0` is the
//! LR right after construction.

use std::f64::consts::PI;

use serde::Serialize;

use crate::SpecError;
use crate::spec::params::{Params, Range};

/// Half a cosine from `from` (progress 0) to `to` (progress 1).
pub(crate) fn cosine_between(from: f64, to: f64, progress: f64) -> f64 {
    to + (from - to) * (1.0 + (PI * progress).cos()) / 2.0
}

/// `CosineAnnealingLR`: `eta_min + (base_lr - eta_min) * (1 + cos(pi t / t_max)) / 2`.
///
/// Not clamped: past `t_max` the LR follows the cosine back up (period
/// `2 t_max`), exactly as PyTorch does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineAnnealingLr {
    /// Half-period in steps (at least 1).
    pub t_max: u64,
    /// The lowest LR, reached at `t_max` (absolute, `>= 0`).
    pub eta_min: f64,
}

impl CosineAnnealingLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            t_max: p.int("t_max", 1)?,
            eta_min: p.float_or("eta_min", 0.0, Range::AtLeast(0.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        cosine_between(base_lr, self.eta_min, t / self.t_max as f64)
    }
}

/// `CosineAnnealingWarmRestarts` (SGDR): cosine cycles of `t_0`, `t_0 t_mult`,
/// `t_0 t_mult^2`, ... steps, each restarting at `base_lr`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineAnnealingWarmRestarts {
    /// Length of the first cycle in steps (at least 1).
    pub t_0: u64,
    /// Growth of the cycle length (an integer >= 1).
    pub t_mult: u64,
    /// The lowest LR (absolute, `>= 0`).
    pub eta_min: f64,
}

impl CosineAnnealingWarmRestarts {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            t_0: p.int("t_0", 1)?,
            t_mult: p.int_or("t_mult", 1, 1)?,
            eta_min: p.float_or("eta_min", 0.0, Range::AtLeast(0.0))?,
        })
    }

    /// Start and length of the cycle that holds step `t`.
    fn cycle(&self, t: f64) -> (f64, f64) {
        let whole = t.floor();
        if self.t_mult == 1 {
            let len = self.t_0 as f64;
            return ((whole / len).floor() * len, len);
        }
        let (mut start, mut len) = (0.0, self.t_0 as f64);
        while start + len <= whole {
            start += len;
            len *= self.t_mult as f64;
        }
        (start, len)
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let (start, len) = self.cycle(t);
        cosine_between(base_lr, self.eta_min, (t - start) / len)
    }
}

/// timm's `CosineLRScheduler` (no noise), stepped once per epoch.
///
/// During `warmup_t` epochs the LR rises linearly from `warmup_lr_init`; by
/// default (`warmup_prefix = false`, timm's default) the warmup overlaps the
/// cosine clock. Cycles grow by `cycle_mul`, their peak decays by
/// `cycle_decay`, and after `cycle_limit` cycles the LR stays at `lr_min`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimmCosine {
    /// Length of the first cycle in epochs (at least 1).
    pub t_initial: u64,
    /// The floor of every cycle (absolute, `>= 0`).
    pub lr_min: f64,
    /// Growth of the cycle length (`>= 1`).
    pub cycle_mul: f64,
    /// Decay of the peak LR per cycle, in `[0, 1]`.
    pub cycle_decay: f64,
    /// Number of cycles before the LR stays at `lr_min` (at least 1).
    pub cycle_limit: u64,
    /// Warmup length in epochs.
    pub warmup_t: u64,
    /// LR at epoch 0 of the warmup (absolute, `>= 0`).
    pub warmup_lr_init: f64,
    /// timm's `k_decay`: the cosine runs over `t^k / t_i^k` (`> 0`).
    pub k_decay: f64,
    /// When true the cosine clock starts after the warmup.
    pub warmup_prefix: bool,
}

impl TimmCosine {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            t_initial: p.int("t_initial", 1)?,
            lr_min: p.float_or("lr_min", 0.0, Range::AtLeast(0.0))?,
            cycle_mul: p.float_or("cycle_mul", 1.0, Range::AtLeast(1.0))?,
            cycle_decay: p.float_or("cycle_decay", 1.0, Range::Closed(0.0, 1.0))?,
            cycle_limit: p.int_or("cycle_limit", 1, 1)?,
            warmup_t: p.int_or("warmup_t", 0, 0)?,
            warmup_lr_init: p.float_or("warmup_lr_init", 0.0, Range::AtLeast(0.0))?,
            k_decay: p.float_or("k_decay", 1.0, Range::Above(0.0))?,
            warmup_prefix: p.bool_or("warmup_prefix", false)?,
        })
    }

    /// The LR of epoch `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let warmup = self.warmup_t as f64;
        if t < warmup {
            return self.warmup_lr_init + t * (base_lr - self.warmup_lr_init) / warmup;
        }
        let t = if self.warmup_prefix { t - warmup } else { t };
        let initial = self.t_initial as f64;
        let mul = self.cycle_mul;
        let (i, t_i, t_curr) = if mul != 1.0 {
            let i = ((1.0 - t / initial * (1.0 - mul)).ln() / mul.ln()).floor();
            let t_i = mul.powf(i) * initial;
            (i, t_i, t - (1.0 - mul.powf(i)) / (1.0 - mul) * initial)
        } else {
            let i = (t / initial).floor();
            (i, initial, t - initial * i)
        };
        if i >= self.cycle_limit as f64 {
            return self.lr_min;
        }
        let peak = base_lr * self.cycle_decay.powf(i);
        let k = self.k_decay;
        self.lr_min + 0.5 * (peak - self.lr_min) * (1.0 + (PI * t_curr.powf(k) / t_i.powf(k)).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_restarts_restart_at_the_cycle_boundaries() {
        let sgdr = CosineAnnealingWarmRestarts {
            t_0: 2,
            t_mult: 3,
            eta_min: 0.0,
        };
        // Cycles of 2, 6, 18 steps start at 0, 2 and 8.
        for start in [0.0, 2.0, 8.0] {
            assert_eq!(sgdr.lr(1.0, start), 1.0, "restart at {start}");
            assert!(sgdr.lr(1.0, start + 1.0) < 1.0);
        }
        assert!(
            (sgdr.lr(1.0, 5.0) - 0.5).abs() < 1e-12,
            "half-way through the 6-step cycle"
        );
    }

    #[test]
    fn timm_warmup_overlaps_the_cosine_unless_prefixed() {
        let mut timm = TimmCosine {
            t_initial: 10,
            lr_min: 0.0,
            cycle_mul: 1.0,
            cycle_decay: 1.0,
            cycle_limit: 1,
            warmup_t: 2,
            warmup_lr_init: 0.0,
            k_decay: 1.0,
            warmup_prefix: false,
        };
        let overlapped = timm.lr(1.0, 2.0);
        timm.warmup_prefix = true;
        assert_eq!(timm.lr(1.0, 2.0), 1.0);
        assert!(overlapped < 1.0);
        assert_eq!(
            timm.lr(1.0, 12.0),
            0.0,
            "past the cycle limit the LR stays at lr_min"
        );
    }
}
