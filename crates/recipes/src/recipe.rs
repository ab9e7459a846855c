//! A recipe: the optimizer, the schedule, the length and the reference it follows.

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use burn_lr_core::Spec;
use burn_lr_core::optim::cycled::{CycledAdamConfig, CycledSgdConfig};
use burn_lr_core::optim::lr_free::{DAdaptAdamConfig, LrFree, ProdigyConfig};
use burn_lr_core::optim::schedule_free::{
    ScheduleFree, ScheduleFreeAdamWConfig, ScheduleFreeSgdConfig,
};
use burn_lr_core::schedules::ConstantLr;
use burn_lr_core::{ConfigError, ModuleSchedule};
use serde::Serialize;

use crate::MIN_SCHEDULED_STEPS;
use crate::run::{OptimizerKind, RunDescription, Stepping};

/// An optimizer with the hyperparameters a recipe fixes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimizerSpec {
    /// SGD, Adam or AdamW.
    pub kind: OptimizerKind,
    /// The base LR (what the schedule scales; groups multiply it).
    pub lr: f64,
    /// SGD momentum (PyTorch convention: no dampening).
    pub momentum: Option<f64>,
    /// Weight decay (decoupled for AdamW).
    pub weight_decay: f64,
    /// Gradient clipping by global norm.
    pub grad_clip_norm: Option<f64>,
    /// The optimizer's own warmup in updates (schedule-free optimizers; 0 otherwise).
    pub warmup_steps: u64,
}

impl OptimizerSpec {
    /// `kind` at `lr` with the usual companions: momentum 0.9 for SGD, weight
    /// decay `adamw_decay` for AdamW (decoupled) and `decay` otherwise, no clipping.
    pub fn for_kind(kind: OptimizerKind, lr: f64, adamw_decay: f64, decay: f64) -> Self {
        Self {
            kind,
            lr,
            momentum: (kind == OptimizerKind::Sgd).then_some(0.9),
            weight_decay: if kind == OptimizerKind::AdamW {
                adamw_decay
            } else {
                decay
            },
            grad_clip_norm: None,
            warmup_steps: 0,
        }
    }

    /// A schedule-free optimizer and the handle that validates its average
    /// `x` (wrap the model in [`Averaged`](burn_lr_core::optim::schedule_free::Averaged));
    /// `None` for the other kinds.
    pub fn init_schedule_free(
        &self,
    ) -> Option<Result<(ModuleOptimizer, ScheduleFree), ConfigError>> {
        self.kind
            .is_schedule_free()
            .then(|| self.validate().and_then(|()| self.schedule_free()))
    }

