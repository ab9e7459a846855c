//! Learning-rate-free optimizers: Prodigy (Mishchenko & Defazio, 2023, the
//! authors' `prodigyopt` 1.1.2) and D-Adaptation Adam (Defazio & Mishchenko,
//! 2023, `dadaptation` 3.2), with the packages' arguments, defaults and
//! arithmetic.
//!
//! Conventions:
//! - The optimizer adapts a step-size scale `d`, one for all parameters it
//!   updates (the packages' single parameter group): every update sums over
//!   all parameters, updates `d` once, then updates each parameter.
//! - The LR burn passes is the packages' `lr`: a base LR of 1.0 times the
//!   schedule's value, so any [`Spec`](crate::Spec) (warmup, cosine, ...)
//!   composes with the adapted step. Parameters whose LR is 0 take no part in
//!   the sums, as a package group with `lr = 0`.
//! - burn's [`ModuleOptimizer`] updates one parameter at a time, so an update
//!   is two passes over the model, driven by the [`LrFree`] handle that
//!   `init()` returns with the optimizer: [`LrFree::step`] replaces
//!   `optim.step`. In burn-train, wrap the model in [`LrFreeModel`], whose
//!   `TrainStep::optimize` does that.
//!   An `optim.step` outside the handle leaves the model unchanged and
//!   reports an error once.
//! - `d` and the sums it carries live in every parameter's state (each holds
//!   the group's copy), so the optimizer record saves and restores them. After
//!   a record is loaded, the most advanced copy (highest update count) wins.
//! - An update whose sums are all zero (zero gradients, e.g. at the first
//!   step, or an LR of 0) leaves the parameters and `d` unchanged, as the
//!   packages' early return (their moment estimates still decay).

mod dadapt;
mod metric;
mod model;
mod prodigy;
pub(crate) mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;

use crate::ConfigError;

pub use dadapt::{DAdaptAdam, DAdaptAdamConfig, DAdaptAdamGroup, DAdaptAdamState};
pub use metric::AdaptedScaleMetric;
pub use model::LrFreeModel;
pub use prodigy::{Prodigy, ProdigyConfig, ProdigyGroup, ProdigyState};
pub use watch::{BASE_LR_RANGE, D_GRACE_UPDATES, LrFreeMark};

use watch::Watch;

/// What the optimizer's next per-parameter `step` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Phase {
    /// Outside [`LrFree::step`]: nothing.
    Idle = 0,
    /// The first pass: moment updates and the sums that update `d`.
    Gather = 1,
    /// The second pass: the parameter updates with the new `d`.
    Apply = 2,
}

/// The group-level part of an optimizer, driven by the handle between passes.
pub(crate) trait Group: Send + Sync {
    /// Starts an update: clears the sums of the previous one.
    fn begin(&self);
    /// Updates `d` from the sums of the first pass.
    fn finish(&self);
    /// The current `d`.
    fn d(&self) -> f64;
    /// Whether a rising LR (a warmup) is safe for the estimate of `d`
    /// (Prodigy's `safeguard_warmup`; D-Adapt Adam's estimate needs none).
    fn safeguards_warmup(&self) -> bool {
        true
    }
}

/// The handle of a learning-rate-free optimizer, shared with it: it drives
/// each update's two passes ([`step`](Self::step)) and reads the adapted
/// scale `d` ([`d`](Self::d)).
#[derive(Clone)]
pub struct LrFree {
    name: &'static str,
    phase: Arc<AtomicU8>,
    group: Arc<dyn Group>,
    reported: Arc<AtomicBool>,
    watch: Arc<Watch>,
}

impl std::fmt::Debug for LrFree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LrFree({}, d = {})", self.name, self.d())
    }
}

impl LrFree {
    pub(crate) fn new(name: &'static str, group: Arc<dyn Group>) -> Self {
        Self {
            name,
            phase: Arc::new(AtomicU8::new(Phase::Idle as u8)),
            watch: Watch::new(name, group.d()),
            group,
            reported: Arc::default(),
        }
    }

    /// One update of `model` by `optim` (the optimizer this handle came
    /// with) at LR `lr` (the schedule's value; the packages' `lr`), in place
    /// of `optim.step(lr, model, grads)`. Parameters without a gradient are
    /// left out, as in the packages.
    pub fn step<M: Module>(
        &self,
        optim: &mut ModuleOptimizer,
        lr: impl Into<ModuleLearningRate>,
        model: M,
        grads: GradientsParams,
    ) -> M {
        let lr = lr.into();
        let mut copy = CopyGrads {
            from: &grads,
            to: GradientsParams::new(),
        };
        model.visit(&mut copy);
        let copy = copy.to;
        self.group.begin();
        self.set(Phase::Gather);
        let model = optim.step(lr.clone(), model, grads);
        self.group.finish();
        self.set(Phase::Apply);
        let base = lr.base();
        let model = optim.step(lr, model, copy);
        self.set(Phase::Idle);
        let warming_up = self.watch.updated(base, self.d());
        if warming_up && !self.group.safeguards_warmup() && self.watch.first_warmup() {
            crate::alert::warn(&format!(
                "{}: the LR rises (a warmup) and `safeguard_warmup` is off: the estimate of d \
                 then runs ahead of the steps (on the digits MLP with a 5% warmup it cost 6.6 \
                 accuracy points); build it with `.with_safeguard_warmup(true)`, as the package \
                 advises for warmups",
                self.name
            ));
        }
        model
    }

