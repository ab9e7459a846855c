//! The schedule spec: a [`Schedule`] plus what the reference libraries leave
//! to the training loop: the unit (`unit`, `steps_per_epoch`, `timing`), a
//! warmup prefix, a cooldown branched off at any step, parameter groups, and
//! ReduceLROnPlateau.
//!
//! A spec is built in code (`Spec::new(curve).with_...`) or read from JSON or
//! TOML (`parse.rs`); both are checked by the same [`Spec::validate`], which
//! [`Spec::init`] runs again, so no invalid value reaches a scheduler.

pub(crate) mod clock;
mod cooldown;
pub(crate) mod params;
mod parse;
pub(crate) mod text;

use serde::Serialize;

use crate::ConfigError;
use crate::LrGroup;
use crate::check::{self, Bounds};
use crate::plateau::ReduceOnPlateau;
use crate::schedules::Schedule;
use clock::Clock;
pub use clock::Timing;
pub use cooldown::Cooldown;

/// A linear warmup in front of any schedule.
///
/// Over `total_iters` steps of the spec's unit the LR rises linearly from
/// `start_factor` times the schedule's first value to that value; the schedule
/// then starts from its own step 0 (as `sequential` with a `linear` first).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Warmup {
    total_iters: u64,
    start_factor: f64,
}

impl Warmup {
    /// Warmup length, in the spec's unit.
    pub fn total_iters(&self) -> u64 {
        self.total_iters
    }

    /// Fraction of the target LR at step 0.
    pub fn start_factor(&self) -> f64 {
        self.start_factor
    }

    fn validate(&self) -> Result<(), ConfigError> {
        check::int("total_iters", self.total_iters, 1)?;
        check::float("start_factor", self.start_factor, Bounds::Closed(0.0, 1.0))
    }
}

/// The unit a spec counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Optimizer updates (burn-train calls `step()` once per update).
    Step,
    /// Epochs; needs `steps_per_epoch` and a [`Timing`].
    Epoch,
}

/// A complete schedule description: built in code or read from JSON/TOML,
/// validated before any scheduler exists.
///
/// ```
/// use burn_lr_core::{Spec, Timing, schedules::CosineAnnealingLr};
/// // 10 epochs of 4 updates: 1 epoch of warmup, then cosine per update.
/// let spec = Spec::new(CosineAnnealingLr::new(9))
///     .in_epochs(Timing::Iteration)
///     .with_steps_per_epoch(4)
///     .with_warmup(1, 0.0);
/// let lrs = spec.preview(0.1, 40).unwrap();
/// assert_eq!(lrs[0], 0.0);                 // warmup starts at 0
/// assert!((lrs[4] - 0.1).abs() < 1e-15);   // the cosine starts after it
///
/// // The same checks as a JSON spec, at init:
/// let err = Spec::new(CosineAnnealingLr::new(0)).init(0.1).unwrap_err();
/// assert_eq!(err.to_string(), "`t_max` = 0 is invalid: allowed an integer >= 1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    schedule: Schedule,
    unit: Unit,
    steps_per_epoch: Option<u64>,
    timing: Option<Timing>,
    warmup: Option<Warmup>,
    groups: Vec<LrGroup>,
    cooldown: Option<Cooldown>,
    plateau: Option<ReduceOnPlateau>,
    rescale: Option<Rescale>,
}

/// A spec replayed faster and at another height: the LR at time `t` is
/// `lr` times the original's LR at time `t * time` (see [`Spec::rescaled`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rescale {
    /// How many times faster the schedule runs (`N / n` for a run of `n`
    /// updates standing in for one of `N`).
    pub time: f64,
    /// The factor on every LR.
    pub lr: f64,
}

impl Spec {
    /// A spec in optimizer updates with no warmup, no groups and no plateau.
    pub fn new(schedule: impl Into<Schedule>) -> Self {
        Self {
            schedule: schedule.into(),
            unit: Unit::Step,
            steps_per_epoch: None,
            timing: None,
            warmup: None,
            groups: Vec::new(),
            cooldown: None,
            plateau: None,
            rescale: None,
        }
    }

    /// Reads the curve's time (and the warmup's) in epochs; `steps_per_epoch`
    /// comes from [`with_steps_per_epoch`](Self::with_steps_per_epoch).
    pub fn in_epochs(mut self, timing: Timing) -> Self {
        self.unit = Unit::Epoch;
        self.timing = Some(timing);
        self
    }

