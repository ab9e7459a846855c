//! The Hugging Face `transformers.optimization` family, as factors of the base LR.
//!
//! `t` counts optimizer updates; `t = 0` is the first update, which in every
//! warmup of this family runs at LR 0.

use std::f64::consts::PI;

use serde::Serialize;

use crate::SpecError;
use crate::spec::params::{Params, Range};

/// The linear warmup shared by the family: `Some(t / max(1, w))` while `t < w`.
fn warmup(t: f64, warmup_steps: u64) -> Option<f64> {
    (t < warmup_steps as f64).then(|| t / warmup_steps.max(1) as f64)
}

/// Fraction of the post-warmup span covered at `t`.
fn progress(t: f64, warmup_steps: u64, training_steps: u64) -> f64 {
    let span = (training_steps as f64 - warmup_steps as f64).max(1.0);
    (t - warmup_steps as f64) / span
}

fn parse_warmup(p: &mut Params) -> Result<u64, SpecError> {
    p.int_or("num_warmup_steps", 0, 0)
}

/// `get_linear_schedule_with_warmup`: 0 -> base over the warmup, then down to 0
/// at `num_training_steps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearWithWarmup {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Update at which the LR reaches 0.
    pub num_training_steps: u64,
}

impl LinearWithWarmup {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
            num_training_steps: p.int("num_training_steps", 1)?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = warmup(t, self.num_warmup_steps).unwrap_or_else(|| {
            let left = self.num_training_steps as f64 - t;
            let span = (self.num_training_steps as f64 - self.num_warmup_steps as f64).max(1.0);
            (left / span).max(0.0)
        });
        base_lr * factor
    }
}

/// `get_cosine_schedule_with_warmup`: warmup, then `num_cycles` cosine periods
/// (0.5 = a half cosine down to 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithWarmup {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Total number of updates.
    pub num_training_steps: u64,
    /// Number of cosine periods after the warmup (`> 0`).
    pub num_cycles: f64,
}

impl CosineWithWarmup {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
            num_training_steps: p.int("num_training_steps", 1)?,
            num_cycles: p.float_or("num_cycles", 0.5, Range::Above(0.0))?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = warmup(t, self.num_warmup_steps).unwrap_or_else(|| {
            let x = progress(t, self.num_warmup_steps, self.num_training_steps);
            (0.5 * (1.0 + (PI * self.num_cycles * 2.0 * x).cos())).max(0.0)
        });
        base_lr * factor
    }
}

/// `get_cosine_with_hard_restarts_schedule_with_warmup`: warmup, then
/// `num_cycles` half-cosines, each restarting at the base LR; 0 after the end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithHardRestarts {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Total number of updates.
    pub num_training_steps: u64,
    /// Number of restarts (`> 0`).
    pub num_cycles: f64,
}

impl CosineWithHardRestarts {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
            num_training_steps: p.int("num_training_steps", 1)?,
            num_cycles: p.float_or("num_cycles", 1.0, Range::Above(0.0))?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
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
}

/// `get_polynomial_decay_schedule_with_warmup`: warmup, then a polynomial decay
/// from the base LR to `lr_end` at `num_training_steps`, then `lr_end`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolynomialWithWarmup {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Update at which the LR reaches `lr_end` (`> num_warmup_steps`).
    pub num_training_steps: u64,
    /// Final LR (absolute, `>= 0`, below the base LR).
    pub lr_end: f64,
    /// Exponent of the decay (`> 0`).
    pub power: f64,
}

impl PolynomialWithWarmup {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let num_warmup_steps = parse_warmup(p)?;
        let num_training_steps = p.int("num_training_steps", num_warmup_steps + 1)?;
        Ok(Self {
            num_warmup_steps,
            num_training_steps,
            lr_end: p.float_or("lr_end", 1e-7, Range::AtLeast(0.0))?,
            power: p.float_or("power", 1.0, Range::Above(0.0))?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
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
}

/// `get_constant_schedule_with_warmup`: warmup, then the base LR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstantWithWarmup {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
}

impl ConstantWithWarmup {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        base_lr * warmup(t, self.num_warmup_steps).unwrap_or(1.0)
    }
}

/// `get_inverse_sqrt_schedule`: warmup, then `1 / sqrt((t + shift) / timescale)`
/// with `shift = timescale - num_warmup_steps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InverseSqrt {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Decay timescale; `None` means `num_warmup_steps`, or 10000 when that is 0.
    pub timescale: Option<u64>,
}

impl InverseSqrt {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
            timescale: p.int_opt("timescale", 1)?,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
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
}

