//! The Hugging Face `transformers.optimization` family, as factors of the base LR.
//!
//! `t` counts optimizer updates; `t = 0` is the first update, which in every
//! warmup of this family runs at LR 0.

use std::f64::consts::PI;

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::params::Params;

/// The linear warmup shared by the family: `Some(t / max(1, w))` while `t < w`.
fn warmup(t: f64, warmup_steps: u64) -> Option<f64> {
    (t < warmup_steps as f64).then(|| t / warmup_steps.max(1) as f64)
}

/// Fraction of the post-warmup span covered at `t`.
fn progress(t: f64, warmup_steps: u64, training_steps: u64) -> f64 {
    let span = (training_steps as f64 - warmup_steps as f64).max(1.0);
    (t - warmup_steps as f64) / span
}

/// `get_linear_schedule_with_warmup`: 0 -> base over the warmup, then down to 0
/// at `num_training_steps`.
///
/// Reference: Hugging Face `transformers.get_linear_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::LinearWithWarmup};
/// let spec = Spec::new(LinearWithWarmup::new(2, 6));
/// assert_eq!(spec.preview(1.0, 7).unwrap(), [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearWithWarmup {
    num_warmup_steps: u64,
    num_training_steps: u64,
}

impl LinearWithWarmup {
    /// Warmup over `num_warmup_steps` updates, then linear decay to 0 at
    /// `num_training_steps` (at least 1).
    pub fn new(num_warmup_steps: u64, num_training_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            num_training_steps,
        }
    }

    /// The update at which the LR reaches 0.
    pub fn num_training_steps(&self) -> u64 {
        self.num_training_steps
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0, p.get("num_training_steps")?);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 1000)
    }
}

impl Curve for LinearWithWarmup {
    const NAME: &'static str = "linear_with_warmup";
    const TORCH_NAME: &'static str = "get_linear_schedule_with_warmup";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = warmup(t, self.num_warmup_steps).unwrap_or_else(|| {
            let left = self.num_training_steps as f64 - t;
            let span = (self.num_training_steps as f64 - self.num_warmup_steps as f64).max(1.0);
            (left / span).max(0.0)
        });
        base_lr * factor
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("num_training_steps", self.num_training_steps, 1)
    }
}

/// `get_cosine_schedule_with_warmup`: warmup, then `num_cycles` cosine periods
/// (0.5 = a half cosine down to 0).
///
/// Reference: Hugging Face `transformers.get_cosine_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineWithWarmup};
/// let lrs = Spec::new(CosineWithWarmup::new(2, 6)).preview(1.0, 7).unwrap();
/// assert_eq!((lrs[0], lrs[1], lrs[2], lrs[6]), (0.0, 0.5, 1.0, 0.0));
/// assert!((lrs[4] - 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithWarmup {
    num_warmup_steps: u64,
    num_training_steps: u64,
    num_cycles: f64,
}

impl CosineWithWarmup {
    /// Warmup over `num_warmup_steps` updates, then half a cosine down to 0 at
    /// `num_training_steps` (at least 1).
    pub fn new(num_warmup_steps: u64, num_training_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            num_training_steps,
            num_cycles: 0.5,
        }
    }

    /// Number of cosine periods after the warmup (`> 0`, default 0.5).
    pub fn with_num_cycles(mut self, num_cycles: f64) -> Self {
        self.num_cycles = num_cycles;
        self
    }

    /// The total number of updates.
    pub fn num_training_steps(&self) -> u64 {
        self.num_training_steps
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0, p.get("num_training_steps")?);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("num_cycles", &mut curve.num_cycles)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 1000)
    }
}

impl Curve for CosineWithWarmup {
    const NAME: &'static str = "cosine_with_warmup";
    const TORCH_NAME: &'static str = "get_cosine_schedule_with_warmup";

