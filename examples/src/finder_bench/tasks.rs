//! The benchmark's task/optimizer pairs, and the two things done with each:
//! a training of a given length at a given peak LR (the grid), and an LR
//! range test (the curves the rules read).

use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::data::dataset::{Dataset, InMemDataset};
use burn::lr_scheduler::module_lr_scheduler::{ModuleLearningRate, ModuleLrScheduler};
use burn::module::Module;
use burn::nn::activation::ActivationConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::Device;
use burn::train::metric::{Adaptor, LossInput};
use burn::train::{ClassificationOutput, InferenceStep, RegressionOutput, TrainStep};
use burn_lr_core::OptimizerKind;
use burn_lr_core::Spec;
use burn_lr_core::schedules::{CosineWithWarmup, OneCycleLr};
use burn_lr_finder::tune::Trial;
use burn_lr_finder::{FinderConfig, Stop, SweepCurve, loss_of, range_test};

use super::lr_free::LrFreeChoice;
use super::models::{Cnn, FeatureClassifier, FeatureRegressor, NormMlp, ResidualMlp};
use super::sequences::{self, Reverser, SequenceBatcher};
use super::synthetic::{
    self, REGRESSION_FEATURES, SPIRAL_ARMS, Sample, SampleBatcher, TABULAR_CLASSES,
    TABULAR_FEATURES,
};
use crate::digits::{self, Digit, DigitBatch, DigitBatcher};
use crate::model::{Mlp, accuracy};
use crate::pixels::{MaskBatcher, PixelNet};

/// Examples per update of most tasks (the others say theirs).
pub const BATCH: usize = 64;
/// The run lengths the grid trains, in optimizer updates.
pub const LENGTHS: [u64; 3] = [300, 1000, 3000];
/// The warmup of warmup + cosine, as a fraction of the run.
pub const WARMUP_FRACTION: f64 = 0.1;

/// What a task's validation is scored by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// Classification accuracy (higher is better).
    Accuracy,
    /// Mean squared error (lower is better).
    Mse,
}

impl Quality {
    /// The metric's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy",
            Self::Mse => "MSE",
        }
    }

    /// `value` turned into a loss-like number (lower is better).
    pub fn as_loss(self, value: f64) -> f64 {
        match self {
            Self::Accuracy => -value,
            Self::Mse => value,
        }
    }

    /// Whether a run whose loss-like value is `best` learned the task, from
    /// the untrained model's `untrained`: 10 points of accuracy, or half of
    /// the squared error.
    pub fn learned(self, best: f64, untrained: f64) -> bool {
        match self {
            Self::Accuracy => best <= untrained - 0.1,
            Self::Mse => best <= 0.5 * untrained,
        }
    }

    /// How much worse than the best a run may be and still be as good, up
    /// to noise: one point of accuracy (about three validation images in a
    /// few hundred), or 5% of the best squared error.
    pub fn tolerance(self, best: f64) -> f64 {
        match self {
            Self::Accuracy => 0.01,
            Self::Mse => 0.05 * best.abs(),
        }
    }
}

/// The validation after a training: loss and the task's metric (NaN when
/// the training's loss turned non-finite: the run diverged).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Validation loss (infinite when the run diverged).
    pub valid_loss: f64,
    /// The task's [`Quality`] metric (NaN when the run diverged).
    pub metric: f64,
}

impl Outcome {
    /// A run whose training loss turned non-finite.
    pub const DIVERGED: Outcome = Outcome {
        valid_loss: f64::INFINITY,
        metric: f64::NAN,
    };
}

/// The optimizers of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerChoice {
    /// Plain SGD: no momentum, no weight decay.
    Sgd,
    /// SGD with momentum 0.9 (burn's default dampening 0.1).
    SgdMomentum,
    /// SGD with momentum 0.9 and weight decay 5e-4.
    SgdMomentumDecay,
    /// Adam with burn's defaults.
    Adam,
    /// AdamW with weight decay 0.05.
    AdamW,
}

