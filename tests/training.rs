//! A real burn-train training on the digits data: the LR that the learner
//! applies to every update, in every group, is the one the spec predicts, and
//! the epoch-end hook lets a correctly configured run through.

use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::Learner;
use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::store::Split;
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::train::logged_lrs;
use burn_lr_core::{Spec, StepsPerEpoch, Timing};
use burn_lr_examples::digits;
use burn_lr_examples::model::Mlp;
use burn_lr_tests::{digits_training, per_update, serial};

#[test]
fn the_learner_applies_the_spec_lr_to_every_update() {
    const EPOCHS: usize = 3;
    const BATCH: usize = 128;
    let (train, _) = digits::split(1);
    let steps_per_epoch = train.len().div_ceil(BATCH);
    let spec = Spec::from_json(
        r#"{"scheduler": "cosine_annealing", "t_max": 2, "unit": "epoch", "timing": "iteration",
            "warmup": {"total_iters": 1, "start_factor": 0.1},
            "groups": [{"match": "head", "lr_mult": 0.5}]}"#,
    )
    .unwrap()
    .with_steps_per_epoch(steps_per_epoch as u64);
    let base_lr = 5e-3;

    let device = Device::default().autodiff();
    let _serial = serial();
    device.seed(1);
    let model = Mlp::new(32, &device);
    let lr = spec.init_for(&model, base_lr).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let training = digits_training(directory.path(), 1, BATCH, EPOCHS).early_stopping(lr.hook());
    let training = spec
        .group_lr_metrics(&model)
        .unwrap()
        .into_iter()
        .fold(training, |training, metric| {
            training.metric_train_numeric(metric)
        });
    let result = training.launch(Learner::new(model, AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "{:?}", result.error);

    // What a user reads back: one LR per update, the default group then each group.
    let lrs = spec.logged_lrs(directory.path(), 1).unwrap();
    let names: Vec<&str> = lrs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Learning Rate", "Learning Rate [head]"]);
    let (logged, head) = (lrs[0].1.clone(), lrs[1].1.clone());
    assert_eq!(
        logged,
        per_update(directory.path(), "Learning Rate", EPOCHS).concat()
    );
    let expected = spec.preview(base_lr, EPOCHS * steps_per_epoch).unwrap();
    assert_eq!(
        head.len(),
        expected.len(),
        "the head group's LR is logged too"
    );
    for (update, (got, want)) in head.iter().zip(&expected).enumerate() {
        assert!(
            (got - 0.5 * want).abs() <= 1e-9 * want.abs() + 1e-15,
            "head, update {update}: {got} vs 0.5 x {want}"
        );
    }
    assert_eq!(logged.len(), expected.len(), "one LR per update");
    for (update, (got, want)) in logged.iter().zip(&expected).enumerate() {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs() + 1e-15,
            "update {update}: {got} vs {want}"
        );
    }
    assert!(
        (logged[0] - 0.1 * base_lr).abs() < 1e-12,
        "the first update runs at the warmup start"
    );

    let accuracy = FileMetricLogger::new(directory.path())
        .read_numeric("Accuracy", EPOCHS, &Split::Valid)
        .unwrap();
    assert!(!accuracy.is_empty(), "validation ran");
}

/// Trains 3 epochs with gradient accumulation over `accumulation` batches
/// and returns the number of batches logged per epoch.
fn accumulated_run(steps_per_epoch: u64, accumulation: usize) -> Vec<usize> {
    let spec = Spec::new(CosineAnnealingLr::new(3))
        .in_epochs(Timing::Iteration)
        .with_steps_per_epoch(steps_per_epoch);
    let lr = spec.init(1e-2).unwrap();
    let hook = lr.hook();
    let device = Device::default().autodiff();
    let directory = tempfile::tempdir().unwrap();
    let result = digits_training(directory.path(), 1, 128, 3)
        .grads_accumulation(accumulation)
        .early_stopping(hook.clone())
        .launch(Learner::new(
            Mlp::new(16, &device),
            AdamConfig::new().init(),
            lr,
        ));
    assert!(result.error.is_none(), "{:?}", result.error);
    let per_epoch: Vec<usize> = per_update(directory.path(), "Learning Rate", 3)
        .iter()
        .map(Vec::len)
        .collect();
    let updates = 3 * steps_per_epoch as usize;
    let as_planned = spec
        .trained_as_planned(directory.path(), 1e-2, updates, accumulation)
        .unwrap();
    // The hook says whether it stopped the run, which burn-train's result does not.
    match hook.problem() {
        Some(problem) => {
            assert!(problem.stopped && problem.epoch == 1, "{problem:?}");
            assert!(problem.message.contains("steps_per_epoch"), "{problem:?}");
            assert!(!as_planned, "a stopped run is not as planned");
        }
        None => {
            assert!(per_epoch.iter().all(|n| *n > 0), "{per_epoch:?}");
            // Read back per update: one LR per `accumulation` batches (a
            // shorter last window), the schedule's.
            let lrs = logged_lrs(directory.path(), "Learning Rate", accumulation).unwrap();
            let want = spec.preview(1e-2, updates).unwrap();
            assert_eq!(lrs.len(), want.len());
            assert!(
                lrs.iter()
                    .zip(&want)
                    .all(|(a, b)| (a - b).abs() <= 1e-9 * b)
            );
            assert!(as_planned);
        }
    }
    per_epoch
}

#[test]
fn gradient_accumulation_with_the_loader_length_stops_the_run_after_epoch_one() {
    let (train, _) = digits::split(1);
    let loader_len = train.len().div_ceil(128) as u64;
    let right = StepsPerEpoch::new(train.len() as u64, 128)
        .with_grad_accumulation(4)
        .compute()
        .unwrap();
    assert_eq!(right, loader_len.div_ceil(4));
    // burn-train logs the LR of every batch; it changes only at the updates.
    let batches = loader_len as usize;
    assert_eq!(
        accumulated_run(right, 4),
        [batches, batches, batches],
        "a right value trains on"
    );
    assert_eq!(
        accumulated_run(loader_len, 4),
        [batches, 0, 0],
        "the hook stopped the run"
    );
}

#[test]
fn an_accumulation_that_does_not_divide_the_epoch_is_read_back_with_a_short_last_update() {
    let (train, _) = digits::split(1);
    let batches = train.len().div_ceil(128);
    let accumulation = (3..8).find(|a| batches % a != 0).unwrap();
    let steps = StepsPerEpoch::new(train.len() as u64, 128)
        .with_grad_accumulation(accumulation as u64)
        .compute()
        .unwrap();
    assert_eq!(steps as usize, batches.div_ceil(accumulation));
    assert_eq!(accumulated_run(steps, accumulation), [batches; 3]);
}
