//! The benchmark's models that the other examples do not already have: a
//! small CNN, a layer-normalised MLP and a deep residual MLP for the digits,
//! and an MLP over generated feature vectors (classification or regression,
//! with ReLU, sigmoid or tanh units).

use burn::module::Module;
use burn::nn::activation::{Activation, ActivationConfig};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};
use burn::train::{ClassificationOutput, RegressionOutput};

use burn_lr_testkit::steps;

use super::synthetic::SampleBatch;
use crate::digits::{CLASSES, DigitBatch, PIXELS};

fn classification(
    logits: Tensor<2>,
    targets: burn::tensor::Tensor<1, burn::tensor::Int>,
) -> ClassificationOutput {
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), targets.clone());
    ClassificationOutput::new(loss, logits, targets)
}

/// `conv 3x3 (1 -> 8) -> ReLU -> conv 3x3 (8 -> 16) -> ReLU -> max-pool 2 -> Linear(256, 10)`.
#[derive(Module, Debug)]
pub struct Cnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    activation: Relu,
    head: Linear,
}

impl Cnn {
    /// A freshly initialised model on `device`.
    pub fn new(device: &Device) -> Self {
        let conv = |channels| {
            Conv2dConfig::new(channels, [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device)
        };
        Self {
            conv1: conv([1, 8]),
            conv2: conv([8, 16]),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            activation: Relu::new(),
            head: LinearConfig::new(16 * 4 * 4, CLASSES).init(device),
        }
    }

    fn output(&self, batch: DigitBatch) -> ClassificationOutput {
        let n = batch.images.dims()[0];
        let x = batch.images.reshape([n, 1, 8, 8]);
        let x = self.activation.forward(self.conv1.forward(x));
        let x = self
            .pool
            .forward(self.activation.forward(self.conv2.forward(x)));
        classification(self.head.forward(x.reshape([n, 16 * 4 * 4])), batch.targets)
    }
}

steps!(Cnn, DigitBatch, ClassificationOutput, output);

/// `Linear(64, 128) -> LayerNorm -> ReLU -> Linear(128, 128) -> LayerNorm -> ReLU -> Linear(128, 10)`.
#[derive(Module, Debug)]
pub struct NormMlp {
    layer1: Linear,
    norm1: LayerNorm,
    layer2: Linear,
    norm2: LayerNorm,
    activation: Relu,
    head: Linear,
}

impl NormMlp {
    /// A freshly initialised model on `device`.
    pub fn new(device: &Device) -> Self {
        Self {
            layer1: LinearConfig::new(PIXELS, 128).init(device),
            norm1: LayerNormConfig::new(128).init(device),
            layer2: LinearConfig::new(128, 128).init(device),
            norm2: LayerNormConfig::new(128).init(device),
            activation: Relu::new(),
            head: LinearConfig::new(128, CLASSES).init(device),
        }
    }

    fn output(&self, batch: DigitBatch) -> ClassificationOutput {
        let x = self
            .activation
            .forward(self.norm1.forward(self.layer1.forward(batch.images)));
        let x = self
            .activation
            .forward(self.norm2.forward(self.layer2.forward(x)));
        classification(self.head.forward(x), batch.targets)
    }
}

steps!(NormMlp, DigitBatch, ClassificationOutput, output);

/// `Linear(inputs, 64) -> act -> Linear(64, 64) -> act -> Linear(64, outputs)`
/// over generated feature vectors.
#[derive(Module, Debug)]
pub struct FeatureMlp {
    layer1: Linear,
    layer2: Linear,
    activation: Activation,
    head: Linear,
}

impl FeatureMlp {
    /// A freshly initialised model on `device` with `activation` units.
    pub fn new(
        inputs: usize,
        outputs: usize,
        activation: ActivationConfig,
        device: &Device,
    ) -> Self {
        Self {
            layer1: LinearConfig::new(inputs, 64).init(device),
            layer2: LinearConfig::new(64, 64).init(device),
            activation: activation.init(device),
            head: LinearConfig::new(64, outputs).init(device),
        }
    }

    fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let x = self.activation.forward(self.layer1.forward(features));
        self.head
            .forward(self.activation.forward(self.layer2.forward(x)))
    }
}

/// [`FeatureMlp`] classifying the samples' labels (cross-entropy).
#[derive(Module, Debug)]
pub struct FeatureClassifier {
    mlp: FeatureMlp,
}

impl FeatureClassifier {
    /// A freshly initialised model on `device` with `activation` units.
    pub fn new(
        inputs: usize,
        classes: usize,
        activation: ActivationConfig,
        device: &Device,
    ) -> Self {
        Self {
            mlp: FeatureMlp::new(inputs, classes, activation, device),
        }
    }

    fn output(&self, batch: SampleBatch) -> ClassificationOutput {
        classification(self.mlp.forward(batch.features), batch.labels)
    }
}

steps!(FeatureClassifier, SampleBatch, ClassificationOutput, output);

/// [`FeatureMlp`] predicting the samples' values (mean squared error).
#[derive(Module, Debug)]
pub struct FeatureRegressor {
    mlp: FeatureMlp,
}

impl FeatureRegressor {
    /// A freshly initialised model on `device`.
    pub fn new(inputs: usize, device: &Device) -> Self {
        Self {
            mlp: FeatureMlp::new(inputs, 1, ActivationConfig::Relu, device),
        }
    }

    fn output(&self, batch: SampleBatch) -> RegressionOutput {
        let output = self.mlp.forward(batch.features);
        let loss = MseLoss::new().forward(output.clone(), batch.values.clone(), Reduction::Mean);
        RegressionOutput {
            loss,
            output,
            targets: batch.values,
        }
    }
}

steps!(FeatureRegressor, SampleBatch, RegressionOutput, output);

/// Residual blocks of the [`ResidualMlp`].
pub const RESIDUAL_BLOCKS: usize = 6;

/// `Linear(64, 64)`, then [`RESIDUAL_BLOCKS`] blocks `x + Linear(ReLU(Linear(x)))`
/// of width 64, then `ReLU -> Linear(64, 10)`: a deep network whose stable
/// LRs are set by its depth.
#[derive(Module, Debug)]
pub struct ResidualMlp {
    stem: Linear,
    blocks: Vec<(Linear, Linear)>,
    activation: Relu,
    head: Linear,
}

impl ResidualMlp {
    /// A freshly initialised model on `device`.
    pub fn new(device: &Device) -> Self {
        let linear = || LinearConfig::new(64, 64).init(device);
        Self {
            stem: LinearConfig::new(PIXELS, 64).init(device),
            blocks: (0..RESIDUAL_BLOCKS).map(|_| (linear(), linear())).collect(),
            activation: Relu::new(),
            head: LinearConfig::new(64, CLASSES).init(device),
        }
    }

    fn output(&self, batch: DigitBatch) -> ClassificationOutput {
        let mut x = self.stem.forward(batch.images);
        for (inner, outer) in &self.blocks {
            x = x.clone() + outer.forward(self.activation.forward(inner.forward(x)));
        }
        classification(self.head.forward(self.activation.forward(x)), batch.targets)
    }
}

steps!(ResidualMlp, DigitBatch, ClassificationOutput, output);
