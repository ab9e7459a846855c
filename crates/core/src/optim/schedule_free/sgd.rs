//! Schedule-free SGD (`SGDScheduleFree` of the `schedulefree` package).

use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

use super::{Averaging, ScheduleFree, Weighting, averaging, check_weighting, flatten, init};
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::optim::record::tensor;

/// Schedule-free SGD, with the package's parameter names and defaults.
#[derive(Config, Debug)]
pub struct ScheduleFreeSgdConfig {
    /// The interpolation momentum, in `(0, 1)`.
    #[config(default = 0.9)]
    pub momentum: f64,
    /// Weight decay (L2, added to the gradient at `y`).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// A linear warmup of the LR over this many updates.
    #[config(default = 0)]
    pub warmup_steps: u64,
    /// Polynomial weighting of the average: `(k + 1)^r`.
    #[config(default = 0.0)]
    pub r: f64,
    /// The averaging weights are `lr_max^weight_lr_power`.
    #[config(default = 2.0)]
    pub weight_lr_power: f64,
}

impl ScheduleFreeSgdConfig {
    /// The optimizer and the handle that swaps `x` in and out; an error
    /// names the first field outside its range.
    pub fn init(&self) -> Result<(ModuleOptimizer, ScheduleFree), ConfigError> {
        check::float("momentum", self.momentum, Bounds::Open(0.0, 1.0))?;
        check::float("weight_decay", self.weight_decay, Bounds::AtLeast(0.0))?;
        check_weighting(self.r, self.weight_lr_power)?;
        Ok(init(self.momentum, |handle| ScheduleFreeSgd {
            config: self.clone(),
            handle,
        }))
    }
}

/// Schedule-free SGD for one parameter; see [`ScheduleFreeSgdConfig`].
#[derive(Clone)]
pub struct ScheduleFreeSgd {
    config: ScheduleFreeSgdConfig,
    handle: ScheduleFree,
}

/// The state of one parameter: `z` and the averaging.
#[derive(Clone)]
pub struct ScheduleFreeSgdState<const D: usize> {
    /// The base iterate `z`.
    pub z: Tensor<D>,
    /// The running-average bookkeeping.
    pub averaging: Averaging,
}

impl<const D: usize> RecordState for ScheduleFreeSgdState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        flatten(&[("z", &self.z)], &self.averaging, prefix, out);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        Some(Self {
            z: tensor(src, prefix, "z", device)?,
            averaging: averaging(src, prefix, device)?,
        })
    }
}

impl Optimizer for ScheduleFreeSgd {
    type State<const D: usize> = ScheduleFreeSgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        self.handle.swap(
            c.momentum,
            tensor,
            |s: &Self::State<D>| s.z.clone(),
            state,
            |y, state| {
                let mut s = state.unwrap_or_else(|| ScheduleFreeSgdState {
                    z: y.clone(),
                    averaging: Averaging::default(),
                });
                let weighting = Weighting {
                    warmup_steps: c.warmup_steps,
                    r: c.r,
                    weight_lr_power: c.weight_lr_power,
                };
                let k = s.averaging.k;
                self.handle.check_update(&s.averaging, lr, c.warmup_steps);
                let (lr, ckp1) = s.averaging.advance(lr, weighting);
                let mut g = grad;
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
        state
    }
}
