//! Schedule-free AdamW (`AdamWScheduleFree` of the `schedulefree` package).

use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

use super::{Averaging, ScheduleFree, Weighting, averaging, check_weighting, flatten, init};
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::optim::record::tensor;

/// Schedule-free AdamW, with the package's parameter names and defaults.
#[derive(Config, Debug)]
pub struct ScheduleFreeAdamWConfig {
    /// The interpolation momentum (`betas[0]`), in `(0, 1)`.
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// The second-moment decay (`betas[1]`).
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// Added to the root of the second moment.
    #[config(default = 1e-8)]
    pub eps: f64,
    /// Weight decay, applied at `y` (decoupled: scaled by the LR).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// A linear warmup of the LR over this many updates.
    #[config(default = 0)]
    pub warmup_steps: u64,
    /// Polynomial weighting of the average: `(k + 1)^r`.
    #[config(default = 0.0)]
    pub r: f64,
    /// The averaging weights are `lr_max^weight_lr_power` (warmup updates count less).
    #[config(default = 2.0)]
    pub weight_lr_power: f64,
}

impl ScheduleFreeAdamWConfig {
    /// The optimizer and the handle that swaps `x` in and out; an error
    /// names the first field outside its range.
    pub fn init(&self) -> Result<(ModuleOptimizer, ScheduleFree), ConfigError> {
        check::float("beta_1", self.beta_1, Bounds::Open(0.0, 1.0))?;
        check::float("beta_2", self.beta_2, Bounds::RightOpen(0.0, 1.0))?;
        check::float("eps", self.eps, Bounds::Above(0.0))?;
        check::float("weight_decay", self.weight_decay, Bounds::AtLeast(0.0))?;
        check_weighting(self.r, self.weight_lr_power)?;
        Ok(init(self.beta_1, |handle| ScheduleFreeAdamW {
            config: self.clone(),
            handle,
        }))
    }
}

/// Schedule-free AdamW for one parameter; see [`ScheduleFreeAdamWConfig`].
#[derive(Clone)]
pub struct ScheduleFreeAdamW {
    config: ScheduleFreeAdamWConfig,
    handle: ScheduleFree,
}

/// The state of one parameter: `z`, the second moment and the averaging.
#[derive(Clone)]
pub struct ScheduleFreeAdamWState<const D: usize> {
    /// The base iterate `z`.
    pub z: Tensor<D>,
    /// The running second moment of the gradient.
    pub exp_avg_sq: Tensor<D>,
    /// The running-average bookkeeping.
    pub averaging: Averaging,
}

impl<const D: usize> RecordState for ScheduleFreeAdamWState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        let tensors = [("z", &self.z), ("exp_avg_sq", &self.exp_avg_sq)];
        flatten(&tensors, &self.averaging, prefix, out);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        Some(Self {
            z: tensor(src, prefix, "z", device)?,
            exp_avg_sq: tensor(src, prefix, "exp_avg_sq", device)?,
            averaging: averaging(src, prefix, device)?,
        })
    }
}

impl Optimizer for ScheduleFreeAdamW {
    type State<const D: usize> = ScheduleFreeAdamWState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        self.handle.swap(
            c.beta_1,
            tensor,
            |s: &Self::State<D>| s.z.clone(),
            state,
            |y, state| {
                let mut s = state.unwrap_or_else(|| ScheduleFreeAdamWState {
                    z: y.clone(),
                    exp_avg_sq: y.zeros_like(),
                    averaging: Averaging::default(),
                });
                let k = s.averaging.k;
                let weighting = Weighting {
                    warmup_steps: c.warmup_steps,
                    r: c.r,
                    weight_lr_power: c.weight_lr_power,
                };
                self.handle.check_update(&s.averaging, lr, c.warmup_steps);
                let (lr, ckp1) = s.averaging.advance(lr, weighting);
                let bias_correction2 = 1.0 - c.beta_2.powf(k as f64 + 1.0);
                s.exp_avg_sq = s.exp_avg_sq.mul_scalar(c.beta_2)
                    + grad.clone().mul(grad.clone()).mul_scalar(1.0 - c.beta_2);
                let denom = s
                    .exp_avg_sq
                    .clone()
                    .div_scalar(bias_correction2)
                    .sqrt()
                    .add_scalar(c.eps);
                let mut g = grad.div(denom);
                if c.weight_decay != 0.0 {
                    g = g + y.clone().mul_scalar(c.weight_decay);
                }
                let (y, z) = self.handle.descend(k, y, s.z, g, lr, ckp1);
                s.z = z;
                (y, Some(s))
            },
        )
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.z = state.z.to_device(device);
        state.exp_avg_sq = state.exp_avg_sq.to_device(device);
        state
    }
}
