//! The same short burn-train run on the CPU (flex) and on wgpu gives the same
//! LR at every update: a burn-lr warmup + cosine reduced on plateau, its hook
//! registered, on the digits MLP. Built with `--features wgpu`; CI runs it on
//! lavapipe (Mesa's Vulkan on the CPU).
//!
//! ```text
//! cargo test --release -p burn-lr-tests --features wgpu --test wgpu_lr_path
//! ```

use burn::optim::AdamConfig;
use burn::tensor::{Device, DeviceKind};
use burn::train::Learner;
use burn_lr_core::plateau::{ReduceOnPlateau, ThresholdMode};
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::{Spec, Timing};
use burn_lr_examples::model::Mlp;
use burn_lr_tests::{close, digits_training, per_update};

const EPOCHS: usize = 4;
const BATCH: usize = 256;
/// The digits split has 1437 training images.
const STEPS_PER_EPOCH: usize = 1437usize.div_ceil(BATCH);

/// The per-update LRs and the last epoch's training losses of the run on `device`.
fn run(device: Device) -> (Vec<f64>, Vec<f64>) {
    let device = device.autodiff();
    device.seed(0);
    // The plateau halves the LR whenever the validation loss improves by less
    // than half: a decision far from any rounding difference between backends.
    let spec = Spec::new(CosineAnnealingLr::new(EPOCHS as u64))
        .in_epochs(Timing::Iteration)
        .with_warmup(1, 0.1)
        .with_steps_per_epoch(STEPS_PER_EPOCH as u64)
        .with_plateau(
            ReduceOnPlateau::new()
                .with_factor(0.5)
                .with_patience(0)
                .with_threshold(0.5, ThresholdMode::Rel),
        );
    let lr = spec.init(1e-2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result = digits_training(dir.path(), 0, BATCH, EPOCHS)
        .early_stopping(lr.hook())
        .launch(Learner::new(
            Mlp::new(64, &device),
            AdamConfig::new().init(),
            lr,
        ));
    assert!(result.error.is_none(), "{:?}", result.error);
    let losses = per_update(dir.path(), "Loss", EPOCHS);
    (
        per_update(dir.path(), "Learning Rate", EPOCHS).concat(),
        losses.last().cloned().unwrap_or_default(),
    )
}

#[test]
fn wgpu_follows_the_cpu_runs_lr_path() {
    let (cpu, cpu_losses) = run(Device::flex());
    let (gpu, gpu_losses) = run(Device::wgpu(DeviceKind::DefaultDevice));
    assert_eq!(cpu.len(), EPOCHS * STEPS_PER_EPOCH);
    assert_eq!(cpu.len(), gpu.len());
    for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        assert!(
            close(*g, *c),
            "update {i}: wgpu {g} vs cpu {c}\ncpu {cpu:?}\nwgpu {gpu:?}"
        );
    }
    // The plateau acted: the last epoch's LR is below the plain cosine's.
    let reduced = Spec::new(CosineAnnealingLr::new(EPOCHS as u64))
        .in_epochs(Timing::Iteration)
        .with_warmup(1, 0.1)
        .with_steps_per_epoch(STEPS_PER_EPOCH as u64)
        .preview(1e-2, cpu.len())
        .unwrap();
    assert!(cpu.last() < reduced.last(), "{cpu:?} vs {reduced:?}");
    // Both trained: the last epoch's loss is finite and well below chance (ln 10).
    for losses in [cpu_losses, gpu_losses] {
        let mean = losses.iter().sum::<f64>() / losses.len() as f64;
        assert!(mean.is_finite() && mean < 1.5, "{losses:?}");
    }
}