    /// Lets the run's schedule use a base LR outside [`BASE_LR_RANGE`]
    /// (by default the [`LrHook`](crate::LrHook) stops such a run at the end
    /// of its first epoch: the LR multiplies the adapted step).
    pub fn allow_any_base_lr(&self) {
        self.watch.allow_any_base_lr();
    }

    /// The adapted scale `d` after the latest update (`d0` before the first).
    pub fn d(&self) -> f64 {
        self.group.d()
    }

    /// The optimizer's name ("Prodigy", "D-Adapt Adam").
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Release);
    }

    /// The phase of the current pass; outside [`step`](Self::step) it
    /// reports (once) that the update is skipped.
    pub(crate) fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Acquire) {
            1 => Phase::Gather,
            2 => Phase::Apply,
            _ => {
                self.watch.bare();
                crate::alert::once(&self.reported, || {
                    crate::alert::error(&format!(
                        "{}: the optimizer was stepped directly (`ModuleOptimizer::step`, or \
                         burn-train's sharded multi-device update); an update needs two passes \
                         over the model: call `LrFree::step` (in burn-train, wrap the model in \
                         `LrFreeModel`). The parameters are left unchanged, and the `LrHook` \
                         stops the run at the end of the epoch.",
                        self.name
                    ))
                });
                Phase::Idle
            }
        }
    }
}

/// Copies the gradient of every float parameter of a module.
struct CopyGrads<'a> {
    from: &'a GradientsParams,
    to: GradientsParams,
}

impl ModuleVisitor for CopyGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.from.get::<D>(param.id) {
            self.to.register(param.id, grad);
        }
    }
}

/// Python's `max(a, b)`: `a` unless `b > a` (so a NaN `b` is ignored).
pub(crate) fn py_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: `a` unless `b < a`.
pub(crate) fn py_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The LR of one update: the first positive LR a parameter gets (the
/// packages take the largest of their groups' LRs and refuse two different
/// positive ones; this reports it once and keeps the first).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassLr {
    lr: Option<f64>,
}

impl PassLr {
    /// The update's LR given one parameter's `lr`; `None` when that
    /// parameter takes no part in the sums (LR 0 or below).
    pub(crate) fn accept(&mut self, lr: f64, reported: &AtomicBool, name: &str) -> Option<f64> {
        if lr.is_nan() || lr <= 0.0 {
            return None;
        }
        let first = *self.lr.get_or_insert(lr);
        if first != lr {
            crate::alert::once(reported, || {
                crate::alert::error(&format!(
                    "{name}: parameters get different positive LRs ({first} and {lr}); the \
                     adapted scale is shared, so every parameter uses {first}"
                ))
            });
        }
        Some(first)
    }

    /// The update's LR (0 when no parameter had a positive one).
    pub(crate) fn get(&self) -> f64 {
        self.lr.unwrap_or(0.0)
    }
}

/// `tensor` as a vector (`[n]`), every `step`-th entry (`flatten()[::step]`).
pub(crate) fn sliced<const D: usize>(tensor: Tensor<D>, step: usize) -> Tensor<1> {
    let n = tensor.shape().num_elements();
    let flat: Tensor<1> = tensor.reshape([n]);
    if step <= 1 {
        return flat;
    }
    let device = flat.device();
    let indices = Tensor::<1, burn::tensor::Int>::arange_step(0..n as i64, step, &device);
    flat.select(0, indices)
}

/// `Err` naming `field` unless `ok`.
pub(crate) fn check(field: &str, value: f64, ok: bool, allowed: &str) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(field, value, allowed))
    }
}

/// A decay rate: in [0, 1).
pub(crate) fn check_beta(field: &str, value: f64) -> Result<(), ConfigError> {
    check(
        field,
        value,
        (0.0..1.0).contains(&value),
        "a number in [0, 1)",
    )
}

/// A finite number > 0.
pub(crate) fn check_positive(field: &str, value: f64) -> Result<(), ConfigError> {
    let ok = value.is_finite() && value > 0.0;
    check(field, value, ok, "a finite number > 0")
}

/// A finite number >= 0.
pub(crate) fn check_non_negative(field: &str, value: f64) -> Result<(), ConfigError> {
    let ok = value.is_finite() && value >= 0.0;
    check(field, value, ok, "a finite number >= 0")
}

/// A cap on the growth of `d` per update: >= 1, `inf` for none.
pub(crate) fn check_growth(field: &str, value: f64) -> Result<(), ConfigError> {
    check(field, value, value >= 1.0, "a number >= 1 (inf: no cap)")
}

/// The sum of all entries, as f64 (torch's `.sum().item()`).
pub(crate) fn total<const D: usize>(tensor: Tensor<D>) -> f64 {
    tensor.sum().into_scalar::<f64>()
}

#[cfg(test)]
mod tests;