impl OptimizerChoice {
    fn init(self) -> ModuleOptimizer {
        match self {
            Self::Sgd => SgdConfig::new().init(),
            Self::SgdMomentum => SgdConfig::new()
                .with_momentum(Some(MomentumConfig::new()))
                .init(),
            Self::SgdMomentumDecay => SgdConfig::new()
                .with_momentum(Some(MomentumConfig::new()))
                .with_weight_decay(Some(WeightDecayConfig::new(5e-4)))
                .init(),
            Self::Adam => AdamConfig::new().init(),
            Self::AdamW => AdamWConfig::new().with_weight_decay(0.05).init(),
        }
    }

    /// The finder's optimizer family (for the hand-off's advice).
    pub fn family(self) -> OptimizerKind {
        match self {
            Self::Sgd | Self::SgdMomentum | Self::SgdMomentumDecay => OptimizerKind::Sgd,
            Self::Adam | Self::AdamW => OptimizerKind::Adam,
        }
    }
}

/// The schedules the grid trains with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridSchedule {
    /// Linear warmup over [`WARMUP_FRACTION`] of the run, then half a cosine to 0
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

    /// The schedule of a run of `updates` peaking at `lr`.
    pub fn spec(self, lr: f64, updates: u64) -> Spec {
        let warmup = (WARMUP_FRACTION * updates as f64).round() as u64;
        match self {
            Self::WarmupCosine => Spec::new(CosineWithWarmup::new(warmup, updates)),
            Self::OneCycle => Spec::new(OneCycleLr::new(lr, updates)),
        }
    }

    fn scheduler(self, lr: f64, updates: u64) -> Result<ModuleLrScheduler, String> {
        self.spec(lr, updates)
            .init(lr)
            .map(ModuleLrScheduler::from)
            .map_err(|e| e.to_string())
    }
}

/// A range test's outcome, without the model.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The recorded points.
    pub curve: SweepCurve,
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
    /// Examples per update.
    fn batch_size(&self) -> usize;
    /// What its validation is scored by.
    fn quality(&self) -> Quality;
    /// Updates per epoch.
    fn steps_per_epoch(&self) -> usize;
    /// Validation of the untrained model of `seed`.
    fn untrained(&self, seed: u64) -> Result<Outcome, String>;
    /// Trains `updates` updates of `schedule` peaking at `peak_lr` from the
    /// initial weights and batch order of `seed`, and validates the result
    /// ([`Outcome::DIVERGED`] if the training loss turned non-finite).
    fn train(
        &self,
        seed: u64,
        schedule: GridSchedule,
        peak_lr: f64,
        updates: u64,
    ) -> Result<Outcome, String>;
    /// Trains a tuner's trial: its rescaled schedule for its updates, from
    /// the initial weights and batch order of its seed, and validates the
    /// result.
    fn train_trial(&self, trial: &Trial) -> Result<Outcome, String>;
    /// An LR range test from the initial weights and batch order of `seed`.
    fn range_test(&self, seed: u64, config: &FinderConfig) -> Result<Sweep, String>;
    /// Trains `updates` updates with the learning-rate-free `optimizer` at
    /// base LR 1 under warmup + cosine (its value multiplies the adapted
    /// step), from the initial weights and batch order of `seed`, and
    /// validates the result.
    fn train_lr_free(
        &self,
        seed: u64,
        optimizer: LrFreeChoice,
        updates: u64,
    ) -> Result<Outcome, String>;
}

