//! A tiny transformer on modular addition (`a + b mod 23` from the tokens
//! `a b =`), for the warmup experiment: post-norm transformers at a high LR.

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::{ClassificationOutput, InferenceStep, TrainStep};

use crate::digits::shuffle;

/// The modulus (and the number of classes).
pub const MODULUS: usize = 23;
const SEQUENCE: usize = 3;
const EQUALS: usize = MODULUS;

/// One problem: `a + b mod MODULUS`.
#[derive(Debug, Clone, Copy)]
pub struct Sum {
    a: usize,
    b: usize,
}

/// All `MODULUS^2` problems, half for training and half for validation (seeded).
pub fn split(seed: u64) -> (InMemDataset<Sum>, InMemDataset<Sum>) {
    let mut all: Vec<Sum> = (0..MODULUS)
        .flat_map(|a| (0..MODULUS).map(move |b| Sum { a, b }))
        .collect();
    shuffle(&mut all, seed);
    let valid = all.split_off(all.len() / 2);
    (InMemDataset::new(all), InMemDataset::new(valid))
}

/// Token and position ids with their answers.
#[derive(Debug, Clone)]
pub struct SumBatch {
    tokens: Tensor<2, Int>,
    positions: Tensor<2, Int>,
    targets: Tensor<1, Int>,
}

/// Batches [`Sum`]s.
#[derive(Debug, Clone, Default)]
pub struct SumBatcher;

impl Batcher<Sum, SumBatch> for SumBatcher {
    fn batch(&self, items: Vec<Sum>, device: &Device) -> SumBatch {
        let n = items.len();
        let tokens: Vec<i64> = items
            .iter()
            .flat_map(|s| [s.a as i64, s.b as i64, EQUALS as i64])
            .collect();
        let positions: Vec<i64> = (0..n).flat_map(|_| 0..SEQUENCE as i64).collect();
        let targets: Vec<i64> = items
            .iter()
            .map(|s| ((s.a + s.b) % MODULUS) as i64)
            .collect();
        SumBatch {
            tokens: Tensor::from_data(TensorData::new(tokens, [n, SEQUENCE]), device),
            positions: Tensor::from_data(TensorData::new(positions, [n, SEQUENCE]), device),
            targets: Tensor::from_data(TensorData::new(targets, [n]), device),
        }
    }
}

/// Token and position embeddings, a 2-layer post-norm encoder, and a linear
/// readout of the last position.
#[derive(Module, Debug)]
pub struct TinyTransformer {
    tokens: Embedding,
    positions: Embedding,
    encoder: TransformerEncoder,
    head: Linear,
}

impl TinyTransformer {
    /// Width 64, 4 heads, feed-forward 128, no dropout.
    pub fn new(device: &Device) -> Self {
        let d = 64;
        Self {
            tokens: EmbeddingConfig::new(MODULUS + 1, d).init(device),
            positions: EmbeddingConfig::new(SEQUENCE, d).init(device),
            encoder: TransformerEncoderConfig::new(d, 128, 4, 2)
                .with_dropout(0.0)
                .init(device),
            head: LinearConfig::new(d, MODULUS).init(device),
        }
    }

