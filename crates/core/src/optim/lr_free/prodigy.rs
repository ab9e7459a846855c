//! Prodigy (`Prodigy` of `prodigyopt` 1.1.2).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use burn::config::Config;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use burn_pack::Scalar;

use super::{
    Group, LrFree, PassLr, Phase, check_beta, check_growth, check_non_negative, check_positive,
    py_max, py_min, sliced, total,
};
use crate::ConfigError;
use crate::optim::record::{count, number, push_tensors, tensor};

/// Prodigy, with the package's argument names (`betas` split in two) and
/// defaults. Its `lr` is the LR burn passes (1.0 times the schedule).
#[derive(Config, Debug)]
pub struct ProdigyConfig {
    /// The first-moment decay (`betas[0]`); 0 uses the gradient itself.
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// The second-moment decay (`betas[1]`).
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// The decay of the `d` estimate's sums (`beta3`); `None`: `sqrt(beta_2)`.
    pub beta_3: Option<f64>,
    /// Added to the root of the second moment, times `d`.
    #[config(default = 1e-8)]
    pub eps: f64,
    /// Weight decay.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Decoupled weight decay (AdamW's), else added to the gradient.
    #[config(default = true)]
    pub decouple: bool,
    /// Adam's bias correction, folded into the step size.
    #[config(default = false)]
    pub use_bias_correction: bool,
    /// Leaves the LR out of the denominator sum (for warmups).
    #[config(default = false)]
    pub safeguard_warmup: bool,
    /// The initial `d`.
    #[config(default = 1e-6)]
    pub d0: f64,
    /// A factor on the `d` estimate.
    #[config(default = 1.0)]
    pub d_coef: f64,
    /// The largest factor by which `d` grows in one update (`inf`: no cap).
    #[config(default = "f64::INFINITY")]
    pub growth_rate: f64,
    /// The `d` estimate sums every `slice_p`-th entry of each parameter.
    #[config(default = 1)]
    pub slice_p: usize,
}

impl ProdigyConfig {
    /// The optimizer and its handle, after checking every field (the
    /// package's checks, plus ranges it leaves unchecked).
    pub fn init(&self) -> Result<(ModuleOptimizer, LrFree), ConfigError> {
        check_beta("beta_1", self.beta_1)?;
        check_beta("beta_2", self.beta_2)?;
        if let Some(beta_3) = self.beta_3 {
            check_beta("beta_3", beta_3)?;
        }
        check_positive("eps", self.eps)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_positive("d0", self.d0)?;
        check_positive("d_coef", self.d_coef)?;
        check_growth("growth_rate", self.growth_rate)?;
        if self.slice_p == 0 {
            return Err(ConfigError::invalid(
                "slice_p",
                self.slice_p,
                "an integer >= 1",
            ));
        }
        let pass = Arc::new(Mutex::new(Pass::new(self.clone())));
        let handle = LrFree::new("Prodigy", pass.clone());
        let optim = Prodigy {
            config: self.clone(),
            pass,
            handle: handle.clone(),
            reported: Arc::default(),
        };
        Ok((optim.into(), handle))
    }

    fn beta_3(&self) -> f64 {
        self.beta_3.unwrap_or_else(|| self.beta_2.sqrt())
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
pub struct ProdigyGroup {
    /// Updates taken (`k`).
    pub k: u64,
    /// The adapted scale `d`.
    pub d: f64,
    /// The largest estimate so far (`d_max`).
    pub d_max: f64,
    /// The decayed numerator of the estimate (`d_numerator`).
    pub d_numerator: f64,
}

impl RecordState for ProdigyGroup {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "k", Scalar::UInt(self.k));
        out.push_scalar(prefix, "d", Scalar::Float(self.d));
        out.push_scalar(prefix, "d_max", Scalar::Float(self.d_max));
        out.push_scalar(prefix, "d_numerator", Scalar::Float(self.d_numerator));
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        Some(Self {
            k: count(src, prefix, "k")?,
            d: number(src, prefix, "d")?,
            d_max: number(src, prefix, "d_max")?,
            d_numerator: number(src, prefix, "d_numerator")?,
        })
    }
}

