//! D-Adaptation Adam (`DAdaptAdam` of `dadaptation` 3.2).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use burn_pack::Scalar;

use super::{
    Group, LrFree, PassLr, Phase, check_beta, check_growth, check_non_negative, check_positive,
    py_max, py_min, total,
};
use crate::ConfigError;
use crate::optim::record::{count, number, push_tensors, tensor};

/// D-Adaptation Adam, with the package's argument names (`betas` split in
/// two) and defaults. Its `lr` is the LR burn passes (1.0 times the
/// schedule); the package's `layer_scale` is 1.
#[derive(Config, Debug)]
pub struct DAdaptAdamConfig {
    /// The first-moment decay (`betas[0]`).
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// The second-moment decay (`betas[1]`); the `d` estimate's sums decay
    /// by its square root.
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// Added to the root of the second moment.
    #[config(default = 1e-8)]
    pub eps: f64,
    /// Weight decay.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Decoupled weight decay (AdamW's), else added to the gradient.
    #[config(default = false)]
    pub decouple: bool,
    /// Adam's bias correction, folded into the step size.
    #[config(default = false)]
    pub use_bias_correction: bool,
    /// The initial `d`.
    #[config(default = 1e-6)]
    pub d0: f64,
    /// The largest factor by which `d` grows in one update (`inf`: no cap).
    #[config(default = "f64::INFINITY")]
    pub growth_rate: f64,
}

impl DAdaptAdamConfig {
    /// The optimizer and its handle, after checking every field (the
    /// package's checks, plus ranges it leaves unchecked).
    pub fn init(&self) -> Result<(ModuleOptimizer, LrFree), ConfigError> {
        check_beta("beta_1", self.beta_1)?;
        check_beta("beta_2", self.beta_2)?;
        check_positive("eps", self.eps)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_positive("d0", self.d0)?;
        check_growth("growth_rate", self.growth_rate)?;
        let pass = Arc::new(Mutex::new(Pass::new(self.clone())));
        let handle = LrFree::new("D-Adapt Adam", pass.clone());
        let optim = DAdaptAdam {
            config: self.clone(),
            pass,
            handle: handle.clone(),
            reported: Arc::default(),
        };
        Ok((optim.into(), handle))
    }

    /// The package's `dlr`: `d * lr * bias_correction` at update `k`.
    fn dlr(&self, d: f64, lr: f64, k: u64) -> f64 {
        let bias_correction = if self.use_bias_correction {
            let k = k as f64 + 1.0;
            (1.0 - self.beta_2.powf(k)).powf(0.5) / (1.0 - self.beta_1.powf(k))
        } else {
            1.0
        };
        d * lr * bias_correction
    }
}

/// The group's scalars (the package's `param_groups[0]` entries), a copy of
/// which every parameter's state records.
#[derive(Debug, Clone, PartialEq)]
pub struct DAdaptAdamGroup {
    /// Updates taken (`k`).
    pub k: u64,
    /// The adapted scale `d`.
    pub d: f64,
    /// The decayed numerator of the estimate (`numerator_weighted`).
    pub numerator_weighted: f64,
}

impl RecordState for DAdaptAdamGroup {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "k", Scalar::UInt(self.k));
        out.push_scalar(prefix, "d", Scalar::Float(self.d));
        let numerator = Scalar::Float(self.numerator_weighted);
        out.push_scalar(prefix, "numerator_weighted", numerator);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        Some(Self {
            k: count(src, prefix, "k")?,
            d: number(src, prefix, "d")?,
            numerator_weighted: number(src, prefix, "numerator_weighted")?,
        })
    }
}

/// One update in progress: the group, the sums of the first pass and, once
/// `d` is updated, the step size of the second (`None`: skipped).
#[derive(Debug)]
struct Pass {
    config: DAdaptAdamConfig,
    group: DAdaptAdamGroup,
    lr: PassLr,
    numerator_acum: f64,
    sk_l1: f64,
    /// `dlr`: the step size before the update of `d`.
    apply: Option<f64>,
}

impl Pass {
    fn new(config: DAdaptAdamConfig) -> Self {
        let d0 = config.d0;
        Self {
            config,
            group: DAdaptAdamGroup {
                k: 0,
                d: d0,
                numerator_weighted: 0.0,
            },
            lr: PassLr::default(),
            numerator_acum: 0.0,
            sk_l1: 0.0,
            apply: None,
        }
    }
}

impl Group for Mutex<Pass> {
    fn begin(&self) {
        let mut pass = self.lock().unwrap_or_else(PoisonError::into_inner);
        pass.lr = PassLr::default();
        pass.numerator_acum = 0.0;
        pass.sk_l1 = 0.0;
        pass.apply = None;
    }

    fn finish(&self) {
        let mut pass = self.lock().unwrap_or_else(PoisonError::into_inner);
        // The package returns early: no gradient, nothing to learn from.
        if pass.sk_l1 == 0.0 {
            return;
        }
        let c = &pass.config;
        let g = &pass.group;
        let lr = pass.lr.get();
        let dlr = c.dlr(g.d, lr, g.k);
        let sqrt_beta2 = c.beta_2.powf(0.5);
        let numerator_weighted =
            sqrt_beta2 * g.numerator_weighted + (1.0 - sqrt_beta2) * pass.numerator_acum;
        let mut d = g.d;
        if lr > 0.0 {
            let d_hat = numerator_weighted / ((1.0 - sqrt_beta2) * pass.sk_l1);
            d = py_max(d, py_min(d_hat, d * c.growth_rate));
        }
        let group = DAdaptAdamGroup {
            k: g.k + 1,
            d,
            numerator_weighted,
        };
        pass.group = group;
        pass.apply = Some(dlr);
    }