    /// An error naming the first field outside its range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let check = |field: &str, x: f64, ok: bool, allowed: &str| {
            if ok {
                Ok(())
            } else {
                Err(ConfigError::invalid(field, x, allowed))
            }
        };
        check(
            "lr",
            self.lr,
            self.lr.is_finite() && self.lr >= 0.0,
            "a finite number >= 0",
        )?;
        if let Some(m) = self.momentum {
            check("momentum", m, (0.0..1.0).contains(&m), "a number in [0, 1)")?;
        }
        let decay = self.weight_decay;
        check(
            "weight_decay",
            decay,
            decay.is_finite() && decay >= 0.0,
            "a finite number >= 0",
        )?;
        if let Some(norm) = self.grad_clip_norm {
            check(
                "grad_clip_norm",
                norm,
                norm.is_finite() && norm > 0.0,
                "a finite number > 0",
            )?;
        }
        Ok(())
    }

    /// A learning-rate-free optimizer and the handle that drives its updates
    /// (`handle.step(..)`, or [`LrFreeModel`](burn_lr_core::optim::lr_free::LrFreeModel)
    /// in burn-train); `None` for the other kinds. Prodigy gets
    /// `safeguard_warmup` on (its authors' advice under a warmup) and both get
    /// decoupled weight decay.
    pub fn init_lr_free(&self) -> Option<Result<(ModuleOptimizer, LrFree), ConfigError>> {
        let decay = self.weight_decay;
        match self.kind {
            OptimizerKind::Prodigy => Some(
                ProdigyConfig::new()
                    .with_weight_decay(decay)
                    .with_safeguard_warmup(true)
                    .init(),
            ),
            OptimizerKind::DAdaptAdam => Some(
                DAdaptAdamConfig::new()
                    .with_weight_decay(decay)
                    .with_decouple(true)
                    .init(),
            ),
            _ => None,
        }
    }

    /// burn's optimizer for this spec: SGD, Adam or AdamW.
    ///
    /// An error names the first field outside its range. A schedule-free or
    /// learning-rate-free kind is an error too: built without its handle, a
    /// schedule-free optimizer would validate at `y` instead of its average
    /// and a learning-rate-free one would leave the model unchanged; use
    /// [`init_schedule_free`](Self::init_schedule_free) or
    /// [`init_lr_free`](Self::init_lr_free).
    pub fn init(&self) -> Result<ModuleOptimizer, ConfigError> {
        self.validate()?;
        let clip = self.clipping();
        let decay =
            (self.weight_decay > 0.0).then(|| WeightDecayConfig::new(self.weight_decay as f32));
        Ok(match self.kind {
            OptimizerKind::Sgd => SgdConfig::new()
                .with_momentum(self.momentum.map(|m| MomentumConfig {
                    momentum: m,
                    dampening: 0.0,
                    nesterov: false,
                }))
                .with_weight_decay(decay)
                .with_gradient_clipping(clip)
                .init(),
            OptimizerKind::Adam => AdamConfig::new()
                .with_weight_decay(decay)
                .with_grad_clipping(clip)
                .init(),
            OptimizerKind::AdamW => AdamWConfig::new()
                .with_weight_decay(self.weight_decay as f32)
                .with_grad_clipping(clip)
                .init(),
            kind @ (OptimizerKind::ScheduleFreeAdamW | OptimizerKind::ScheduleFreeSgd) => {
                return Err(needs_handle(
                    kind,
                    "`init_schedule_free()`, with `Averaged` in burn-train: without its handle \
                     validation sees y, not the average x",
                ));
            }
            kind @ (OptimizerKind::Prodigy | OptimizerKind::DAdaptAdam) => {
                return Err(needs_handle(
                    kind,
                    "`init_lr_free()`, with `LrFreeModel` in burn-train: without its handle its \
                     updates leave the model unchanged",
                ));
            }
        })
    }

    /// burn's optimizer for this spec, trained under `schedule`: when the
    /// schedule cycles the momentum (one-cycle, cyclic), SGD, Adam and AdamW
    /// come from [`cycled`](burn_lr_core::optim::cycled) and follow it; else
    /// [`init`](Self::init) (an error for a kind that needs its handle).
    pub fn init_with(&self, schedule: &ModuleSchedule) -> Result<ModuleOptimizer, ConfigError> {
        let Some(momentum) = schedule.momentum() else {
            return self.init();
        };
        let optim = match self.kind {
            OptimizerKind::Sgd => CycledSgdConfig::new()
                .with_momentum(self.momentum.unwrap_or(0.9))
                .with_weight_decay(self.weight_decay)
                .init(momentum)?,
            OptimizerKind::Adam | OptimizerKind::AdamW => CycledAdamConfig::new()
                .with_weight_decay(self.weight_decay)
                .with_decoupled(self.kind == OptimizerKind::AdamW)
                .init(momentum)?,
            OptimizerKind::ScheduleFreeAdamW
            | OptimizerKind::ScheduleFreeSgd
            | OptimizerKind::Prodigy
            | OptimizerKind::DAdaptAdam => {
                return self.init();
            }
        };
        Ok(match self.clipping() {
            Some(clip) => optim.with_grad_clipping(clip.init()),
            None => optim,
        })
    }

    fn clipping(&self) -> Option<GradientClippingConfig> {
        self.grad_clip_norm
            .map(|n| GradientClippingConfig::Norm(n as f32))
    }

    /// The schedule-free optimizer of this spec (SGD for `ScheduleFreeSgd`,
    /// AdamW otherwise); the caller has validated the spec.
    fn schedule_free(&self) -> Result<(ModuleOptimizer, ScheduleFree), ConfigError> {
        let (optim, handle) = if self.kind == OptimizerKind::ScheduleFreeSgd {
            ScheduleFreeSgdConfig::new()
                .with_momentum(self.momentum.unwrap_or(0.9))
                .with_weight_decay(self.weight_decay)
                .with_warmup_steps(self.warmup_steps)
                .init()?
        } else {
            ScheduleFreeAdamWConfig::new()
                .with_weight_decay(self.weight_decay)
                .with_warmup_steps(self.warmup_steps)
                .init()?
        };
        Ok(match self.clipping() {
            Some(clip) => (optim.with_grad_clipping(clip.init()), handle),
            None => (optim, handle),
        })
    }
}

