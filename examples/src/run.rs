//! One digits training through burn-train, shared by the examples: data,
//! loaders, model, metrics, and the report at the end.

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{Learner, SupervisedTraining};

use crate::digits::{self, DigitBatcher};
use crate::model::Mlp;
use crate::renderer::EpochLines;
use crate::report::{self, EpochRow};

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
}

impl DigitsRun {
    /// Optimizer updates per epoch (the last batch may be partial).
    pub fn steps_per_epoch(&self) -> u64 {
        let (train, _) = digits::split(self.seed);
        train.len().div_ceil(self.batch_size) as u64
    }

    /// Where burn-train writes this run's logs and checkpoints.
    pub fn directory(&self) -> PathBuf {
        PathBuf::from("target/burn-lr-runs").join(&self.name)
    }

    /// Trains from scratch with `scheduler`; `configure` adds to the training
    /// (an early-stopping hook, say). Returns what each epoch logged.
    pub fn launch(
        &self,
        scheduler: impl Into<ModuleLrScheduler>,
        configure: impl FnOnce(SupervisedTraining<Mlp>) -> SupervisedTraining<Mlp>,
    ) -> Result<Vec<EpochRow>, String> {
        let (train, valid) = digits::split(self.seed);
        println!(
            "{}: {} training / {} validation images, {} updates per epoch, {} epochs, Adam base LR {}",
            self.name,
            train.len(),
            valid.len(),
            self.steps_per_epoch(),
            self.epochs,
            self.base_lr
        );
        let device = Device::default().autodiff();
        device.seed(self.seed);
        let loader_train = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(self.batch_size)
            .shuffle(self.seed)
            .build(train);
        let loader_valid = DataLoaderBuilder::new(DigitBatcher)
            .batch_size(256)
            .build(valid);
        let directory = self.directory();
        // A fresh directory: burn-train would otherwise append to old logs.
        let _ = std::fs::remove_dir_all(&directory);
        let training = SupervisedTraining::new(&directory, loader_train, loader_valid)
            .num_epochs(self.epochs)
            .renderer(Box::new(EpochLines::default()))
            .metric_train_numeric(LearningRateMetric::new())
            .metric_train_numeric(LossMetric::new())
            .metric_valid_numeric(LossMetric::new())
            .metric_valid_numeric(AccuracyMetric::new());
        let learner = Learner::new(
            Mlp::new(128, &device),
            AdamConfig::new().init(),
            scheduler.into(),
        );
        let result = configure(training).launch(learner);
        if let Some(error) = result.error {
            return Err(format!("training failed: {error}"));
        }
        Ok(report::read_epochs(&directory, self.epochs))
    }

    /// Prints the per-epoch table and the final accuracy, and writes the plots.
    pub fn report(&self, rows: &[EpochRow]) {
        print!("{}", report::table(rows));
        let stem = self.directory().join(&self.name);
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
