//! Hugging Face's `get_wsd_schedule`: warmup, a stable phase, then a decay.
//!
//! `t` counts optimizer updates; `t = 0` is the first update.

use std::f64::consts::PI;

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::Cooldown;
use crate::spec::params::{Choice, Params};

/// The shape of a warmup or a decay of [`WarmupStableDecay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WsdShape {
    /// A straight line.
    #[serde(rename = "linear")]
    Linear,
    /// Half a cosine.
    #[serde(rename = "cosine")]
    Cosine,
    /// `1 - sqrt(x)` (Hägele et al., 2024).
    #[serde(rename = "1-sqrt")]
    OneMinusSqrt,
}

impl WsdShape {
    /// The decay `f(x)`, from 1 at `x = 0` to 0 at `x = 1`: `1 - x`,
    /// `(1 + cos(pi x)) / 2` or `1 - sqrt(x)`.
    pub fn decay(self, x: f64) -> f64 {
        match self {
            Self::Cosine => 0.5 * (1.0 + (PI * x).cos()),
            Self::OneMinusSqrt => 1.0 - x.sqrt(),
            Self::Linear => 1.0 - x,
        }
    }
}

impl Choice for WsdShape {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("linear", Self::Linear),
        ("cosine", Self::Cosine),
        ("1-sqrt", Self::OneMinusSqrt),
    ];
}

/// `get_wsd_schedule`: warmup from `min_lr_ratio`, a stable phase at the base
/// LR, a decay to `min_lr_ratio`, then `min_lr_ratio`.
///
/// Reference: Hägele et al., 2024; Hugging Face `transformers.get_wsd_schedule`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::{WarmupStableDecay, WsdShape}};
/// // 2 updates of warmup, 2 stable, 2 of linear decay.
/// let spec = Spec::new(
///     WarmupStableDecay::new(2, 2, 2).with_shapes(WsdShape::Linear, WsdShape::Linear),
/// );
/// assert_eq!(spec.preview(1.0, 7).unwrap(), [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarmupStableDecay {
    num_warmup_steps: u64,
    num_stable_steps: u64,
    num_decay_steps: u64,
    warmup_type: WsdShape,
    decay_type: WsdShape,
    min_lr_ratio: f64,
}

impl WarmupStableDecay {
    /// Linear warmup, stable phase and cosine decay to 0, with the phase
    /// lengths in updates.
    pub fn new(num_warmup_steps: u64, num_stable_steps: u64, num_decay_steps: u64) -> Self {
        Self {
            num_warmup_steps,
            num_stable_steps,
            num_decay_steps,
            warmup_type: WsdShape::Linear,
            decay_type: WsdShape::Cosine,
            min_lr_ratio: 0.0,
        }
    }

    /// The shapes of the warmup (default linear) and the decay (default cosine).
    pub fn with_shapes(mut self, warmup_type: WsdShape, decay_type: WsdShape) -> Self {
        self.warmup_type = warmup_type;
        self.decay_type = decay_type;
        self
    }

    /// Start and end of the schedule as a fraction of the base LR, in `[0, 1]`
    /// (default 0).
    pub fn with_min_lr_ratio(mut self, min_lr_ratio: f64) -> Self {
        self.min_lr_ratio = min_lr_ratio;
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(0, 0, p.get("num_decay_steps")?);
        p.set("num_warmup_steps", &mut curve.num_warmup_steps)?;
        p.set("num_stable_steps", &mut curve.num_stable_steps)?;
        p.set("warmup_type", &mut curve.warmup_type)?;
        p.set("decay_type", &mut curve.decay_type)?;
        p.set("min_lr_ratio", &mut curve.min_lr_ratio)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(100, 700, 200).with_shapes(WsdShape::Linear, WsdShape::OneMinusSqrt)
    }

    /// The decay phase as the [`Cooldown`] it equals: from the base LR at
    /// step `num_warmup_steps + num_stable_steps`, over `num_decay_steps`,
    /// with the decay's shape and floor.
    pub fn decay(&self) -> Cooldown {
        Cooldown::new(
            self.num_warmup_steps.saturating_add(self.num_stable_steps),
            self.num_decay_steps,
        )
        .with_shape(self.decay_type)
        .with_min_lr_ratio(self.min_lr_ratio)
    }

    fn rescale(&self, factor: f64) -> f64 {
        (factor * (1.0 - self.min_lr_ratio) + self.min_lr_ratio).max(0.0)
    }
}

impl Curve for WarmupStableDecay {
    const NAME: &'static str = "warmup_stable_decay";
    const TORCH_NAME: &'static str = "get_wsd_schedule";

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let warm = self.num_warmup_steps as f64;
        let stable_end = warm + self.num_stable_steps as f64;
        let decay_end = stable_end + self.num_decay_steps as f64;
        let factor = if t < warm {
            let x = t / self.num_warmup_steps.max(1) as f64;
            self.rescale(match self.warmup_type {
                WsdShape::Cosine => 0.5 * (1.0 - (PI * x).cos()),
                WsdShape::OneMinusSqrt => 1.0 - (1.0 - x).sqrt(),
                WsdShape::Linear => x,
            })
        } else if t < stable_end {
            1.0
        } else if t < decay_end {
            let x = (t - stable_end) / self.num_decay_steps.max(1) as f64;
            self.rescale(self.decay_type.decay(x))
        } else {
            self.min_lr_ratio
        };
        base_lr * factor
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::float("min_lr_ratio", self.min_lr_ratio, Bounds::Closed(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&["warmup_stable_decay"]);
    }
}
