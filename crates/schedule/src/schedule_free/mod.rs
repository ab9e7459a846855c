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
mod sgd;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{GradientsParams, ModuleOptimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor, TensorData};
use burn_pack::Scalar;

pub use adamw::{ScheduleFreeAdamW, ScheduleFreeAdamWConfig, ScheduleFreeAdamWState};
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
        let float = |src: &mut StateSource, leaf| match src.take_scalar(prefix, leaf)? {
            Scalar::Float(x) => Some(x),
            _ => None,
        };
        Some(Self {
            k: match src.take_scalar(prefix, "k")? {
                Scalar::UInt(k) => k,
                _ => return None,
            },
            lr_max: float(src, "lr_max")?,
            weight_sum: float(src, "weight_sum")?,
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
    for (leaf, tensor) in tensors {
        out.push_tensor(prefix, leaf, tensor.to_data());
    }
    averaging.state_flatten(&burn::optim::join_path(prefix, "averaging"), out);
}

/// Reads the tensor `leaf` of a state recorded under `prefix`.
pub(crate) fn tensor<const D: usize>(
    src: &mut StateSource,
    prefix: &str,
    leaf: &str,
    device: &Device,
) -> Option<Tensor<D>> {
    let data: TensorData = src.take_tensor(prefix, leaf)?;
    let dtype = data.dtype();
    // In its recorded precision (an f64 model keeps an f64 `z`).
    Some(Tensor::from_data(data, (device, dtype)))
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

/// A handle shared with the optimizer's clones that swaps `x` into the model
/// and back.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFree {
    mode: Arc<AtomicU8>,
}

impl ScheduleFree {
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

/// A zero gradient for every float parameter.
struct ZeroGrads(GradientsParams);

impl ModuleVisitor for ZeroGrads {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        self.0.register(param.id, value.zeros_like());
    }
}