    /// The number of optimizer updates burn-train makes per epoch (at least
    /// 1). Compute it with [`StepsPerEpoch`](crate::StepsPerEpoch): with
    /// several devices or gradient accumulation it is not the loader length.
    /// A spec in epochs needs it; for any spec it lets the
    /// [`LrHook`](crate::LrHook) check every epoch's update count.
    pub fn with_steps_per_epoch(mut self, steps_per_epoch: u64) -> Self {
        self.steps_per_epoch = Some(steps_per_epoch);
        self
    }

    /// Puts a linear warmup of `total_iters` (spec units, at least 1) from
    /// `start_factor` (in `[0, 1]`) in front of the schedule.
    pub fn with_warmup(mut self, total_iters: u64, start_factor: f64) -> Self {
        self.warmup = Some(Warmup {
            total_iters,
            start_factor,
        });
        self
    }

    /// Adds a parameter group: parameters whose path starts with `pattern`
    /// (see [`LrGroup`]) get `lr_mult` (`>= 0`) times the scheduled LR.
    pub fn with_group(mut self, pattern: impl Into<String>, lr_mult: f64) -> Self {
        self.groups.push(LrGroup {
            pattern: pattern.into(),
            lr_mult,
        });
        self
    }

    /// The same spec with every parameter at the default group's LR.
    pub fn without_groups(mut self) -> Self {
        self.groups.clear();
        self
    }

    /// Leaves the curve at step `cooldown.start()` (counted from the first
    /// update, warmup included) for a decay from the LR reached there: a
    /// cooldown branched off an open-ended run, or the re-targeted rest of a
    /// resumed run whose horizon changed. See [`Cooldown`].
    pub fn with_cooldown(mut self, cooldown: Cooldown) -> Self {
        self.cooldown = Some(cooldown);
        self
    }

    /// The same spec without its cooldown.
    pub fn without_cooldown(mut self) -> Self {
        self.cooldown = None;
        self
    }

    /// The same spec without its plateau rule: the base curve alone.
    pub fn without_plateau(mut self) -> Self {
        self.plateau = None;
        self
    }

    /// Reduces the LR on plateaus of a validation metric, as a scale over
    /// this spec's schedule (warmup and groups included). Needs
    /// `steps_per_epoch` and the [`LrHook`](crate::LrHook).
    pub fn with_plateau(mut self, plateau: ReduceOnPlateau) -> Self {
        self.plateau = Some(plateau);
        self
    }

    /// The same schedule compressed in time by `time` and scaled in height
    /// by `lr`: every horizon, warmup, milestone and cooldown start comes
    /// `time` times sooner (a spec of `N` updates replayed in `N / time`),
    /// and every LR is multiplied by `lr`. Exact for every closed form,
    /// since each is a function of fractional time.
    ///
    /// This is how the tuner runs a target schedule in a short trial. A
    /// rescaled spec trains and previews like any other, but cannot be
    /// saved (save the original). Errors: `time` or `lr` not finite and
    /// above 0; a spec with a closure (`lambda`), whose horizons are not
    /// known; a plateau spec, whose reductions depend on the run's metrics,
    /// not on time; a spec already rescaled.
    ///
    /// ```
    /// use burn_lr_core::{Spec, schedules::CosineAnnealingLr};
    /// let full = Spec::new(CosineAnnealingLr::new(1000)).with_warmup(100, 0.0);
    /// let trial = full.rescaled(4.0, 0.5)?;
    /// let (long, short) = (full.preview(1.0, 1000)?, trial.preview(1.0, 250)?);
    /// assert_eq!(short[25], 0.5 * long[100]); // the warmup ends 4x sooner
    /// assert_eq!(short[200], 0.5 * long[800]);
    /// # Ok::<(), burn_lr_core::ConfigError>(())
    /// ```
    pub fn rescaled(&self, time: f64, lr: f64) -> Result<Spec, ConfigError> {
        check::float("rescale.time", time, Bounds::Above(0.0))?;
        check::float("rescale.lr", lr, Bounds::Above(0.0))?;
        if self.schedule.holds_lambda() {
            return Err(ConfigError::invalid(
                "scheduler",
                "lambda",
                "a closed-form schedule: a closure's horizons are unknown, so it cannot be \
                 rescaled to a shorter run",
            ));
        }
        if self.plateau.is_some() {
            return Err(ConfigError::invalid(
                "scheduler",
                "reduce_on_plateau",
                "a schedule of time alone: a plateau's reductions follow the run's metrics, so \
                 it cannot be rescaled to a shorter run",
            ));
        }
        if self.rescale.is_some() {
            return Err(ConfigError::invalid(
                "rescale",
                "already set",
                "a spec that was not rescaled (rescale the original)",
            ));
        }
        Ok(Spec {
            rescale: Some(Rescale { time, lr }),
            ..self.clone()
        })
    }

