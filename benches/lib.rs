//! Criterion benchmarks of burn-lr; see the `[[bench]]` targets.
//!
//! The schedules and backends the benchmarks (and the allocation test) share
//! live here.

use burn::tensor::Device;
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::{Schedule, Spec, Timing, lambda};

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

/// The backends compiled in: flex always, ndarray, wgpu and cuda by feature.
/// `BURN_LR_BACKENDS=flex,cuda` (comma-separated names) keeps only those; a
/// device is only created when it is kept. wgpu takes the adapter wgpu
/// prefers (`CUBECL_WGPU_DEFAULT_DEVICE` overrides it, e.g. `Cpu` for a
/// software renderer).
pub fn backends() -> Vec<(&'static str, Device)> {
    /// A backend's name and how to create its device.
    type Backend = (&'static str, fn() -> Device);
    #[allow(unused_mut)]
    let mut compiled: Vec<Backend> = vec![("flex", Device::flex)];
    // burn 0.22 deprecates NdArray in favour of Flex; it is still the reference to compare with.
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    compiled.push(("ndarray", Device::ndarray));
    #[cfg(feature = "wgpu")]
    compiled.push(("wgpu", || {
        Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)
    }));
    #[cfg(feature = "cuda")]
    compiled.push(("cuda", || Device::cuda(0)));
    let keep = std::env::var("BURN_LR_BACKENDS").ok();
    compiled
        .into_iter()
        .filter(|(name, _)| {
            keep.as_deref()
                .is_none_or(|keep| keep.split(',').any(|k| k.trim() == *name))
        })
        .map(|(name, device)| (name, device()))
        .collect()
}
