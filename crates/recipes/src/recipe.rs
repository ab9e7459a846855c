//! A recipe: the optimizer, the schedule, the length and the reference it follows.

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use burn_lr_schedule::{Spec, Timing};
use serde::Serialize;

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
        }
    }

    /// burn's optimizer for this spec.
    pub fn init(&self) -> ModuleOptimizer {
        let clip = self
            .grad_clip_norm
            .map(|n| GradientClippingConfig::Norm(n as f32));
        let decay =
            (self.weight_decay > 0.0).then(|| WeightDecayConfig::new(self.weight_decay as f32));
        match self.kind {
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
        }
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
}

impl Recipe {
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

/// A spec counted in epochs: read per update for burn-train (held or smooth
/// inside an epoch, as `timing` says), or left in epochs for a loop that
/// steps once per epoch.
pub(crate) fn in_epochs(run: &RunDescription, spec: Spec, timing: Timing) -> Spec {
    match run.stepping {
        Stepping::Update => spec
            .in_epochs(timing)
            .with_steps_per_epoch(run.steps_per_epoch),
        Stepping::Epoch => spec,
    }
}

/// `updates` optimizer updates in the run's stepping unit (whole epochs, at
/// least one, when stepped per epoch).
pub(crate) fn in_steps(run: &RunDescription, updates: u64) -> u64 {
    match run.stepping {
        Stepping::Update => updates,
        Stepping::Epoch => updates.div_ceil(run.steps_per_epoch.max(1)).max(1),
    }
}

/// A warmup of about `preferred` epochs, kept within 1%-20% of the run (at least one epoch).
pub(crate) fn warmup_epochs(preferred: u64, epochs: u64) -> u64 {
    let low = epochs.div_ceil(100).max(1);
    let high = (epochs / 5).max(1);
    preferred.clamp(low, high.max(low))
}

/// Scales `lr` from a reference batch size: linearly for SGD (Goyal et al.,
/// 2017), by the square root for adaptive optimizers.
pub fn scale_lr(lr: f64, batch_size: u64, reference_batch: u64, optimizer: OptimizerKind) -> f64 {
    let ratio = batch_size as f64 / reference_batch as f64;
    if optimizer.is_adaptive() {
        lr * ratio.sqrt()
    } else {
        lr * ratio
    }
}

/// The batch one update sees: per-device batch x devices x accumulated micro-batches.
pub fn effective_batch(per_device: u64, devices: u64, accumulation: u64) -> u64 {
    per_device * devices.max(1) * accumulation.max(1)
}
