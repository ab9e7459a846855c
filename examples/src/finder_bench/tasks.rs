//! The benchmark's task/optimizer pairs, and the two things done with each:
//! a warmup + cosine training at a given peak LR (the grid), and an LR range
//! test (the curves the rules read).

use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::data::dataset::{Dataset, InMemDataset};
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::Module;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use burn::tensor::Device;
use burn::train::metric::{Adaptor, LossInput};
use burn::train::{InferenceStep, TrainStep};
use burn_lr_finder::{Curve, FinderConfig, Optimizer, Stop, loss_of, range_test};
use burn_lr_schedule::Spec;
use burn_lr_schedule::curves::{CosineWithWarmup, OneCycleLr};

use super::models::{Cnn, FeatureClassifier, FeatureRegressor, NormMlp};
use super::synthetic::{self, REGRESSION_FEATURES, SPIRAL_ARMS, Sample, SampleBatcher};
use crate::digits::{self, Digit, DigitBatcher};
use crate::model::Mlp;
use crate::pixels::{MaskBatcher, PixelNet};

/// Examples per update, in the grid and in the range tests.
pub const BATCH: usize = 64;
/// Updates of each grid training.
pub const STEPS: u64 = 300;
/// Of which linear warmup.
pub const WARMUP: u64 = 30;

/// The optimizers of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerChoice {
    /// SGD with momentum 0.9 (burn's default dampening 0.1).
    SgdMomentum,
    /// Adam with burn's defaults.
    Adam,
    /// AdamW with weight decay 0.05.
    AdamW,
}

impl OptimizerChoice {
    fn init(self) -> ModuleOptimizer {
        match self {
            Self::SgdMomentum => SgdConfig::new()
                .with_momentum(Some(MomentumConfig::new()))
                .init(),
            Self::Adam => AdamConfig::new().init(),
            Self::AdamW => AdamWConfig::new().with_weight_decay(0.05).init(),
        }
    }

    /// The finder's optimizer family (for the hand-off's advice).
    pub fn family(self) -> Optimizer {
        match self {
            Self::SgdMomentum => Optimizer::Sgd,
            Self::Adam | Self::AdamW => Optimizer::Adam,
        }
    }
}

/// The schedules the grid trains with, over [`STEPS`] updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridSchedule {
    /// Linear warmup over [`WARMUP`] updates, then half a cosine to 0
    /// (transformers' `get_cosine_schedule_with_warmup`); the LR is its peak.
    WarmupCosine,
    /// PyTorch's `OneCycleLR` with its defaults; the LR is `max_lr`.
    OneCycle,
}

impl GridSchedule {
    /// Both, in report order.
    pub const ALL: [GridSchedule; 2] = [GridSchedule::WarmupCosine, GridSchedule::OneCycle];

    /// The name in the data files.
    pub fn name(self) -> &'static str {
        match self {
            Self::WarmupCosine => "warmup_cosine",
            Self::OneCycle => "one_cycle",
        }
    }

    fn scheduler(self, lr: f64) -> Result<ModuleLrScheduler, String> {
        let scheduler = match self {
            Self::WarmupCosine => Spec::new(CosineWithWarmup::new(WARMUP, STEPS)).init(lr),
            Self::OneCycle => Spec::new(OneCycleLr::new(lr, STEPS)).init(lr),
        };
        scheduler
            .map(ModuleLrScheduler::from)
            .map_err(|e| e.to_string())
    }
}

/// A range test's outcome, without the model.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The recorded points.
    pub curve: Curve,
    /// Why it ended.
    pub stop: Stop,
}

/// A task/optimizer pair of the benchmark.
pub trait Task: Send + Sync {
    /// Short name (`digits-mlp-sgd`).
    fn name(&self) -> &'static str;
    /// The task in words.
    fn about(&self) -> &'static str;
    /// Its optimizer.
    fn optimizer(&self) -> OptimizerChoice;
    /// Updates per epoch at [`BATCH`].
    fn steps_per_epoch(&self) -> usize;
    /// Validation loss of the untrained model of `seed`.
    fn untrained_loss(&self, seed: u64) -> Result<f64, String>;
    /// Trains [`STEPS`] updates of `schedule` peaking at `peak_lr` from the
    /// initial weights and batch order of `seed`; the final validation loss,
    /// infinite if the training loss turned non-finite.
    fn train(&self, seed: u64, schedule: GridSchedule, peak_lr: f64) -> Result<f64, String>;
    /// An LR range test from the initial weights and batch order of `seed`.
    fn range_test(&self, seed: u64, config: &FinderConfig) -> Result<Sweep, String>;
}

/// A [`Task`] from a model constructor and a dataset.
struct Bench<M, I, B> {
    name: &'static str,
    about: &'static str,
    optimizer: OptimizerChoice,
    model: fn(&Device) -> M,
    data: fn() -> (InMemDataset<I>, InMemDataset<I>),
    batcher: B,
}

