//! A small multilayer perceptron for the digits, trainable by burn-train.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Int, Tensor};
use burn::train::ClassificationOutput;

use crate::digits::{CLASSES, DigitBatch, PIXELS};

/// `Linear(64, hidden) -> ReLU -> Linear(hidden, 10)`: a `backbone` and a `head`,
/// so that parameter groups can tell them apart.
#[derive(Module, Debug)]
pub struct Mlp {
    backbone: Linear,
    activation: Relu,
    head: Linear,
}

impl Mlp {
    /// A freshly initialised model on `device` (use `device.autodiff()` to train).
    pub fn new(hidden: usize, device: &Device) -> Self {
        Self {
            backbone: LinearConfig::new(PIXELS, hidden).init(device),
            activation: Relu::new(),
            head: LinearConfig::new(hidden, CLASSES).init(device),
        }
    }

    /// The same backbone with a freshly initialised head (transfer to a new task).
    pub fn with_new_head(self) -> Self {
        let weight = self.backbone.weight.val();
        let hidden = weight.dims()[1];
        let device = weight.device();
        Self {
            head: LinearConfig::new(hidden, CLASSES).init(&device),
            ..self
        }
    }

    /// Logits `[batch, 10]`.
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.head
            .forward(self.activation.forward(self.backbone.forward(images)))
    }

    /// Logits, mean cross-entropy and targets of a batch.
    pub fn classify(&self, batch: DigitBatch) -> ClassificationOutput {
        let logits = self.forward(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

crate::steps!(Mlp, DigitBatch, ClassificationOutput, classify);

/// Fraction of `targets` that the argmax of `logits` gets right.
pub fn accuracy(logits: Tensor<2>, targets: Tensor<1, Int>) -> f64 {
    let n = targets.dims()[0] as f64;
    let hits = logits
        .argmax(1)
        .squeeze_dim::<1>(1)
        .equal(targets)
        .int()
        .sum();
    hits.into_scalar::<i64>() as f64 / n
}