/// A complete LR recipe for a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recipe {
    /// Short name, e.g. `vision-cnn-modern`.
    pub name: &'static str,
    /// The paper or codebase it follows.
    pub reference: &'static str,
    /// The optimizer.
    pub optimizer: OptimizerSpec,
    /// The schedule (with its parameter groups).
    pub schedule: Spec,
    /// Number of epochs.
    pub epochs: u64,
    /// How the schedule must be stepped.
    pub stepping: Stepping,
    /// Why these numbers, one reason per line.
    pub why: Vec<String>,
    /// The layer-wise LR decay the recipe suggests for a model with numbered
    /// blocks (see [`Recipe::schedule_for`]).
    pub layer_decay: Option<f64>,
}

impl Recipe {
    /// Which of `burn-lr find`'s two hand-offs this recipe's base LR takes:
    /// `"max_lr"` (the one-cycle peak) for a one-cycle schedule, `"lr"` (the
    /// warmup + cosine peak) for every other. They differ (the one-cycle
    /// peak is lower), so `--base-lr` must be the matching one.
    pub fn finder_field(&self) -> &'static str {
        match self.schedule.schedule() {
            burn_lr_core::Schedule::OneCycle(_) => "max_lr",
            _ => "lr",
        }
    }

    /// The schedule for `model`: with [`layer_decay`](Self::layer_decay)
    /// applied to the blocks that `blocks` numbers (e.g. `"encoder.layers.{i}"`,
    /// see [`Spec::with_layer_decay`]), or the plain schedule when the recipe
    /// suggests none.
    pub fn schedule_for<M: burn::module::Module>(
        &self,
        model: &M,
        blocks: &str,
    ) -> Result<Spec, burn_lr_core::ConfigError> {
        match self.layer_decay {
            Some(decay) => self.schedule.clone().with_layer_decay(model, blocks, decay),
            None => Ok(self.schedule.clone()),
        }
    }

    /// The peak LR of the parameter at `path`: the base LR times the
    /// multiplier of the last group that matches the path.
    pub fn group_lr(&self, path: &str) -> f64 {
        let mult = self
            .schedule
            .groups()
            .iter()
            .rev()
            .find(|g| g.matches(path))
            .map_or(1.0, |g| g.lr_mult());
        self.optimizer.lr * mult
    }
}

impl Recipe {
    /// The recipe `name` for `run`: its epochs and stepping, no layer decay,
    /// and [`fitted`](Self::fitted) to a run too short to schedule.
    pub(crate) fn for_run(
        run: &RunDescription,
        name: &'static str,
        reference: &'static str,
        optimizer: OptimizerSpec,
        schedule: Spec,
        why: Vec<String>,
    ) -> Self {
        Recipe {
            name,
            reference,
            optimizer,
            schedule,
            epochs: run.epochs,
            stepping: run.stepping,
            why,
            layer_decay: None,
        }
        .fitted(run)
    }

    /// With the layer-wise LR decay the recipe suggests.
    pub(crate) fn with_layer_decay(self, layer_decay: Option<f64>) -> Self {
        Self {
            layer_decay,
            ..self
        }
    }

