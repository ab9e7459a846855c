//! Cosine schedules: PyTorch's `CosineAnnealingLR` and
//! `CosineAnnealingWarmRestarts`, and timm's `CosineLRScheduler`.
//!
//! `t` counts scheduler steps (or epochs, for a spec in epochs); `t = 0` is the
//! LR right after construction.

use std::f64::consts::PI;

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::params::Params;

/// Half a cosine from `from` (progress 0) to `to` (progress 1).
pub(crate) fn cosine_between(from: f64, to: f64, progress: f64) -> f64 {
    to + (from - to) * (1.0 + (PI * progress).cos()) / 2.0
}

/// `CosineAnnealingLR`: `eta_min + (base_lr - eta_min) * (1 + cos(pi t / t_max)) / 2`.
///
/// Not clamped: past `t_max` the LR follows the cosine back up (period
/// `2 t_max`), exactly as PyTorch does.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineAnnealingLr};
/// let spec = Spec::new(CosineAnnealingLr::new(4).with_eta_min(0.1));
/// let lrs = spec.preview(1.0, 5).unwrap();
/// assert_eq!((lrs[0], lrs[4]), (1.0, 0.1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineAnnealingLr {
    t_max: u64,
    eta_min: f64,
}

impl CosineAnnealingLr {
    /// Half a cosine over `t_max` steps (at least 1), down to `eta_min = 0`.
    pub fn new(t_max: u64) -> Self {
        Self {
            t_max,
            eta_min: 0.0,
        }
    }

    /// The lowest LR, reached at `t_max` (absolute, `>= 0`; default 0).
    pub fn with_eta_min(mut self, eta_min: f64) -> Self {
        self.eta_min = eta_min;
        self
    }

    /// The half-period in steps.
    pub fn t_max(&self) -> u64 {
        self.t_max
    }

    /// The lowest LR (absolute).
    pub fn eta_min(&self) -> f64 {
        self.eta_min
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get("t_max")?);
        p.set("eta_min", &mut curve.eta_min)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100)
    }
}

impl Curve for CosineAnnealingLr {
    const NAME: &'static str = "cosine_annealing";
    const TORCH_NAME: &'static str = "CosineAnnealingLR";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        cosine_between(base_lr, self.eta_min, t / self.t_max as f64)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("t_max", self.t_max, 1)?;
        check::lr("eta_min", self.eta_min)
    }
}

/// `CosineAnnealingWarmRestarts` (SGDR): cosine cycles of `t_0`, `t_0 t_mult`,
/// `t_0 t_mult^2`, ... steps, each restarting at `base_lr`.
///
/// Reference: Loshchilov & Hutter, 2017, SGDR; PyTorch `CosineAnnealingWarmRestarts`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineAnnealingWarmRestarts};
/// // Cycles of 2, 4, 8, ... steps: the LR restarts at steps 2 and 6.
/// let spec = Spec::new(CosineAnnealingWarmRestarts::new(2).with_t_mult(2));
/// let lrs = spec.preview(1.0, 8).unwrap();
/// assert_eq!((lrs[0], lrs[2], lrs[6]), (1.0, 1.0, 1.0));
/// assert!(lrs[1] < 1.0 && lrs[5] < lrs[4]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineAnnealingWarmRestarts {
    t_0: u64,
    t_mult: u64,
    eta_min: f64,
}

impl CosineAnnealingWarmRestarts {
    /// Cycles of `t_0` steps (at least 1), down to `eta_min = 0`.
    pub fn new(t_0: u64) -> Self {
        Self {
            t_0,
            t_mult: 1,
            eta_min: 0.0,
        }
    }

    /// Growth of the cycle length (an integer >= 1, default 1).
    pub fn with_t_mult(mut self, t_mult: u64) -> Self {
        self.t_mult = t_mult;
        self
    }

    /// The lowest LR (absolute).
    pub fn eta_min(&self) -> f64 {
        self.eta_min
    }

    /// The lowest LR (absolute, `>= 0`; default 0).
    pub fn with_eta_min(mut self, eta_min: f64) -> Self {
        self.eta_min = eta_min;
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get("t_0")?);
        p.set("t_mult", &mut curve.t_mult)?;
        p.set("eta_min", &mut curve.eta_min)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(10).with_t_mult(2)
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
}

impl Curve for CosineAnnealingWarmRestarts {
    const NAME: &'static str = "cosine_annealing_warm_restarts";
    const TORCH_NAME: &'static str = "CosineAnnealingWarmRestarts";

    fn restarts(&self) -> bool {
        true
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let (start, len) = self.cycle(t);
        cosine_between(base_lr, self.eta_min, (t - start) / len)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("t_0", self.t_0, 1)?;
        check::int("t_mult", self.t_mult, 1)?;
        check::lr("eta_min", self.eta_min)
    }
}

