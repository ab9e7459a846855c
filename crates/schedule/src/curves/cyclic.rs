//! Schedules that carry their own LR range and ignore the optimizer's LR:
//! PyTorch's `CyclicLR` and `OneCycleLR`.
//!
//! `t` counts scheduler steps; `t = 0` is the LR right after construction.

use serde::Serialize;

use crate::SpecError;
use crate::curves::cosine::cosine_between;
use crate::spec::params::{Params, Range};

/// `CyclicLR` (Smith, 2017): triangles between `base_lr` and `max_lr`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CyclicLr {
    /// The low end of each cycle (absolute).
    pub base_lr: f64,
    /// The peak of the first cycle (absolute).
    pub max_lr: f64,
    /// Steps from `base_lr` up to the peak (at least 1).
    pub step_size_up: u64,
    /// Steps from the peak back down; `None` means `step_size_up`.
    pub step_size_down: Option<u64>,
    /// `triangular`, `triangular2` (peak halves every cycle) or `exp_range`
    /// (peak scaled by `gamma^t`).
    pub mode: &'static str,
    /// Per-step decay of the peak in `exp_range` mode, in `(0, 1]`.
    pub gamma: f64,
}

impl CyclicLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let base_lr = p.float("base_lr", Range::AtLeast(0.0))?;
        let max_lr = p.float("max_lr", Range::AtLeast(0.0))?;
        if max_lr < base_lr {
            return Err(SpecError::invalid(
                "max_lr",
                max_lr,
                format!("a number >= base_lr ({base_lr})"),
            ));
        }
        Ok(Self {
            base_lr,
            max_lr,
            step_size_up: p.int_or("step_size_up", 2000, 1)?,
            step_size_down: p.int_opt("step_size_down", 1)?,
            mode: p.choice(
                "mode",
                &["triangular", "triangular2", "exp_range"],
                "triangular",
            )?,
            gamma: p.float_or("gamma", 1.0, Range::LeftOpen(0.0, 1.0))?,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, _base_lr: f64, t: f64) -> f64 {
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
            "triangular2" => 1.0 / 2f64.powf(cycle - 1.0),
            "exp_range" => self.gamma.powf(t),
            _ => 1.0,
        };
        self.base_lr + (self.max_lr - self.base_lr) * height * scale
    }
}

/// `OneCycleLR` (Smith & Topin, 2018): from `max_lr / div_factor` up to
/// `max_lr`, then down to `max_lr / div_factor / final_div_factor`.
///
/// Defined for `total_steps` values; after the last one the LR holds the final
/// value instead of extrapolating (PyTorch raises there).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneCycleLr {
    /// The peak LR (absolute).
    pub max_lr: f64,
    /// Length of the cycle in steps.
    pub total_steps: u64,
    /// Fraction of the cycle spent rising, in `(0, 1)`.
    pub pct_start: f64,
    /// `cos` or `linear`.
    pub anneal_strategy: &'static str,
    /// `initial_lr = max_lr / div_factor` (`> 0`).
    pub div_factor: f64,
    /// `min_lr = initial_lr / final_div_factor` (`> 0`).
    pub final_div_factor: f64,
    /// fastai's variant: up, back down to `initial_lr`, then to `min_lr`.
    pub three_phase: bool,
}

impl OneCycleLr {
    pub(crate) fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let max_lr = p.float("max_lr", Range::AtLeast(0.0))?;
        let total_steps = match p.int_opt("total_steps", 2)? {
            Some(total) => total,
            None => {
                let epochs = p.int_opt("epochs", 1)?;
                let per_epoch = p.int_opt("steps_per_epoch", 1)?;
                match (epochs, per_epoch) {
                    (Some(e), Some(k)) => e * k,
                    _ => {
                        return Err(SpecError::Missing {
                            field: "total_steps".into(),
                            allowed: "an integer >= 2, or both `epochs` and `steps_per_epoch`"
                                .into(),
                        });
                    }
                }
            }
        };
        let curve = Self {
            max_lr,
            total_steps,
            pct_start: p.float_or("pct_start", 0.3, Range::Open(0.0, 1.0))?,
            anneal_strategy: p.choice("anneal_strategy", &["cos", "linear"], "cos")?,
            div_factor: p.float_or("div_factor", 25.0, Range::Above(0.0))?,
            final_div_factor: p.float_or("final_div_factor", 1e4, Range::Above(0.0))?,
            three_phase: p.bool_or("three_phase", false)?,
        };
        curve.check_phases()?;
        Ok(curve)
    }

    /// Every phase must span a positive number of steps, or PyTorch's formula
    /// divides by zero.
    fn check_phases(&self) -> Result<(), SpecError> {
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
        Err(SpecError::invalid(
            "pct_start",
            self.pct_start,
            format!(
                "a number > {} (1 / total_steps){upper}, so that every phase spans at least one step",
                1.0 / self.total_steps as f64
            ),
        ))
    }

    fn anneal(&self, from: f64, to: f64, progress: f64) -> f64 {
        match self.anneal_strategy {
            "linear" => (to - from) * progress + from,
            _ => cosine_between(from, to, progress),
        }
    }

    /// The LR after `t` steps (held at the final value from `total_steps - 1` on).
    pub fn lr(&self, _base_lr: f64, t: f64) -> f64 {
        let initial = self.max_lr / self.div_factor;
        let min = initial / self.final_div_factor;
        let rise_end = self.pct_start * self.total_steps as f64 - 1.0;
        let last = self.total_steps as f64 - 1.0;
        let t = t.min(last);
        let phases: [(f64, f64, f64); 3] = if self.three_phase {
            let fall_end = 2.0 * self.pct_start * self.total_steps as f64 - 2.0;
            [
                (rise_end, initial, self.max_lr),
                (fall_end, self.max_lr, initial),
                (last, initial, min),
            ]
        } else {
            [
                (rise_end, initial, self.max_lr),
                (last, self.max_lr, min),
                (last, min, min),
            ]
        };
        let mut start = 0.0;
        for (end, from, to) in phases {
            if t <= end || end == last {
                return self.anneal(from, to, (t - start) / (end - start));
            }
            start = end;
        }
        min
    }
}