/// One update in progress: the group, the sums of the first pass and, once
/// `d` is updated, the step of the second (`None`: skipped).
#[derive(Debug)]
struct Pass {
    config: ProdigyConfig,
    group: ProdigyGroup,
    lr: PassLr,
    delta_numerator: f64,
    d_denom: f64,
    /// `(dlr, d)`: the step size before the update of `d`, and `d` after.
    apply: Option<(f64, f64)>,
}

impl Pass {
    fn new(config: ProdigyConfig) -> Self {
        let d0 = config.d0;
        Self {
            config,
            group: ProdigyGroup {
                k: 0,
                d: d0,
                d_max: d0,
                d_numerator: 0.0,
            },
            lr: PassLr::default(),
            delta_numerator: 0.0,
            d_denom: 0.0,
            apply: None,
        }
    }
}

impl Group for Mutex<Pass> {
    fn safeguards_warmup(&self) -> bool {
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .config
            .safeguard_warmup
    }

    fn begin(&self) {
        let mut pass = self.lock().unwrap_or_else(PoisonError::into_inner);
        pass.lr = PassLr::default();
        pass.delta_numerator = 0.0;
        pass.d_denom = 0.0;
        pass.apply = None;
    }

    fn finish(&self) {
        let mut pass = self.lock().unwrap_or_else(PoisonError::into_inner);
        // The package returns early (nothing to learn from); it divides by
        // d_denom otherwise. A positive d_denom implies a positive LR.
        if pass.d_denom == 0.0 {
            return;
        }
        let c = &pass.config;
        let g = &pass.group;
        let dlr = c.dlr(g.d, pass.lr.get(), g.k);
        let d_numerator = g.d_numerator * c.beta_3() + pass.delta_numerator;
        let d_hat = c.d_coef * d_numerator / pass.d_denom;
        let mut d = g.d;
        if d == c.d0 {
            d = py_max(d, d_hat);
        }
        let d_max = py_max(g.d_max, d_hat);
        let d = py_min(d_max, d * c.growth_rate);
        let group = ProdigyGroup {
            k: g.k + 1,
            d,
            d_max,
            d_numerator,
        };
        pass.group = group;
        pass.apply = Some((dlr, d));
    }

    fn d(&self) -> f64 {
        self.lock().unwrap_or_else(PoisonError::into_inner).group.d
    }
}

/// Prodigy for burn's [`ModuleOptimizer`]; see [`ProdigyConfig`] and
/// [`LrFree`].
#[derive(Clone)]
pub struct Prodigy {
    config: ProdigyConfig,
    pass: Arc<Mutex<Pass>>,
    handle: LrFree,
    reported: Arc<AtomicBool>,
}

/// The state of one parameter.
#[derive(Clone)]
pub struct ProdigyState<const D: usize> {
    /// The first moment, scaled by `d` (`None` when `beta_1` is 0).
    pub exp_avg: Option<Tensor<D>>,
    /// The second moment, scaled by `d^2`.
    pub exp_avg_sq: Tensor<D>,
    /// The weighted sum of sliced gradients (`s`).
    pub s: Tensor<1>,
    /// The sliced initial parameter (`p0`).
    pub p0: Tensor<1>,
    /// The group's scalars after this parameter's latest update.
    pub group: ProdigyGroup,
}

impl<const D: usize> RecordState for ProdigyState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        if let Some(exp_avg) = &self.exp_avg {
            push_tensors(&[("exp_avg", exp_avg)], prefix, out);
        }
        push_tensors(&[("exp_avg_sq", &self.exp_avg_sq)], prefix, out);
        push_tensors(&[("s", &self.s), ("p0", &self.p0)], prefix, out);
        self.group
            .state_flatten(&burn::optim::join_path(prefix, "group"), out);
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let group = burn::optim::join_path(prefix, "group");
        Some(Self {
            exp_avg: tensor(src, prefix, "exp_avg", device),
            exp_avg_sq: tensor(src, prefix, "exp_avg_sq", device)?,
            s: tensor(src, prefix, "s", device)?,
            p0: tensor(src, prefix, "p0", device)?,
            group: ProdigyGroup::state_unflatten(&group, src, device)?,
        })
    }
}

