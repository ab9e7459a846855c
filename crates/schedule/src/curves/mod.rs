//! The closed-form schedules: pure functions `lr(base_lr, t)` of the step count.
//!
//! Each file holds one family; [`Schedule`] is the tree a spec parses into.
//! Nothing here holds state: the [`Scheduler`](crate::Scheduler) adapter counts
//! the steps.

pub mod compose;
pub mod cosine;
pub mod cyclic;
pub mod decay;
pub mod transformers;

use serde::Serialize;
use serde_json::Value;

pub use compose::{Chained, LambdaLr, LrLambda, Sequential};
pub use cosine::{CosineAnnealingLr, CosineAnnealingWarmRestarts, TimmCosine};
pub use cyclic::{CyclicLr, OneCycleLr};
pub use decay::{ConstantLr, ExponentialLr, LinearLr, MultiStepLr, PolynomialLr, StepLr};
pub use transformers::{
    ConstantWithWarmup, CosineWithHardRestarts, CosineWithMinLr, CosineWithWarmup, InverseSqrt,
    LinearWithWarmup, MinLr, PolynomialWithWarmup, WarmupStableDecay,
};

use crate::SpecError;
use crate::spec::params::{Params, quoted};

/// Every schedule, by its spec name (`{"scheduler": NAME, ...}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "scheduler", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Schedule {
    Step(StepLr),
    MultiStep(MultiStepLr),
    Constant(ConstantLr),
    Linear(LinearLr),
    Exponential(ExponentialLr),
    Polynomial(PolynomialLr),
    CosineAnnealing(CosineAnnealingLr),
    CosineAnnealingWarmRestarts(CosineAnnealingWarmRestarts),
    Cyclic(CyclicLr),
    OneCycle(OneCycleLr),
    Sequential(Sequential),
    Chained(Chained),
    LinearWithWarmup(LinearWithWarmup),
    CosineWithWarmup(CosineWithWarmup),
    CosineWithHardRestarts(CosineWithHardRestarts),
    PolynomialWithWarmup(PolynomialWithWarmup),
    ConstantWithWarmup(ConstantWithWarmup),
    InverseSqrt(InverseSqrt),
    CosineWithMinLr(CosineWithMinLr),
    WarmupStableDecay(WarmupStableDecay),
    TimmCosine(TimmCosine),
    Lambda(LambdaLr),
}

/// The scheduler names a spec accepts.
pub const SCHEDULER_NAMES: [&str; 21] = [
    "step",
    "multi_step",
    "constant",
    "linear",
    "exponential",
    "polynomial",
    "cosine_annealing",
    "cosine_annealing_warm_restarts",
    "cyclic",
    "one_cycle",
    "sequential",
    "chained",
    "linear_with_warmup",
    "cosine_with_warmup",
    "cosine_with_hard_restarts",
    "polynomial_with_warmup",
    "constant_with_warmup",
    "inverse_sqrt",
    "cosine_with_min_lr",
    "warmup_stable_decay",
    "timm_cosine",
];

