//! Resuming a burn-train run: the second launch really resumes (it trains only
//! the remaining epochs, from the restored update count, on the uninterrupted
//! LR path), and a resume that does not restore the scheduler is stopped by
//! the hook at its first epoch instead of restarting the warmup silently.

use std::path::Path;

use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::Learner;
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::{Spec, Timing};
use burn_lr_examples::digits;
use burn_lr_examples::model::Mlp;
use burn_lr_tests::{close, digits_training, per_update, serial};

const BATCH: usize = 128;

fn steps_per_epoch() -> usize {
    digits::split(2).0.len().div_ceil(BATCH)
}

fn spec() -> Spec {
    Spec::new(CosineAnnealingLr::new(3))
        .in_epochs(Timing::Iteration)
        .with_warmup(1, 0.1)
        .with_steps_per_epoch(steps_per_epoch() as u64)
}

/// Trains epochs up to `epochs`, from checkpoint `resume` when given.
fn train(directory: &Path, epochs: usize, resume: Option<usize>, checkpointers: bool) {
    let _serial = serial();
    let device = Device::default().autodiff();
    device.seed(2);
    let lr = spec().init(1e-2).unwrap();
    let mut training = digits_training(directory, 2, BATCH, epochs).early_stopping(lr.hook());
    if checkpointers {
        training = training.with_default_checkpointers();
    }
    if let Some(epoch) = resume {
        training = training.checkpoint(epoch);
    }
    let result = training.launch(Learner::new(
        Mlp::new(16, &device),
        AdamConfig::new().init(),
        lr,
    ));
    assert!(result.error.is_none(), "{:?}", result.error);
}

#[test]
fn the_second_launch_trains_the_remaining_epochs_from_the_restored_update_count() {
    let steps = steps_per_epoch();
    let truth = spec().preview(1e-2, 4 * steps).unwrap();
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), 2, None, true);
    let first = per_update(dir.path(), "Learning Rate", 4);
    train(dir.path(), 4, Some(2), true);
    let both = per_update(dir.path(), "Learning Rate", 4);
    // The second launch logged epochs 3 and 4 only: epochs 1 and 2 are the first launch's.
    assert_eq!(both[..2], first[..2], "epochs 1-2 are not trained again");
    assert!(first[2].is_empty() && first[3].is_empty());
    // Epochs 3 and 4 continue the schedule at update 2 x steps (no warmup again).
    let resumed: Vec<f64> = both[2..].concat();
    assert_eq!(resumed.len(), 2 * steps, "two whole epochs ran");
    for (k, (got, want)) in resumed.iter().zip(&truth[2 * steps..]).enumerate() {
        assert!(
            close(*got, *want),
            "update {}: {got} vs {want}",
            2 * steps + k
        );
    }
    assert!(resumed[0] > 0.5e-2, "not the warmup's start (1e-3)");
    assert!(
        spec()
            .trained_as_planned(dir.path(), 1e-2, 4 * steps, 1)
            .unwrap()
    );
}

#[test]
fn a_resume_without_checkpointers_is_stopped_at_its_first_epoch() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), 2, None, false);
    // burn-train skips loading without checkpointers: the scheduler restarts at update 0.
    train(dir.path(), 4, Some(2), false);
    let logged = per_update(dir.path(), "Learning Rate", 4);
    assert!(!logged[2].is_empty(), "epoch 3 ran");
    assert!(
        close(logged[2][0], 1e-3),
        "burn-train restarted the warmup: {}",
        logged[2][0]
    );
    assert!(
        logged[3].is_empty(),
        "the hook stopped the run after epoch 3"
    );
    let updates = 4 * steps_per_epoch();
    assert!(
        !spec()
            .trained_as_planned(dir.path(), 1e-2, updates, 1)
            .unwrap()
    );
}
