//! The parameters of ReduceLROnPlateau, with PyTorch's names and defaults.

use burn_lr_schedule::SpecError;
use burn_lr_schedule::spec::params::{Params, Range};

/// Whether a lower or a higher metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lower is better (a loss).
    Min,
    /// Higher is better (an accuracy).
    Max,
}

/// How `threshold` defines a significant improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdMode {
    /// Better than `best * (1 -/+ threshold)`.
    Rel,
    /// Better than `best -/+ threshold`.
    Abs,
}

/// PyTorch's `ReduceLROnPlateau` parameters.
///
/// `patience` counts epochs without improvement that are tolerated; the LR is
/// multiplied by `factor` on the next one. After a reduction, `cooldown`
/// epochs pass before bad epochs count again. A reduction that would change
/// the LR by `eps` or less is skipped; the LR never goes below `min_lr`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlateauConfig {
    /// `min` or `max`.
    pub mode: Mode,
    /// Multiplier of the LR at a reduction, in `[0, 1)`.
    pub factor: f64,
    /// Bad epochs tolerated before a reduction.
    pub patience: u64,
    /// Size of a significant improvement (`>= 0`).
    pub threshold: f64,
    /// `rel` or `abs`.
    pub threshold_mode: ThresholdMode,
    /// Epochs after a reduction during which bad epochs are not counted.
    pub cooldown: u64,
    /// LR floor of the default group, then of each parameter group in order.
    pub min_lr: Vec<f64>,
    /// Smallest LR change worth making (`>= 0`).
    pub eps: f64,
    /// Ignore metrics observed during the base schedule's warmup.
    pub idle_during_warmup: bool,
}

impl Default for PlateauConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: vec![0.0],
            eps: 1e-8,
            idle_during_warmup: true,
        }
    }
}

/// The keys [`PlateauConfig::parse`] reads.
pub const PLATEAU_KEYS: [&str; 9] = [
    "mode",
    "factor",
    "patience",
    "threshold",
    "threshold_mode",
    "cooldown",
    "min_lr",
    "eps",
    "idle_during_warmup",
];

impl PlateauConfig {
    /// Reads the plateau keys of a spec object (absent keys take PyTorch's defaults).
    pub fn parse(p: &mut Params) -> Result<Self, SpecError> {
        let defaults = Self::default();
        let mode = match p.choice("mode", &["min", "max"], "min")? {
            "max" => Mode::Max,
            _ => Mode::Min,
        };
        let threshold_mode = match p.choice("threshold_mode", &["rel", "abs"], "rel")? {
            "abs" => ThresholdMode::Abs,
            _ => ThresholdMode::Rel,
        };
        let floor = "a number >= 0, or a list of them (one per parameter group)";
        let min_lr = match p.value("min_lr") {
            None => defaults.min_lr,
            Some(value) => {
                let items = value
                    .as_array()
                    .cloned()
                    .unwrap_or_else(|| vec![value.clone()]);
                let floors: Option<Vec<f64>> = items
                    .iter()
                    .map(|v| v.as_f64().filter(|x| x.is_finite() && *x >= 0.0))
                    .collect();
                match floors {
                    Some(floors) if !floors.is_empty() => floors,
                    _ => return Err(SpecError::invalid("min_lr", value, floor)),
                }
            }
        };
        Ok(Self {
            mode,
            factor: p
                .float_or("factor", defaults.factor, Range::Closed(0.0, 1.0))
                .and_then(|f| {
                    if f < 1.0 {
                        Ok(f)
                    } else {
                        Err(SpecError::invalid("factor", f, "a number in [0, 1)"))
                    }
                })?,
            patience: p.int_or("patience", defaults.patience, 0)?,
            threshold: p.float_or("threshold", defaults.threshold, Range::AtLeast(0.0))?,
            threshold_mode,
            cooldown: p.int_or("cooldown", defaults.cooldown, 0)?,
            min_lr,
            eps: p.float_or("eps", defaults.eps, Range::AtLeast(0.0))?,
            idle_during_warmup: p.bool_or("idle_during_warmup", defaults.idle_during_warmup)?,
        })
    }

    /// Whether `metric` improves significantly on `best` (strict, as PyTorch).
    /// Non-finite metrics never improve.
    pub fn is_better(&self, metric: f64, best: f64) -> bool {
        if !metric.is_finite() {
            return false;
        }
        match (self.mode, self.threshold_mode) {
            (Mode::Min, ThresholdMode::Rel) => metric < best * (1.0 - self.threshold),
            (Mode::Min, ThresholdMode::Abs) => metric < best - self.threshold,
            (Mode::Max, ThresholdMode::Rel) => metric > best * (1.0 + self.threshold),
            (Mode::Max, ThresholdMode::Abs) => metric > best + self.threshold,
        }
    }

    /// The starting `best`: the worst possible value for the mode.
    pub fn worst(&self) -> f64 {
        match self.mode {
            Mode::Min => f64::INFINITY,
            Mode::Max => f64::NEG_INFINITY,
        }
    }

    /// The floor of group `index` (0 = the default group); the last floor
    /// given applies to the groups after it.
    pub fn min_lr_of(&self, index: usize) -> f64 {
        self.min_lr[index.min(self.min_lr.len() - 1)]
    }
}
