//! SGD with a scheduled momentum (PyTorch's `torch.optim.SGD`).

use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

use super::WeightDecay;
use crate::MomentumHandle;
use crate::check::{self, Bounds};
use crate::optim::record::{count, push_tensors, tensor};
use crate::{ConfigError, Spec};
use burn_pack::Scalar;

/// SGD whose momentum follows the spec; PyTorch's update: the buffer is
/// `b = m b + (1 - dampening) g` (`b = g` at the first update), the step
/// `lr b` (`lr (g + m b)` with Nesterov), with `g` including `weight_decay p`.
#[derive(Config, Debug)]
pub struct CycledSgdConfig {
    /// The momentum where the spec sets none.
    #[config(default = 0.9)]
    pub momentum: f64,
    /// Dampening of the buffer.
    #[config(default = 0.0)]
    pub dampening: f64,
    /// L2 weight decay, added to the gradient.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Nesterov momentum.
    #[config(default = false)]
    pub nesterov: bool,
    /// A schedule of the weight decay over updates (a spec in updates whose
    /// "base LR" is `weight_decay`).
    pub weight_decay_schedule: Option<Spec>,
}

impl CycledSgdConfig {
    /// The optimizer, reading its momentum from `momentum` (from `lr.momentum()`);
    /// an error names the first field outside its range, or of an invalid
    /// weight-decay schedule.
    pub fn init(&self, momentum: MomentumHandle) -> Result<ModuleOptimizer, ConfigError> {
        check::float("momentum", self.momentum, Bounds::RightOpen(0.0, 1.0))?;
        check::float("dampening", self.dampening, Bounds::Closed(0.0, 1.0))?;
        check::float("weight_decay", self.weight_decay, Bounds::AtLeast(0.0))?;
        if self.nesterov && self.dampening != 0.0 {
            return Err(ConfigError::invalid(
                "dampening",
                self.dampening,
                "0 with `nesterov` (as PyTorch requires)",
            ));
        }
        let weight_decay =
            WeightDecay::new(self.weight_decay, self.weight_decay_schedule.as_ref())?;
        Ok(CycledSgd {
            config: self.clone(),
            momentum,
            weight_decay,
        }
        .into())
    }
}

/// SGD with a scheduled momentum for one parameter; see [`CycledSgdConfig`].
#[derive(Clone)]
pub struct CycledSgd {
    config: CycledSgdConfig,
    momentum: MomentumHandle,
    weight_decay: WeightDecay,
}

/// The momentum buffer of one parameter and its update count.
#[derive(Clone)]
pub struct CycledSgdState<const D: usize> {
    /// The momentum buffer.
    pub buffer: Tensor<D>,
    /// Updates taken.
    pub step: u64,
}

impl<const D: usize> RecordState for CycledSgdState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        push_tensors(&[("buffer", &self.buffer)], prefix, out);
        out.push_scalar(prefix, "step", Scalar::UInt(self.step));
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        Some(Self {
            buffer: tensor(src, prefix, "buffer", device)?,
            step: count(src, prefix, "step")?,
        })
    }
}

impl Optimizer for CycledSgd {
    type State<const D: usize> = CycledSgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        let momentum = self.momentum.current().unwrap_or(c.momentum);
        let step = state.as_ref().map_or(0, |s| s.step);
        let decay = self.weight_decay.at(step);
        let mut g = grad;
        if decay != 0.0 {
            g = g + tensor.clone().mul_scalar(decay);
        }
        let buffer = match state {
            None => g.clone(),
            Some(s) => s.buffer.mul_scalar(momentum) + g.clone().mul_scalar(1.0 - c.dampening),
        };
        let direction = if c.nesterov {
            g + buffer.clone().mul_scalar(momentum)
        } else {
            buffer.clone()
        };
        (
            tensor - direction.mul_scalar(lr),
            Some(CycledSgdState {
                buffer,
                step: step + 1,
            }),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        CycledSgdState {
            buffer: state.buffer.to_device(device),
            step: state.step,
        }
    }
}