    /// The recipe for a run too short to schedule (fewer than
    /// [`MIN_SCHEDULED_STEPS`] calls of `step()`): the same optimizer, LR and
    /// groups at a constant LR, named `short-run`, with the reason.
    fn fitted(mut self, run: &RunDescription) -> Self {
        let total = run.total_steps();
        if total >= MIN_SCHEDULED_STEPS {
            return self;
        }
        let mut constant = Spec::new(ConstantLr::new(1.0, 1));
        for group in self.schedule.groups() {
            constant = constant.with_group(group.pattern(), group.lr_mult());
        }
        // A recipe at a constant LR already (schedule-free) has nothing to fit.
        if self.schedule == constant {
            return self;
        }
        self.why = vec![format!(
            "the run has {total} step() calls, fewer than {MIN_SCHEDULED_STEPS}: too short for a \
             warmup or a decay, so the {} recipe's optimizer runs at a constant LR {}",
            self.name, self.optimizer.lr
        )];
        self.name = "short-run";
        self.reference = "no schedule: a warmup or a decay needs at least 10 updates";
        self.schedule = constant;
        self
    }
}

/// `updates` optimizer updates in `step()` calls (whole epochs, at least
/// one, when stepped per epoch).
pub(crate) fn in_steps(run: &RunDescription, updates: u64) -> u64 {
    match run.stepping {
        Stepping::Update => updates,
        Stepping::Epoch => updates.div_ceil(run.steps_per_epoch).max(1),
    }
}

/// A warmup of about `preferred_updates` optimizer updates, in `step()`
/// calls, kept within 1%-20% of the run (the linter's bounds; at least one call).
pub(crate) fn warmup_steps(run: &RunDescription, preferred_updates: u64) -> u64 {
    let total = run.total_steps();
    let low = total.div_ceil(100).max(1);
    let high = (total / 5).max(low);
    in_steps(run, preferred_updates).clamp(low, high)
}

/// The `step()` calls at `fractions` of a span of `total` calls (distinct, inside it).
pub(crate) fn at_fractions(total: u64, fractions: &[f64]) -> Vec<u64> {
    let mut calls: Vec<u64> = fractions
        .iter()
        .map(|f| (total as f64 * f).round() as u64)
        .filter(|&c| c > 0 && c < total)
        .collect();
    calls.dedup();
    calls
}

/// The most a batch-size rule scales an LR: 32x its reference batch (256 ->
/// 8192, where Goyal et al. saw linear scaling hold; beyond it LARS or LAMB
/// take over).
pub const MAX_BATCH_SCALE: f64 = 32.0;

/// Scales `lr` from a reference batch size: linearly for SGD (Goyal et al.,
/// 2017), by the square root for adaptive optimizers. The batch ratio is
/// capped at [`MAX_BATCH_SCALE`] (the recipes' `why` says when).
pub fn scale_lr(lr: f64, batch_size: u64, reference_batch: u64, optimizer: OptimizerKind) -> f64 {
    let ratio = (batch_size as f64 / reference_batch as f64).min(MAX_BATCH_SCALE);
    if optimizer.is_adaptive() {
        lr * ratio.sqrt()
    } else {
        lr * ratio
    }
}

/// Why the LR did not grow with the batch any further, when the cap applied.
pub(crate) fn scaling_note(run: &RunDescription, reference_batch: u64) -> Option<String> {
    let ratio = run.batch_size as f64 / reference_batch as f64;
    (run.base_lr.is_none() && ratio > MAX_BATCH_SCALE).then(|| {
        format!(
            "batch {} is {ratio:.0}x the reference {reference_batch}: the LR scales as for {}x \
             only (linear scaling breaks down beyond; consider LARS or LAMB)",
            run.batch_size, MAX_BATCH_SCALE
        )
    })
}

/// The batch one update sees: per-device batch x devices x accumulated micro-batches.
pub fn effective_batch(per_device: u64, devices: u64, accumulation: u64) -> u64 {
    per_device
        .saturating_mul(devices.max(1))
        .saturating_mul(accumulation.max(1))
}

/// The error of [`OptimizerSpec::init`] for a `kind` that is built with its
/// handle by `builder`.
fn needs_handle(kind: OptimizerKind, builder: &str) -> ConfigError {
    ConfigError::invalid(
        "optimizer.kind",
        kind.name(),
        format!(
            "SGD, Adam or AdamW for `init()`; build {} with {builder}",
            kind.name()
        ),
    )
}
