//! PyTorch's `OneCycleLR` (Smith & Topin, 2018): it carries its own LR range
//! and ignores the optimizer's LR.
//!
//! `t` counts scheduler steps; `t = 0` is the LR right after construction.

use serde::Serialize;

use super::Curve;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::schedules::MomentumCycle;
use crate::schedules::cosine::cosine_between;
use crate::spec::params::{Choice, Params};

/// The shape of [`OneCycleLr`]'s phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnealStrategy {
    /// Half cosines (PyTorch's default).
    Cos,
    /// Straight lines.
    Linear,
}

impl Choice for AnnealStrategy {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("cos", Self::Cos), ("linear", Self::Linear)];
}

/// `OneCycleLR` (Smith & Topin, 2018): from `max_lr / div_factor` up to
/// `max_lr`, then down to `max_lr / div_factor / final_div_factor`.
///
/// Defined for `total_steps` values; after the last one the LR holds the final
/// value instead of extrapolating (PyTorch raises there).
///
/// ```
/// use burn_lr_core::{Spec, schedules::OneCycleLr};
/// let spec = Spec::new(OneCycleLr::new(0.1, 100));
/// let lrs = spec.preview(0.0, 100).unwrap();  // one_cycle ignores the optimizer's LR
/// assert!((lrs[0] - 0.1 / 25.0).abs() < 1e-15);
/// assert!((lrs[29] - 0.1).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneCycleLr {
    max_lr: f64,
    total_steps: u64,
    pct_start: f64,
    anneal_strategy: AnnealStrategy,
    div_factor: f64,
    final_div_factor: f64,
    three_phase: bool,
    #[serde(flatten)]
    momentum: MomentumCycle,
}

/// One phase of [`OneCycleLr`]: it ends at step `end` and anneals the LR
/// and the momentum between their `(from, to)` values.
struct Phase {
    end: f64,
    lr: (f64, f64),
    momentum: (f64, f64),
}

impl OneCycleLr {
    /// One cycle of `total_steps` updates peaking at `max_lr` (absolute), with
    /// PyTorch's defaults (`pct_start = 0.3`, cosine, `div_factor = 25`,
    /// `final_div_factor = 1e4`, two phases).
    pub fn new(max_lr: f64, total_steps: u64) -> Self {
        Self {
            max_lr,
            total_steps,
            pct_start: 0.3,
            anneal_strategy: AnnealStrategy::Cos,
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
            momentum: MomentumCycle::new(0.85, 0.95),
        }
    }

    /// Momentum cycled from `max_momentum` down to `base_momentum` while the
    /// LR rises, and back (in `[0, 1)`; PyTorch's defaults are 0.85 and 0.95, on).
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

    /// Fraction of the cycle spent rising, in `(0, 1)` (default 0.3).
    pub fn with_pct_start(mut self, pct_start: f64) -> Self {
        self.pct_start = pct_start;
        self
    }

    /// The shape of the phases (default cosine).
    pub fn with_anneal_strategy(mut self, anneal_strategy: AnnealStrategy) -> Self {
        self.anneal_strategy = anneal_strategy;
        self
    }

    /// `initial_lr = max_lr / div_factor` and `min_lr = initial_lr /
    /// final_div_factor` (both `> 0`).
    pub fn with_div_factors(mut self, div_factor: f64, final_div_factor: f64) -> Self {
        self.div_factor = div_factor;
        self.final_div_factor = final_div_factor;
        self
    }

    /// fastai's variant: up, back down to `initial_lr`, then to `min_lr`.
    pub fn with_three_phase(mut self, three_phase: bool) -> Self {
        self.three_phase = three_phase;
        self
    }