/// timm's `CosineLRScheduler` (no noise), stepped once per epoch.
///
/// During `warmup_t` epochs the LR rises linearly from `warmup_lr_init`; by
/// default (`warmup_prefix = false`, timm's default) the warmup overlaps the
/// cosine clock. Cycles grow by `cycle_mul`, their peak decays by
/// `cycle_decay`, and after `cycle_limit` cycles the LR stays at `lr_min`.
///
/// Reference: timm `timm.scheduler.CosineLRScheduler`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::TimmCosine};
/// // 10 epochs to 0, after 2 epochs of warmup from 0.1 (an absolute LR) inside them.
/// let spec = Spec::new(TimmCosine::new(10).with_warmup(2, 0.1, false));
/// let lrs = spec.preview(1.0, 11).unwrap();
/// assert_eq!(lrs[0], 0.1);
/// assert!(lrs[2] < 1.0 && lrs[10] == 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimmCosine {
    t_initial: u64,
    lr_min: f64,
    cycle_mul: f64,
    cycle_decay: f64,
    cycle_limit: u64,
    warmup_t: u64,
    warmup_lr_init: f64,
    k_decay: f64,
    warmup_prefix: bool,
}

impl TimmCosine {
    /// One cosine of `t_initial` epochs (at least 1) to `lr_min = 0`, no warmup.
    pub fn new(t_initial: u64) -> Self {
        Self {
            t_initial,
            lr_min: 0.0,
            cycle_mul: 1.0,
            cycle_decay: 1.0,
            cycle_limit: 1,
            warmup_t: 0,
            warmup_lr_init: 0.0,
            k_decay: 1.0,
            warmup_prefix: false,
        }
    }

    /// The floor of every cycle (absolute, `>= 0`; default 0).
    pub fn with_lr_min(mut self, lr_min: f64) -> Self {
        self.lr_min = lr_min;
        self
    }

    /// Cycles: growth of their length (`>= 1`), decay of their peak (in
    /// `[0, 1]`), and how many run before the LR stays at `lr_min` (at least 1).
    pub fn with_cycles(mut self, cycle_mul: f64, cycle_decay: f64, cycle_limit: u64) -> Self {
        self.cycle_mul = cycle_mul;
        self.cycle_decay = cycle_decay;
        self.cycle_limit = cycle_limit;
        self
    }

    /// A linear warmup of `warmup_t` epochs from `warmup_lr_init` (absolute,
    /// `>= 0`); with `warmup_prefix` the cosine clock starts after it.
    pub fn with_warmup(mut self, warmup_t: u64, warmup_lr_init: f64, warmup_prefix: bool) -> Self {
        self.warmup_t = warmup_t;
        self.warmup_lr_init = warmup_lr_init;
        self.warmup_prefix = warmup_prefix;
        self
    }

    /// timm's `k_decay`: the cosine runs over `t^k / t_i^k` (`> 0`, default 1).
    pub fn with_k_decay(mut self, k_decay: f64) -> Self {
        self.k_decay = k_decay;
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get("t_initial")?);
        p.set("lr_min", &mut curve.lr_min)?;
        p.set("cycle_mul", &mut curve.cycle_mul)?;
        p.set("cycle_decay", &mut curve.cycle_decay)?;
        p.set("cycle_limit", &mut curve.cycle_limit)?;
        p.set("warmup_t", &mut curve.warmup_t)?;
        p.set("warmup_lr_init", &mut curve.warmup_lr_init)?;
        p.set("k_decay", &mut curve.k_decay)?;
        p.set("warmup_prefix", &mut curve.warmup_prefix)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100).with_warmup(5, 1e-6, false)
    }
}

impl Curve for TimmCosine {
    const NAME: &'static str = "timm_cosine";
    const TORCH_NAME: &'static str = "CosineLRScheduler";

    fn restarts(&self) -> bool {
        self.cycle_limit > 1
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
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

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("t_initial", self.t_initial, 1)?;
        check::lr("lr_min", self.lr_min)?;
        check::float("cycle_mul", self.cycle_mul, Bounds::Closed(1.0, 1e6))?;
        check::float("cycle_decay", self.cycle_decay, Bounds::Closed(0.0, 1.0))?;
        check::int("cycle_limit", self.cycle_limit, 1)?;
        check::lr("warmup_lr_init", self.warmup_lr_init)?;
        check::float("k_decay", self.k_decay, Bounds::Closed(1e-6, 1e6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&[
            "cosine_annealing",
            "cosine_annealing_warm_restarts",
            "timm_cosine",
        ]);
    }

    #[test]
    fn warm_restarts_restart_at_the_cycle_boundaries() {
        let sgdr = CosineAnnealingWarmRestarts::new(2).with_t_mult(3);
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
        let overlapped = TimmCosine::new(10).with_warmup(2, 0.0, false);
        let prefixed = TimmCosine::new(10).with_warmup(2, 0.0, true);
        assert!(overlapped.lr(1.0, 2.0) < 1.0);
        assert_eq!(prefixed.lr(1.0, 2.0), 1.0);
        assert_eq!(
            prefixed.lr(1.0, 12.0),
            0.0,
            "past the cycle limit the LR stays at lr_min"
        );
    }
}