/// The floor of [`CosineWithMinLr`]: an absolute LR or a fraction of the base LR.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MinLr {
    /// `min_lr`: an absolute LR.
    MinLr(f64),
    /// `min_lr_rate`: a fraction of the base LR.
    MinLrRate(f64),
}

/// `get_cosine_with_min_lr_schedule_with_warmup`: the cosine of
/// [`CosineWithWarmup`] rescaled to end at a floor instead of 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosineWithMinLr {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Total number of updates.
    pub num_training_steps: u64,
    /// Number of cosine periods after the warmup (`> 0`).
    pub num_cycles: f64,
    /// The floor.
    #[serde(flatten)]
    pub floor: MinLr,
}

impl CosineWithMinLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let num_warmup_steps = parse_warmup(p)?;
        let num_training_steps = p.int("num_training_steps", 1)?;
        let num_cycles = p.float_or("num_cycles", 0.5, Range::Above(0.0))?;
        let min_lr = p.float_opt("min_lr", Range::AtLeast(0.0))?;
        let rate = p.float_opt("min_lr_rate", Range::Closed(0.0, 1.0))?;
        let floor = match (min_lr, rate) {
            (Some(lr), None) => MinLr::MinLr(lr),
            (None, Some(rate)) => MinLr::MinLrRate(rate),
            (Some(lr), Some(_)) => {
                return Err(SpecError::invalid(
                    "min_lr",
                    lr,
                    "only one of `min_lr` and `min_lr_rate`",
                ));
            }
            (None, None) => {
                return Err(SpecError::Missing {
                    field: "min_lr".into(),
                    allowed: "one of `min_lr` (absolute, >= 0) and `min_lr_rate` (in [0, 1])"
                        .into(),
                });
            }
        };
        Ok(Self {
            num_warmup_steps,
            num_training_steps,
            num_cycles,
            floor,
        })
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
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
}

/// `get_wsd_schedule`: warmup from `min_lr_ratio`, a stable phase at the base
/// LR, a decay to `min_lr_ratio`, then `min_lr_ratio`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarmupStableDecay {
    /// Warmup length in updates.
    pub num_warmup_steps: u64,
    /// Length of the stable phase in updates.
    pub num_stable_steps: u64,
    /// Length of the decay in updates.
    pub num_decay_steps: u64,
    /// Shape of the warmup: `linear`, `cosine` or `1-sqrt`.
    pub warmup_type: &'static str,
    /// Shape of the decay: `linear`, `cosine` or `1-sqrt`.
    pub decay_type: &'static str,
    /// Start and end of the schedule as a fraction of the base LR, in `[0, 1]`.
    pub min_lr_ratio: f64,
}

const WSD_SHAPES: [&str; 3] = ["linear", "cosine", "1-sqrt"];

impl WarmupStableDecay {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        Ok(Self {
            num_warmup_steps: parse_warmup(p)?,
            num_stable_steps: p.int_or("num_stable_steps", 0, 0)?,
            num_decay_steps: p.int("num_decay_steps", 0)?,
            warmup_type: p.choice("warmup_type", &WSD_SHAPES, "linear")?,
            decay_type: p.choice("decay_type", &WSD_SHAPES, "cosine")?,
            min_lr_ratio: p.float_or("min_lr_ratio", 0.0, Range::Closed(0.0, 1.0))?,
        })
    }

    fn rescale(&self, factor: f64) -> f64 {
        (factor * (1.0 - self.min_lr_ratio) + self.min_lr_ratio).max(0.0)
    }

    /// The LR of update `t`.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let warm = self.num_warmup_steps as f64;
        let stable_end = warm + self.num_stable_steps as f64;
        let decay_end = stable_end + self.num_decay_steps as f64;
        let factor = if t < warm {
            let x = t / self.num_warmup_steps.max(1) as f64;
            self.rescale(match self.warmup_type {
                "cosine" => 0.5 * (1.0 - (PI * x).cos()),
                "1-sqrt" => 1.0 - (1.0 - x).sqrt(),
                _ => x,
            })
        } else if t < stable_end {
            1.0
        } else if t < decay_end {
            let x = (t - stable_end) / self.num_decay_steps.max(1) as f64;
            self.rescale(match self.decay_type {
                "cosine" => 0.5 * (1.0 + (PI * x).cos()),
                "1-sqrt" => 1.0 - x.sqrt(),
                _ => 1.0 - x,
            })
        } else {
            self.min_lr_ratio
        };
        base_lr * factor
    }
}
