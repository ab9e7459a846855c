//! The loss-curve law's cost: fitting the three bundled reference runs
//! (4,000, 4,000 and 2,000 updates), predicting a schedule of a million
//! updates from the fit (one pass over the path), and planning a WSD schedule
//! of a million updates (100 candidates predicted).

use std::hint::black_box;
use std::time::Duration;

use burn_lr_core::Spec;
use burn_lr_core::schedules::{CosineAnnealingLr, WarmupStableDecay, WsdShape};
use burn_lr_predict::{Family, LawKind, LrPath, Run, fit, plan};
use criterion::{Criterion, criterion_group, criterion_main};

const UPDATES: usize = 1_000_000;

fn runs() -> Vec<Run> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/loss_curves");
    ["constant-T4000", "cosine-T4000", "cosine-T2000"]
        .iter()
        .map(|name| Run::from_path(format!("{dir}/{name}.csv")).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn path(spec: Spec) -> LrPath {
    let lrs = spec
        .preview(0.02, UPDATES)
        .unwrap_or_else(|e| panic!("{e}"));
    LrPath::new(lrs).unwrap_or_else(|e| panic!("{e}"))
}

fn loss_law(c: &mut Criterion) {
    let runs = runs();
    let mut group = c.benchmark_group("predict");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("fit/multi_power/three reference runs", |b| {
        b.iter(|| black_box(fit(&runs, LawKind::MultiPower).map(|f| f.fit_error)))
    });
    let law = fit(&runs, LawKind::MultiPower)
        .unwrap_or_else(|e| panic!("{e}"))
        .law;
    let cosine =
        path(Spec::new(CosineAnnealingLr::new(UPDATES as u64 - 100)).with_warmup(100, 0.01));
    let wsd = path(
        Spec::new(
            WarmupStableDecay::new(0, 800_000 - 100, 200_000)
                .with_shapes(WsdShape::Linear, WsdShape::OneMinusSqrt),
        )
        .with_warmup(100, 0.01),
    );
    group.bench_function("losses/multi_power/1e6 updates, warmup + cosine", |b| {
        b.iter(|| black_box(law.losses(&cosine)[UPDATES - 1]))
    });
    group.bench_function("losses/multi_power/1e6 updates, wsd 20% 1-sqrt", |b| {
        b.iter(|| black_box(law.losses(&wsd)[UPDATES - 1]))
    });
    group.bench_function("plan/multi_power/1e6 updates, wsd family", |b| {
        b.iter(|| {
            black_box(plan(&law, runs[1].path(), UPDATES as u64, Family::Wsd).map(|p| p.final_loss))
        })
    });
    group.finish();
}

criterion_group!(benches, loss_law);
criterion_main!(benches);
