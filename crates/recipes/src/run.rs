//! What the advisor and the linter know about a training run.

use std::fmt;

use burn_lr_core::ConfigError;
pub use burn_lr_core::OptimizerKind;
use serde::Serialize;

/// The most `step()` calls a run may have: 2^53, the largest count an `f64`
/// (and so a JSON number, and the curves' time) holds exactly.
pub const MAX_STEPS: u64 = 1 << 53;

/// The largest base LR a run may give (as a spec's LRs).
const MAX_LR: f64 = 1e100;

/// The kind of model being trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ModelFamily {
    /// A convolutional image classifier (ResNet and kin).
    Cnn,
    /// A vision transformer (ViT, DeiT).
    Vit,
    /// A language transformer (BERT, GPT, seq2seq).
    Transformer,
    /// A two-stage or one-stage detector (Faster R-CNN, RetinaNet).
    Detector,
    /// DETR and its variants.
    Detr,
    /// A segmentation network (DeepLab, PSPNet).
    Segmentation,
    /// A small multilayer perceptron.
    Mlp,
    /// Anything else.
    Other,
}

impl ModelFamily {
    /// Every family.
    pub const ALL: [ModelFamily; 8] = [
        Self::Cnn,
        Self::Vit,
        Self::Transformer,
        Self::Detector,
        Self::Detr,
        Self::Segmentation,
        Self::Mlp,
        Self::Other,
    ];
}

/// How the training loop calls `step()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Stepping {
    /// Once per optimizer update (what burn-train does).
    Update,
    /// Once per epoch (a hand-written loop, PyTorch style).
    Epoch,
}

/// How much compute the run may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Budget {
    /// Few epochs: get the most out of them (one-cycle).
    Tight,
    /// The usual budget of the domain.
    Normal,
}

/// A training run as the advisor and the linter see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDescription {
    /// The model family.
    pub model: ModelFamily,
    /// Number of epochs.
    pub epochs: u64,
    /// Optimizer updates per epoch (after gradient accumulation).
    pub steps_per_epoch: u64,
    /// Images or sequences per update (after gradient accumulation).
    pub batch_size: u64,
    /// The optimizer; `None` lets the recipe choose.
    pub optimizer: Option<OptimizerKind>,
    /// The optimizer's base LR, when already chosen.
    pub base_lr: Option<f64>,
    /// Fine-tuning a pretrained model (rather than training from scratch).
    pub fine_tune: bool,
    /// How `step()` is called.
    pub stepping: Stepping,
    /// Compute budget.
    pub budget: Budget,
    /// Whether a validation metric is computed every epoch.
    pub validation: bool,
    /// The base LR came from an LR range test (the finder).
    pub lr_from_finder: bool,
    /// The optimizer's weight decay (0: none).
    pub weight_decay: f64,
    /// The weight decay is decoupled (the `decouple` option of D-Adapt Adam
    /// and Prodigy; AdamW's kind of decay).
    pub decouple: bool,
    /// Prodigy's `safeguard_warmup` option.
    pub safeguard_warmup: bool,
}

impl RunDescription {
    /// A run of `epochs` epochs of `steps_per_epoch` updates of `batch_size`,
    /// stepped per update, from scratch, with validation and a normal budget,
    /// no weight decay, an LR not from the finder and no `safeguard_warmup`.
    pub fn new(model: ModelFamily, epochs: u64, steps_per_epoch: u64, batch_size: u64) -> Self {
        Self {
            model,
            epochs,
            steps_per_epoch,
            batch_size,
            optimizer: None,
            base_lr: None,
            fine_tune: false,
            stepping: Stepping::Update,
            budget: Budget::Normal,
            validation: true,
            lr_from_finder: false,
            weight_decay: 0.0,
            decouple: false,
            safeguard_warmup: false,
        }
    }

    /// Checks every field: counts of at least 1, at most [`MAX_STEPS`] calls
    /// of `step()` in all, a base LR (when given) finite, `> 0` and at most 1e100,
    /// and a finite weight decay `>= 0`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &str, value: &dyn fmt::Display, allowed: String| {
            ConfigError::invalid(field, value, allowed)
        };
        for (field, value) in [
            ("epochs", self.epochs),
            ("steps_per_epoch", self.steps_per_epoch),
            ("batch_size", self.batch_size),
        ] {
            if value == 0 {
                return Err(invalid(field, &value, "an integer >= 1".into()));
            }
        }
        let updates = self.epochs.checked_mul(self.steps_per_epoch);
        if updates.is_none_or(|n| n > MAX_STEPS) {
            return Err(invalid(
                "epochs",
                &self.epochs,
                format!(
                    "at most {MAX_STEPS} updates in all (epochs x steps_per_epoch; here {} x {})",
                    self.epochs, self.steps_per_epoch
                ),
            ));
        }
        if let Some(lr) = self.base_lr
            && !(lr.is_finite() && lr > 0.0 && lr <= MAX_LR)
        {
            // ConfigError::invalid shows a 300-digit number in `e` notation.
            return Err(invalid(
                "base_lr",
                &lr,
                format!("a finite number in (0, {MAX_LR:e}]"),
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(invalid(
                "weight_decay",
                &self.weight_decay,
                "a finite number >= 0".into(),
            ));
        }
        Ok(())
    }

    /// Optimizer updates over the whole run (saturating: [`validate`](Self::validate)
    /// bounds it).
    pub fn total_updates(&self) -> u64 {
        self.epochs.saturating_mul(self.steps_per_epoch)
    }

    /// Calls of `step()` over the whole run.
    pub fn total_steps(&self) -> u64 {
        match self.stepping {
            Stepping::Update => self.total_updates(),
            Stepping::Epoch => self.epochs,
        }
    }

    /// `step()` calls per epoch.
    pub fn steps_per_call_epoch(&self) -> u64 {
        match self.stepping {
            Stepping::Update => self.steps_per_epoch,
            Stepping::Epoch => 1,
        }
    }
}