    fn d(&self) -> f64 {
        self.lock().unwrap_or_else(PoisonError::into_inner).group.d
    }
}

/// D-Adaptation Adam for burn's [`ModuleOptimizer`]; see
/// [`DAdaptAdamConfig`] and [`LrFree`].
#[derive(Clone)]
pub struct DAdaptAdam {
    config: DAdaptAdamConfig,
    pass: Arc<Mutex<Pass>>,
    handle: LrFree,
    reported: Arc<AtomicBool>,
}

/// The state of one parameter.
#[derive(Clone)]
pub struct DAdaptAdamState<const D: usize> {
    /// The first moment, scaled by the step size.
    pub exp_avg: Tensor<D>,
    /// The second moment.
    pub exp_avg_sq: Tensor<D>,
    /// The weighted sum of gradients (`s`).
    pub s: Tensor<D>,
    /// The group's scalars after this parameter's latest update.
    pub group: DAdaptAdamGroup,
}

impl<const D: usize> RecordState for DAdaptAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        let tensors = [
            ("exp_avg", &self.exp_avg),
            ("exp_avg_sq", &self.exp_avg_sq),
            ("s", &self.s),
        ];
        push_tensors(&tensors, prefix, out);
        self.group
            .state_flatten(&burn::optim::join_path(prefix, "group"), out);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let group = burn::optim::join_path(prefix, "group");
        Some(Self {
            exp_avg: tensor(src, prefix, "exp_avg", device)?,
            exp_avg_sq: tensor(src, prefix, "exp_avg_sq", device)?,
            s: tensor(src, prefix, "s", device)?,
            group: DAdaptAdamGroup::state_unflatten(&group, src, device)?,
        })
    }
}

impl DAdaptAdam {
    /// The first pass: the moments and the sums, with the current `d`.
    fn gather<const D: usize>(
        &self,
        lr: LearningRate,
        p: Tensor<D>,
        grad: Tensor<D>,
        state: Option<DAdaptAdamState<D>>,
    ) -> DAdaptAdamState<D> {
        let c = &self.config;
        let mut pass = self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        let mut s = match state {
            Some(s) => {
                if s.group.k > pass.group.k {
                    pass.group = s.group.clone();
                }
                s
            }
            None => DAdaptAdamState {
                exp_avg: p.zeros_like(),
                exp_avg_sq: p.zeros_like(),
                s: p.zeros_like(),
                group: pass.group.clone(),
            },
        };
        let Some(lr) = pass.lr.accept(lr, &self.reported, "D-Adapt Adam") else {
            return s;
        };
        let grad = if c.weight_decay != 0.0 && !c.decouple {
            grad + p.mul_scalar(c.weight_decay)
        } else {
            grad
        };
        let dlr = c.dlr(pass.group.d, lr, pass.group.k);
        let sqrt_beta2 = c.beta_2.powf(0.5);
        let denom = s.exp_avg_sq.clone().sqrt().add_scalar(c.eps);
        let dot = total(grad.clone() * s.s.clone().div(denom));
        pass.numerator_acum += dlr * dot;
        s.exp_avg =
            s.exp_avg.mul_scalar(c.beta_1) + grad.clone().mul_scalar(dlr * (1.0 - c.beta_1));
        s.exp_avg_sq = s.exp_avg_sq.mul_scalar(c.beta_2)
            + grad.clone().mul_scalar(1.0 - c.beta_2).mul(grad.clone());
        s.s = s.s.mul_scalar(sqrt_beta2) + grad.mul_scalar(dlr * (1.0 - sqrt_beta2));
        pass.sk_l1 += total(s.s.clone().abs());
        s
    }

    /// The second pass: the parameter update (it does not depend on the new `d`).
    fn apply<const D: usize>(
        &self,
        p: Tensor<D>,
        mut s: DAdaptAdamState<D>,
    ) -> (Tensor<D>, DAdaptAdamState<D>) {
        let c = &self.config;
        let pass = self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(dlr) = pass.apply else {
            return (p, s);
        };
        let denom = s.exp_avg_sq.clone().sqrt().add_scalar(c.eps);
        let mut p = p;
        if c.weight_decay != 0.0 && c.decouple {
            p = p.clone() + p.mul_scalar(-c.weight_decay * dlr);
        }
        s.group = pass.group.clone();
        (p + s.exp_avg.clone().mul_scalar(-1.0).div(denom), s)
    }
}

impl Optimizer for DAdaptAdam {
    type State<const D: usize> = DAdaptAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        match (self.handle.phase(), state) {
            (Phase::Gather, state) => {
                let s = self.gather(lr, tensor.clone(), grad, state);
                (tensor, Some(s))
            }
            (Phase::Apply, Some(s)) => {
                let (tensor, s) = self.apply(tensor, s);
                (tensor, Some(s))
            }
            (_, state) => (tensor, state),
        }
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.exp_avg = state.exp_avg.to_device(device);
        state.exp_avg_sq = state.exp_avg_sq.to_device(device);
        state.s = state.s.to_device(device);
        state
    }
}