    fn restarts(&self) -> bool {
        self.num_cycles > 0.5
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = warmup(t, self.num_warmup_steps).unwrap_or_else(|| {
            let x = progress(t, self.num_warmup_steps, self.num_training_steps);
            (0.5 * (1.0 + (PI * self.num_cycles * 2.0 * x).cos())).max(0.0)
        });
        base_lr * factor
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("num_training_steps", self.num_training_steps, 1)?;
        check::float("num_cycles", self.num_cycles, Bounds::LeftOpen(0.0, 1e6))
    }
}

/// `get_cosine_with_hard_restarts_schedule_with_warmup`: warmup, then
/// `num_cycles` half-cosines, each restarting at the base LR; 0 after the end.
///
/// Reference: Hugging Face `transformers.get_cosine_with_hard_restarts_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineWithHardRestarts};
/// // Two half-cosines over 8 steps: the LR restarts at step 4.
/// let spec = Spec::new(CosineWithHardRestarts::new(0, 8).with_num_cycles(2.0));
/// let lrs = spec.preview(1.0, 8).unwrap();
/// assert_eq!((lrs[0], lrs[4]), (1.0, 1.0));
/// assert!(lrs[3] < 0.2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithHardRestarts {
    num_warmup_steps: u64,
    num_training_steps: u64,
    num_cycles: f64,
}

impl CosineWithHardRestarts {
    /// Warmup over `num_warmup_steps` updates, then one half-cosine to 0 at
    /// `num_training_steps` (at least 1).
    pub fn new(num_warmup_steps: u64, num_training_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            num_training_steps,
            num_cycles: 1.0,
        }
    }

    /// Number of half-cosines (`> 0`, default 1).
    pub fn with_num_cycles(mut self, num_cycles: f64) -> Self {
        self.num_cycles = num_cycles;
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0, p.get("num_training_steps")?);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("num_cycles", &mut curve.num_cycles)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 1000).with_num_cycles(3.0)
    }
}

impl Curve for CosineWithHardRestarts {
    const NAME: &'static str = "cosine_with_hard_restarts";
    const TORCH_NAME: &'static str = "get_cosine_with_hard_restarts_schedule_with_warmup";

    fn restarts(&self) -> bool {
        self.num_cycles > 1.0
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = warmup(t, self.num_warmup_steps).unwrap_or_else(|| {
            let x = progress(t, self.num_warmup_steps, self.num_training_steps);
            if x >= 1.0 {
                0.0
            } else {
                (0.5 * (1.0 + (PI * ((self.num_cycles * x) % 1.0)).cos())).max(0.0)
            }
        });
        base_lr * factor
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("num_training_steps", self.num_training_steps, 1)?;
        check::float("num_cycles", self.num_cycles, Bounds::LeftOpen(0.0, 1e6))
    }
}

/// `get_polynomial_decay_schedule_with_warmup`: warmup, then a polynomial decay
/// from the base LR to `lr_end` at `num_training_steps`, then `lr_end`.
///
/// Reference: Hugging Face `transformers.get_polynomial_decay_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::PolynomialWithWarmup};
/// let spec = Spec::new(PolynomialWithWarmup::new(2, 6).with_lr_end(0.0).with_power(1.0));
/// assert_eq!(spec.preview(1.0, 7).unwrap(), [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolynomialWithWarmup {
    num_warmup_steps: u64,
    num_training_steps: u64,
    lr_end: f64,
    power: f64,
}

impl PolynomialWithWarmup {
    /// Warmup over `num_warmup_steps` updates, then linear decay to
    /// `lr_end = 1e-7` at `num_training_steps` (after the warmup).
    pub fn new(num_warmup_steps: u64, num_training_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            num_training_steps,
            lr_end: 1e-7,
            power: 1.0,
        }
    }

    /// The final LR (absolute, `>= 0`, below the base LR; default 1e-7).
    pub fn with_lr_end(mut self, lr_end: f64) -> Self {
        self.lr_end = lr_end;
        self
    }

    /// The exponent of the decay (`> 0`, default 1).
    pub fn with_power(mut self, power: f64) -> Self {
        self.power = power;
        self
    }

    /// The final LR.
    pub fn lr_end(&self) -> f64 {
        self.lr_end
    }

    /// The update at which the LR reaches `lr_end`.
    pub fn num_training_steps(&self) -> u64 {
        self.num_training_steps
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0, p.get("num_training_steps")?);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("lr_end", &mut curve.lr_end)?;
        p.set("power", &mut curve.power)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 1000).with_power(2.0)
    }
}