/// A [`Task`] from a model constructor and a dataset.
struct Bench<M: InferenceStep, I, B> {
    name: &'static str,
    about: &'static str,
    optimizer: OptimizerChoice,
    batch_size: usize,
    quality: Quality,
    /// The [`Quality`] metric of a validation output.
    metric: fn(&<M as InferenceStep>::Output) -> f64,
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
            .batch_size(self.batch_size)
            .shuffle(seed)
            .build((self.data)().0)
    }

    /// Trains `updates` updates from the initial weights and batch order of
    /// `seed`, each applied by `update` at the scheduler's LR, and validates
    /// the result ([`Outcome::DIVERGED`] if the training loss turned non-finite).
    fn fit(
        &self,
        seed: u64,
        updates: u64,
        mut optim: ModuleOptimizer,
        mut scheduler: ModuleLrScheduler,
        update: impl Fn(M, &mut ModuleOptimizer, ModuleLearningRate, GradientsParams) -> M,
    ) -> Result<Outcome, String> {
        let mut model = self.model(seed);
        let loader = self.loader(seed);
        let mut batches = loader.iter();
        for _ in 0..updates {
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
                return Ok(Outcome::DIVERGED);
            }
            model = update(model, &mut optim, lr, output.grads);
        }
        self.validate(&model)
    }

    /// The validation, on the whole validation set as one batch.
    fn validate(&self, model: &M) -> Result<Outcome, String> {
        let valid = (self.data)().1;
        let loader = DataLoaderBuilder::new(self.batcher.clone())
            .batch_size(valid.len())
            .build(valid);
        match loader.iter().next() {
            Some(Ok(batch)) => {
                let output = InferenceStep::step(model, batch);
                let valid_loss = loss_of(&output);
                if !valid_loss.is_finite() {
                    return Ok(Outcome::DIVERGED);
                }
                Ok(Outcome {
                    valid_loss,
                    metric: (self.metric)(&output),
                })
            }
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

    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn quality(&self) -> Quality {
        self.quality
    }

    fn steps_per_epoch(&self) -> usize {
        (self.data)().0.len().div_ceil(self.batch_size)
    }

    fn untrained(&self, seed: u64) -> Result<Outcome, String> {
        self.validate(&self.model(seed))
    }

    fn train(
        &self,
        seed: u64,
        schedule: GridSchedule,
        peak_lr: f64,
        updates: u64,
    ) -> Result<Outcome, String> {
        let optim = self.optimizer.init();
        let scheduler = schedule.scheduler(peak_lr, updates)?;
        self.fit(
            seed,
            updates,
            optim,
            scheduler,
            |model, optim, lr, grads| model.optimize(optim, lr, grads),
        )
    }

    fn train_lr_free(
        &self,
        seed: u64,
        optimizer: LrFreeChoice,
        updates: u64,
    ) -> Result<Outcome, String> {
        let (optim, handle) = optimizer.init()?;
        let scheduler = GridSchedule::WarmupCosine.scheduler(1.0, updates)?;
        self.fit(
            seed,
            updates,
            optim,
            scheduler,
            |model, optim, lr, grads| handle.step(optim, lr, model, grads),
        )
    }

    fn train_trial(&self, trial: &Trial) -> Result<Outcome, String> {
        let scheduler = trial.scheduler().map_err(|e| e.to_string())?;
        self.fit(
            trial.seed,
            trial.updates,
            self.optimizer.init(),
            ModuleLrScheduler::from(scheduler),
            |model, optim, lr, grads| model.optimize(optim, lr, grads),
        )
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

/// Validation accuracy of a classifier's output.
fn accuracy_of(output: &ClassificationOutput) -> f64 {
    accuracy(output.output.clone(), output.targets.clone())
}

/// Validation MSE of a regressor's output (its loss).
fn mse_of(output: &RegressionOutput) -> f64 {
    loss_of(output)
}

/// A classification task on the digits at batch [`BATCH`].
fn digits<M>(
    name: &'static str,
    about: &'static str,
    optimizer: OptimizerChoice,
    model: fn(&Device) -> M,
) -> Box<dyn Task>
where
    M: TrainStep<Input = DigitBatch, Output = ClassificationOutput>
        + InferenceStep<Input = DigitBatch, Output = ClassificationOutput>
        + Module
        + 'static,
{
    Box::new(Bench {
        name,
        about,
        optimizer,
        batch_size: BATCH,
        quality: Quality::Accuracy,
        metric: accuracy_of,
        model,
        data: digits_split,
        batcher: DigitBatcher,
    })
}

/// Every task of the benchmark, in report order.
pub fn all() -> Vec<Box<dyn Task>> {
    use OptimizerChoice::{Adam, AdamW, Sgd, SgdMomentum, SgdMomentumDecay};
    let mlp = |d: &Device| Mlp::new(128, d);
    vec![
        digits(
            "digits-mlp-sgd",
            "digits, MLP 64-128-10, SGD with momentum",
            SgdMomentum,
            mlp,
        ),
        digits("digits-mlp-adam", "digits, MLP 64-128-10, Adam", Adam, mlp),
        digits(
            "digits-cnn-sgd",
            "digits, two 3x3 convolutions and max-pooling, SGD with momentum",
            SgdMomentum,
            Cnn::new,
        ),
        digits(
            "digits-cnn-adamw",
            "digits, the same CNN, AdamW (weight decay 0.05)",
            AdamW,
            Cnn::new,
        ),
        digits(
            "digits-layernorm-sgd",
            "digits, MLP with LayerNorm after each hidden layer, SGD with momentum",
            SgdMomentum,
            NormMlp::new,
        ),
        Box::new(Bench {
            name: "pixels-sgd",
            about: "per-pixel ink/background labels of noisy digits (segmentation-style), SGD with momentum",
            optimizer: SgdMomentum,
            batch_size: BATCH,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: PixelNet::new,
            data: digits_split,
            batcher: MaskBatcher,
        }),
        Box::new(Bench {
            name: "spiral-adam",
            about: "three-armed spiral (generated), MLP 2-64-64-3, Adam",
            optimizer: Adam,
            batch_size: BATCH,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: |d| FeatureClassifier::new(2, SPIRAL_ARMS, ActivationConfig::Relu, d),
            data: synthetic::spiral as fn() -> (InMemDataset<Sample>, InMemDataset<Sample>),
            batcher: SampleBatcher,
        }),
        Box::new(Bench {
            name: "regression-adam",
            about: "regression with unscaled targets (generated, MSE about 40,000 untrained), MLP 8-64-64-1, Adam",
            optimizer: Adam,
            batch_size: BATCH,
            quality: Quality::Mse,
            metric: mse_of,
            model: |d| FeatureRegressor::new(REGRESSION_FEATURES, d),
            data: synthetic::regression,
            batcher: SampleBatcher,
        }),
        digits(
            "digits-mlp-plain-sgd",
            "digits, MLP 64-128-10, plain SGD (no momentum)",
            Sgd,
            mlp,
        ),
        Box::new(Bench {
            name: "digits-mlp-sgd-b16",
            about: "digits, MLP 64-128-10, SGD with momentum, batches of 16",
            optimizer: SgdMomentum,
            batch_size: 16,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: mlp,
            data: digits_split,
            batcher: DigitBatcher,
        }),
        Box::new(Bench {
            name: "digits-mlp-adam-b256",
            about: "digits, MLP 64-128-10, Adam, batches of 256",
            optimizer: Adam,
            batch_size: 256,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: mlp,
            data: digits_split,
            batcher: DigitBatcher,
        }),
        digits(
            "digits-cnn-sgd-wd",
            "digits, the CNN, SGD with momentum and weight decay 5e-4",
            SgdMomentumDecay,
            Cnn::new,
        ),
        digits(
            "digits-resmlp-sgd",
            "digits, residual MLP (6 blocks of width 64, no normalisation), SGD with momentum",
            SgdMomentum,
            ResidualMlp::new,
        ),
        Box::new(Bench {
            name: "tabular-sigmoid-sgd",
            about: "tabular (generated: 8 unscaled continuous and 4 binary columns, 4 classes), sigmoid MLP 12-64-64-4, plain SGD",
            optimizer: Sgd,
            batch_size: BATCH,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: |d| {
                FeatureClassifier::new(
                    TABULAR_FEATURES,
                    TABULAR_CLASSES,
                    ActivationConfig::Sigmoid,
                    d,
                )
            },
            data: synthetic::tabular,
            batcher: SampleBatcher,
        }),
        Box::new(Bench {
            name: "tabular-tanh-adam",
            about: "the same tabular data, tanh MLP 12-64-64-4, Adam, batches of 16",
            optimizer: Adam,
            batch_size: 16,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: |d| {
                FeatureClassifier::new(TABULAR_FEATURES, TABULAR_CLASSES, ActivationConfig::Tanh, d)
            },
            data: synthetic::tabular,
            batcher: SampleBatcher,
        }),
        Box::new(Bench {
            name: "reverse-transformer-adamw",
            about: "reverse 8-token sequences (generated), 1-layer transformer of width 32, AdamW (weight decay 0.05)",
            optimizer: AdamW,
            batch_size: BATCH,
            quality: Quality::Accuracy,
            metric: accuracy_of,
            model: Reverser::new,
            data: sequences::reversal,
            batcher: SequenceBatcher,
        }),
    ]
}
