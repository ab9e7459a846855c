//! The tuner's own work: a whole search (planning, rescaling the target for
//! every trial, reading the rungs, the answer) with an objective that trains
//! nothing, so the time measured is the bookkeeping a real search adds to
//! its trials.

use std::hint::black_box;

use burn_lr_core::Spec;
use burn_lr_core::schedules::CosineWithWarmup;
use burn_lr_finder::tune::{Bracket, Goal, Outcome, TunerConfig, tune};
use criterion::{Criterion, criterion_group, criterion_main};

fn search_bookkeeping(c: &mut Criterion) {
    let bracket = Bracket::new(1e-4, 0.1).unwrap_or_else(|e| panic!("{e}"));
    for updates in [1_000u64, 100_000] {
        let config = TunerConfig::new(
            Spec::new(CosineWithWarmup::new(updates / 10, updates)),
            updates,
            Goal::Minimize,
        );
        c.bench_function(&format!("tune/dummy objective/{updates} updates"), |b| {
            b.iter(|| {
                let tuning = tune(&config, &bracket, |trial| {
                    Ok::<_, String>(Outcome::Metric((trial.lr.log10() + 2.0).powi(2)))
                });
                black_box(tuning.map(|t| t.lr).unwrap_or(f64::NAN))
            })
        });
    }
}

criterion_group!(benches, search_bookkeeping);
criterion_main!(benches);
