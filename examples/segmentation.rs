//! A small segmentation-style task with the segmentation recipe's poly decay:
//! label every pixel of a noisy 8x8 digit as ink or background (per-pixel
//! classification), SGD with momentum, `(1 - t/T)^0.9` per update.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example segmentation
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::tensor::Device;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{Learner, SupervisedTraining};
use burn_lr_examples::digits;
use burn_lr_examples::pixels::{MaskBatcher, PixelNet};
use burn_lr_examples::renderer::EpochLines;
use burn_lr_examples::report;
use burn_lr_recipes::{ModelFamily, RunDescription, segmentation};

const EPOCHS: u64 = 10;
const BATCH: usize = 32;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (train, valid) = digits::split(0);
    let steps_per_epoch = train.len().div_ceil(BATCH) as u64;
    let run = RunDescription::new(
        ModelFamily::Segmentation,
        EPOCHS,
        steps_per_epoch,
        BATCH as u64,
    );
    let recipe = segmentation(&run)?;
    let scheduler = recipe.schedule.init(recipe.optimizer.lr)?;
    println!(
        "{} ({}): SGD at {}, poly decay over {} updates",
        recipe.name,
        recipe.reference,
        recipe.optimizer.lr,
        run.total_steps()
    );
    let device = Device::default().autodiff();
    device.seed(0);
    let directory = std::path::PathBuf::from("target/burn-lr-runs/segmentation");
    let _ = std::fs::remove_dir_all(&directory);
    let result = SupervisedTraining::new(
        &directory,
        DataLoaderBuilder::new(MaskBatcher)
            .batch_size(BATCH)
            .shuffle(0)
            .build(train),
        DataLoaderBuilder::new(MaskBatcher)
            .batch_size(256)
            .build(valid),
    )
    .num_epochs(EPOCHS as usize)
    .renderer(Box::new(EpochLines::default()))
    .metric_train_numeric(LearningRateMetric::new())
    .metric_train_numeric(LossMetric::new())
    .metric_valid_numeric(LossMetric::new())
    .metric_valid_numeric(AccuracyMetric::new())
    .launch(Learner::new(
        PixelNet::new(&device),
        recipe.optimizer.init()?,
        scheduler,
    ));
    if let Some(error) = result.error {
        eprintln!("segmentation: training failed: {error}");
        std::process::exit(1);
    }
    let rows = report::read_epochs(&directory, EPOCHS as usize);
    print!("{}", report::table(&rows));
    match report::plot(&rows, &directory.join("segmentation"), "segmentation") {
        Ok(()) => println!(
            "plots: {}/segmentation.lr.png, segmentation.loss.png",
            directory.display()
        ),
        Err(e) => eprintln!("segmentation: {e}"),
    }
    if let Some(last) = rows.last() {
        println!(
            "final per-pixel validation accuracy: {:.2}%",
            last.valid_accuracy
        );
    }
    Ok(())
}
