//! Adam and AdamW with a scheduled `beta1` (PyTorch's `torch.optim.Adam` and
//! `AdamW`).

use super::WeightDecay;
use crate::MomentumHandle;
use crate::check::{self, Bounds};
use crate::optim::record::{count, push_tensors, tensor};
use crate::{ConfigError, Spec};
use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use burn_pack::Scalar;

/// Adam whose `beta1` follows the spec; PyTorch's update with the current
/// `beta1` in the first moment and its bias correction. `decoupled` makes it
/// AdamW (`p *= 1 - lr wd`) instead of Adam's L2 (`g += wd p`).
#[derive(Config, Debug)]
pub struct CycledAdamConfig {
    /// `beta1` where the spec sets none.
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// The second-moment decay.
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// Added to the root of the second moment.
    #[config(default = 1e-8)]
    pub eps: f64,
    /// Weight decay: L2 for Adam, decoupled for AdamW.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// AdamW's decoupled weight decay.
    #[config(default = false)]
    pub decoupled: bool,
    /// A schedule of the weight decay over updates (a spec in updates whose
    /// "base LR" is `weight_decay`), e.g. DINO's cosine from 0.04 to 0.4.
    pub weight_decay_schedule: Option<Spec>,
}

impl CycledAdamConfig {
    /// The optimizer, reading `beta1` from `momentum` (from `lr.momentum()`);
    /// an error names the first field outside its range, or of an invalid
    /// weight-decay schedule.
    pub fn init(&self, momentum: MomentumHandle) -> Result<ModuleOptimizer, ConfigError> {
        check::float("beta_1", self.beta_1, Bounds::RightOpen(0.0, 1.0))?;
        check::float("beta_2", self.beta_2, Bounds::RightOpen(0.0, 1.0))?;
        check::float("eps", self.eps, Bounds::Above(0.0))?;
        check::float("weight_decay", self.weight_decay, Bounds::AtLeast(0.0))?;
        let weight_decay =
            WeightDecay::new(self.weight_decay, self.weight_decay_schedule.as_ref())?;
        Ok(CycledAdam {
            config: self.clone(),
            momentum,
            weight_decay,
        }
        .into())
    }
}

/// Adam with a scheduled `beta1` for one parameter; see [`CycledAdamConfig`].
#[derive(Clone)]
pub struct CycledAdam {
    config: CycledAdamConfig,
    momentum: MomentumHandle,
    weight_decay: WeightDecay,
}

/// The moments and the update count of one parameter.
#[derive(Clone)]
pub struct CycledAdamState<const D: usize> {
    /// The first moment.
    pub exp_avg: Tensor<D>,
    /// The second moment.
    pub exp_avg_sq: Tensor<D>,
    /// Updates taken.
    pub step: u64,
}

impl<const D: usize> RecordState for CycledAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        push_tensors(
            &[("exp_avg", &self.exp_avg), ("exp_avg_sq", &self.exp_avg_sq)],
            prefix,
            out,
        );
        out.push_scalar(prefix, "step", Scalar::UInt(self.step));
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        Some(Self {
            exp_avg: tensor(src, prefix, "exp_avg", device)?,
            exp_avg_sq: tensor(src, prefix, "exp_avg_sq", device)?,
            step: count(src, prefix, "step")?,
        })
    }
}

impl Optimizer for CycledAdam {
    type State<const D: usize> = CycledAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        let beta_1 = self.momentum.current().unwrap_or(c.beta_1);
        let mut s = state.unwrap_or_else(|| CycledAdamState {
            exp_avg: tensor.zeros_like(),
            exp_avg_sq: tensor.zeros_like(),
            step: 0,
        });
        let decay = self.weight_decay.at(s.step);
        s.step += 1;
        let mut p = tensor;
        let mut g = grad;
        if decay != 0.0 {
            if c.decoupled {
                p = p.mul_scalar(1.0 - lr * decay);
            } else {
                g = g + p.clone().mul_scalar(decay);
            }
        }
        s.exp_avg = s.exp_avg.mul_scalar(beta_1) + g.clone().mul_scalar(1.0 - beta_1);
        s.exp_avg_sq =
            s.exp_avg_sq.mul_scalar(c.beta_2) + g.clone().mul(g).mul_scalar(1.0 - c.beta_2);
        let step = s.step as f64;
        let bias_correction1 = 1.0 - beta_1.powf(step);
        let bias_correction2 = 1.0 - c.beta_2.powf(step);
        let denom = s
            .exp_avg_sq
            .clone()
            .sqrt()
            .div_scalar(bias_correction2.sqrt())
            .add_scalar(c.eps);
        let p = p - s
            .exp_avg
            .clone()
            .div(denom)
            .mul_scalar(lr / bias_correction1);
        (p, Some(s))
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.exp_avg = state.exp_avg.to_device(device);
        state.exp_avg_sq = state.exp_avg_sq.to_device(device);
        state
    }
}