    fn classify(&self, batch: SumBatch) -> ClassificationOutput {
        let [n, s] = batch.tokens.dims();
        let x = self.tokens.forward(batch.tokens) + self.positions.forward(batch.positions);
        let h = self.encoder.forward(TransformerEncoderInput::new(x));
        let d = h.dims()[2];
        let last = h.slice([0..n, s - 1..s, 0..d]).squeeze_dim::<2>(1);
        let logits = self.head.forward(last);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

burn_lr_testkit::steps!(TinyTransformer, SumBatch, ClassificationOutput, classify);

/// Updates per epoch at batch 32 (265 training problems).
pub const BATCH: usize = 32;

/// How a study run is optimized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimization {
    /// Adam at a constant LR, after a linear warmup from 0 over the first 10%
    /// of the updates when `warmup`.
    Adam {
        /// With the warmup.
        warmup: bool,
    },
    /// AdamW, a 10% warmup from 1%, then a cosine to 0 at the last update.
    CosineAdamW,
    /// Schedule-free AdamW at a constant LR, warming up over 10% of the
    /// updates inside the optimizer, validated at its average.
    ScheduleFreeAdamW,
}

/// Trains the tiny transformer with Adam at `lr` for `epochs`, with a constant
/// LR, or with a linear warmup from 0 over the first 10% of the updates
/// first. Returns what each epoch logged (train loss, accuracy, LR).
pub fn train(seed: u64, lr: f64, warmup: bool, epochs: usize) -> Vec<crate::report::EpochRow> {
    train_with(seed, lr, Optimization::Adam { warmup }, epochs)
}

/// Trains the tiny transformer at `lr` for `epochs` as `optimization` says.
pub fn train_with(
    seed: u64,
    lr: f64,
    optimization: Optimization,
    epochs: usize,
) -> Vec<crate::report::EpochRow> {
    use burn::data::dataset::Dataset;
    use burn::optim::{AdamConfig, AdamWConfig};
    use burn_lr_core::Spec;
    use burn_lr_core::optim::schedule_free::{Averaged, ScheduleFreeAdamWConfig};
    use burn_lr_core::schedules::{ConstantLr, CosineAnnealingLr};

    let updates = (epochs * split(seed).0.len().div_ceil(BATCH)) as u64;
    let warmup = updates.div_ceil(10);
    let constant = Spec::new(ConstantLr::new(1.0, 1));
    let device = Device::default().autodiff();
    device.seed(seed);
    let model = TinyTransformer::new(&device);
    let name = format!("{optimization:?}-lr{lr}-s{seed}").replace([' ', '{', '}', ':'], "");
    let directory = std::path::PathBuf::from("target/burn-lr-runs/transformer").join(name);
    let _ = std::fs::remove_dir_all(&directory);
    let scheduler = |spec: Spec| spec.init(lr).map_err(|e| e.to_string());
    let launched = match optimization {
        Optimization::Adam { warmup: with } => {
            let spec = if with {
                constant.with_warmup(warmup, 0.0)
            } else {
                constant
            };
            scheduler(spec)
                .and_then(|s| launch(&directory, seed, epochs, model, AdamConfig::new().init(), s))
        }
        Optimization::CosineAdamW => {
            let spec =
                Spec::new(CosineAnnealingLr::new(updates - warmup)).with_warmup(warmup, 0.01);
            scheduler(spec).and_then(|s| {
                launch(
                    &directory,
                    seed,
                    epochs,
                    model,
                    AdamWConfig::new().init(),
                    s,
                )
            })
        }
        Optimization::ScheduleFreeAdamW => {
            let built = ScheduleFreeAdamWConfig::new()
                .with_warmup_steps(warmup)
                .init()
                .map_err(|e| e.to_string());
            built.and_then(|(optim, handle)| {
                scheduler(constant).and_then(|s| {
                    launch(
                        &directory,
                        seed,
                        epochs,
                        Averaged::new(model, handle),
                        optim,
                        s,
                    )
                })
            })
        }
    };
    if let Err(error) = launched {
        eprintln!("transformer: {error}");
    }
    crate::report::read_epochs(&directory, epochs)
}

/// One burn-train run on the modular-addition data.
fn launch<M>(
    directory: &std::path::Path,
    seed: u64,
    epochs: usize,
    model: M,
    optim: burn::optim::ModuleOptimizer,
    scheduler: burn_lr_core::ModuleSchedule,
) -> Result<(), String>
where
    M: burn::train::LearnerModel
        + TrainStep<Input = SumBatch, Output = ClassificationOutput>
        + InferenceStep<Input = SumBatch, Output = ClassificationOutput>,
{
    use burn::data::dataloader::DataLoaderBuilder;
    use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
    use burn::train::{Learner, SupervisedTraining};

    let (train, valid) = split(seed);
    let result = SupervisedTraining::new(
        directory,
        DataLoaderBuilder::new(SumBatcher)
            .batch_size(BATCH)
            .shuffle(seed)
            .build(train),
        DataLoaderBuilder::new(SumBatcher)
            .batch_size(256)
            .build(valid),
    )
    .num_epochs(epochs)
    .renderer(Box::new(crate::renderer::EpochLines::quiet()))
    .with_application_logger(None)
    .metric_train_numeric(LearningRateMetric::new())
    .metric_train_numeric(LossMetric::new())
    .metric_valid_numeric(LossMetric::new())
    .metric_valid_numeric(AccuracyMetric::new())
    .launch(Learner::new(model, optim, scheduler));
    match result.error {
        Some(error) => Err(error.to_string()),
        None => Ok(()),
    }
}

/// A run diverged when its last training loss is not finite or has not
/// fallen below 90% of chance level (`ln 23`).
pub fn diverged(rows: &[crate::report::EpochRow]) -> bool {
    rows.last()
        .is_none_or(|r| !r.train_loss.is_finite() || r.train_loss >= 0.9 * (MODULUS as f64).ln())
}

/// One line of the warmup study: the runs of every seed at one LR, with or without warmup.
pub struct StudyRow {
    /// The constant LR.
    pub lr: f64,
    /// Whether a 10% linear warmup came first.
    pub warmup: bool,
    /// What each seed's run logged.
    pub runs: Vec<Vec<crate::report::EpochRow>>,
}

impl StudyRow {
    /// How many runs diverged.
    pub fn diverged(&self) -> usize {
        self.runs.iter().filter(|r| diverged(r)).count()
    }

    /// The final training loss of each run.
    pub fn final_losses(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|r| {
                r.last()
                    .map_or("-".into(), |r| format!("{:.3}", r.train_loss))
            })
            .collect()
    }
}

/// Trains every seed at every LR, without and with warmup.
pub fn warmup_study(seeds: &[u64], lrs: &[f64], epochs: usize) -> Vec<StudyRow> {
    lrs.iter()
        .flat_map(|&lr| [false, true].map(|warmup| (lr, warmup)))
        .map(|(lr, warmup)| StudyRow {
            lr,
            warmup,
            runs: seeds
                .iter()
                .map(|&s| train(s, lr, warmup, epochs))
                .collect(),
        })
        .collect()
}
