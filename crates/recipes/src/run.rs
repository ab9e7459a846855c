//! What the advisor and the linter know about a training run.

use serde::Serialize;

/// The kind of model being trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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

/// The optimizer family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// SGD with momentum.
    Sgd,
    /// Adam.
    Adam,
    /// AdamW (decoupled weight decay).
    AdamW,
}

impl OptimizerKind {
    /// Adam and AdamW adapt the step size per parameter.
    pub fn is_adaptive(self) -> bool {
        matches!(self, Self::Adam | Self::AdamW)
    }
}

/// How the training loop calls `step()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stepping {
    /// Once per optimizer update (what burn-train does).
    Update,
    /// Once per epoch (a hand-written loop, PyTorch style).
    Epoch,
}

/// How much compute the run may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
}

impl RunDescription {
    /// A run of `epochs` epochs of `steps_per_epoch` updates of `batch_size`,
    /// stepped per update, from scratch, with validation and a normal budget.
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
        }
    }

    /// Calls of `step()` over the whole run.
    pub fn total_steps(&self) -> u64 {
        match self.stepping {
            Stepping::Update => self.epochs * self.steps_per_epoch,
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
