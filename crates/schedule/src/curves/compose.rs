//! Composition: PyTorch's `SequentialLR` and `ChainedScheduler`, and
//! `LambdaLR` for a user closure.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::Schedule;
use crate::SpecError;

/// `SequentialLR`: `schedulers[k]` runs from `milestones[k-1]` on, restarted
/// from its own step 0 wherever the previous one ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sequential {
    /// The schedules, in order.
    pub schedulers: Vec<Schedule>,
    /// Strictly increasing switch points, one fewer than `schedulers`.
    pub milestones: Vec<u64>,
}

impl Sequential {
    /// Checks that there is one milestone fewer than schedules, strictly increasing.
    pub fn new(schedulers: Vec<Schedule>, milestones: Vec<u64>) -> Result<Self, SpecError> {
        if milestones.len() + 1 != schedulers.len() {
            return Err(SpecError::invalid(
                "milestones",
                format!("{milestones:?}"),
                format!(
                    "exactly {} milestone(s): one fewer than `schedulers`",
                    schedulers.len().saturating_sub(1)
                ),
            ));
        }
        if milestones.windows(2).any(|w| w[0] >= w[1]) {
            return Err(SpecError::invalid(
                "milestones",
                format!("{milestones:?}"),
                "strictly increasing steps",
            ));
        }
        Ok(Self {
            schedulers,
            milestones,
        })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let k = self.milestones.partition_point(|&m| m as f64 <= t);
        let offset = if k == 0 {
            0.0
        } else {
            self.milestones[k - 1] as f64
        };
        self.schedulers[k].lr(base_lr, t - offset)
    }
}

/// `ChainedScheduler`: the product of the children's factors of the base LR.
///
/// Children that set absolute LRs (`cyclic`, `one_cycle`) cannot be chained.
/// PyTorch chains recursively, which equals this product for every
/// multiplicative schedule; its cosine recursion is affine, so a chained
/// `cosine_annealing` with `eta_min > 0`, or past `t_max`, differs there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chained {
    /// The schedules whose factors multiply.
    pub schedulers: Vec<Schedule>,
}

impl Chained {
    /// Checks that every child is relative to the base LR.
    pub fn new(schedulers: Vec<Schedule>) -> Result<Self, SpecError> {
        if schedulers.is_empty() {
            return Err(SpecError::invalid(
                "schedulers",
                "[]",
                "at least one schedule",
            ));
        }
        for (i, child) in schedulers.iter().enumerate() {
            if let Some(name) = child.absolute_name() {
                return Err(SpecError::invalid(
                    format!("schedulers[{i}]"),
                    name,
                    "a schedule relative to the base LR (cyclic and one_cycle set absolute LRs: use `sequential`)",
                ));
            }
        }
        Ok(Self { schedulers })
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        if base_lr == 0.0 {
            return 0.0;
        }
        self.schedulers
            .iter()
            .fold(base_lr, |lr, child| lr * (child.lr(base_lr, t) / base_lr))
    }
}

/// The closure type of [`LambdaLr`]: the factor of the base LR at time `t`.
pub type LrLambda = dyn Fn(f64) -> f64 + Send + Sync;

/// `LambdaLR`: `base_lr * lr_lambda(t)`, for a closure written in code.
///
/// `t` is the step count in the spec's unit (fractional for an epoch spec in
/// `iteration` timing). A factor that is negative, NaN or infinite is replaced
/// by 0 (no update) and logged, so no invalid LR reaches the optimizer.
#[derive(Clone)]
pub struct LambdaLr {
    name: String,
    lr_lambda: Arc<LrLambda>,
}

impl LambdaLr {
    /// Wraps `lr_lambda`; `name` identifies it in logs and plots.
    pub fn new(
        name: impl Into<String>,
        lr_lambda: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            lr_lambda: Arc::new(lr_lambda),
        }
    }

    /// The LR after `t` steps.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        let factor = (self.lr_lambda)(t);
        if factor.is_finite() && factor >= 0.0 {
            base_lr * factor
        } else {
            log::error!(
                "lambda schedule `{}` returned {factor} at t = {t}; using LR 0 for this step",
                self.name
            );
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

impl Serialize for LambdaLr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("LambdaLr", 1)?;
        state.serialize_field("name", &self.name)?;
        state.end()
    }
}
