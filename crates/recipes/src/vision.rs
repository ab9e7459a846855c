//! Image classification: ResNet's step schedule, the modern warmup + cosine,
//! and ViT/DeiT.

use burn_lr_schedule::curves::{CosineAnnealingLr, MultiStepLr};
use burn_lr_schedule::{Spec, Timing};

use crate::recipe::{OptimizerSpec, Recipe, in_epochs, scale_lr, warmup_epochs};
use crate::run::{OptimizerKind, RunDescription};

/// SGD at 0.1 per 256 images, x0.1 at 30%, 60% and 90% of the run (epochs
/// 30, 60, 90 of 100), PyTorch's ImageNet reference. Large batches (> 512)
/// get Goyal et al.'s 5-epoch warmup.
pub fn cnn_classic(run: &RunDescription) -> Recipe {
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(0.1, run.batch_size, 256, OptimizerKind::Sgd));
    let milestones: Vec<u64> = [0.3, 0.6, 0.9]
        .iter()
        .map(|f| (run.epochs as f64 * f).round() as u64)
        .collect();
    let mut spec = Spec::new(MultiStepLr::new(milestones.clone()).with_gamma(0.1));
    let mut why = vec![
        format!("lr 0.1 per 256 images -> {lr}"),
        format!(
            "x0.1 at epochs {milestones:?} (30/60/90 of 100, scaled to {} epochs)",
            run.epochs
        ),
    ];
    if run.batch_size > 512 {
        let warmup = warmup_epochs(5, run.epochs);
        spec = spec.with_warmup(warmup, 0.1);
        why.push(format!(
            "batch {} > 512: {warmup}-epoch linear warmup (Goyal et al., 2017)",
            run.batch_size
        ));
    }
    Recipe {
        name: "vision-cnn-classic",
        reference: "He et al., Deep Residual Learning (2016); PyTorch ImageNet reference recipe",
        optimizer: OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 1e-4, 1e-4),
        schedule: in_epochs(run, spec, Timing::Epoch),
        epochs: run.epochs,
        stepping: run.stepping,
        why,
    }
}

/// SGD at 0.1 per 256 images, a 5-epoch linear warmup, then a cosine to 0
/// over the remaining epochs, evaluated per update.
pub fn cnn_modern(run: &RunDescription) -> Recipe {
    let kind = run.optimizer.unwrap_or(OptimizerKind::Sgd);
    let reference_lr = if kind.is_adaptive() { 1e-3 } else { 0.1 };
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(reference_lr, run.batch_size, 256, kind));
    let warmup = warmup_epochs(5, run.epochs);
    let spec = Spec::new(CosineAnnealingLr::new(run.epochs.saturating_sub(warmup)))
        .with_warmup(warmup, 0.01);
    Recipe {
        name: "vision-cnn-modern",
        reference: "Goyal et al. (2017) warmup; Loshchilov & Hutter, SGDR (2017) cosine; He et al., Bag of Tricks (2019)",
        optimizer: OptimizerSpec::for_kind(kind, lr, 0.05, 5e-5),
        schedule: in_epochs(run, spec, Timing::Iteration),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("lr {reference_lr} per 256 images -> {lr}"),
            format!(
                "{warmup}-epoch linear warmup from 1%, then cosine to 0 over the other {} epochs",
                run.epochs.saturating_sub(warmup)
            ),
            "evaluated per update (smooth), the cosine's t_max excludes the warmup".into(),
        ],
    }
}

/// AdamW at 5e-4 per 512 images, weight decay 0.05, 5-epoch warmup, cosine to
/// 1e-5 (DeiT). Fine-tuning uses a tenth of that LR.
pub fn vit(run: &RunDescription) -> Recipe {
    let reference_lr = if run.fine_tune { 5e-5 } else { 5e-4 };
    let lr = run
        .base_lr
        .unwrap_or(reference_lr * run.batch_size as f64 / 512.0);
    let warmup = warmup_epochs(5, run.epochs);
    let cosine = CosineAnnealingLr::new(run.epochs.saturating_sub(warmup));
    let spec = Spec::new(cosine.with_eta_min(1e-5f64.min(lr / 10.0))).with_warmup(warmup, 0.002);
    Recipe {
        name: "vision-vit",
        reference: "Touvron et al., DeiT (2021); Dosovitskiy et al., ViT (2021)",
        optimizer: OptimizerSpec::for_kind(OptimizerKind::AdamW, lr, 0.05, 0.05),
        schedule: in_epochs(run, spec, Timing::Iteration),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("lr {reference_lr} x batch {} / 512 = {lr}", run.batch_size),
            format!("transformers need warmup: {warmup} epochs, then cosine to 1e-5"),
            "AdamW with weight decay 0.05".into(),
        ],
    }
}
