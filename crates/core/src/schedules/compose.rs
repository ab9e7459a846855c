//! Composition: PyTorch's `SequentialLR` and `ChainedScheduler`, and
//! `LambdaLR` for a user closure.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Serialize, Serializer};

use super::{Curve, Schedule};
use crate::ConfigError;
use crate::alert;
use crate::spec::params::Params;

/// `SequentialLR`: `schedulers[k]` runs from `milestones[k-1]` on, restarted
/// from its own step 0 wherever the previous one ended.
///
/// ```
/// use burn_lr_core::Spec;
/// use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr, Sequential};
/// // PyTorch: SequentialLR(opt, [LinearLR(opt, 0.01, total_iters=5), CosineAnnealingLR(opt, T_max=95)], milestones=[5])
/// let spec = Spec::new(Sequential::new(
///     vec![LinearLr::new(0.01, 1.0, 5).into(), CosineAnnealingLr::new(95).into()],
///     vec![5],
/// ));
/// let lrs = spec.preview(0.1, 100).unwrap();
/// assert_eq!(lrs[5], 0.1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sequential {
    schedulers: Vec<Schedule>,
    milestones: Vec<u64>,
}

impl Sequential {
    /// `schedulers` in order, switching at `milestones` (strictly increasing,
    /// one fewer than `schedulers`).
    pub fn new(schedulers: Vec<Schedule>, milestones: Vec<u64>) -> Self {
        Self {
            schedulers,
            milestones,
        }
    }

    /// The schedules, in order.
    pub fn schedulers(&self) -> &[Schedule] {
        &self.schedulers
    }

    /// The switch points.
    pub fn milestones(&self) -> &[u64] {
        &self.milestones
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        Ok(Self::new(parse_children(p)?, p.get("milestones")?))
    }

    pub(crate) fn example() -> Self {
        Self::new(
            vec![
                super::LinearLr::new(0.01, 1.0, 100).into(),
                super::CosineAnnealingLr::new(900).into(),
            ],
            vec![100],
        )
    }
}

impl Sequential {
    /// The step child `k` starts at.
    fn start(&self, k: usize) -> f64 {
        match k {
            0 => 0.0,
            _ => self.milestones[k - 1] as f64,
        }
    }
}

impl Curve for Sequential {
    const NAME: &'static str = "sequential";
    const TORCH_NAME: &'static str = "SequentialLR";

    fn restarts(&self) -> bool {
        self.schedulers.iter().any(Schedule::restarts)
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let k = self.milestones.partition_point(|&m| m as f64 <= t);
        self.schedulers[k].lr(base_lr, t - self.start(k))
    }

    /// The active child's momentum; a child that sets none keeps the one its
    /// predecessors set last (PyTorch leaves the optimizer's momentum as is).
    fn momentum(&self, t: f64) -> Option<f64> {
        let k = self.milestones.partition_point(|&m| m as f64 <= t);
        (0..=k).rev().find_map(|i| {
            let local = if i == k {
                t - self.start(i)
            } else {
                self.start(i + 1) - self.start(i) - 1.0
            };
            self.schedulers[i].momentum(local)
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        validate_children(&self.schedulers)?;
        if self.milestones.len() + 1 != self.schedulers.len() {
            return Err(ConfigError::invalid(
                "milestones",
                format!("{:?}", self.milestones),
                format!(
                    "exactly {} milestone(s): one fewer than `schedulers`",
                    self.schedulers.len().saturating_sub(1)
                ),
            ));
        }
        if self.milestones.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ConfigError::invalid(
                "milestones",
                format!("{:?}", self.milestones),
                "strictly increasing steps",
            ));
        }
        Ok(())
    }
}

/// `ChainedScheduler`: the product of the children's factors of the base LR.
///
/// Children that set absolute LRs (`cyclic`, `one_cycle`) cannot be chained.
/// PyTorch chains recursively, which equals this product for every
/// multiplicative schedule; its cosine recursion is affine, so a chained
/// `cosine_annealing` with `eta_min > 0`, or past `t_max`, differs there.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.ChainedScheduler`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::{Chained, ConstantLr, ExponentialLr}};
/// let spec = Spec::new(Chained::new(vec![
///     ConstantLr::new(0.5, 2).into(),
///     ExponentialLr::new(0.5).into(),
/// ]));
/// assert_eq!(spec.preview(1.0, 4).unwrap(), [0.5, 0.25, 0.25, 0.125]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chained {
    schedulers: Vec<Schedule>,
}

impl Chained {
    /// The product of `schedulers` (at least one, each relative to the base LR).
    pub fn new(schedulers: Vec<Schedule>) -> Self {
        Self { schedulers }
    }