impl Curve for PolynomialWithWarmup {
    const NAME: &'static str = "polynomial_with_warmup";
    const TORCH_NAME: &'static str = "get_polynomial_decay_schedule_with_warmup";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if let Some(factor) = warmup(t, self.num_warmup_steps) {
            return base_lr * factor;
        }
        if t > self.num_training_steps as f64 {
            return self.lr_end;
        }
        let decay_steps = (self.num_training_steps - self.num_warmup_steps) as f64;
        let remaining = 1.0 - (t - self.num_warmup_steps as f64) / decay_steps;
        (base_lr - self.lr_end) * remaining.powf(self.power) + self.lr_end
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int(
            "num_training_steps",
            self.num_training_steps,
            self.num_warmup_steps.saturating_add(1),
        )?;
        check::lr("lr_end", self.lr_end)?;
        check::float("power", self.power, Bounds::Above(0.0))
    }
}

/// `get_constant_schedule_with_warmup`: warmup, then the base LR.
///
/// Reference: Hugging Face `transformers.get_constant_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::ConstantWithWarmup};
/// let spec = Spec::new(ConstantWithWarmup::new(2));
/// assert_eq!(spec.preview(1.0, 4).unwrap(), [0.0, 0.5, 1.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstantWithWarmup {
    num_warmup_steps: u64,
}

impl ConstantWithWarmup {
    /// Warmup over `num_warmup_steps` updates, then the base LR.
    pub fn new(num_warmup_steps: u64) -> Self {
        Self { num_warmup_steps }
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100)
    }
}

impl Curve for ConstantWithWarmup {
    const NAME: &'static str = "constant_with_warmup";
    const TORCH_NAME: &'static str = "get_constant_schedule_with_warmup";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * warmup(t, self.num_warmup_steps).unwrap_or(1.0)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// `get_inverse_sqrt_schedule`: warmup, then `1 / sqrt((t + shift) / timescale)`
/// with `shift = timescale - num_warmup_steps`.
///
/// Reference: Hugging Face `transformers.get_inverse_sqrt_schedule`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::InverseSqrt};
/// // No warmup, timescale 4: the LR halves when (t + 0) / 4 quadruples.
/// let lrs = Spec::new(InverseSqrt::new(0).with_timescale(4)).preview(1.0, 13).unwrap();
/// assert_eq!((lrs[0], lrs[12]), (1.0, 0.5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InverseSqrt {
    num_warmup_steps: u64,
    timescale: Option<u64>,
}

impl InverseSqrt {
    /// Warmup over `num_warmup_steps` updates, then `1/sqrt` decay with the
    /// default timescale (`num_warmup_steps`, or 10000 when that is 0).
    pub fn new(num_warmup_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            timescale: None,
        }
    }

    /// The decay timescale (at least 1).
    pub fn with_timescale(mut self, timescale: u64) -> Self {
        self.timescale = Some(timescale);
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("timescale", &mut curve.timescale)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(4000)
    }
}

impl Curve for InverseSqrt {
    const NAME: &'static str = "inverse_sqrt";
    const TORCH_NAME: &'static str = "get_inverse_sqrt_schedule";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if let Some(factor) = warmup(t, self.num_warmup_steps) {
            return base_lr * factor;
        }
        let default = if self.num_warmup_steps == 0 {
            10_000
        } else {
            self.num_warmup_steps
        };
        let timescale = self.timescale.unwrap_or(default) as f64;
        let shift = timescale - self.num_warmup_steps as f64;
        base_lr / ((t + shift) / timescale).sqrt()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        match self.timescale {
            Some(timescale) => check::int("timescale", timescale, 1),
            None => Ok(()),
        }
    }
}

