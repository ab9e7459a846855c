//! PyTorch's `CyclicLR` (Smith, 2017): it carries its own LR range and
//! ignores the optimizer's LR.
//!
//! `t` counts scheduler steps; `t = 0` is the LR right after construction.

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::schedules::MomentumCycle;
use crate::spec::params::{Choice, Params};

/// How the peak of [`CyclicLr`] changes from cycle to cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclicMode {
    /// The same peak every cycle.
    Triangular,
    /// The peak halves every cycle.
    Triangular2,
    /// The peak is scaled by `gamma^t`.
    ExpRange,
}

impl Choice for CyclicMode {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("triangular", Self::Triangular),
        ("triangular2", Self::Triangular2),
        ("exp_range", Self::ExpRange),
    ];
}

/// `CyclicLR` (Smith, 2017): triangles between `base_lr` and `max_lr`.
///
/// Reference: Smith, 2017, "Cyclical Learning Rates for Training Neural Networks"; PyTorch `CyclicLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CyclicLr};
/// // Up from 0.1 to 1.0 over 2 steps, down over 2.
/// let spec = Spec::new(CyclicLr::new(0.1, 1.0).with_step_sizes(2, None));
/// let lrs = spec.preview(1.0, 5).unwrap();
/// assert_eq!((lrs[0], lrs[2], lrs[4]), (0.1, 1.0, 0.1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CyclicLr {
    base_lr: f64,
    max_lr: f64,
    step_size_up: u64,
    step_size_down: Option<u64>,
    mode: CyclicMode,
    gamma: f64,
    #[serde(flatten)]
    momentum: MomentumCycle,
}

impl CyclicLr {
    /// Triangles from `base_lr` to `max_lr` (absolute LRs) and back, 2000
    /// steps up and 2000 down (PyTorch's defaults).
    pub fn new(base_lr: f64, max_lr: f64) -> Self {
        Self {
            base_lr,
            max_lr,
            step_size_up: 2000,
            step_size_down: None,
            mode: CyclicMode::Triangular,
            gamma: 1.0,
            momentum: MomentumCycle::new(0.8, 0.9),
        }
    }

    /// Momentum cycled from `max_momentum` (at `base_lr`) to `base_momentum`
    /// (at `max_lr`), in `[0, 1)`; PyTorch's defaults are 0.8 and 0.9, on.
    pub fn with_momentum(mut self, base_momentum: f64, max_momentum: f64) -> Self {
        self.momentum = MomentumCycle::new(base_momentum, max_momentum);
        self
    }

    /// Leaves the optimizer's momentum alone (`cycle_momentum = false`).
    pub fn without_momentum_cycling(mut self) -> Self {
        self.momentum = self.momentum.cycled(false);
        self
    }

    /// The momentum range.
    pub fn momentum_cycle(&self) -> MomentumCycle {
        self.momentum
    }

    /// How far up the current triangle the LR is, times the cycle's scale (0 to 1).
    fn height(&self, t: f64) -> f64 {
        let up = self.step_size_up as f64;
        let total = up + self.step_size_down.map_or(up, |d| d as f64);
        let ratio = up / total;
        let cycle = (1.0 + t / total).floor();
        let x = 1.0 + t / total - cycle;
        let height = if x <= ratio {
            x / ratio
        } else {
            (x - 1.0) / (ratio - 1.0)
        };
        let scale = match self.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / 2f64.powf(cycle - 1.0),
            CyclicMode::ExpRange => self.gamma.powf(t),
        };
        height * scale
    }

    /// Steps up to the peak and back down (at least 1 each); `None` down
    /// means as many as up.
    pub fn with_step_sizes(mut self, up: u64, down: Option<u64>) -> Self {
        self.step_size_up = up;
        self.step_size_down = down;
        self
    }

    /// How the peak changes per cycle; `gamma` (in `(0, 1]`) is the per-step
    /// decay of [`CyclicMode::ExpRange`].
    pub fn with_mode(mut self, mode: CyclicMode, gamma: f64) -> Self {
        self.mode = mode;
        self.gamma = gamma;
        self
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut curve = Self::new(p.get("base_lr")?, p.get("max_lr")?);
        p.set("step_size_up", &mut curve.step_size_up)?;
        p.set("step_size_down", &mut curve.step_size_down)?;
        p.set("mode", &mut curve.mode)?;
        p.set("gamma", &mut curve.gamma)?;
        curve.momentum.parse(p)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(1e-4, 1e-2)
            .with_step_sizes(500, None)
            .with_mode(CyclicMode::ExpRange, 0.999)
    }
}

impl Curve for CyclicLr {
    const NAME: &'static str = "cyclic";
    const TORCH_NAME: &'static str = "CyclicLR";

    fn restarts(&self) -> bool {
        true
    }

    fn lr(&self, _base_lr: f64, t: f64) -> f64 {
        self.base_lr + (self.max_lr - self.base_lr) * self.height(t)
    }

    fn momentum(&self, t: f64) -> Option<f64> {
        self.momentum.at(self.height(t))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::lr("base_lr", self.base_lr)?;
        check::lr("max_lr", self.max_lr)?;
        if self.max_lr < self.base_lr {
            return Err(ConfigError::invalid(
                "max_lr",
                self.max_lr,
                format!("a number >= base_lr ({})", self.base_lr),
            ));
        }
        check::int("step_size_up", self.step_size_up, 1)?;
        if let Some(down) = self.step_size_down {
            check::int("step_size_down", down, 1)?;
        }
        check::float("gamma", self.gamma, Bounds::LeftOpen(0.0, 1.0))?;
        self.momentum.validate()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&["cyclic"]);
    }
}
