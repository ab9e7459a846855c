//! Schedule-free optimizers (Defazio et al., 2024, "The Road Less Scheduled"):
//! no decay schedule; the gradient is taken at `y`, an interpolation of an
//! SGD/Adam iterate `z` and its running average `x`, and `x` is the model to
//! evaluate. As in the authors' `schedulefree` package, the model holds `y`
//! during training, the optimizer state holds `z`, and
//! `x = y + (1 - 1/beta1) (z - y)`.
//!
//! The optimizers plug into burn as any other ([`ModuleOptimizer`]). Their LR
//! is constant (a decaying schedule on top is a mistake the linter reports);
//! the warmup is the optimizer's own `warmup_steps`. To evaluate or save `x`,
//! [`ScheduleFree::eval`] swaps it into the model and [`ScheduleFree::train`]
//! swaps `y` back (the package's `optimizer.eval()` / `optimizer.train()`).

mod adamw;
mod model;
mod sgd;

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{GradientsParams, ModuleOptimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use burn_pack::Scalar;

use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::optim::record::{count, number, push_tensors};

pub use adamw::{ScheduleFreeAdamW, ScheduleFreeAdamWConfig, ScheduleFreeAdamWState};
pub use model::Averaged;
pub use sgd::{ScheduleFreeSgd, ScheduleFreeSgdConfig, ScheduleFreeSgdState};

/// The running-average bookkeeping of one parameter: the package keeps it
/// per parameter group; every parameter of a group steps together, so each
/// parameter's copy is the group's.
#[derive(Clone, Debug, PartialEq)]
pub struct Averaging {
    /// Updates taken.
    pub k: u64,
    /// The largest scheduled LR so far (-1 before the first update).
    pub lr_max: f64,
    /// The sum of the averaging weights so far.
    pub weight_sum: f64,
}

impl Default for Averaging {
    fn default() -> Self {
        Self {
            k: 0,
            lr_max: -1.0,
            weight_sum: 0.0,
        }
    }
}

impl RecordState for Averaging {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "k", Scalar::UInt(self.k));
        out.push_scalar(prefix, "lr_max", Scalar::Float(self.lr_max));
        out.push_scalar(prefix, "weight_sum", Scalar::Float(self.weight_sum));
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        Some(Self {
            k: count(src, prefix, "k")?,
            lr_max: number(src, prefix, "lr_max")?,
            weight_sum: number(src, prefix, "weight_sum")?,
        })
    }
}

/// Records a state's tensors and its averaging under `prefix`.
pub(crate) fn flatten<const D: usize>(
    tensors: &[(&str, &Tensor<D>)],
    averaging: &Averaging,
    prefix: &str,
    out: &mut StateSink,
) {
    push_tensors(tensors, prefix, out);
    averaging.state_flatten(&burn::optim::join_path(prefix, "averaging"), out);
}

/// Reads the averaging of a state recorded under `prefix`.
pub(crate) fn averaging(src: &mut StateSource, prefix: &str, device: &Device) -> Option<Averaging> {
    Averaging::state_unflatten(&burn::optim::join_path(prefix, "averaging"), src, device)
}

/// The options both optimizers share, with the package's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Weighting {
    pub warmup_steps: u64,
    pub r: f64,
    pub weight_lr_power: f64,
}

impl Averaging {
    /// Advances one update at base LR `lr`: the scheduled LR (after the
    /// linear warmup) and the interpolation weight `c_{k+1}` of `x`.
    pub(crate) fn advance(&mut self, lr: f64, w: Weighting) -> (f64, f64) {
        let k = self.k as f64;
        let sched = if self.k < w.warmup_steps {
            (k + 1.0) / w.warmup_steps as f64
        } else {
            1.0
        };
        let lr = lr * sched;
        self.lr_max = self.lr_max.max(lr);
        let weight = (k + 1.0).powf(w.r) * self.lr_max.powf(w.weight_lr_power);
        self.weight_sum += weight;
        let ckp1 = if self.weight_sum == 0.0 {
            0.0
        } else {
            weight / self.weight_sum
        };
        self.k += 1;
        (lr, ckp1)
    }
}