/// The floor of [`CosineWithMinLr`]: an absolute LR or a fraction of the base LR.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MinLr {
    /// `min_lr`: an absolute LR (`>= 0`).
    MinLr(f64),
    /// `min_lr_rate`: a fraction of the base LR, in `[0, 1]`.
    MinLrRate(f64),
}

/// `get_cosine_with_min_lr_schedule_with_warmup`: the cosine of
/// [`CosineWithWarmup`] rescaled to end at a floor instead of 0.
///
/// Reference: Hugging Face `transformers.get_cosine_with_min_lr_schedule_with_warmup`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::{CosineWithMinLr, MinLr}};
/// // A cosine over 4 steps to a floor of 10% of the base LR.
/// let lrs = Spec::new(CosineWithMinLr::new(0, 4, MinLr::MinLrRate(0.1))).preview(1.0, 5).unwrap();
/// assert_eq!(lrs[0], 1.0);
/// assert!((lrs[4] - 0.1).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithMinLr {
    num_warmup_steps: u64,
    num_training_steps: u64,
    num_cycles: f64,
    #[serde(flatten)]
    floor: MinLr,
}

impl CosineWithMinLr {
    /// Warmup over `num_warmup_steps` updates, then half a cosine down to
    /// `floor` at `num_training_steps` (at least 1).
    pub fn new(num_warmup_steps: u64, num_training_steps: u64, floor: MinLr) -> Self {
        Self {
            num_warmup_steps,
            num_training_steps,
            num_cycles: 0.5,
            floor,
        }
    }

    /// Number of cosine periods after the warmup (`> 0`, default 0.5).
    pub fn with_num_cycles(mut self, num_cycles: f64) -> Self {
        self.num_cycles = num_cycles;
        self
    }

    /// The total number of updates.
    pub fn num_training_steps(&self) -> u64 {
        self.num_training_steps
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let num_training_steps = p.get("num_training_steps")?;
        let floor = match (p.opt("min_lr")?, p.opt("min_lr_rate")?) {
            (Some(lr), None) => MinLr::MinLr(lr),
            (None, Some(rate)) => MinLr::MinLrRate(rate),
            (Some(lr), Some(_)) => {
                return Err(ConfigError::invalid(
                    "min_lr",
                    lr,
                    "only one of `min_lr` and `min_lr_rate`",
                ));
            }
            (None, None) => {
                return Err(ConfigError::Missing {
                    field: "min_lr".into(),
                    allowed: "one of `min_lr` (absolute, >= 0) and `min_lr_rate` (in [0, 1])"
                        .into(),
                });
            }
        };
        let mut curve = Self::new(0, num_training_steps, floor);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("num_cycles", &mut curve.num_cycles)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 1000, MinLr::MinLrRate(0.1))
    }
}

impl Curve for CosineWithMinLr {
    const NAME: &'static str = "cosine_with_min_lr";
    const TORCH_NAME: &'static str = "get_cosine_with_min_lr_schedule_with_warmup";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if let Some(factor) = warmup(t, self.num_warmup_steps) {
            return base_lr * factor;
        }
        if base_lr == 0.0 {
            return 0.0;
        }
        let rate = match self.floor {
            MinLr::MinLr(lr) => lr / base_lr,
            MinLr::MinLrRate(rate) => rate,
        };
        let x = progress(t, self.num_warmup_steps, self.num_training_steps);
        let cosine = 0.5 * (1.0 + (PI * self.num_cycles * 2.0 * x).cos());
        base_lr * (cosine * (1.0 - rate) + rate).max(0.0)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("num_training_steps", self.num_training_steps, 1)?;
        check::float("num_cycles", self.num_cycles, Bounds::LeftOpen(0.0, 1e6))?;
        match self.floor {
            MinLr::MinLr(lr) => check::lr("min_lr", lr),
            MinLr::MinLrRate(rate) => check::float("min_lr_rate", rate, Bounds::Closed(0.0, 1.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&[
            "linear_with_warmup",
            "cosine_with_warmup",
            "cosine_with_hard_restarts",
            "polynomial_with_warmup",
            "constant_with_warmup",
            "inverse_sqrt",
            "cosine_with_min_lr",
        ]);
    }
}