    /// The schedules whose factors multiply.
    pub fn schedulers(&self) -> &[Schedule] {
        &self.schedulers
    }

    pub(crate) fn parse(p: &mut Params) -> Result<Self, ConfigError> {
        Ok(Self::new(parse_children(p)?))
    }

    pub(crate) fn example() -> Self {
        Self::new(vec![
            super::LinearLr::new(0.1, 1.0, 100).into(),
            super::ExponentialLr::new(0.999).into(),
        ])
    }
}

impl Curve for Chained {
    const NAME: &'static str = "chained";
    const TORCH_NAME: &'static str = "ChainedScheduler";

    fn restarts(&self) -> bool {
        self.schedulers.iter().any(Schedule::restarts)
    }

    fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if base_lr == 0.0 {
            return 0.0;
        }
        self.schedulers
            .iter()
            .fold(base_lr, |lr, child| lr * (child.lr(base_lr, t) / base_lr))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        validate_children(&self.schedulers)?;
        for (i, child) in self.schedulers.iter().enumerate() {
            if let Some(name) = child.absolute_name() {
                return Err(ConfigError::invalid(
                    format!("schedulers[{i}]"),
                    name,
                    "a schedule relative to the base LR (cyclic and one_cycle set absolute LRs: use `sequential`)",
                ));
            }
        }
        Ok(())
    }
}

fn validate_children(schedulers: &[Schedule]) -> Result<(), ConfigError> {
    if schedulers.is_empty() {
        return Err(ConfigError::invalid(
            "schedulers",
            "[]",
            "a non-empty list of scheduler objects",
        ));
    }
    schedulers.iter().enumerate().try_for_each(|(i, child)| {
        child
            .validate()
            .map_err(|e| e.within(&format!("schedulers[{i}]")))
    })
}

fn parse_children(p: &mut Params) -> Result<Vec<Schedule>, ConfigError> {
    let allowed = "a non-empty list of scheduler objects";
    let value = p.value("schedulers").ok_or_else(|| ConfigError::Missing {
        field: "schedulers".into(),
        allowed: allowed.into(),
    })?;
    let items = value
        .as_array()
        .filter(|items| !items.is_empty())
        .ok_or_else(|| ConfigError::invalid("schedulers", value, allowed))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Schedule::from_value(item).map_err(|e| e.within(&format!("schedulers[{i}]")))
        })
        .collect()
}

/// The closure type of [`LambdaLr`]: the factor of the base LR at time `t`.
pub type LrLambda = dyn Fn(f64) -> f64 + Send + Sync;

/// `LambdaLR`: `base_lr * lr_lambda(t)`, for a closure written in code.
///
/// `t` is the step count in the spec's unit (fractional for an epoch spec in
/// `iteration` timing). A closure is user code the spec cannot validate: a
/// factor that is negative, NaN or infinite is replaced by 0 (no update) and
/// reported on the console (once). A spec holding a closure cannot be saved.
///
/// Reference: PyTorch `torch.optim.lr_scheduler.LambdaLR`.
///
/// ```
/// use burn_lr_core::{Spec, schedules::LambdaLr};
/// let spec = Spec::new(LambdaLr::new("halving", |t| 0.5f64.powf(t)));
/// assert_eq!(spec.preview(1.0, 3).unwrap(), [1.0, 0.5, 0.25]);
/// ```
#[derive(Clone)]
pub struct LambdaLr {
    name: String,
    lr_lambda: Arc<LrLambda>,
    reported: Arc<AtomicBool>,
}

impl LambdaLr {
    /// Wraps `lr_lambda`; `name` identifies it in messages and plots.
    pub fn new(
        name: impl Into<String>,
        lr_lambda: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            lr_lambda: Arc::new(lr_lambda),
            reported: Arc::default(),
        }
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = (self.lr_lambda)(t);
        if factor.is_finite() && factor >= 0.0 {
            base_lr * factor
        } else {
            alert::once(&self.reported, || {
                alert::error(&format!(
                    "lambda schedule `{}` returned {factor} at t = {t}: LR 0 is used for such \
                     steps (an LR must be finite and >= 0); reported once",
                    self.name
                ))
            });
            0.0
        }
    }
}

impl fmt::Debug for LambdaLr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LambdaLr({})", self.name)
    }
}

impl PartialEq for LambdaLr {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.lr_lambda, &other.lr_lambda)
    }
}

/// A closure cannot be written down: saving fails with an error naming it.
impl Serialize for LambdaLr {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(format!(
            "the lambda schedule `{}` is a closure and cannot be saved: write it as a spec \
             (e.g. `sequential` of built-in schedules) to save it",
            self.name
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&["sequential", "chained"]);
    }
}