/// Checks the averaging options both optimizers share.
pub(crate) fn check_weighting(r: f64, weight_lr_power: f64) -> Result<(), ConfigError> {
    check::float("r", r, Bounds::AtLeast(0.0))?;
    check::float("weight_lr_power", weight_lr_power, Bounds::AtLeast(0.0))
}

/// A schedule-free optimizer for burn and its handle; `beta` is its
/// interpolation momentum.
pub(crate) fn init<O: burn::optim::Optimizer>(
    beta: f64,
    optimizer: impl FnOnce(ScheduleFree) -> O,
) -> (ModuleOptimizer, ScheduleFree) {
    let handle = ScheduleFree::new(beta);
    (optimizer(handle.for_optimizer()).into(), handle)
}

/// `a + weight (b - a)` (torch's `lerp`).
pub(crate) fn lerp<const D: usize>(a: Tensor<D>, b: Tensor<D>, weight: f64) -> Tensor<D> {
    a.clone() + (b - a).mul_scalar(weight)
}

/// What the next `step` does: an update, or a swap between `y` and `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Mode {
    Train = 0,
    ToEval = 1,
    ToTrain = 2,
}

/// The `z` of every parameter after the latest update, in the order the
/// optimizer visited them (the module's order).
#[derive(Default)]
struct Latest {
    /// The update count they follow.
    k: u64,
    z: Vec<Box<dyn Any + Send + Sync>>,
}

/// What the run did with the average, shared by every copy of a handle and
/// checked when the last one goes (the end of the training).
#[derive(Default)]
struct Usage {
    /// An update was taken.
    updated: AtomicBool,
    /// The average `x` was evaluated ([`ScheduleFree::averaged`], which
    /// [`Averaged`] validates with, or [`ScheduleFree::eval`]).
    evaluated: AtomicBool,
    /// The dropped handle was reported (nothing more to say then).
    dropped: AtomicBool,
}

impl Drop for Usage {
    /// A training that never evaluated its average validated and kept the
    /// training iterate `y`: said once, when the optimizer and every handle
    /// are gone. burn-train gives the optimizer no signal when validation
    /// runs, so no earlier check can tell a model that is not wrapped from a
    /// run that has not validated yet.
    fn drop(&mut self) {
        if *self.updated.get_mut() && !*self.evaluated.get_mut() && !*self.dropped.get_mut() {
            crate::alert::warn(
                "a schedule-free optimizer trained, and nothing evaluated its average `x`: any \
                 validation or saved model of this run was at the training iterate `y`, which \
                 scores worse. In burn-train, wrap the model (`Averaged::new(model, handle)`) and \
                 export `result.model.averaged()`; in your own loop, `handle.eval(model, &mut \
                 optim)` before evaluating.",
            );
        }
    }
}

/// A handle shared with the optimizer's clones: it swaps `x` into the model
/// and back, and remembers the latest `z` so that [`Averaged`] can validate
/// `x` inside burn-train.
#[derive(Clone)]
pub struct ScheduleFree {
    beta: f64,
    mode: Arc<AtomicU8>,
    latest: Arc<Mutex<Latest>>,
    reported: Arc<AtomicBool>,
    decay_reported: Arc<AtomicBool>,
    usage: Arc<Usage>,
    /// Held by the handle `init` returns and its clones (an [`Averaged`]
    /// model's included), not by the optimizer's: when every one is gone,
    /// nothing can ever evaluate the average.
    _user: Option<Arc<()>>,
    users: Weak<()>,
}

impl std::fmt::Debug for ScheduleFree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScheduleFree(beta = {})", self.beta)
    }
}

