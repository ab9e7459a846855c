//! The parameters of ReduceLROnPlateau, with PyTorch's names and defaults.

use serde::Serialize;

use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::params::{Choice, Param, Params};

/// Whether a lower or a higher metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Lower is better (a loss).
    Min,
    /// Higher is better (an accuracy).
    Max,
}

impl Choice for Mode {
    const CHOICES: &'static [(&'static str, Self)] = &[("min", Self::Min), ("max", Self::Max)];
}

/// How `threshold` defines a significant improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMode {
    /// Better than `best * (1 -/+ threshold)`.
    Rel,
    /// Better than `best -/+ threshold`.
    Abs,
}

impl Choice for ThresholdMode {
    const CHOICES: &'static [(&'static str, Self)] = &[("rel", Self::Rel), ("abs", Self::Abs)];
}

/// PyTorch's `ReduceLROnPlateau` parameters, as a scale over a spec's schedule.
///
/// `patience` counts epochs without improvement that are tolerated; the LR is
/// multiplied by `factor` on the next one. After a reduction, `cooldown`
/// epochs pass before bad epochs count again. A reduction that would change
/// the LR by `eps` or less is skipped; the LR never goes below `min_lr`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineAnnealingLr, plateau::{Mode, ReduceOnPlateau}};
/// let spec = Spec::new(CosineAnnealingLr::new(50))
///     .with_steps_per_epoch(100)
///     .with_plateau(ReduceOnPlateau::new().with_mode(Mode::Max).with_factor(0.5).with_patience(3));
/// assert!(spec.init(1e-3).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReduceOnPlateau {
    mode: Mode,
    factor: f64,
    patience: u64,
    threshold: f64,
    threshold_mode: ThresholdMode,
    cooldown: u64,
    min_lr: MinLrs,
    eps: f64,
    idle_during_warmup: bool,
}

/// One LR floor, or one per parameter group (the default group first).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum MinLrs {
    One(f64),
    PerGroup(Vec<f64>),
}

impl Param for MinLrs {
    fn read(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Array(items) => items
                .iter()
                .map(f64::read)
                .collect::<Option<_>>()
                .map(Self::PerGroup),
            other => f64::read(other).map(Self::One),
        }
    }
    fn expected() -> String {
        "a number >= 0, or a list of them (one per parameter group)".into()
    }
}

impl Default for ReduceOnPlateau {
    /// PyTorch's defaults: `min` mode, `factor = 0.1`, `patience = 10`,
    /// `threshold = 1e-4` relative, no cooldown, `min_lr = 0`, `eps = 1e-8`.
    fn default() -> Self {
        Self {
            mode: Mode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: MinLrs::One(0.0),
            eps: 1e-8,
            idle_during_warmup: true,
        }
    }
}

impl ReduceOnPlateau {
    /// PyTorch's defaults (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// `min` (a loss) or `max` (an accuracy).
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Multiplier of the LR at a reduction, in `[0, 1)`.
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Bad epochs tolerated before a reduction.
    pub fn with_patience(mut self, patience: u64) -> Self {
        self.patience = patience;
        self
    }

    /// Size (`>= 0`) and kind of a significant improvement.
    pub fn with_threshold(mut self, threshold: f64, threshold_mode: ThresholdMode) -> Self {
        self.threshold = threshold;
        self.threshold_mode = threshold_mode;
        self
    }

    /// Epochs after a reduction during which bad epochs are not counted.
    pub fn with_cooldown(mut self, cooldown: u64) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The LR floor of every group (`>= 0`).
    pub fn with_min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = MinLrs::One(min_lr);
        self
    }

    /// One LR floor per group: the default group, then each of the spec's
    /// groups in order; the last floor applies to the groups after it.
    pub fn with_min_lrs(mut self, min_lrs: Vec<f64>) -> Self {
        self.min_lr = MinLrs::PerGroup(min_lrs);
        self
    }

    /// Smallest LR change worth making (`>= 0`).
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Whether metrics observed during the spec's warmup are ignored (default true).
    pub fn with_idle_during_warmup(mut self, idle: bool) -> Self {
        self.idle_during_warmup = idle;
        self
    }

    /// Reads the plateau keys of a spec object (absent keys keep PyTorch's defaults).
    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        p.set("mode", &mut config.mode)?;
        p.set("factor", &mut config.factor)?;
        p.set("patience", &mut config.patience)?;
        p.set("threshold", &mut config.threshold)?;
        p.set("threshold_mode", &mut config.threshold_mode)?;
        p.set("cooldown", &mut config.cooldown)?;
        p.set("min_lr", &mut config.min_lr)?;
        p.set("eps", &mut config.eps)?;
        p.set("idle_during_warmup", &mut config.idle_during_warmup)?;
        Ok(config)
    }

    /// Checks every parameter; `groups` is the number of parameter groups
    /// (the default group included).
    pub(crate) fn validate(&self, groups: usize) -> Result<(), ConfigError> {
        check::float("factor", self.factor, Bounds::RightOpen(0.0, 1.0))?;
        check::float("threshold", self.threshold, Bounds::AtLeast(0.0))?;
        check::float("eps", self.eps, Bounds::AtLeast(0.0))?;
        let floors = self.min_lrs();
        if floors.is_empty() || floors.len() > groups {
            return Err(ConfigError::invalid(
                "min_lr",
                format!("{floors:?}"),
                format!("1 to {groups} floors: the default group, then one per entry of `groups`"),
            ));
        }
        floors
            .iter()
            .enumerate()
            .try_for_each(|(i, floor)| check::lr(&format!("min_lr[{i}]"), *floor))
    }

    fn min_lrs(&self) -> &[f64] {
        match &self.min_lr {
            MinLrs::One(floor) => std::slice::from_ref(floor),
            MinLrs::PerGroup(floors) => floors,
        }
    }

    /// The metric direction.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub(crate) fn idle_during_warmup(&self) -> bool {
        self.idle_during_warmup
    }

    pub(crate) fn factor(&self) -> f64 {
        self.factor
    }

    pub(crate) fn patience(&self) -> u64 {
        self.patience
    }

    pub(crate) fn cooldown(&self) -> u64 {
        self.cooldown
    }

    pub(crate) fn eps(&self) -> f64 {
        self.eps
    }

    /// Whether `metric` improves significantly on `best` (strict, as PyTorch).
    /// Non-finite metrics never improve.
    pub(crate) fn is_better(&self, metric: f64, best: f64) -> bool {
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
    pub(crate) fn worst(&self) -> f64 {
        match self.mode {
            Mode::Min => f64::INFINITY,
            Mode::Max => f64::NEG_INFINITY,
        }
    }

    /// The floor of group `index` (0 = the default group); the last floor
    /// given applies to the groups after it.
    pub(crate) fn min_lr_of(&self, index: usize) -> f64 {
        let floors = self.min_lrs();
        floors[index.min(floors.len() - 1)]
    }
}
