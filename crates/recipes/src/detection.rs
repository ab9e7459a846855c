//! Object detection: the Detectron/mmdetection step schedule, and DETR with
//! its backbone group.

use burn_lr_schedule::curves::{Chained, LinearLr, MultiStepLr};
use burn_lr_schedule::{Spec, Timing};

use crate::recipe::{OptimizerSpec, Recipe, in_epochs, in_steps};
use crate::run::{OptimizerKind, RunDescription};

/// SGD at 0.02 per 16 images, 500-update linear warmup from 0.001x, x0.1 at
/// 8/12 and 11/12 of the run (epochs 8 and 11 of the 1x schedule, 16 and 22 of
/// the 2x one). The warmup multiplies the step schedule (as mmdetection's).
pub fn detection(run: &RunDescription) -> Recipe {
    let lr = run.base_lr.unwrap_or(0.02 * run.batch_size as f64 / 16.0);
    let epoch_milestones = [run.epochs * 8 / 12, run.epochs * 11 / 12];
    let per_epoch = in_steps(run, run.steps_per_epoch);
    let milestones: Vec<u64> = epoch_milestones.iter().map(|e| e * per_epoch).collect();
    let warmup = in_steps(run, 500).min(run.total_steps() / 5).max(1);
    let spec = Spec::new(Chained::new(vec![
        LinearLr::new(0.001, 1.0, warmup).into(),
        MultiStepLr::new(milestones).with_gamma(0.1).into(),
    ]));
    Recipe {
        name: "detection",
        reference: "Detectron2 / mmdetection 1x and 2x schedules (Faster R-CNN, RetinaNet)",
        optimizer: OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 1e-4, 1e-4),
        schedule: spec,
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("lr 0.02 per 16 images -> {lr}"),
            format!("linear warmup from 0.001x over {warmup} steps (500 updates)"),
            format!("x0.1 at epochs {epoch_milestones:?} (8/11 of 12, 16/22 of 24)"),
        ],
    }
}

/// AdamW at 1e-4 with the backbone at 1e-5, weight decay 1e-4, gradient
/// clipping at norm 0.1, x0.1 at two thirds of the run (epoch 200 of 300).
pub fn detr(run: &RunDescription) -> Recipe {
    let lr = run.base_lr.unwrap_or(1e-4);
    let drop = run.epochs * 2 / 3;
    let spec = Spec::new(MultiStepLr::new([drop]).with_gamma(0.1)).with_group("backbone", 0.1);
    Recipe {
        name: "detr",
        reference: "Carion et al., End-to-End Object Detection with Transformers (DETR, 2020)",
        optimizer: OptimizerSpec {
            kind: OptimizerKind::AdamW,
            lr,
            momentum: None,
            weight_decay: 1e-4,
            grad_clip_norm: Some(0.1),
        },
        schedule: in_epochs(run, spec, Timing::Epoch),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("AdamW at {lr}; the backbone group at {} (x0.1)", lr * 0.1),
            format!("x0.1 at epoch {drop} (200 of 300)"),
            "gradient clipping at norm 0.1".into(),
        ],
    }
}