impl<M, I, B> Bench<M, I, B>
where
    M: TrainStep + InferenceStep<Input = <M as TrainStep>::Input> + Module,
    <M as TrainStep>::Output: Adaptor<LossInput>,
    <M as InferenceStep>::Output: Adaptor<LossInput>,
    I: Clone + std::fmt::Debug + Send + Sync + 'static,
    B: Batcher<I, <M as TrainStep>::Input> + Clone + 'static,
    <M as TrainStep>::Input: Clone + std::fmt::Debug + Send + 'static,
{
    fn model(&self, seed: u64) -> M {
        let device = Device::default().autodiff();
        device.seed(seed);
        (self.model)(&device)
    }

    fn loader(&self, seed: u64) -> Arc<dyn DataLoader<<M as TrainStep>::Input>> {
        DataLoaderBuilder::new(self.batcher.clone())
            .batch_size(BATCH)
            .shuffle(seed)
            .build((self.data)().0)
    }

    /// The validation loss, on the whole validation set as one batch.
    fn valid_loss(&self, model: &M) -> Result<f64, String> {
        let valid = (self.data)().1;
        let loader = DataLoaderBuilder::new(self.batcher.clone())
            .batch_size(valid.len())
            .build(valid);
        match loader.iter().next() {
            Some(Ok(batch)) => Ok(loss_of(&InferenceStep::step(model, batch))),
            Some(Err(error)) => Err(format!(
                "{}: the validation loader failed: {error}",
                self.name
            )),
            None => Err(format!("{}: no validation batch", self.name)),
        }
    }
}

impl<M, I, B> Task for Bench<M, I, B>
where
    M: TrainStep + InferenceStep<Input = <M as TrainStep>::Input> + Module,
    <M as TrainStep>::Output: Adaptor<LossInput>,
    <M as InferenceStep>::Output: Adaptor<LossInput>,
    I: Clone + std::fmt::Debug + Send + Sync + 'static,
    B: Batcher<I, <M as TrainStep>::Input> + Clone + Send + Sync + 'static,
    <M as TrainStep>::Input: Clone + std::fmt::Debug + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn about(&self) -> &'static str {
        self.about
    }

    fn optimizer(&self) -> OptimizerChoice {
        self.optimizer
    }

    fn steps_per_epoch(&self) -> usize {
        (self.data)().0.len().div_ceil(BATCH)
    }

    fn untrained_loss(&self, seed: u64) -> Result<f64, String> {
        self.valid_loss(&self.model(seed))
    }

    fn train(&self, seed: u64, schedule: GridSchedule, peak_lr: f64) -> Result<f64, String> {
        let mut model = self.model(seed);
        let mut optim = self.optimizer.init();
        let mut scheduler = schedule.scheduler(peak_lr)?;
        let loader = self.loader(seed);
        let mut batches = loader.iter();
        for _ in 0..STEPS {
            let batch = match batches.next() {
                Some(batch) => batch,
                None => {
                    batches = loader.iter();
                    batches
                        .next()
                        .ok_or("the training loader yields no batch")?
                }
            };
            let batch =
                batch.map_err(|e| format!("{}: the training loader failed: {e}", self.name))?;
            let lr = scheduler.step();
            let output = TrainStep::step(&model, batch);
            if !loss_of(&output.item).is_finite() {
                return Ok(f64::INFINITY);
            }
            model = model.optimize(&mut optim, lr, output.grads);
        }
        let loss = self.valid_loss(&model)?;
        Ok(if loss.is_finite() {
            loss
        } else {
            f64::INFINITY
        })
    }

    fn range_test(&self, seed: u64, config: &FinderConfig) -> Result<Sweep, String> {
        let test = range_test(
            self.model(seed),
            self.optimizer.init(),
            self.loader(seed),
            config,
        )
        .map_err(|e| e.to_string())?;
        Ok(Sweep {
            curve: test.curve,
            stop: test.stop,
        })
    }
}

fn digits_split() -> (InMemDataset<Digit>, InMemDataset<Digit>) {
    digits::split(0)
}

/// Every task of the benchmark, in report order.
pub fn all() -> Vec<Box<dyn Task>> {
    use OptimizerChoice::{Adam, AdamW, SgdMomentum};
    vec![
        Box::new(Bench {
            name: "digits-mlp-sgd",
            about: "digits, MLP 64-128-10, SGD with momentum",
            optimizer: SgdMomentum,
            model: |d| Mlp::new(128, d),
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "digits-mlp-adam",
            about: "digits, MLP 64-128-10, Adam",
            optimizer: Adam,
            model: |d| Mlp::new(128, d),
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "digits-cnn-sgd",
            about: "digits, two 3x3 convolutions and max-pooling, SGD with momentum",
            optimizer: SgdMomentum,
            model: Cnn::new,
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "digits-cnn-adamw",
            about: "digits, the same CNN, AdamW (weight decay 0.05)",
            optimizer: AdamW,
            model: Cnn::new,
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "digits-layernorm-sgd",
            about: "digits, MLP with LayerNorm after each hidden layer, SGD with momentum",
            optimizer: SgdMomentum,
            model: NormMlp::new,
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "pixels-sgd",
            about: "per-pixel ink/background labels of noisy digits (segmentation-style), SGD with momentum",
            optimizer: SgdMomentum,
            model: PixelNet::new,
            data: digits_split,
            batcher: MaskBatcher,
        }),
        Box::new(Bench {
            name: "spiral-adam",
            about: "three-armed spiral (generated), MLP 2-64-64-3, Adam",
            optimizer: Adam,
            model: |d| FeatureClassifier::new(2, SPIRAL_ARMS, d),
            data: synthetic::spiral as fn() -> (InMemDataset<Sample>, InMemDataset<Sample>),
            batcher: SampleBatcher,
        }),
        Box::new(Bench {
            name: "regression-adam",
            about: "regression with unscaled targets (generated, MSE about 40,000 untrained), MLP 8-64-64-1, Adam",
            optimizer: Adam,
            model: |d| FeatureRegressor::new(REGRESSION_FEATURES, d),
            data: synthetic::regression,
            batcher: SampleBatcher,
        }),
    ]
}
