//! A user's own model and data: three 2-D clusters to classify with a small
//! network whose `backbone` and `head` train at different LRs.

use std::path::Path;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, LearnerModel, SupervisedTraining, TrainOutput, TrainStep,
};

/// Points per split.
pub const TRAIN_ITEMS: usize = 600;
/// Items per batch.
pub const BATCH: usize = 32;

/// One labelled point.
#[derive(Debug, Clone)]
pub struct Point {
    xy: [f32; 2],
    label: i64,
}

/// Three clusters around (0, 2), (2, -1) and (-2, -1), with a seeded jitter.
pub fn points(n: usize, seed: u64) -> Vec<Point> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut noise = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
    };
    let centers = [[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]];
    (0..n)
        .map(|i| {
            let c = centers[i % 3];
            Point {
                xy: [c[0] + 2.0 * noise(), c[1] + 2.0 * noise()],
                label: (i % 3) as i64,
            }
        })
        .collect()
}

/// A batch of points.
#[derive(Debug, Clone)]
pub struct Batch {
    xy: Tensor<2>,
    labels: Tensor<1, Int>,
}

/// Stacks points into a [`Batch`].
#[derive(Debug, Clone, Default)]
pub struct PointBatcher;

impl Batcher<Point, Batch> for PointBatcher {
    fn batch(&self, items: Vec<Point>, device: &Device) -> Batch {
        let n = items.len();
        let xy: Vec<f32> = items.iter().flat_map(|p| p.xy).collect();
        let labels: Vec<i64> = items.iter().map(|p| p.label).collect();
        Batch {
            xy: Tensor::from_data(TensorData::new(xy, [n, 2]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

/// `Linear(2, 16) -> ReLU -> Linear(16, 3)`.
#[derive(Module, Debug)]
pub struct Net {
    backbone: Linear,
    activation: Relu,
    head: Linear,
}

impl Net {
    /// A fresh network on `device`.
    pub fn new(device: &Device) -> Self {
        Self {
            backbone: LinearConfig::new(2, 16).init(device),
            activation: Relu::new(),
            head: LinearConfig::new(16, 3).init(device),
        }
    }

    fn classify(&self, batch: Batch) -> ClassificationOutput {
        let logits = self
            .head
            .forward(self.activation.forward(self.backbone.forward(batch.xy)));
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.labels.clone());
        ClassificationOutput::new(loss, logits, batch.labels)
    }
}

impl TrainStep for Net {
    type Input = Batch;
    type Output = ClassificationOutput;

    fn step(&self, batch: Batch) -> TrainOutput<ClassificationOutput> {
        let output = self.classify(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for Net {
    type Input = Batch;
    type Output = ClassificationOutput;

    fn step(&self, batch: Batch) -> ClassificationOutput {
        self.classify(batch)
    }
}

/// burn-train over the clusters for `epochs`, logging the LR, the loss and
/// the accuracy into `directory`.
pub fn training<M>(directory: &Path, epochs: usize) -> SupervisedTraining<M>
where
    M: LearnerModel
        + TrainStep<Input = Batch, Output = ClassificationOutput>
        + InferenceStep<Input = Batch, Output = ClassificationOutput>,
{
    let train = DataLoaderBuilder::new(PointBatcher)
        .batch_size(BATCH)
        .shuffle(1)
        .build(InMemDataset::new(points(TRAIN_ITEMS, 1)));
    let valid = DataLoaderBuilder::new(PointBatcher)
        .batch_size(BATCH)
        .build(InMemDataset::new(points(150, 2)));
    SupervisedTraining::new(directory, train, valid)
        .num_epochs(epochs)
        .with_application_logger(None)
        .metric_train_numeric(LearningRateMetric::new())
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
}

/// The values of a per-update training metric, epoch by epoch (empty for an
/// epoch that did not run).
pub fn logged(directory: &Path, name: &str, epochs: usize) -> Vec<Vec<f64>> {
    let mut logged =
        burn_lr::train::logged_per_batch(directory, name, &burn_lr::train::Split::Train)
            .unwrap_or_default();
    logged.resize(epochs, Vec::new());
    logged
}
