//! Nanoseconds per `step()`: every schedule of burn-lr, and burn's built-in
//! cosine, linear and step schedulers next to ours for the same curves.
//!
//! burn's built-ins can only be built as `ModuleLrScheduler` from outside
//! burn, so each comparison also wraps ours in a `ModuleLrScheduler`.

use std::hint::black_box;

use burn::lr_scheduler::LrScheduler;
use burn::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::step::StepLrSchedulerConfig;
use burn_lr_benches::representative_specs;
use burn_lr_core::Spec;
use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr, StepLr};
use criterion::{Criterion, criterion_group, criterion_main};

fn ours(c: &mut Criterion) {
    let mut group = c.benchmark_group("burn-lr step()");
    for (name, spec) in representative_specs() {
        let mut scheduler = spec.scheduler(0.1).unwrap();
        group.bench_function(name, |b| b.iter(|| black_box(scheduler.step())));
    }
    group.finish();
}

fn against_burn(c: &mut Criterion) {
    let same_curves: [(&str, Spec, ModuleLrScheduler); 3] = [
        (
            "cosine",
            Spec::new(CosineAnnealingLr::new(100_000).with_eta_min(0.0001)),
            CosineAnnealingLrSchedulerConfig::new(0.1, 100000)
                .with_min_lr(0.0001)
                .init()
                .unwrap(),
        ),
        (
            "linear",
            Spec::new(LinearLr::new(1.0, 0.01, 100_000)),
            LinearLrSchedulerConfig::new(0.1, 0.001, 100000)
                .init()
                .unwrap(),
        ),
        (
            "step",
            Spec::new(StepLr::new(1000).with_gamma(0.5)),
            StepLrSchedulerConfig::new(0.1, 1000)
                .with_gamma(0.5)
                .init()
                .unwrap(),
        ),
    ];
    let mut group = c.benchmark_group("same curve: burn-lr vs burn built-in");
    for (name, spec, mut builtin) in same_curves {
        let mut raw = spec.scheduler(0.1).unwrap();
        let mut wrapped = spec.init(0.1).unwrap();
        group.bench_function(format!("{name}/burn-lr Scheduler"), |b| {
            b.iter(|| black_box(raw.step()))
        });
        group.bench_function(format!("{name}/burn-lr in ModuleLrScheduler"), |b| {
            b.iter(|| black_box(wrapped.step()))
        });
        group.bench_function(format!("{name}/burn built-in in ModuleLrScheduler"), |b| {
            b.iter(|| black_box(builtin.step()))
        });
    }
    group.finish();
}

criterion_group!(benches, ours, against_burn);
criterion_main!(benches);
