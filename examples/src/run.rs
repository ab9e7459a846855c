//! One digits training through burn-train, shared by the examples: data,
//! loaders, model, metrics, and the report at the end.

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::Device;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, Learner, LearnerModel, SupervisedTraining, TrainStep,
};

use burn_lr_core::OptimizerKind;
use burn_lr_finder::{FinderConfig, HandOff, Plan, hand_off, range_test};

use crate::digits::{self, DigitBatch, DigitBatcher};
use crate::model::Mlp;
use crate::renderer::EpochLines;
use crate::report::{self, EpochRow};

/// A model burn-train can train and validate on the digits batches.
pub trait DigitsModel:
    LearnerModel
    + TrainStep<Input = DigitBatch, Output = ClassificationOutput>
    + InferenceStep<Input = DigitBatch, Output = ClassificationOutput>
{
}

impl<M> DigitsModel for M where
    M: LearnerModel
        + TrainStep<Input = DigitBatch, Output = ClassificationOutput>
        + InferenceStep<Input = DigitBatch, Output = ClassificationOutput>
{
}

/// The settings of a digits training (Adam, MLP 64-128-10).
#[derive(Debug, Clone)]
pub struct DigitsRun {
    /// Name of the run: its logs and plots go to `target/burn-lr-runs/<name>`.
    pub name: String,
    /// Number of epochs.
    pub epochs: usize,
    /// Images per update.
    pub batch_size: usize,
    /// The optimizer's LR, which the schedule scales.
    pub base_lr: f64,
    /// Seed of the split, the shuffling and the initial weights.
    pub seed: u64,
    /// The digits to train and validate on (`0..10` for all).
    pub classes: std::ops::Range<u8>,
}

/// What a training returns.
pub struct Trained<M = Mlp> {
    /// What each epoch logged.
    pub rows: Vec<EpochRow>,
    /// The trained model, ready for more training.
    pub model: M,
}

impl DigitsRun {
    /// Optimizer updates per epoch (the last batch may be partial).
    pub fn steps_per_epoch(&self) -> u64 {
        let (train, _) = digits::split_classes(self.seed, self.classes.clone());
        train.len().div_ceil(self.batch_size) as u64
    }

    /// A freshly initialised model (seeded), on the default device, trainable.
    pub fn model(&self) -> Mlp {
        let device = Device::default().autodiff();
        device.seed(self.seed);
        Mlp::new(128, &device)
    }

    /// The LR range test's default hand-off for this run's data, seed, model
    /// and length (its epochs), with Adam: `max_lr` for one-cycle, `lr` for
    /// the peak of warmup + cosine.
    pub fn hand_off(&self) -> HandOff {
        let updates = self.epochs as u64 * self.steps_per_epoch();
        let (train, _) = digits::split_classes(self.seed, self.classes.clone());
        let loader = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(self.batch_size)
            .shuffle(self.seed)
            .build(train);
        let config = FinderConfig {
            progress: false,
            ..FinderConfig::default()
        };
        let test = range_test(self.model(), AdamConfig::new().init(), loader, &config)
            .expect("the default finder config is valid");
        hand_off(&test, Plan::new(OptimizerKind::Adam).with_updates(updates))
            .expect("the sweep records points")
    }

    /// Where burn-train writes this run's logs and checkpoints.
    pub fn directory(&self) -> PathBuf {
        PathBuf::from("target/burn-lr-runs").join(&self.name)
    }

    /// Trains `model` with `optim` and `scheduler` in a fresh directory;
    /// `configure` adds to the training (an early-stopping hook, checkpointers).
    pub fn launch<M: DigitsModel>(
        &self,
        model: M,
        optim: ModuleOptimizer,
        scheduler: impl Into<ModuleLrScheduler>,
        configure: impl FnOnce(SupervisedTraining<M>) -> SupervisedTraining<M>,
    ) -> Result<Trained<M>, String> {
        // A fresh directory: burn-train would otherwise append to old logs.
        let _ = std::fs::remove_dir_all(self.directory());
        self.train(model, optim, scheduler, configure)
    }

    /// Continues the run in its directory from the checkpoint of `epoch`
    /// (saved by a launch with checkpointers, or copied there: a branch) up to
    /// `self.epochs`, saving checkpoints as it goes.
    pub fn resume<M: DigitsModel>(
        &self,
        epoch: usize,
        model: M,
        optim: ModuleOptimizer,
        scheduler: impl Into<ModuleLrScheduler>,
        configure: impl FnOnce(SupervisedTraining<M>) -> SupervisedTraining<M>,
    ) -> Result<Trained<M>, String> {
        self.train(model, optim, scheduler, |t| {
            configure(t.with_default_checkpointers().checkpoint(epoch))
        })
    }

    fn train<M: DigitsModel>(
        &self,
        model: M,
        optim: ModuleOptimizer,
        scheduler: impl Into<ModuleLrScheduler>,
        configure: impl FnOnce(SupervisedTraining<M>) -> SupervisedTraining<M>,
    ) -> Result<Trained<M>, String> {
        let (train, valid) = digits::split_classes(self.seed, self.classes.clone());
        println!(
            "{}: {} training / {} validation images, {} updates per epoch, {} epochs, base LR {}",
            self.name,
            train.len(),
            valid.len(),
            self.steps_per_epoch(),
            self.epochs,
            self.base_lr
        );
        let loader_train = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(self.batch_size)
            .shuffle(self.seed)
            .build(train);
        let loader_valid = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(256)
            .build(valid);
        let directory = self.directory();
        let training = SupervisedTraining::new(&directory, loader_train, loader_valid)
            .num_epochs(self.epochs)
            .renderer(Box::new(EpochLines::default()))
            .metric_train_numeric(LearningRateMetric::new())
            .metric_train_numeric(LossMetric::new())
            .metric_valid_numeric(LossMetric::new())
            .metric_valid_numeric(AccuracyMetric::new());
        let result = configure(training).launch(Learner::new(model, optim, scheduler.into()));
        if let Some(error) = result.error {
            return Err(format!("training failed: {error}"));
        }
        Ok(Trained {
            rows: report::read_epochs(&directory, self.epochs),
            model: result.model.train(),
        })
    }

    /// The validation accuracy (%) of `model` on this run's validation images.
    pub fn accuracy(&self, model: &Mlp) -> f64 {
        let (_, valid) = digits::split_classes(self.seed, self.classes.clone());
        let loader = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(256)
            .build(valid);
        let (mut hits, mut total) = (0.0, 0.0);
        for batch in loader.iter().flatten() {
            let output = model.classify(batch);
            let n = output.targets.dims()[0] as f64;
            hits += crate::model::accuracy(output.output, output.targets) * n;
            total += n;
        }
        100.0 * hits / total
    }

    /// Prints the per-epoch table and the final accuracy, and writes the plots.
    pub fn report(&self, rows: &[EpochRow]) {
        print!("{}", report::table(rows));
        let file = std::path::Path::new(&self.name)
            .file_name()
            .map_or_else(|| "run".into(), |f| f.to_owned());
        let stem = self.directory().join(file);
        match report::plot(rows, &stem, &self.name) {
            Ok(()) => println!("plots: {0}.lr.png, {0}.loss.png", stem.display()),
            Err(e) => eprintln!("{}: {e}", self.name),
        }
        if let Some(last) = rows.last() {
            println!(
                "final validation accuracy: {:.2}% after {} epochs",
                last.valid_accuracy,
                rows.len()
            );
        }
    }
}
