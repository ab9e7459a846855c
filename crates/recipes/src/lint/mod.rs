//! The linter: the classic scheduling mistakes, found before a run starts.
//!
//! It reads the *curve* the spec produces over the run's `step()` calls
//! (sampled from the closed form, see [`curve`]), not the spec's structure,
//! so every way of writing a warmup or a horizon (the `warmup` key, PyTorch's
//! `sequential` idiom, a Hugging Face `*_with_warmup`, timm's `warmup_t`,
//! `chained`, a closure) gets the same findings. A few rules need what only
//! the spec or the run can tell (a plateau without a metric, an epoch spec
//! stepped per update, an adaptive optimizer above LR 1). Each rule is one
//! function over a shared [`Context`] in [`rules`].

mod curve;
mod rules;

use burn_lr_core::{ConfigError, Spec, Unit};
use serde::Serialize;

use crate::run::RunDescription;
use curve::CurveFacts;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; the run is fine.
    Info,
    /// Likely to cost accuracy or compute.
    Warning,
    /// Almost certainly wrong.
    Error,
}

/// One problem, with a stable code and a concrete fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `missing-warmup`.
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub fix: String,
}

impl Finding {
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        message: String,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message,
            fix: fix.into(),
        }
    }
}

/// Runs shorter than this many `step()` calls are too short for a schedule
/// to matter: no warmup fits in them (one update is already 10% of the run).
pub const MIN_SCHEDULED_STEPS: u64 = 10;

/// What every rule reads: the run, the spec and its curve over the run.
pub(crate) struct Context<'a> {
    run: &'a RunDescription,
    /// The spec as given (with its plateau, if any).
    spec: &'a Spec,
    /// `step()` calls per epoch (1 when stepped per epoch).
    per_epoch: u64,
    /// The epoch length was taken from the run, not the spec.
    filled_steps_per_epoch: bool,
    /// The curve of the default group (a plateau spec's base curve), or why
    /// it cannot be built.
    curve: Result<CurveFacts, ConfigError>,
    /// For a spec with a `cooldown`, the curve it branches off (the same
    /// spec without it).
    uncooled: Option<CurveFacts>,
}

impl<'a> Context<'a> {
    fn new(spec: &'a Spec, run: &'a RunDescription) -> Self {
        let per_epoch = run.steps_per_call_epoch();
        let mut curve_spec = spec.clone().without_plateau();
        let filled_steps_per_epoch =
            curve_spec.unit() == Unit::Epoch && curve_spec.steps_per_epoch().is_none();
        if filled_steps_per_epoch {
            curve_spec = curve_spec.with_steps_per_epoch(per_epoch);
        }
        let base_lr = run.base_lr.unwrap_or(1.0);
        let sample = |spec: &Spec| {
            spec.scheduler(base_lr)
                .map(|s| CurveFacts::sample(&s, run.total_steps()))
        };
        let curve = sample(&curve_spec);
        let uncooled = curve_spec
            .cooldown()
            .and_then(|_| sample(&curve_spec.clone().without_cooldown()).ok());
        Self {
            run,
            spec,
            per_epoch,
            filled_steps_per_epoch,
            curve,
            uncooled,
        }
    }

    /// The curve, for runs long enough to be scheduled.
    fn scheduled_curve(&self) -> Option<&CurveFacts> {
        self.curve
            .as_ref()
            .ok()
            .filter(|c| c.total >= MIN_SCHEDULED_STEPS)
    }
}

/// Checks `spec` (a plateau spec included) against `run`; an error when the
/// run itself is invalid (see [`RunDescription::validate`]).
///
/// ```
/// use burn_lr_recipes::{lint, ModelFamily, RunDescription};
/// use burn_lr_core::Spec;
/// use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr, Sequential};
///
/// // PyTorch's warmup idiom, with a cosine whose t_max counts the warmup.
/// let warmup = LinearLr::new(0.01, 1.0, 500);
/// let spec = Spec::new(Sequential::new(vec![warmup.into(), CosineAnnealingLr::new(10_000).into()], vec![500]));
/// let run = RunDescription::new(burn_lr_recipes::ModelFamily::Cnn, 100, 100, 256);
/// let codes: Vec<_> = lint(&spec, &run).unwrap().iter().map(|f| f.code).collect();
/// assert_eq!(codes, ["tmax-includes-warmup"]);
/// ```
pub fn lint(spec: &Spec, run: &RunDescription) -> Result<Vec<Finding>, ConfigError> {
    run.validate()?;
    let cx = Context::new(spec, run);
    let mut findings: Vec<Finding> = rules::RULES.iter().filter_map(|rule| rule(&cx)).collect();
    if findings.iter().any(|f| f.code == rules::FLOOR_ABOVE_BASE) {
        findings.retain(|f| !rules::FLOOR_CONSEQUENCES.contains(&f.code));
    }
    Ok(findings)
}
