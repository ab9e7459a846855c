//! A real burn-train training on the digits data: the LR that the learner
//! applies to every update is the one the spec predicts.

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::store::Split;
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric, NumericEntry};
use burn::train::{Learner, SupervisedTraining};
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_examples::renderer::EpochLines;
use burn_lr_schedule::Spec;

#[test]
fn the_learner_applies_the_spec_lr_to_every_update() {
    const EPOCHS: usize = 3;
    const BATCH: usize = 128;
    let (train, valid) = digits::split(1);
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
    let directory = tempfile::tempdir().unwrap();
    let result = SupervisedTraining::new(
        directory.path(),
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(BATCH)
            .shuffle(1)
            .build(train),
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(BATCH)
            .build(valid),
    )
    .num_epochs(EPOCHS)
    .renderer(Box::new(EpochLines::default()))
    .with_application_logger(None)
    .metric_train_numeric(LearningRateMetric::new())
    .metric_train_numeric(LossMetric::new())
    .metric_valid_numeric(AccuracyMetric::new())
    .launch(Learner::new(
        Mlp::new(32, &device),
        AdamConfig::new().init(),
        spec.init(base_lr).unwrap(),
    ));
    assert!(result.error.is_none(), "{:?}", result.error);

    let mut logger = FileMetricLogger::new(directory.path());
    let logged: Vec<f64> = (1..=EPOCHS)
        .flat_map(|epoch| {
            logger
                .read_numeric("Learning Rate", epoch, &Split::Train)
                .unwrap()
        })
        .filter_map(|entry| match entry {
            NumericEntry::Value(lr) => Some(lr),
            NumericEntry::Aggregated {
                aggregated_value, ..
            } => Some(aggregated_value),
            NumericEntry::Final(_) => None,
        })
        .collect();
    let expected = spec.preview(base_lr, EPOCHS * steps_per_epoch).unwrap();
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

    let accuracy = logger
        .read_numeric("Accuracy", EPOCHS, &Split::Valid)
        .unwrap();
    assert!(!accuracy.is_empty(), "validation ran");
}
