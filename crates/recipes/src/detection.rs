//! Object detection: the Detectron/mmdetection step schedule, and DETR with
//! its backbone group.

use burn_lr_core::Spec;
use burn_lr_core::schedules::{Chained, LinearLr, MultiStepLr};

use burn_lr_core::ConfigError;

use crate::recipe::{
    OptimizerSpec, Recipe, at_fractions, in_steps, scale_lr, scaling_note, warmup_steps,
};
use crate::run::{OptimizerKind, RunDescription};

/// SGD at 0.02 per 16 images, 500-update linear warmup from 0.001x, x0.1 at
/// 8/12 and 11/12 of the run (epochs 8 and 11 of the 1x schedule, 16 and 22 of
/// the 2x one). The warmup multiplies the step schedule (as mmdetection's).
pub fn detection(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(0.02, run.batch_size, 16, OptimizerKind::Sgd));
    let milestones = at_fractions(run.total_steps(), &[8.0 / 12.0, 11.0 / 12.0]);
    // 500 updates even when under 1% of the run (Detectron's choice), at most 20%.
    let warmup = in_steps(run, 500).min(warmup_steps(run, 500));
    let spec = Spec::new(Chained::new(vec![
        LinearLr::new(0.001, 1.0, warmup).into(),
        MultiStepLr::new(milestones.clone()).with_gamma(0.1).into(),
    ]));
    let mut why = vec![
        format!("lr 0.02 per 16 images -> {lr}"),
        format!(
            "linear warmup from 0.001x over {warmup} steps (500 updates, at most 20% of the run)"
        ),
        format!("x0.1 at steps {milestones:?} (8/12 and 11/12 of the run: epochs 8/11 of 12)"),
    ];
    why.extend(scaling_note(run, 16));
    Ok(Recipe::for_run(
        run,
        "detection",
        "Detectron2 / mmdetection 1x and 2x schedules (Faster R-CNN, RetinaNet)",
        OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 1e-4, 1e-4),
        spec,
        why,
    ))
}

/// AdamW at 1e-4 with the backbone at 1e-5, weight decay 1e-4, gradient
/// clipping at norm 0.1, x0.1 at two thirds of the run (epoch 200 of 300).
/// Batches above 512 get a 1-epoch warmup.
pub fn detr(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let lr = run.base_lr.unwrap_or(1e-4);
    // Batches above 512 need a warmup; the step counts after it.
    let warmup = (run.batch_size > 512).then(|| warmup_steps(run, run.steps_per_epoch));
    let drop = at_fractions(run.total_steps() - warmup.unwrap_or(0), &[2.0 / 3.0]);
    let mut spec =
        Spec::new(MultiStepLr::new(drop.clone()).with_gamma(0.1)).with_group("backbone", 0.1);
    let mut why = vec![
        format!("AdamW at {lr}; the backbone group at {} (x0.1)", lr * 0.1),
        format!("x0.1 at step {drop:?} (two thirds of the run: epoch 200 of 300)"),
        "gradient clipping at norm 0.1".into(),
    ];
    if let Some(warmup) = warmup {
        spec = spec.with_warmup(warmup, 0.1);
        why.push(format!(
            "batch {} > 512: a warmup over {warmup} steps (1 epoch, kept within 1-20% of the run) before the schedule",
            run.batch_size
        ));
    }
    Ok(Recipe::for_run(
        run,
        "detr",
        "Carion et al., End-to-End Object Detection with Transformers (DETR, 2020)",
        OptimizerSpec {
            kind: OptimizerKind::AdamW,
            lr,
            momentum: None,
            weight_decay: 1e-4,
            grad_clip_norm: Some(0.1),
            warmup_steps: 0,
        },
        spec,
        why,
    ))
}
