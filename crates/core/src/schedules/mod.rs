//! The closed-form schedules: pure functions `lr(base_lr, t)` of the step count.
//!
//! Each file holds one family. Every curve is a [`Curve`]: built in code with
//! `new(required).with_option(..)` (burn's `Config` style), or read from a
//! spec with the reference library's parameter names; both paths are checked
//! by the same [`Curve::validate`]. [`Schedule`] is the tree a spec holds.
//! Nothing here holds state: the [`Scheduler`](crate::Scheduler) adapter
//! counts the steps.
//!
//! Adding a schedule: write its file (the struct, `new`/`with_*`, `parse`,
//! `example`, and `impl Curve`), then add one line to `schedules!` below. The
//! name list, dispatch, tests and benches all follow from that line.

mod compose;
#[cfg(test)]
pub(crate) mod conformance;
mod cosine;
mod cyclic;
mod decay;
mod momentum;
mod one_cycle;
mod transformers;
mod wsd;

use serde::Serialize;
use serde_json::Value;

pub use compose::{Chained, LambdaLr, LrLambda, Sequential};
pub use cosine::{CosineAnnealingLr, CosineAnnealingWarmRestarts, TimmCosine};
pub use cyclic::{CyclicLr, CyclicMode};
pub use decay::{ConstantLr, ExponentialLr, LinearLr, MultiStepLr, PolynomialLr, StepLr};
pub use momentum::MomentumCycle;
pub use one_cycle::{AnnealStrategy, OneCycleLr};
pub use transformers::{
    ConstantWithWarmup, CosineWithHardRestarts, CosineWithMinLr, CosineWithWarmup, InverseSqrt,
    LinearWithWarmup, MinLr, PolynomialWithWarmup,
};
pub use wsd::{WarmupStableDecay, WsdShape};

use crate::ConfigError;
use crate::spec::params::{Params, quoted, with_range};

mod sealed {
    /// Implemented by the schedules of this module only: [`Schedule`](super::Schedule)
    /// is a closed set, so a curve from outside would never be used.
    pub trait Sealed {}
}

/// A closed-form schedule: the LR as a pure function of the step count.
///
/// Sealed: the schedules of [`Schedule`] are the only implementations. For a
/// schedule of your own, give its closed form to [`lambda`](crate::lambda)
/// (PyTorch's `LambdaLR`).
pub trait Curve: sealed::Sealed {
    /// The spec name (`{"scheduler": NAME}`).
    const NAME: &'static str;
    /// The reference library's own name, accepted as an alias in specs
    /// (`"CosineAnnealingLR"` for `cosine_annealing`).
    const TORCH_NAME: &'static str;

    /// The LR after `t` steps of the spec's unit, for an optimizer whose LR is
    /// `base_lr`. Pure: no state, no allocation. `t = 0` is the LR right after
    /// construction (the first `step()`).
    fn lr(&self, base_lr: f64, t: f64) -> f64;

    /// Checks every parameter; the error names the field, the value and the
    /// allowed range. Every spec (built in code, JSON or TOML) goes through it.
    fn validate(&self) -> Result<(), ConfigError>;

    /// Whether the curve raises the LR again after a decay by design (warm
    /// restarts, cycles), so that a rise is not a horizon mistake.
    fn restarts(&self) -> bool {
        false
    }

    /// The momentum (SGD's `momentum`, Adam's `beta1`) the curve sets after
    /// `t` steps, for curves that cycle it; `None` leaves the optimizer's own.
    fn momentum(&self, _t: f64) -> Option<f64> {
        None
    }
}

macro_rules! schedules {
    ($($variant:ident($curve:ty),)*) => {
        /// Every schedule, by its spec name (`{"scheduler": NAME, ...}`).
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(tag = "scheduler", rename_all = "snake_case")]
        #[allow(missing_docs)]
        pub enum Schedule {
            $($variant($curve),)*
            /// A closure written in code (PyTorch's `LambdaLR`); it cannot be saved.
            Lambda(LambdaLr),
        }

        $(impl sealed::Sealed for $curve {})*

        $(impl From<$curve> for Schedule {
            fn from(curve: $curve) -> Self {
                Self::$variant(curve)
            }
        })*

        impl Schedule {
            /// The scheduler names a spec accepts (besides `reduce_on_plateau`).
            pub const NAMES: &'static [&'static str] = &[$(<$curve as Curve>::NAME,)*];

            /// The LR after `t` steps (see [`Curve::lr`]).
            pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
                match self {
                    $(Self::$variant(s) => s.lr(base_lr, t),)*
                    Self::Lambda(s) => s.lr(base_lr, t),
                }
            }

            /// Checks every parameter (see [`Curve::validate`]).
            pub fn validate(&self) -> Result<(), ConfigError> {
                match self {
                    $(Self::$variant(s) => s.validate(),)*
                    Self::Lambda(_) => Ok(()),
                }
            }

            /// Whether the schedule raises the LR again after a decay by design
            /// (see [`Curve::restarts`]; a composite asks its children).
            pub fn restarts(&self) -> bool {
                match self {
                    $(Self::$variant(s) => s.restarts(),)*
                    Self::Lambda(_) => false,
                }
            }

            /// The momentum the schedule sets after `t` steps (see [`Curve::momentum`]).
            pub fn momentum(&self, t: f64) -> Option<f64> {
                match self {
                    $(Self::$variant(s) => s.momentum(t),)*
                    Self::Lambda(_) => None,
                }
            }

            /// The spec name of this schedule.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$curve as Curve>::NAME,)*
                    Self::Lambda(_) => "lambda",
                }
            }

            /// The reference library's name of this schedule (`CosineAnnealingLR`),
            /// which specs accept too.
            pub fn reference_name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$curve as Curve>::TORCH_NAME,)*
                    Self::Lambda(_) => "LambdaLR",
                }
            }

            /// One representative schedule of every kind, in [`Schedule::NAMES`]
            /// order: what tests, benchmarks and the documentation iterate over.
            pub fn examples() -> Vec<Schedule> {
                vec![$(Self::$variant(<$curve>::example()),)*]
            }

            /// Parses one scheduler object whose name is `name` (a spec name or
            /// the reference library's); `p` has consumed the keys that are not
            /// the scheduler's own.
            pub(crate) fn parse(name: &str, p: &mut Params) -> Result<Self, ConfigError> {
                $(if name == <$curve as Curve>::NAME || name == <$curve as Curve>::TORCH_NAME {
                    return Ok(Self::$variant(<$curve>::parse(p)?));
                })*
                Err(ConfigError::invalid(
                    "scheduler",
                    format!("\"{name}\""),
                    format!("one of {} (or the reference library's name)", quoted(Self::NAMES)),
                ))
            }
        }
    };
}

