//! Trains a small classifier on the bundled digits data through burn-train,
//! with its LR schedule read from a spec file (linear warmup + cosine by
//! default), then prints the LR and the metrics of every epoch.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example digits -- [SPEC] [EPOCHS]
//! ```

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{Learner, SupervisedTraining};
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_examples::renderer::EpochLines;
use burn_lr_examples::report;
use burn_lr_schedule::Spec;

const BATCH_SIZE: usize = 64;
const BASE_LR: f64 = 1e-2;
const SEED: u64 = 0;

fn main() {
    let mut args = std::env::args().skip(1);
    let spec_path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/digits-warmup-cosine.json")
    });
    let epochs: usize = match args.next().map(|a| a.parse()) {
        None => 20,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("digits: EPOCHS must be a positive integer");
            std::process::exit(2);
        }
    };
    let (train, valid) = digits::split(SEED);
    let steps_per_epoch = train.len().div_ceil(BATCH_SIZE) as u64;
    let spec = match Spec::from_file(&spec_path) {
        Ok(spec) => spec.with_steps_per_epoch(steps_per_epoch),
        Err(e) => {
            eprintln!("digits: {}: {e}", spec_path.display());
            std::process::exit(2);
        }
    };
    let scheduler = spec.init(BASE_LR).unwrap_or_else(|e| {
        eprintln!("digits: {}: {e}", spec_path.display());
        std::process::exit(2);
    });
    println!(
        "digits: {} training / {} validation images, {steps_per_epoch} updates per epoch, {epochs} epochs",
        train.len(),
        valid.len()
    );
    println!(
        "schedule: {} (Adam, base LR {BASE_LR})",
        spec_path.display()
    );

    let device = Device::default().autodiff();
    device.seed(SEED);
    let loader_train = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(BATCH_SIZE)
        .shuffle(SEED)
        .build(train);
    let loader_valid = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(256)
        .build(valid);

    let directory = PathBuf::from("target/burn-lr-runs/digits");
    let _ = std::fs::remove_dir_all(&directory);
    let model = Mlp::new(128, &device);
    let result = SupervisedTraining::new(&directory, loader_train, loader_valid)
        .num_epochs(epochs)
        .renderer(Box::new(EpochLines::default()))
        .metric_train_numeric(LearningRateMetric::new())
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
        .launch(Learner::new(model, AdamConfig::new().init(), scheduler));
    if let Some(error) = result.error {
        eprintln!("digits: training failed: {error}");
        std::process::exit(1);
    }

    let rows = report::read_epochs(&directory, epochs);
    print!("{}", report::table(&rows));
    match report::plot(&rows, &directory.join("digits"), "digits") {
        Ok(()) => println!(
            "plots: {}/digits.lr.png, digits.loss.png",
            directory.display()
        ),
        Err(e) => eprintln!("digits: {e}"),
    }
    if let Some(last) = rows.last() {
        println!("final validation accuracy: {:.2}%", last.valid_accuracy);
    }
}
