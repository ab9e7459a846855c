//! Recipes that are about the run rather than the model: segmentation's poly
//! decay, large-batch scaling, fine-tuning with discriminative groups, and
//! fast training with one-cycle.

use burn_lr_core::Spec;
use burn_lr_core::schedules::{OneCycleLr, PolynomialWithWarmup};

use burn_lr_core::ConfigError;

use crate::recipe::{OptimizerSpec, Recipe, scale_lr, scaling_note, warmup_steps};
use crate::run::{OptimizerKind, RunDescription};
use crate::vision::warmup_cosine;

/// SGD at 0.01, poly decay with power 0.9 down to 1e-4 at the last update
/// (after a 1-epoch warmup for batches above 512).
pub fn segmentation(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let lr = run.base_lr.unwrap_or(0.01);
    let total = run.total_steps();
    let warmup = if run.batch_size > 512 {
        warmup_steps(run, run.steps_per_epoch)
    } else {
        0
    };
    let poly = PolynomialWithWarmup::new(warmup, total)
        .with_lr_end(1e-4f64.min(lr / 10.0))
        .with_power(0.9);
    let mut why = vec![
        format!("SGD at {lr}"),
        format!("(1 - step / {total})^0.9 down to 1e-4, every update"),
    ];
    if warmup > 0 {
        why.push(format!(
            "batch {} > 512: a warmup over {warmup} steps",
            run.batch_size
        ));
    }
    Ok(Recipe::for_run(
        run,
        "segmentation-poly",
        "Chen et al., DeepLab (2017); mmsegmentation PolyLR (power 0.9, min 1e-4)",
        OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 5e-4, 5e-4),
        Spec::new(poly),
        why,
    ))
}

/// Linear scaling (lr = 0.1 x batch / 256 for SGD; square-root scaling of
/// 1e-3 for adaptive optimizers), a 5-epoch warmup from 10%, then cosine.
/// The batch is the effective one: see [`effective_batch`](crate::effective_batch).
pub fn large_batch(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = run.optimizer.unwrap_or(OptimizerKind::Sgd);
    let reference_lr = if kind.is_adaptive() { 1e-3 } else { 0.1 };
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(reference_lr, run.batch_size, 256, kind));
    let (spec, warmup) = warmup_cosine(run, 5, 0.1, 0.0);
    let rule = if kind.is_adaptive() { "sqrt" } else { "linear" };
    let mut why = vec![
        format!(
            "{rule} scaling from {reference_lr} at batch 256 to {lr} at batch {}",
            run.batch_size
        ),
        format!(
            "warmup from 10% over {warmup} steps (5 epochs, kept within 1-20% of the run; large batches diverge without it), \
             then cosine"
        ),
    ];
    why.extend(scaling_note(run, 256));
    Ok(Recipe::for_run(
        run,
        "large-batch",
        "Goyal et al., Accurate, Large Minibatch SGD (2017); Hoffer et al. (2017) for sqrt scaling",
        OptimizerSpec::for_kind(kind, lr, 0.05, 1e-4),
        spec,
        why,
    ))
}

/// Discriminative LRs: the pretrained `backbone` at a tenth of the new head's
/// LR, and a gentle cosine to 10% (short runs need no more). Batches above
/// 512 get a 1-epoch warmup.
pub fn fine_tuning(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = run.optimizer.unwrap_or(OptimizerKind::AdamW);
    let lr = run
        .base_lr
        .unwrap_or(if kind.is_adaptive() { 1e-4 } else { 1e-2 });
    let warmup_epochs = u64::from(run.batch_size > 512);
    let (spec, warmup) = warmup_cosine(run, warmup_epochs, 0.1, lr / 10.0);
    let mut why = vec![
        format!("head at {lr}, pretrained backbone at {} (x0.1)", lr / 10.0),
        "a gentle cosine to 10%: fine-tuning needs little decay".into(),
        "for a transformer backbone, layer-wise decay 0.75 per block instead: \
         `recipe.schedule_for(&model, \"encoder.layers.{i}\")`"
            .into(),
    ];
    if run.batch_size > 512 {
        why.push(format!(
            "batch {} > 512: a warmup over {warmup} steps",
            run.batch_size
        ));
    }
    Ok(Recipe::for_run(
        run,
        "fine-tuning",
        "Howard & Ruder, ULMFiT (2018): discriminative fine-tuning",
        OptimizerSpec::for_kind(kind, lr, 0.01, 1e-4),
        spec.with_group("backbone", 0.1),
        why,
    )
    .with_layer_decay(Some(0.75)))
}

/// Run `burn-lr find` first, then one-cycle at its `max_lr` over the whole
/// run (Smith's super-convergence). Without a found LR, 0.01 (Adam) or 0.1
/// (SGD) stands in and the linter says so.
pub fn fast_one_cycle(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = run.optimizer.unwrap_or(OptimizerKind::Adam);
    let max_lr = run
        .base_lr
        .unwrap_or(if kind.is_adaptive() { 1e-2 } else { 0.1 });
    let one_cycle = OneCycleLr::new(max_lr, run.total_steps()).with_pct_start(0.3);
    Ok(Recipe::for_run(
        run,
        "fast-one-cycle",
        "Smith & Topin, Super-Convergence (2018); fastai fit_one_cycle",
        OptimizerSpec::for_kind(kind, max_lr, 0.01, 0.0),
        Spec::new(one_cycle),
        vec![
            match run.base_lr {
                Some(lr) => format!(
                    "max_lr {lr} (from --base-lr: the finder's `max_lr`, its one-cycle hand-off, \
                     not its `lr`)"
                ),
                None => format!(
                    "max_lr {max_lr} as a placeholder: run `burn-lr find` and pass its `max_lr`"
                ),
            },
            "one-cycle over the whole run: 30% up from max_lr / 25, then down to max_lr / 250000"
                .into(),
            "momentum cycled 0.95 -> 0.85 -> 0.95 against the LR, as fastai: build the optimizer \
             with `recipe.optimizer.init_with(&lr)`"
                .into(),
        ],
    ))
}
