//! Cross-crate integration tests of burn-lr; see the `[[test]]` targets.
//!
//! Helpers shared by the tests live here.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use burn::data::dataloader::DataLoaderBuilder;
use burn::train::SupervisedTraining;
use burn::train::metric::store::Split;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::renderer::EpochLines;
use burn_lr_examples::run::DigitsModel;
pub use burn_lr_testkit::{close, failures, pytorch_spelling};

/// Holds the test binary's trainings to one at a time: the backend's
/// generator is global, so a test that seeds it and then draws its model's
/// weights gets other weights when another test draws at the same time.
/// Take it before `device.seed(..)` and keep it until the weights are drawn.
pub fn serial() -> MutexGuard<'static, ()> {
    static TRAINING: Mutex<()> = Mutex::new(());
    TRAINING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Path of a file under `tests/golden/`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name)
}

/// burn-train on the digits split of `seed` in batches of `batch`, for
/// `epochs`, quiet, logging the LR, the losses and the validation accuracy.
pub fn digits_training<M: DigitsModel>(
    directory: &Path,
    seed: u64,
    batch: usize,
    epochs: usize,
) -> SupervisedTraining<M> {
    let (train, valid) = digits::split(seed);
    SupervisedTraining::new(
        directory,
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(batch)
            .build(train),
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(batch)
            .build(valid),
    )
    .num_epochs(epochs)
    .renderer(Box::new(EpochLines::default()))
    .with_application_logger(None)
    .metric_train_numeric(LearningRateMetric::new())
    .metric_train_numeric(LossMetric::new())
    .metric_valid_numeric(LossMetric::new())
    .metric_valid_numeric(AccuracyMetric::new())
}

/// The per-update values of the training metric `name`, epoch by epoch
/// (empty for an epoch that did not run).
pub fn per_update(directory: &Path, name: &str, epochs: usize) -> Vec<Vec<f64>> {
    per_batch(directory, name, epochs, Split::Train)
}

/// The per-batch values of the metric `name` of `split`, epoch by epoch
/// (empty for an epoch that did not run).
pub fn per_batch(directory: &Path, name: &str, epochs: usize, split: Split) -> Vec<Vec<f64>> {
    let mut logged =
        burn_lr_core::train::logged_per_batch(directory, name, &split).unwrap_or_default();
    logged.resize(epochs, Vec::new());
    logged
}

/// Asserts that the report `name` a harness just wrote to `fresh_dir` is the
/// one committed in `docs/`, else names the `example -- step` that rewrites it.
pub fn assert_doc_is_fresh(fresh_dir: &Path, name: &str, example: &str, step: &str) {
    let fresh = std::fs::read_to_string(fresh_dir.join(name)).unwrap();
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs")
            .join(name),
    )
    .unwrap();
    assert!(
        fresh == committed,
        "docs/{name} is stale: run `cargo run --release -p burn-lr-examples --example {example} -- {step}`"
    );
}
