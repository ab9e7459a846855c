//! Image classification: ResNet's step schedule, the modern warmup + cosine,
//! and ViT/DeiT.

use burn_lr_core::Spec;
use burn_lr_core::schedules::{CosineAnnealingLr, MultiStepLr};

use burn_lr_core::ConfigError;

use crate::recipe::{OptimizerSpec, Recipe, at_fractions, scale_lr, scaling_note, warmup_steps};
use crate::run::{OptimizerKind, RunDescription};

/// SGD at 0.1 per 256 images, x0.1 at 30%, 60% and 90% of the run (epochs
/// 30, 60, 90 of 100), PyTorch's ImageNet reference. Large batches (> 512)
/// get Goyal et al.'s 5-epoch warmup. Times are in `step()` calls.
pub fn cnn_classic(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(0.1, run.batch_size, 256, OptimizerKind::Sgd));
    // Batches above 512 need a warmup; the steps count after it.
    let warmup =
        (run.batch_size > 512).then(|| warmup_steps(run, run.steps_per_epoch.saturating_mul(5)));
    let milestones = at_fractions(run.total_steps() - warmup.unwrap_or(0), &[0.3, 0.6, 0.9]);
    let mut spec = Spec::new(MultiStepLr::new(milestones.clone()).with_gamma(0.1));
    let mut why = vec![
        format!("lr 0.1 per 256 images -> {lr}"),
        format!(
            "x0.1 at steps {milestones:?} (30%, 60% and 90% of the run: epochs 30/60/90 of 100)"
        ),
    ];
    why.extend(scaling_note(run, 256));
    if let Some(warmup) = warmup {
        spec = spec.with_warmup(warmup, 0.1);
        why.push(format!(
            "batch {} > 512: a linear warmup over {warmup} steps (5 epochs, kept within 1-20% of the run; Goyal et al., 2017) \
             before the schedule",
            run.batch_size
        ));
    }
    Ok(Recipe::for_run(
        run,
        "vision-cnn-classic",
        "He et al., Deep Residual Learning (2016); PyTorch ImageNet reference recipe",
        OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 1e-4, 1e-4),
        spec,
        why,
    ))
}

/// SGD at 0.1 per 256 images (Adam: 1e-3, square-root scaled), a 5-epoch
/// linear warmup, then a cosine to 0 at the end of the run.
pub fn cnn_modern(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = run.optimizer.unwrap_or(OptimizerKind::Sgd);
    let reference_lr = if kind.is_adaptive() { 1e-3 } else { 0.1 };
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(reference_lr, run.batch_size, 256, kind));
    let (spec, warmup) = warmup_cosine(run, 5, 0.01, 0.0);
    let mut why = vec![
        format!("lr {reference_lr} per 256 images -> {lr}"),
        format!(
            "linear warmup from 1% over {warmup} steps (5 epochs, kept within 1-20% of the run), then \
             a cosine to 0 at the last step"
        ),
        "the cosine's t_max excludes the warmup".into(),
    ];
    why.extend(scaling_note(run, 256));
    Ok(Recipe::for_run(
        run,
        "vision-cnn-modern",
        "Goyal et al. (2017) warmup; Loshchilov & Hutter, SGDR (2017) cosine; He et al., Bag of Tricks (2019)",
        OptimizerSpec::for_kind(kind, lr, 0.05, 5e-5),
        spec,
        why,
    ))
}

/// A warmup of about `epochs` epochs (none for 0) from `start_factor`, then
/// a cosine to `eta_min` ending at the run's last step, in `step()` calls;
/// and the warmup's length.
pub(crate) fn warmup_cosine(
    run: &RunDescription,
    epochs: u64,
    start_factor: f64,
    eta_min: f64,
) -> (Spec, u64) {
    let warmup = match epochs {
        0 => 0,
        _ => warmup_steps(run, epochs.saturating_mul(run.steps_per_epoch)),
    };
    let cosine = CosineAnnealingLr::new(run.total_steps().saturating_sub(warmup).max(1))
        .with_eta_min(eta_min);
    let spec = Spec::new(cosine);
    match warmup {
        0 => (spec, 0),
        _ => (spec.with_warmup(warmup, start_factor), warmup),
    }
}

/// AdamW at 5e-4 per 512 images, weight decay 0.05, 5-epoch warmup, cosine to
/// 1e-5 (DeiT). Fine-tuning uses a tenth of that LR.
pub fn vit(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let reference_lr = if run.fine_tune { 5e-5 } else { 5e-4 };
    // DeiT scales linearly, even with AdamW.
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(reference_lr, run.batch_size, 512, OptimizerKind::Sgd));
    let (spec, warmup) = warmup_cosine(run, 5, 0.002, 1e-5f64.min(lr / 10.0));
    let mut why = vec![
        format!("lr {reference_lr} x batch {} / 512 = {lr}", run.batch_size),
        format!(
            "transformers need warmup: {warmup} steps (5 epochs, kept within 1-20% of the run), then cosine to 1e-5"
        ),
        "AdamW with weight decay 0.05".into(),
    ];
    if run.fine_tune {
        why.push(
            "fine-tuning: layer-wise LR decay 0.65 (BEiT): `recipe.schedule_for(&model, \"blocks.{i}\")`"
                .into(),
        );
    }
    why.extend(scaling_note(run, 512));
    Ok(Recipe::for_run(
        run,
        "vision-vit",
        "Touvron et al., DeiT (2021); Dosovitskiy et al., ViT (2021); Bao et al., BEiT (2022)",
        OptimizerSpec::for_kind(OptimizerKind::AdamW, lr, 0.05, 0.05),
        spec,
        why,
    )
    .with_layer_decay(run.fine_tune.then_some(0.65)))
}
