//! One short training of a search: what the objective is asked to train,
//! and what it answers.

use burn::module::Module;
use burn_lr_core::{ConfigError, ModuleSchedule, Spec};
use serde::Serialize;

/// A training the search asks the objective for: the target schedule
/// rescaled to `updates` updates and to peak LR `lr`, from the initial
/// weights and data order of `seed`.
#[derive(Debug, Clone)]
pub struct Trial {
    /// Its place in the search, from 0.
    pub index: usize,
    /// The rung it belongs to (0: every candidate, shortest).
    pub rung: usize,
    /// The peak LR it trains at (one-cycle's `max_lr`; a learning-rate-free
    /// optimizer's multiplier).
    pub lr: f64,
    /// Optimizer updates to train.
    pub updates: u64,
    /// Seed of the initial weights and data order (the same for every trial
    /// of a search, so candidates are compared on the same draw).
    pub seed: u64,
    pub(crate) spec: Spec,
}

impl Trial {
    /// The base LR the trial's [`spec`](Self::spec) is initialised at: the
    /// peak LR is inside the rescaled spec.
    pub const BASE_LR: f64 = 1.0;

    /// The target spec rescaled to this trial (see [`Spec::rescaled`]):
    /// every horizon `updates / N` as long, every LR scaled so that the
    /// peak is [`lr`](Self::lr). Initialise it at [`Trial::BASE_LR`], or use
    /// [`scheduler`](Self::scheduler).
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The trial's scheduler for burn-train's `Learner` (and its `hook()`);
    /// an error for a spec with parameter groups, which
    /// [`scheduler_for`](Self::scheduler_for) checks against the model.
    pub fn scheduler(&self) -> Result<ModuleSchedule, ConfigError> {
        self.spec.init(Self::BASE_LR)
    }

    /// [`scheduler`](Self::scheduler), with the spec's parameter groups
    /// checked against `model` (see [`Spec::init_for`]).
    pub fn scheduler_for(&self, model: &impl Module) -> Result<ModuleSchedule, ConfigError> {
        self.spec.init_for(model, Self::BASE_LR)
    }

    /// The LR of every update of the trial, for a custom training loop.
    pub fn lrs(&self) -> Result<Vec<f64>, ConfigError> {
        self.spec.preview(Self::BASE_LR, self.updates as usize)
    }
}

/// What a trial's training answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The validation metric at the end of the trial. A NaN or infinite
    /// value counts as a divergence.
    Metric(f64),
    /// The training diverged (its loss turned NaN or infinite, or blew up).
    Diverged,
}

impl Outcome {
    /// The metric, or `None` for a divergence (a non-finite metric included).
    pub fn metric(self) -> Option<f64> {
        match self {
            Self::Metric(m) if m.is_finite() => Some(m),
            _ => None,
        }
    }
}

/// A trial as the search ran it: the evidence behind its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialRecord {
    /// Its place in the search, from 0.
    pub index: usize,
    /// Its rung.
    pub rung: usize,
    /// Peak LR.
    pub lr: f64,
    /// Updates trained.
    pub updates: u64,
    /// Seed.
    pub seed: u64,
    /// The validation metric; `None` when the trial diverged.
    pub metric: Option<f64>,
}

impl TrialRecord {
    /// Whether the trial diverged.
    pub fn diverged(&self) -> bool {
        self.metric.is_none()
    }
}