impl ScheduleFree {
    /// A handle for an optimizer whose interpolation momentum is `beta`.
    pub(crate) fn new(beta: f64) -> Self {
        let user = Arc::new(());
        Self {
            beta,
            mode: Arc::default(),
            latest: Arc::default(),
            reported: Arc::default(),
            decay_reported: Arc::default(),
            usage: Arc::default(),
            users: Arc::downgrade(&user),
            _user: Some(user),
        }
    }

    /// The optimizer's copy: it shares everything but does not keep the
    /// user's handle alive.
    fn for_optimizer(&self) -> Self {
        Self {
            _user: None,
            ..self.clone()
        }
    }

    /// Reports once, at an update, that the handle `init` returned was
    /// dropped (`let (optim, _) = config.init()`): the model can then only
    /// be validated and exported at the training iterate `y`, which is not
    /// the model a schedule-free optimizer trains.
    fn check_handle(&self) {
        if self.users.strong_count() == 0 {
            crate::alert::once(&self.usage.dropped, || {
                crate::alert::error(
                    "a schedule-free optimizer is training, but the handle its `init()` returned \
                     was dropped: nothing can evaluate the average `x`, so validation and the \
                     saved model stay at the training iterate `y`, which scores worse. Keep the \
                     handle: in burn-train, `Averaged::new(model, handle)`; in your own loop, \
                     `handle.eval(model, &mut optim)` before evaluating.",
                )
            });
        }
    }

    /// The checks of every update: the handle kept ([`Self::check_handle`]),
    /// and a warning once when the LR given to update `averaging.k` (after
    /// the optimizer's own `warmup_steps`) is below the largest so far: a
    /// decaying schedule on top of a schedule-free optimizer, which is meant
    /// for a constant LR (its average replaces the decay).
    pub(crate) fn check_update(&self, averaging: &Averaging, lr: f64, warmup_steps: u64) {
        self.usage.updated.store(true, Ordering::Relaxed);
        self.check_handle();
        if averaging.k >= warmup_steps && averaging.k > 0 && lr < averaging.lr_max * (1.0 - 1e-9) {
            crate::alert::once(&self.decay_reported, || {
                crate::alert::warn(&format!(
                    "a schedule-free optimizer gets a decaying LR ({lr} at update {} after a peak \
                     of {}): it is meant for a constant LR, its average taking the place of the \
                     decay, and its own `warmup_steps` warming up. Give it a constant schedule.",
                    averaging.k + 1,
                    averaging.lr_max
                ));
            });
        }
    }

    /// The end of an update both optimizers share, once the direction `g` is
    /// known: `y` moves toward `z` by `ckp1`, then along `g` (the momentum
    /// term), and `z` takes the plain step. Remembers the new `z`.
    pub(crate) fn descend<const D: usize>(
        &self,
        k: u64,
        y: Tensor<D>,
        z: Tensor<D>,
        g: Tensor<D>,
        lr: f64,
        ckp1: f64,
    ) -> (Tensor<D>, Tensor<D>) {
        let y =
            lerp(y, z.clone(), ckp1) + g.clone().mul_scalar(lr * (self.beta * (1.0 - ckp1) - 1.0));
        let z = z - g.mul_scalar(lr);
        self.record(k, &z);
        (y, z)
    }

    /// Remembers `z` of the next parameter updated by update `k` (0-based).
    fn record<const D: usize>(&self, k: u64, z: &Tensor<D>) {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        if latest.k != k + 1 {
            latest.k = k + 1;
            latest.z.clear();
        }
        latest.z.push(Box::new(z.clone()));
    }

