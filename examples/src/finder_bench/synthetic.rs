//! Generated datasets: a three-armed spiral (classification), a regression
//! with unscaled targets (its mean squared error starts in the thousands) and
//! a tabular classification labelled by a random teacher network. All are
//! fixed: the same points on every machine, split 80% / 20%.

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::digits::shuffle;

/// One generated sample: features with a class label or a real value.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The inputs.
    pub features: Vec<f32>,
    /// The class (classification tasks).
    pub label: i64,
    /// The target value (regression tasks).
    pub value: f32,
}

/// A batch of [`Sample`]s.
#[derive(Debug, Clone)]
pub struct SampleBatch {
    /// `[batch, features]`.
    pub features: Tensor<2>,
    /// `[batch]` classes.
    pub labels: Tensor<1, Int>,
    /// `[batch, 1]` target values.
    pub values: Tensor<2>,
}

/// Stacks [`Sample`]s into a [`SampleBatch`].
#[derive(Debug, Clone, Default)]
pub struct SampleBatcher;

impl Batcher<Sample, SampleBatch> for SampleBatcher {
    fn batch(&self, items: Vec<Sample>, device: &Device) -> SampleBatch {
        let n = items.len();
        let width = items.first().map_or(0, |s| s.features.len());
        let features: Vec<f32> = items.iter().flat_map(|s| s.features.clone()).collect();
        let labels: Vec<i64> = items.iter().map(|s| s.label).collect();
        let values: Vec<f32> = items.iter().map(|s| s.value).collect();
        SampleBatch {
            features: Tensor::from_data(TensorData::new(features, [n, width]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
            values: Tensor::from_data(TensorData::new(values, [n, 1]), device),
        }
    }
}

/// A deterministic uniform number in `[0, 1)` from a counter (splitmix64).
pub(super) fn uniform(i: u64) -> f32 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
}

fn split(mut samples: Vec<Sample>) -> (InMemDataset<Sample>, InMemDataset<Sample>) {
    shuffle(&mut samples, 0);
    let valid = samples.split_off(samples.len() * 4 / 5);
    (InMemDataset::new(samples), InMemDataset::new(valid))
}

/// Classes of the spiral.
pub const SPIRAL_ARMS: usize = 3;

/// 300 points on each of three interleaved spiral arms, with noise in the angle.
pub fn spiral() -> (InMemDataset<Sample>, InMemDataset<Sample>) {
    let per_arm = 300;
    let samples = (0..SPIRAL_ARMS * per_arm)
        .map(|i| {
            let (arm, j) = (i / per_arm, i % per_arm);
            let radius = j as f32 / per_arm as f32;
            let angle = arm as f32 * std::f32::consts::TAU / SPIRAL_ARMS as f32
                + 4.0 * radius
                + 0.3 * (uniform(i as u64) - 0.5);
            Sample {
                features: vec![radius * angle.cos(), radius * angle.sin()],
                label: arm as i64,
                value: 0.0,
            }
        })
        .collect();
    split(samples)
}

/// Features of the regression.
pub const REGRESSION_FEATURES: usize = 8;

/// 1,000 samples of 8 features in `[-1, 1]`; the target is
/// `200 + 60 x0 - 40 x1 x2 + 30 sin(3 x3) + 20 x4^2` plus noise of +-5: a loss
/// scale far from a classifier's ~2.3 (the untrained MSE is about 40,000).
pub fn regression() -> (InMemDataset<Sample>, InMemDataset<Sample>) {
    let samples = (0..1000u64)
        .map(|i| {
            let x: Vec<f32> = (0..REGRESSION_FEATURES as u64)
                .map(|k| 2.0 * uniform(1_000_000 + 16 * i + k) - 1.0)
                .collect();
            let value = 200.0 + 60.0 * x[0] - 40.0 * x[1] * x[2]
                + 30.0 * (3.0 * x[3]).sin()
                + 20.0 * x[4] * x[4]
                + 10.0 * (uniform(2_000_000 + i) - 0.5);
            Sample {
                features: x,
                label: 0,
                value,
            }
        })
        .collect();
    split(samples)
}

/// Features of the tabular task.
pub const TABULAR_FEATURES: usize = 12;
/// Classes of the tabular task.
pub const TABULAR_CLASSES: usize = 4;

/// 2,000 rows of a tabular classification: 8 continuous features on
/// different scales (standard deviations from 0.5 to 4, as unnormalised
/// columns are) and 4 binary ones; the class is the argmax of a fixed random
/// tanh teacher network (12-16-4), with 5% of the labels flipped at random.
pub fn tabular() -> (InMemDataset<Sample>, InMemDataset<Sample>) {
    let weight = |layer: u64, i: usize, j: usize| {
        2.0 * uniform(3_000_000 + layer * 10_000 + (i * 64 + j) as u64) - 1.0
    };
    let samples = (0..2000u64)
        .map(|i| {
            let u = |k: usize| uniform(4_000_000 + 16 * i + k as u64);
            let x: Vec<f32> = (0..TABULAR_FEATURES)
                .map(|k| match k {
                    0..8 => (0.5 + 0.5 * k as f32) * (2.0 * u(k) - 1.0),
                    _ => (u(k) < 0.5) as u8 as f32,
                })
                .collect();
            let hidden: Vec<f32> = (0..16)
                .map(|h| {
                    let z: f32 = x.iter().enumerate().map(|(k, v)| weight(0, h, k) * v).sum();
                    (0.6 * z).tanh()
                })
                .collect();
            let logits: Vec<f32> = (0..TABULAR_CLASSES)
                .map(|c| {
                    hidden
                        .iter()
                        .enumerate()
                        .map(|(h, v)| weight(1, c, h) * v)
                        .sum()
                })
                .collect();
            let teacher = (0..TABULAR_CLASSES)
                .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
                .unwrap_or(0);
            let noisy = uniform(5_000_000 + i) < 0.05;
            let label = if noisy {
                (uniform(6_000_000 + i) * TABULAR_CLASSES as f32) as usize % TABULAR_CLASSES
            } else {
                teacher
            };
            Sample {
                features: x,
                label: label as i64,
                value: 0.0,
            }
        })
        .collect();
    split(samples)
}
