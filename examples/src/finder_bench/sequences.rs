//! A sequence task a small transformer learns within a few hundred updates:
//! reverse a sequence of [`LENGTH`] tokens drawn from [`VOCABULARY`] symbols.
//! The data are generated once (the same on every machine): 4,000 training
//! and 1,000 validation sequences.

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::ClassificationOutput;

use super::synthetic::uniform;
use burn_lr_testkit::steps;

/// Tokens per sequence.
pub const LENGTH: usize = 8;
/// Distinct tokens.
pub const VOCABULARY: usize = 10;

/// One sequence; its target is the same tokens in reverse order.
#[derive(Debug, Clone)]
pub struct Sequence {
    /// The tokens, each in `0..VOCABULARY`.
    pub tokens: Vec<i64>,
}

/// A batch of sequences.
#[derive(Debug, Clone)]
pub struct SequenceBatch {
    /// `[batch, LENGTH]` input tokens.
    pub tokens: Tensor<2, Int>,
    /// `[batch, LENGTH]` positions `0..LENGTH`.
    pub positions: Tensor<2, Int>,
    /// `[batch * LENGTH]` target tokens, row by row.
    pub targets: Tensor<1, Int>,
}

/// Stacks [`Sequence`]s into a [`SequenceBatch`].
#[derive(Debug, Clone, Default)]
pub struct SequenceBatcher;

impl Batcher<Sequence, SequenceBatch> for SequenceBatcher {
    fn batch(&self, items: Vec<Sequence>, device: &Device) -> SequenceBatch {
        let n = items.len();
        let tokens: Vec<i64> = items.iter().flat_map(|s| s.tokens.clone()).collect();
        let targets: Vec<i64> = items
            .iter()
            .flat_map(|s| s.tokens.iter().rev().copied())
            .collect();
        let positions: Vec<i64> = (0..n).flat_map(|_| 0..LENGTH as i64).collect();
        SequenceBatch {
            tokens: Tensor::from_data(TensorData::new(tokens, [n, LENGTH]), device),
            positions: Tensor::from_data(TensorData::new(positions, [n, LENGTH]), device),
            targets: Tensor::from_data(TensorData::new(targets, [n * LENGTH]), device),
        }
    }
}

/// The generated sequences: (training, validation).
pub fn reversal() -> (InMemDataset<Sequence>, InMemDataset<Sequence>) {
    let sequence = |i: u64| Sequence {
        tokens: (0..LENGTH as u64)
            .map(|k| (uniform(7_000_000 + 16 * i + k) * VOCABULARY as f32) as i64)
            .map(|t| t.min(VOCABULARY as i64 - 1))
            .collect(),
    };
    let train = (0..4000).map(sequence).collect();
    let valid = (4000..5000).map(sequence).collect();
    (InMemDataset::new(train), InMemDataset::new(valid))
}

/// Token and position embeddings (width 32), a 1-layer encoder (4 heads,
/// feed-forward 64, no dropout) and a linear readout at every position.
#[derive(Module, Debug)]
pub struct Reverser {
    tokens: Embedding,
    positions: Embedding,
    encoder: TransformerEncoder,
    head: Linear,
}

impl Reverser {
    /// A freshly initialised model on `device`.
    pub fn new(device: &Device) -> Self {
        let d = 32;
        Self {
            tokens: EmbeddingConfig::new(VOCABULARY, d).init(device),
            positions: EmbeddingConfig::new(LENGTH, d).init(device),
            encoder: TransformerEncoderConfig::new(d, 64, 4, 1)
                .with_dropout(0.0)
                .init(device),
            head: LinearConfig::new(d, VOCABULARY).init(device),
        }
    }

    fn output(&self, batch: SequenceBatch) -> ClassificationOutput {
        let [n, s] = batch.tokens.dims();
        let x = self.tokens.forward(batch.tokens) + self.positions.forward(batch.positions);
        let h = self.encoder.forward(TransformerEncoderInput::new(x));
        let logits = self.head.forward(h).reshape([n * s, VOCABULARY]);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

steps!(Reverser, SequenceBatch, ClassificationOutput, output);