    /// The time and height factors of a [`rescaled`](Self::rescaled) spec.
    pub fn rescale(&self) -> Option<Rescale> {
        self.rescale
    }

    /// The curve.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The unit the curve counts in.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// Updates per epoch, when known.
    pub fn steps_per_epoch(&self) -> Option<u64> {
        self.steps_per_epoch
    }

    /// The warmup prefix.
    pub fn warmup(&self) -> Option<Warmup> {
        self.warmup
    }

    /// The parameter groups.
    pub fn groups(&self) -> &[LrGroup] {
        &self.groups
    }

    /// The cooldown, for a spec that has one.
    pub fn cooldown(&self) -> Option<&Cooldown> {
        self.cooldown.as_ref()
    }

    /// The plateau rule, for a spec that reduces on plateau.
    pub fn plateau(&self) -> Option<&ReduceOnPlateau> {
        self.plateau.as_ref()
    }

    /// Checks every field; the error names the field (by its path in the
    /// spec), the value and the allowed range. Parsing and [`init`](Self::init)
    /// both run it, so a spec built in code is checked like a spec file.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let base = |e| self.in_base(e);
        self.schedule.validate().map_err(base)?;
        if let Some(w) = &self.warmup {
            w.validate().map_err(|e| base(e.within("warmup")))?;
        }
        for (i, group) in self.groups.iter().enumerate() {
            group
                .validate()
                .map_err(|e| base(e.within(&format!("groups[{i}]"))))?;
        }
        if let Some(cooldown) = &self.cooldown {
            cooldown.validate().map_err(|e| self.in_plateau(e))?;
        }
        if let Some(k) = self.steps_per_epoch {
            check::int("steps_per_epoch", k, 1)?;
        }
        if let Some(plateau) = &self.plateau {
            plateau.validate(1 + self.groups.len())?;
        }
        Ok(())
    }

    /// The LR at schedule time `t` (spec units), warmup and cooldown
    /// included; `base_lr` is the optimizer's LR. Pure.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        match self.rescale {
            Some(r) => r.lr * self.unscaled_lr(base_lr, t * r.time),
            None => self.unscaled_lr(base_lr, t),
        }
    }

    /// [`lr`](Self::lr) without the rescale.
    fn unscaled_lr(&self, base_lr: f64, t: f64) -> f64 {
        match &self.cooldown {
            Some(c) if t >= c.start() as f64 => {
                self.curve_lr(base_lr, c.start() as f64) * c.factor(t)
            }
            _ => self.curve_lr(base_lr, t),
        }
    }

    /// The momentum the spec sets at time `t` (spec units), for a spec whose
    /// schedule cycles it (`cycle_momentum`); the warmup holds the
    /// schedule's first value, and a cooldown its value where it starts.
    pub fn momentum(&self, t: f64) -> Option<f64> {
        let t = self.rescale.map_or(t, |r| t * r.time);
        let t = self.cooldown.map_or(t, |c| t.min(c.start() as f64));
        match self.warmup {
            Some(w) => self.schedule.momentum((t - w.total_iters as f64).max(0.0)),
            None => self.schedule.momentum(t),
        }
    }

    /// The curve with its warmup, without the cooldown.
    fn curve_lr(&self, base_lr: f64, t: f64) -> f64 {
        match self.warmup {
            Some(w) if t < w.total_iters as f64 => {
                let target = self.schedule.lr(base_lr, 0.0);
                let progress = t / w.total_iters as f64;
                target * (w.start_factor + (1.0 - w.start_factor) * progress)
            }
            Some(w) => self.schedule.lr(base_lr, t - w.total_iters as f64),
            None => self.schedule.lr(base_lr, t),
        }
    }

    /// The clock of this spec, or an error when `steps_per_epoch` or the
    /// timing is still unknown.
    pub(crate) fn clock(&self) -> Result<Clock, ConfigError> {
        match (self.unit, self.steps_per_epoch, self.timing) {
            (Unit::Step, _, _) => Ok(Clock::Step),
            (Unit::Epoch, Some(steps_per_epoch), Some(timing)) => Ok(Clock::Epoch {
                steps_per_epoch,
                timing,
            }),
            (Unit::Epoch, None, _) => Err(ConfigError::Missing {
                field: "steps_per_epoch".into(),
                allowed: "an integer >= 1: the optimizer updates per epoch (the spec counts \
                          epochs); see `StepsPerEpoch`"
                    .into(),
            }),
            (Unit::Epoch, _, None) => Err(ConfigError::Missing {
                field: "timing".into(),
                allowed: "\"epoch\" or \"iteration\"".into(),
            }),
        }
    }

    /// An error about the curve, its warmup or its groups: a cooldown or a
    /// plateau spec writes them under `base` (`base.base` with both).
    fn in_base(&self, e: ConfigError) -> ConfigError {
        match self.cooldown {
            Some(_) => self.in_plateau(e.within("base")),
            None => self.in_plateau(e),
        }
    }

    /// An error about what a plateau spec writes under `base` (the cooldown).
    fn in_plateau(&self, e: ConfigError) -> ConfigError {
        if self.plateau.is_some() {
            e.within("base")
        } else {
            e
        }
    }

    /// Checks what `init` needs beyond [`validate`](Self::validate).
    pub(crate) fn check_init(&self, base_lr: f64) -> Result<Clock, ConfigError> {
        check::lr("base_lr", base_lr)?;
        self.validate()?;
        self.schedule
            .check_base_lr(base_lr)
            .map_err(|e| self.in_base(e))?;
        if self.plateau.is_some() && self.steps_per_epoch.is_none() {
            return Err(ConfigError::Missing {
                field: "steps_per_epoch".into(),
                allowed: "an integer >= 1: reduce_on_plateau acts at epoch ends; see \
                          `StepsPerEpoch`"
                    .into(),
            });
        }
        self.clock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_in_epochs_with_groups_and_lambdas_resume_bit_identically() {
        use crate::schedules::conformance::resumes_bit_identically;
        let cosine = Spec::new(crate::schedules::CosineAnnealingLr::new(8));
        let in_epochs = cosine
            .clone()
            .with_warmup(2, 0.1)
            .in_epochs(Timing::Iteration)
            .with_steps_per_epoch(7);
        resumes_bit_identically("warmup + cosine, iteration timing", &in_epochs, 0.3, 80);
        let held = cosine
            .in_epochs(Timing::Epoch)
            .with_steps_per_epoch(5)
            .with_group("backbone", 0.1);
        resumes_bit_identically("cosine, epoch timing, a group", &held, 2.5, 60);
        let lambda = crate::lambda("inverse", |t| 1.0 / (1.0 + t));
        resumes_bit_identically("lambda", &lambda, 0.1, 40);
    }

    #[test]
    fn warmup_then_the_schedule_from_its_own_start() {
        let spec = Spec::from_json(
            r#"{"scheduler": "exponential", "gamma": 0.5,
            "warmup": {"total_iters": 4, "start_factor": 0.0}}"#,
        )
        .unwrap();
        assert_eq!(
            spec.preview(1.0, 7).unwrap(),
            [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
        );
    }

    #[test]
    fn groups_scale_the_scheduled_lr() {
        let spec = Spec::new(crate::schedules::CosineAnnealingLr::new(10).with_eta_min(0.001))
            .in_epochs(Timing::Iteration)
            .with_steps_per_epoch(4)
            .with_warmup(2, 0.1)
            .with_group("backbone", 0.1);
        let module = spec.build(0.2).unwrap().step();
        let id = burn::module::ParamId::new();
        let base = module.lr_from_param(id, Some("head.weight"));
        let backbone = module.lr_from_param(id, Some("backbone.conv1.weight"));
        assert!((base - 0.02).abs() < 1e-15, "warmup starts at 0.1 x 0.2");
        assert!((backbone - 0.1 * base).abs() < 1e-15);
    }

    #[test]
    fn burns_matcher_and_ours_select_the_same_paths() {
        let id = burn::module::ParamId::new();
        let paths = [
            "backbone",
            "backbone.weight",
            "backbone2.weight",
            "encoder.backbone.weight",
            "enc.layers.0.w",
            "enc.layers.01.w",
            "encXlayers.0.w",
            "a+b.c",
        ];
        for pattern in ["backbone", "enc.layers.0", "a+b"] {
            let group = Spec::new(crate::schedules::ConstantLr::default())
                .with_group(pattern, 0.5)
                .groups[0]
                .clone();
            let burn = burn::module::ParamGroup::from_regex(group.regex()).unwrap();
            for path in paths {
                assert_eq!(
                    burn.matches(&id, Some(path)),
                    group.matches(path),
                    "{pattern} on {path}"
                );
            }
        }
    }
}
