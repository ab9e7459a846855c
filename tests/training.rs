//! A real burn-train training on the digits data: the LR that the learner
//! applies to every update, in every group, is the one the spec predicts, and
//! the epoch-end hook lets a correctly configured run through.

use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::Learner;
use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::store::Split;
use burn_lr_examples::digits;
use burn_lr_examples::model::Mlp;
use burn_lr_schedule::Spec;
use burn_lr_tests::{digits_training, per_update};

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
    device.seed(1);
    let model = Mlp::new(32, &device);
    let lr = spec.init_for(&model, base_lr).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let training = digits_training(directory.path(), 1, BATCH, EPOCHS).early_stopping(lr.hook());
    let training = spec
        .group_lr_metrics()
        .into_iter()
        .fold(training, |training, metric| {
            training.metric_train_numeric(metric)
        });
    let result = training.launch(Learner::new(model, AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "{:?}", result.error);

    let logged = per_update(directory.path(), "Learning Rate", EPOCHS).concat();
    let head = per_update(directory.path(), "Learning Rate [head]", EPOCHS).concat();
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
