//! A cooldown branched off any schedule at any step: the "anytime" use of
//! warmup-stable-decay (Hägele et al., 2024), and the way to re-target the
//! remaining decay of a resumed run whose horizon changed.

use serde::Serialize;

use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::schedules::WsdShape;
use crate::spec::params::Params;

/// From step `start` on, the LR leaves the spec's curve and decays from the
/// value it had there, `base(start)`, to `min_lr_ratio * base(start)` over
/// `length` steps, then stays there:
///
/// `lr(t) = base(start) * (R + (1 - R) * f((t - start) / length))`, `R = min_lr_ratio`.
///
/// `start` and `length` count in the spec's unit from the first update (the
/// warmup included). Before `start` the spec's curve is unchanged, so a run
/// resumed from a checkpoint at `start` continues without an LR jump.
///
/// ```
/// use burn_lr_core::{Spec, schedules::{ConstantLr, WsdShape}};
/// use burn_lr_core::spec::Cooldown;
/// // A constant LR, cooled down linearly to 0 over the updates 6..10.
/// let spec = Spec::new(ConstantLr::new(1.0, 1))
///     .with_cooldown(Cooldown::new(6, 4).with_shape(WsdShape::Linear));
/// assert_eq!(spec.preview(1.0, 12).unwrap(), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cooldown {
    start: u64,
    length: u64,
    shape: WsdShape,
    min_lr_ratio: f64,
}

impl Cooldown {
    /// A cooldown from step `start` over `length` steps (at least 1), in the
    /// `1-sqrt` shape, to 0.
    pub fn new(start: u64, length: u64) -> Self {
        Self {
            start,
            length,
            shape: WsdShape::OneMinusSqrt,
            min_lr_ratio: 0.0,
        }
    }

    /// The shape (default `1-sqrt`).
    pub fn with_shape(mut self, shape: WsdShape) -> Self {
        self.shape = shape;
        self
    }

    /// The final LR as a fraction of `base(start)`, in `[0, 1]` (default 0).
    pub fn with_min_lr_ratio(mut self, min_lr_ratio: f64) -> Self {
        self.min_lr_ratio = min_lr_ratio;
        self
    }

    /// The step the cooldown starts at.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Its length in steps.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Its shape.
    pub fn shape(&self) -> WsdShape {
        self.shape
    }

    /// The final LR as a fraction of `base(start)`.
    pub fn min_lr_ratio(&self) -> f64 {
        self.min_lr_ratio
    }

    /// The factor of `base(start)` at time `t >= start`.
    pub(crate) fn factor(&self, t: f64) -> f64 {
        let x = ((t - self.start as f64) / self.length as f64).min(1.0);
        self.min_lr_ratio + (1.0 - self.min_lr_ratio) * self.shape.decay(x)
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check::int("start", self.start, 0)?;
        check::int("length", self.length, 1)?;
        check::float("min_lr_ratio", self.min_lr_ratio, Bounds::Closed(0.0, 1.0))
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut cooldown = Self::new(p.get("start")?, p.get("length")?);
        p.set("shape", &mut cooldown.shape)?;
        p.set("min_lr_ratio", &mut cooldown.min_lr_ratio)?;
        Ok(cooldown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_start_at_one_and_end_at_zero() {
        for shape in [WsdShape::Linear, WsdShape::Cosine, WsdShape::OneMinusSqrt] {
            assert_eq!(
                (shape.decay(0.0), shape.decay(1.0)),
                (1.0, 0.0),
                "{shape:?}"
            );
        }
        assert_eq!(WsdShape::OneMinusSqrt.decay(0.25), 0.5);
        assert!((WsdShape::Cosine.decay(0.5) - 0.5).abs() < 1e-16);
    }

    #[test]
    fn the_factor_holds_at_the_floor_after_the_cooldown() {
        let c = Cooldown::new(10, 4).with_min_lr_ratio(0.1);
        assert_eq!(c.factor(10.0), 1.0);
        assert!((c.factor(14.0) - 0.1).abs() < 1e-16);
        assert!((c.factor(1e9) - 0.1).abs() < 1e-16);
    }
}