impl Schedule {
    /// The LR after `t` steps of the schedule's own unit, for an optimizer
    /// whose LR is `base_lr`. Pure: no state, no allocation.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        match self {
            Self::Step(s) => s.lr(base_lr, t),
            Self::MultiStep(s) => s.lr(base_lr, t),
            Self::Constant(s) => s.lr(base_lr, t),
            Self::Linear(s) => s.lr(base_lr, t),
            Self::Exponential(s) => s.lr(base_lr, t),
            Self::Polynomial(s) => s.lr(base_lr, t),
            Self::CosineAnnealing(s) => s.lr(base_lr, t),
            Self::CosineAnnealingWarmRestarts(s) => s.lr(base_lr, t),
            Self::Cyclic(s) => s.lr(base_lr, t),
            Self::OneCycle(s) => s.lr(base_lr, t),
            Self::Sequential(s) => s.lr(base_lr, t),
            Self::Chained(s) => s.lr(base_lr, t),
            Self::LinearWithWarmup(s) => s.lr(base_lr, t),
            Self::CosineWithWarmup(s) => s.lr(base_lr, t),
            Self::CosineWithHardRestarts(s) => s.lr(base_lr, t),
            Self::PolynomialWithWarmup(s) => s.lr(base_lr, t),
            Self::ConstantWithWarmup(s) => s.lr(base_lr, t),
            Self::InverseSqrt(s) => s.lr(base_lr, t),
            Self::CosineWithMinLr(s) => s.lr(base_lr, t),
            Self::WarmupStableDecay(s) => s.lr(base_lr, t),
            Self::TimmCosine(s) => s.lr(base_lr, t),
            Self::Lambda(s) => s.lr(base_lr, t),
        }
    }

    /// The name of a schedule that sets absolute LRs and ignores the base LR.
    pub(crate) fn absolute_name(&self) -> Option<&'static str> {
        match self {
            Self::Cyclic(_) => Some("cyclic"),
            Self::OneCycle(_) => Some("one_cycle"),
            Self::Sequential(s) => s.schedulers.iter().find_map(Self::absolute_name),
            _ => None,
        }
    }

    /// Checks the parameters that depend on the optimizer's base LR.
    pub(crate) fn check_base_lr(&self, base_lr: f64) -> Result<(), SpecError> {
        match self {
            Self::PolynomialWithWarmup(s) if s.lr_end >= base_lr && base_lr > 0.0 => {
                Err(SpecError::invalid(
                    "lr_end",
                    s.lr_end,
                    format!("a number below the base LR ({base_lr})"),
                ))
            }
            Self::Sequential(Sequential { schedulers, .. })
            | Self::Chained(Chained { schedulers }) => {
                schedulers.iter().enumerate().try_for_each(|(i, child)| {
                    child
                        .check_base_lr(base_lr)
                        .map_err(|e| e.within(&format!("schedulers[{i}]")))
                })
            }
            _ => Ok(()),
        }
    }

    /// Parses one scheduler object; `params` has already consumed the keys
    /// that are not the scheduler's own.
    pub(crate) fn parse(name: &str, p: &mut Params) -> Result<Self, SpecError> {
        Ok(match name {
            "step" => Self::Step(StepLr::parse(p)?),
            "multi_step" => Self::MultiStep(MultiStepLr::parse(p)?),
            "constant" => Self::Constant(ConstantLr::parse(p)?),
            "linear" => Self::Linear(LinearLr::parse(p)?),
            "exponential" => Self::Exponential(ExponentialLr::parse(p)?),
            "polynomial" => Self::Polynomial(PolynomialLr::parse(p)?),
            "cosine_annealing" => Self::CosineAnnealing(CosineAnnealingLr::parse(p)?),
            "cosine_annealing_warm_restarts" => {
                Self::CosineAnnealingWarmRestarts(CosineAnnealingWarmRestarts::parse(p)?)
            }
            "cyclic" => Self::Cyclic(CyclicLr::parse(p)?),
            "one_cycle" => Self::OneCycle(OneCycleLr::parse(p)?),
            "sequential" => {
                let schedulers = parse_children(p)?;
                Self::Sequential(Sequential::new(schedulers, p.int_list("milestones")?)?)
            }
            "chained" => Self::Chained(Chained::new(parse_children(p)?)?),
            "linear_with_warmup" => Self::LinearWithWarmup(LinearWithWarmup::parse(p)?),
            "cosine_with_warmup" => Self::CosineWithWarmup(CosineWithWarmup::parse(p)?),
            "cosine_with_hard_restarts" => {
                Self::CosineWithHardRestarts(CosineWithHardRestarts::parse(p)?)
            }
            "polynomial_with_warmup" => Self::PolynomialWithWarmup(PolynomialWithWarmup::parse(p)?),
            "constant_with_warmup" => Self::ConstantWithWarmup(ConstantWithWarmup::parse(p)?),
            "inverse_sqrt" => Self::InverseSqrt(InverseSqrt::parse(p)?),
            "cosine_with_min_lr" => Self::CosineWithMinLr(CosineWithMinLr::parse(p)?),
            "warmup_stable_decay" => Self::WarmupStableDecay(WarmupStableDecay::parse(p)?),
            "timm_cosine" => Self::TimmCosine(TimmCosine::parse(p)?),
            "reduce_on_plateau" => {
                return Err(SpecError::invalid(
                    "scheduler",
                    "\"reduce_on_plateau\"",
                    "a metric-free schedule here: reduce_on_plateau is read by burn-lr-plateau's \
                     PlateauSpec, as the top level of a spec",
                ));
            }
            other => {
                return Err(SpecError::invalid(
                    "scheduler",
                    format!("\"{other}\""),
                    format!("one of {}", quoted(&SCHEDULER_NAMES)),
                ));
            }
        })
    }

    /// Parses a scheduler object with no options around it (a child of a composite).
    pub(crate) fn from_value(value: &Value) -> Result<Self, SpecError> {
        let map = value
            .as_object()
            .ok_or_else(|| SpecError::invalid("", value, "a scheduler object"))?;
        let mut p = Params::new(map);
        let name = scheduler_name(map)?;
        let schedule = Self::parse(name, &mut p)?;
        p.finish()?;
        Ok(schedule)
    }
}

/// The value of the `scheduler` key.
pub(crate) fn scheduler_name(map: &serde_json::Map<String, Value>) -> Result<&str, SpecError> {
    match map.get("scheduler") {
        Some(Value::String(name)) => Ok(name),
        Some(other) => Err(SpecError::invalid(
            "scheduler",
            other,
            format!("one of {}", quoted(&SCHEDULER_NAMES)),
        )),
        None => Err(SpecError::Missing {
            field: "scheduler".into(),
            allowed: format!("one of {}", quoted(&SCHEDULER_NAMES)),
        }),
    }
}

fn parse_children(p: &mut Params) -> Result<Vec<Schedule>, SpecError> {
    let allowed = "a non-empty list of scheduler objects";
    let value = p.value("schedulers").ok_or_else(|| SpecError::Missing {
        field: "schedulers".into(),
        allowed: allowed.into(),
    })?;
    let items = value
        .as_array()
        .filter(|items| !items.is_empty())
        .ok_or_else(|| SpecError::invalid("schedulers", value, allowed))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Schedule::from_value(item).map_err(|e| e.within(&format!("schedulers[{i}]")))
        })
        .collect()
}
