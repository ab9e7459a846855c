//! Wall time of the LR range test against the same number of plain training
//! updates of the same model (the finder should cost about `num_iter` updates
//! plus one model clone), with its losses read back once per window of
//! updates (the default) and once per update, on every backend compiled in
//! (see `burn_lr_benches::backends`).

use std::hint::black_box;

use burn::data::dataloader::DataLoaderBuilder;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::TrainStep;
use burn_lr_benches::backends;
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_finder::{DEFAULT_READBACK, FinderConfig, range_test};
use criterion::{Criterion, criterion_group, criterion_main};

const UPDATES: usize = 100;

fn finder_vs_training(c: &mut Criterion) {
    for (name, device) in backends() {
        finder_on(c, name, &device.autodiff());
    }
}

fn finder_on(c: &mut Criterion, name: &str, device: &Device) {
    device.seed(0);
    let (train, _) = digits::split(0);
    let loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(64)
        .shuffle(0)
        .set_device(device.clone())
        .build(train);
    let model = Mlp::new(128, device);
    let config = FinderConfig {
        num_iter: UPDATES,
        start_lr: 1e-6,
        end_lr: 1e-2, // stays below divergence, so every run does all updates
        progress: false,
        ..FinderConfig::default()
    };
    let mut group = c.benchmark_group(format!("{name}: 100 updates of the digits MLP"));
    group.sample_size(10);
    for (run, readback) in [
        ("LR range test", DEFAULT_READBACK),
        ("LR range test, a loss read per update", 1),
    ] {
        let config = FinderConfig {
            readback,
            ..config.clone()
        };
        group.bench_function(run, |b| {
            b.iter(|| {
                let test = range_test(
                    model.clone(),
                    AdamConfig::new().init(),
                    loader.clone(),
                    &config,
                )
                .unwrap();
                assert_eq!(test.curve.len(), UPDATES);
                black_box(test.curve.len())
            })
        });
    }
    group.bench_function("plain training updates", |b| {
        b.iter(|| {
            let mut model = model.clone();
            let mut optim = AdamConfig::new().init();
            let mut scheduler = ModuleLrScheduler::new(1e-3);
            let mut batches = loader.iter();
            for _ in 0..UPDATES {
                let batch = batches.next().unwrap_or_else(|| {
                    batches = loader.iter();
                    batches.next().unwrap()
                });
                let output = model.step(batch.unwrap());
                model = model.optimize(&mut optim, scheduler.step(), output.grads);
            }
            black_box(model)
        })
    });
    group.finish();
}

criterion_group!(benches, finder_vs_training);
criterion_main!(benches);
