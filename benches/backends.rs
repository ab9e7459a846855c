//! One training benchmark on every enabled backend: 3 epochs of the digits
//! MLP (hidden width 1024, 69 updates) through burn-train, with a constant
//! LR, with a burn-lr warmup + cosine, and with warmup + cosine reduced on
//! plateau (its hook registered). Updates/s = 69 / time; the overhead of the
//! schedulers is the ratio of their times to the constant LR's.
//!
//! ```text
//! cargo bench -p burn-lr-benches --bench backends                      # flex
//! cargo bench -p burn-lr-benches --bench backends --features ndarray   # + ndarray
//! cargo bench -p burn-lr-benches --bench backends --features wgpu      # + wgpu (Vulkan, Metal, ...)
//! BURN_LR_BACKENDS=cuda cargo bench -p burn-lr-benches --bench backends --features cuda
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::metric::LossMetric;
use burn::train::{Learner, SupervisedTraining};
use burn_lr_benches::backends;
use burn_lr_core::plateau::ReduceOnPlateau;
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::{ModuleSchedule, Spec, Timing};
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_examples::renderer::EpochLines;
use criterion::{Criterion, criterion_group, criterion_main};

const EPOCHS: usize = 3;
const BATCH: usize = 64;

enum Schedule {
    Constant,
    WarmupCosine(ModuleLrScheduler),
    /// A burn-lr schedule with its epoch-end hook registered.
    Hooked(ModuleSchedule),
}

fn train(device: &Device, schedule: Schedule) {
    let device = device.clone().autodiff();
    device.seed(0);
    let (train, valid) = digits::split(0);
    let directory = tempfile::tempdir().expect("a temporary directory");
    let training = SupervisedTraining::new(
        directory.path(),
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(BATCH)
            .build(train),
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(256)
            .build(valid),
    )
    .num_epochs(EPOCHS)
    .renderer(Box::new(EpochLines::quiet()))
    .with_application_logger(None)
    .metric_valid_numeric(LossMetric::new());
    let learner = |scheduler: ModuleLrScheduler| {
        Learner::new(Mlp::new(1024, &device), AdamConfig::new().init(), scheduler)
    };
    let result = match schedule {
        Schedule::Constant => training.launch(learner(ModuleLrScheduler::new(1e-3))),
        Schedule::WarmupCosine(scheduler) => training.launch(learner(scheduler)),
        Schedule::Hooked(lr) => training
            .early_stopping(lr.hook())
            .launch(learner(lr.into())),
    };
    assert!(result.error.is_none());
}

fn training_overhead(c: &mut Criterion) {
    let (train_set, _) = digits::split(0);
    let steps_per_epoch = train_set.len().div_ceil(BATCH) as u64;
    let cosine = Spec::new(CosineAnnealingLr::new(2))
        .in_epochs(Timing::Iteration)
        .with_warmup(1, 0.01)
        .with_steps_per_epoch(steps_per_epoch);
    let plateau = cosine
        .clone()
        .with_plateau(ReduceOnPlateau::new().with_patience(0));
    for (name, device) in backends() {
        let mut group = c.benchmark_group(format!(
            "{name}: {} updates of the digits MLP",
            EPOCHS as u64 * steps_per_epoch
        ));
        // Enough samples that the three runs' medians can be told apart.
        group.sample_size(30);
        group.bench_function("constant LR", |b| {
            b.iter(|| train(&device, Schedule::Constant))
        });
        group.bench_function("burn-lr warmup + cosine", |b| {
            b.iter(|| {
                let lr = cosine.init(1e-3).unwrap();
                train(&device, Schedule::WarmupCosine(lr.into()))
            })
        });
        group.bench_function("burn-lr warmup + cosine + plateau hook", |b| {
            b.iter(|| train(&device, Schedule::Hooked(plateau.init(1e-3).unwrap())))
        });
        group.finish();
    }
}

criterion_group!(benches, training_overhead);
criterion_main!(benches);