    /// Length of the cycle in updates.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let max_lr = p.get("max_lr")?;
        let total_steps = match p.opt::<u64>("total_steps")? {
            Some(total) => total,
            None => match (p.opt::<u64>("epochs")?, p.opt::<u64>("steps_per_epoch")?) {
                (Some(e), Some(k)) => e.checked_mul(k).ok_or_else(|| {
                    ConfigError::invalid(
                        "epochs",
                        e,
                        "a number of epochs whose updates fit in 64 bits",
                    )
                })?,
                _ => {
                    return Err(ConfigError::Missing {
                        field: "total_steps".into(),
                        allowed: "an integer >= 2, or both `epochs` and `steps_per_epoch`".into(),
                    });
                }
            },
        };
        let mut curve = Self::new(max_lr, total_steps);
        p.set("pct_start", &mut curve.pct_start)?;
        p.set("anneal_strategy", &mut curve.anneal_strategy)?;
        p.set("div_factor", &mut curve.div_factor)?;
        p.set("final_div_factor", &mut curve.final_div_factor)?;
        p.set("three_phase", &mut curve.three_phase)?;
        curve.momentum.parse(p)?;
        Ok(curve)
    }

    pub(crate) fn example() -> Self {
        Self::new(0.1, 1000)
    }

    /// Every phase must span a positive number of steps, or PyTorch's formula
    /// divides by zero.
    fn check_phases(&self) -> Result<(), ConfigError> {
        let rise = self.pct_start * self.total_steps as f64;
        let last = self.total_steps as f64 - 1.0;
        let fall_ok = !self.three_phase || 2.0 * rise - 2.0 < last;
        if rise > 1.0 && fall_ok {
            return Ok(());
        }
        let upper = if self.three_phase {
            format!(
                " and < {}",
                (self.total_steps as f64 + 1.0) / (2.0 * self.total_steps as f64)
            )
        } else {
            String::new()
        };
        Err(ConfigError::invalid(
            "pct_start",
            self.pct_start,
            format!(
                "a number > {} (1 / total_steps){upper}, so that every phase spans at least one step",
                1.0 / self.total_steps as f64
            ),
        ))
    }

    /// PyTorch's phases: up to `max_lr` while the momentum falls to
    /// `base_momentum`, then down while it rises back (three phases: down to
    /// `initial_lr`, then to `min_lr` at `max_momentum`).
    fn phases(&self) -> [Phase; 3] {
        let initial = self.max_lr / self.div_factor;
        let min = initial / self.final_div_factor;
        let (low, high) = (self.momentum.base_momentum(), self.momentum.max_momentum());
        let rise_end = self.pct_start * self.total_steps as f64 - 1.0;
        let last = self.total_steps as f64 - 1.0;
        let phase = |end, lr, momentum| Phase { end, lr, momentum };
        if self.three_phase {
            let fall_end = 2.0 * self.pct_start * self.total_steps as f64 - 2.0;
            [
                phase(rise_end, (initial, self.max_lr), (high, low)),
                phase(fall_end, (self.max_lr, initial), (low, high)),
                phase(last, (initial, min), (high, high)),
            ]
        } else {
            [
                phase(rise_end, (initial, self.max_lr), (high, low)),
                phase(last, (self.max_lr, min), (low, high)),
                phase(last, (min, min), (high, high)),
            ]
        }
    }

    /// The phase of step `t` (held at the last step from `total_steps - 1`
    /// on) and the progress through it.
    fn locate(&self, t: f64) -> (Phase, f64) {
        let last = self.total_steps as f64 - 1.0;
        let t = t.min(last);
        let mut start = 0.0;
        let mut phases = self.phases().into_iter();
        let mut phase = phases.next();
        while let Some(current) = phase {
            if t <= current.end || current.end == last {
                let progress = (t - start) / (current.end - start);
                return (current, progress);
            }
            start = current.end;
            phase = phases.next();
        }
        // The last phase ends at `last`, so the loop has returned.
        let [.., end] = self.phases();
        (end, 1.0)
    }

    fn anneal(&self, from: f64, to: f64, progress: f64) -> f64 {
        match self.anneal_strategy {
            AnnealStrategy::Linear => (to - from) * progress + from,
            AnnealStrategy::Cos => cosine_between(from, to, progress),
        }
    }
}

impl Curve for OneCycleLr {
    const NAME: &'static str = "one_cycle";
    const TORCH_NAME: &'static str = "OneCycleLR";

    /// The LR after `t` steps (held at the final value from `total_steps - 1` on).
    fn lr(&self, _base_lr: f64, t: f64) -> f64 {
        let (phase, progress) = self.locate(t);
        self.anneal(phase.lr.0, phase.lr.1, progress)
    }

    fn momentum(&self, t: f64) -> Option<f64> {
        let (phase, progress) = self.locate(t);
        self.momentum
            .is_cycled()
            .then(|| self.anneal(phase.momentum.0, phase.momentum.1, progress))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::lr("max_lr", self.max_lr)?;
        check::int("total_steps", self.total_steps, 2)?;
        check::float("pct_start", self.pct_start, Bounds::Open(0.0, 1.0))?;
        check::float("div_factor", self.div_factor, Bounds::Closed(1e-100, 1e100))?;
        check::float(
            "final_div_factor",
            self.final_div_factor,
            Bounds::Closed(1e-100, 1e100),
        )?;
        self.check_phases()?;
        self.momentum.validate()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&["one_cycle"]);
    }
}