schedules! {
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
}

impl From<LambdaLr> for Schedule {
    fn from(curve: LambdaLr) -> Self {
        Self::Lambda(curve)
    }
}

impl Schedule {
    /// The name of a schedule that sets absolute LRs and ignores the base LR.
    pub(crate) fn absolute_name(&self) -> Option<&'static str> {
        match self {
            Self::Cyclic(_) | Self::OneCycle(_) => Some(self.name()),
            Self::Sequential(s) => s.schedulers().iter().find_map(Self::absolute_name),
            _ => None,
        }
    }

    /// Whether the schedule sets the optimizer's momentum (`cycle_momentum`
    /// of `one_cycle` and `cyclic`, also inside `sequential`).
    pub fn cycles_momentum(&self) -> bool {
        match self {
            Self::OneCycle(s) => s.momentum_cycle().is_cycled(),
            Self::Cyclic(s) => s.momentum_cycle().is_cycled(),
            Self::Sequential(s) => s.schedulers().iter().any(Self::cycles_momentum),
            _ => false,
        }
    }

    /// Whether a closure (`lambda`) is in the tree, at any depth.
    pub(crate) fn holds_lambda(&self) -> bool {
        match self {
            Self::Lambda(_) => true,
            Self::Sequential(s) => s.schedulers().iter().any(Self::holds_lambda),
            Self::Chained(s) => s.schedulers().iter().any(Self::holds_lambda),
            _ => false,
        }
    }

    /// Checks the parameters that depend on the optimizer's base LR.
    pub(crate) fn check_base_lr(&self, base_lr: f64) -> Result<(), ConfigError> {
        match self {
            Self::PolynomialWithWarmup(s) if s.lr_end() >= base_lr && base_lr > 0.0 => {
                Err(ConfigError::invalid(
                    "lr_end",
                    s.lr_end(),
                    format!("a number below the base LR ({base_lr})"),
                ))
            }
            Self::Sequential(s) => check_children_base_lr(s.schedulers(), base_lr),
            Self::Chained(s) => check_children_base_lr(s.schedulers(), base_lr),
            _ => Ok(()),
        }
    }

    /// Parses a scheduler object with no options around it (a child of a composite).
    pub(crate) fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let map = value
            .as_object()
            .ok_or_else(|| ConfigError::invalid("", value, "a scheduler object"))?;
        let parse = |map: &serde_json::Map<String, Value>| {
            let mut p = Params::new(map)?;
            let schedule = Self::parse(scheduler_name(map)?, &mut p)?;
            p.finish()?;
            Ok(schedule)
        };
        parse(map).map_err(|e| with_range(e, map, |m| parse(m)?.validate()))
    }
}

fn check_children_base_lr(children: &[Schedule], base_lr: f64) -> Result<(), ConfigError> {
    children.iter().enumerate().try_for_each(|(i, child)| {
        child
            .check_base_lr(base_lr)
            .map_err(|e| e.within(&format!("schedulers[{i}]")))
    })
}

/// The value of the `scheduler` key.
pub(crate) fn scheduler_name(map: &serde_json::Map<String, Value>) -> Result<&str, ConfigError> {
    let allowed = || format!("one of {}", quoted(Schedule::NAMES));
    match map.get("scheduler") {
        Some(Value::String(name)) => Ok(name),
        Some(other) => Err(ConfigError::invalid("scheduler", other, allowed())),
        None => Err(ConfigError::Missing {
            field: "scheduler".into(),
            allowed: allowed(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_valid_and_serializes_under_its_name() {
        let examples = Schedule::examples();
        assert_eq!(examples.len(), Schedule::NAMES.len());
        for (example, name) in examples.iter().zip(Schedule::NAMES) {
            example.validate().unwrap();
            assert_eq!(example.name(), *name);
            let value = serde_json::to_value(example).unwrap();
            assert_eq!(value["scheduler"], *name, "serde tag of {name}");
            assert_eq!(&Schedule::from_value(&value).unwrap(), example, "{name}");
        }
    }
}
