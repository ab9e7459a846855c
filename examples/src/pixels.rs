//! A segmentation-style task: label every pixel of a noisy 8x8 digit as ink
//! or background (per-pixel classification).

use burn::data::dataloader::batcher::Batcher;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::ClassificationOutput;

use crate::digits::{Digit, PIXELS};

/// Noisy pixels in, an ink/background label per pixel out.
#[derive(Debug, Clone)]
pub struct MaskBatch {
    /// `[batch, 64]` noisy pixels.
    pub noisy: Tensor<2>,
    /// `[batch * 64]` ink (1) or background (0) labels.
    pub masks: Tensor<1, Int>,
}

/// Batches [`Digit`]s into noisy pixels and ink masks.
#[derive(Debug, Clone, Default)]
pub struct MaskBatcher;

/// Deterministic noise in [-0.5, 0.5) from a pixel's index.
fn noise(i: u64) -> f32 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 31;
    (z % 1000) as f32 / 1000.0 - 0.5
}

impl Batcher<Digit, MaskBatch> for MaskBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> MaskBatch {
        let n = items.len();
        let noisy: Vec<f32> = items
            .iter()
            .flat_map(|d| {
                d.pixels.iter().enumerate().map(|(i, p)| {
                    p + noise(d.label as u64 * 1000 + i as u64 + (p * 16.0) as u64 * 64)
                })
            })
            .collect();
        let masks: Vec<i64> = items
            .iter()
            .flat_map(|d| d.pixels.map(|p| (p >= 0.5) as i64))
            .collect();
        MaskBatch {
            noisy: Tensor::from_data(TensorData::new(noisy, [n, PIXELS]), device),
            masks: Tensor::from_data(TensorData::new(masks, [n * PIXELS]), device),
        }
    }
}

/// `64 -> 256 -> 64 x 2` logits, one ink/background pair per pixel.
#[derive(Module, Debug)]
pub struct PixelNet {
    hidden: Linear,
    activation: Relu,
    out: Linear,
}

impl PixelNet {
    /// A freshly initialised model on `device`.
    pub fn new(device: &Device) -> Self {
        Self {
            hidden: LinearConfig::new(PIXELS, 256).init(device),
            activation: Relu::new(),
            out: LinearConfig::new(256, PIXELS * 2).init(device),
        }
    }

    /// Per-pixel logits, mean cross-entropy and masks of a batch.
    pub fn classify(&self, batch: MaskBatch) -> ClassificationOutput {
        let n = batch.noisy.dims()[0];
        let logits = self
            .out
            .forward(self.activation.forward(self.hidden.forward(batch.noisy)))
            .reshape([n * PIXELS, 2]);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.masks.clone());
        ClassificationOutput::new(loss, logits, batch.masks)
    }
}

burn_lr_testkit::steps!(PixelNet, MaskBatch, ClassificationOutput, classify);