    /// `model` with the averaged parameters `x` of the latest update, from
    /// the remembered `z` (the model itself when nothing was updated yet).
    /// When the parameters do not line up with the remembered ones (a
    /// parameter without gradient), it reports an error once and returns `y`.
    pub fn averaged<M: Module>(&self, model: M) -> M {
        self.usage.evaluated.store(true, Ordering::Relaxed);
        let latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        if latest.z.is_empty() {
            return model;
        }
        let mut mapper = ToAveraged {
            z: &latest.z,
            weight: 1.0 - 1.0 / self.beta,
            index: 0,
            aligned: true,
        };
        let averaged = model.clone().map(&mut mapper);
        if mapper.aligned && mapper.index == latest.z.len() {
            return averaged;
        }
        crate::alert::once(&self.reported, || {
            crate::alert::error(&format!(
                "schedule-free: the model has {} float parameters where the optimizer updated {} \
                 (a parameter without gradient?): validating at y, not at the average x",
                mapper.index,
                latest.z.len()
            ))
        });
        model
    }

    pub(crate) fn mode(&self) -> Mode {
        match self.mode.load(Ordering::Acquire) {
            1 => Mode::ToEval,
            2 => Mode::ToTrain,
            _ => Mode::Train,
        }
    }

    /// The `step` of one parameter in the current mode: `update` in training,
    /// else the swap, with the state unchanged. `beta` is the interpolation
    /// momentum (`beta1`, or SGD's `momentum`).
    pub(crate) fn swap<const D: usize, S>(
        &self,
        beta: f64,
        y: Tensor<D>,
        z: impl FnOnce(&S) -> Tensor<D>,
        state: Option<S>,
        update: impl FnOnce(Tensor<D>, Option<S>) -> (Tensor<D>, Option<S>),
    ) -> (Tensor<D>, Option<S>) {
        match (self.mode(), state) {
            (Mode::Train, state) => update(y, state),
            (Mode::ToEval, Some(s)) => (lerp(y, z(&s), 1.0 - 1.0 / beta), Some(s)),
            (Mode::ToTrain, Some(s)) => (lerp(y, z(&s), 1.0 - beta), Some(s)),
            // Never stepped: x = y = z.
            (_, None) => (y, None),
        }
    }

    /// The model with the averaged parameters `x` (the package's
    /// `optimizer.eval()`). `optim` is the optimizer this handle came with.
    pub fn eval<M: Module>(&self, model: M, optim: &mut ModuleOptimizer) -> M {
        self.usage.evaluated.store(true, Ordering::Relaxed);
        self.pass(Mode::ToEval, model, optim)
    }

    /// The model back at the training point `y` (the package's `optimizer.train()`).
    pub fn train<M: Module>(&self, model: M, optim: &mut ModuleOptimizer) -> M {
        self.pass(Mode::ToTrain, model, optim)
    }

    /// One optimizer pass over every parameter in `mode` (zero gradients,
    /// the state untouched), then back to updates.
    fn pass<M: Module>(&self, mode: Mode, model: M, optim: &mut ModuleOptimizer) -> M {
        let mut zeros = ZeroGrads(GradientsParams::new());
        model.visit(&mut zeros);
        self.mode.store(mode as u8, Ordering::Release);
        let model = optim.step(0.0, model, zeros.0);
        self.mode.store(Mode::Train as u8, Ordering::Release);
        model
    }
}

/// Replaces each float parameter `y` by `y + weight (z - y)`, in order.
struct ToAveraged<'a> {
    z: &'a [Box<dyn Any + Send + Sync>],
    weight: f64,
    index: usize,
    aligned: bool,
}

impl burn::module::ModuleMapper for ToAveraged<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let z = self
            .z
            .get(self.index)
            .and_then(|z| z.downcast_ref::<Tensor<D>>());
        self.index += 1;
        match z {
            Some(z) if z.shape() == param.shape() => {
                let (z, weight) = (z.clone(), self.weight);
                param.map(|y| lerp(y, z, weight))
            }
            _ => {
                self.aligned = false;
                param
            }
        }
    }
}

/// A zero gradient for every float parameter.
struct ZeroGrads(GradientsParams);

impl ModuleVisitor for ZeroGrads {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        self.0.register(param.id, value.zeros_like());
    }
}
