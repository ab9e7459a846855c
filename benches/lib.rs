//! Criterion benchmarks of burn-lr; see the `[[bench]]` targets.
//!
//! The schedules the benchmarks and the allocation test share live here.

use burn_lr_schedule::curves::CosineAnnealingLr;
use burn_lr_schedule::{Schedule, Spec, Timing, lambda};

/// Every schedule's example under its name, then the spec options that add
/// work to a step (warmup prefix, epoch timing) and a closure.
pub fn representative_specs() -> Vec<(&'static str, Spec)> {
    Schedule::NAMES
        .iter()
        .copied()
        .zip(Schedule::examples().into_iter().map(Spec::new))
        .chain([
            (
                "cosine + warmup prefix",
                Spec::new(CosineAnnealingLr::new(99_900)).with_warmup(100, 0.01),
            ),
            (
                "cosine in epochs (iteration timing)",
                Spec::new(CosineAnnealingLr::new(90))
                    .in_epochs(Timing::Iteration)
                    .with_steps_per_epoch(500),
            ),
            ("lambda", lambda("inverse", |t| 1.0 / (1.0 + t / 1000.0))),
        ])
        .collect()
}