impl Prodigy {
    /// The gradient with the coupled weight decay.
    fn gradient<const D: usize>(&self, grad: Tensor<D>, p: &Tensor<D>) -> Tensor<D> {
        let c = &self.config;
        if c.weight_decay != 0.0 && !c.decouple {
            grad + p.clone().mul_scalar(c.weight_decay)
        } else {
            grad
        }
    }

    /// The first pass: the moments and the sums, with the current `d`.
    fn gather<const D: usize>(
        &self,
        lr: LearningRate,
        p: Tensor<D>,
        grad: Tensor<D>,
        state: Option<ProdigyState<D>>,
    ) -> ProdigyState<D> {
        let c = &self.config;
        let mut pass = self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        let mut s = match state {
            Some(s) => {
                if s.group.k > pass.group.k {
                    pass.group = s.group.clone();
                }
                s
            }
            None => ProdigyState {
                exp_avg: (c.beta_1 > 0.0).then(|| p.zeros_like()),
                exp_avg_sq: p.zeros_like(),
                s: sliced(p.zeros_like(), c.slice_p),
                p0: sliced(p.clone(), c.slice_p),
                group: pass.group.clone(),
            },
        };
        let Some(lr) = pass.lr.accept(lr, &self.reported, "Prodigy") else {
            return s;
        };
        let grad = self.gradient(grad, &p);
        let d = pass.group.d;
        let dlr = c.dlr(d, lr, pass.group.k);
        let sliced_grad = sliced(grad.clone(), c.slice_p);
        let dot = total(sliced_grad.clone() * (s.p0.clone() - sliced(p, c.slice_p)));
        pass.delta_numerator += (d / c.d0) * dlr * dot;
        s.exp_avg = s
            .exp_avg
            .map(|m| m.mul_scalar(c.beta_1) + grad.clone().mul_scalar(d * (1.0 - c.beta_1)));
        s.exp_avg_sq = s.exp_avg_sq.mul_scalar(c.beta_2)
            + grad.clone().mul_scalar(d * d * (1.0 - c.beta_2)).mul(grad);
        let weight = if c.safeguard_warmup {
            (d / c.d0) * d
        } else {
            (d / c.d0) * dlr
        };
        s.s = s.s.mul_scalar(c.beta_3()) + sliced_grad.mul_scalar(weight);
        pass.d_denom += total(s.s.clone().abs());
        s
    }

    /// The second pass: the parameter update with the new `d`.
    fn apply<const D: usize>(
        &self,
        p: Tensor<D>,
        grad: Tensor<D>,
        mut s: ProdigyState<D>,
    ) -> (Tensor<D>, ProdigyState<D>) {
        let c = &self.config;
        let pass = self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((dlr, d)) = pass.apply else {
            return (p, s);
        };
        let grad = self.gradient(grad, &p);
        let denom = s.exp_avg_sq.clone().sqrt().add_scalar(d * c.eps);
        let mut p = p;
        if c.weight_decay != 0.0 && c.decouple {
            p = p.clone() + p.mul_scalar(-c.weight_decay * dlr);
        }
        let step = match &s.exp_avg {
            Some(m) => m.clone().mul_scalar(-dlr).div(denom),
            None => grad.mul_scalar(-dlr * d).div(denom),
        };
        s.group = pass.group.clone();
        (p + step, s)
    }
}

impl Optimizer for Prodigy {
    type State<const D: usize> = ProdigyState<D>;

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
                let (tensor, s) = self.apply(tensor, grad, s);
                (tensor, Some(s))
            }
            (_, state) => (tensor, state),
        }
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.exp_avg = state.exp_avg.map(|m| m.to_device(device));
        state.exp_avg_sq = state.exp_avg_sq.to_device(device);
        state.s = state.s.to_device(device);
        state.p0 = state.p0.to_device(device);
        state
    }
}
