//! Recipes that are about the run rather than the model: segmentation's poly
//! decay, large-batch scaling, fine-tuning with discriminative groups, and
//! fast training with one-cycle.

use burn_lr_schedule::curves::{CosineAnnealingLr, OneCycleLr, PolynomialWithWarmup};
use burn_lr_schedule::{Spec, Timing};

use crate::recipe::{OptimizerSpec, Recipe, in_epochs, scale_lr, warmup_epochs};
use crate::run::{OptimizerKind, RunDescription};

/// SGD at 0.01, poly decay with power 0.9 down to 1e-4 at the last update.
pub fn segmentation(run: &RunDescription) -> Recipe {
    let lr = run.base_lr.unwrap_or(0.01);
    let total = run.total_steps();
    let poly = PolynomialWithWarmup::new(0, total)
        .with_lr_end(1e-4f64.min(lr / 10.0))
        .with_power(0.9);
    Recipe {
        name: "segmentation-poly",
        reference: "Chen et al., DeepLab (2017); mmsegmentation PolyLR (power 0.9, min 1e-4)",
        optimizer: OptimizerSpec::for_kind(OptimizerKind::Sgd, lr, 5e-4, 5e-4),
        schedule: Spec::new(poly),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("SGD at {lr}"),
            format!("(1 - step / {total})^0.9 down to 1e-4, every update"),
        ],
    }
}

/// Linear scaling (lr = 0.1 x batch / 256 for SGD; square-root scaling of
/// 1e-3 for adaptive optimizers), a 5-epoch warmup from 10%, then cosine.
/// The batch is the effective one: see [`effective_batch`](crate::effective_batch).
pub fn large_batch(run: &RunDescription) -> Recipe {
    let kind = run.optimizer.unwrap_or(OptimizerKind::Sgd);
    let reference_lr = if kind.is_adaptive() { 1e-3 } else { 0.1 };
    let lr = run
        .base_lr
        .unwrap_or_else(|| scale_lr(reference_lr, run.batch_size, 256, kind));
    let warmup = warmup_epochs(5, run.epochs);
    let spec = Spec::new(CosineAnnealingLr::new(run.epochs.saturating_sub(warmup)))
        .with_warmup(warmup, 0.1);
    let rule = if kind.is_adaptive() { "sqrt" } else { "linear" };
    Recipe {
        name: "large-batch",
        reference: "Goyal et al., Accurate, Large Minibatch SGD (2017); Hoffer et al. (2017) for sqrt scaling",
        optimizer: OptimizerSpec::for_kind(kind, lr, 0.05, 1e-4),
        schedule: in_epochs(run, spec, Timing::Iteration),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!(
                "{rule} scaling from {reference_lr} at batch 256 to {lr} at batch {}",
                run.batch_size
            ),
            format!(
                "{warmup}-epoch warmup from 10% (large batches diverge without it), then cosine"
            ),
        ],
    }
}

/// Discriminative LRs: the pretrained `backbone` at a tenth of the new head's
/// LR, and a gentle cosine to 10% (short runs need no more).
pub fn fine_tuning(run: &RunDescription) -> Recipe {
    let kind = run.optimizer.unwrap_or(OptimizerKind::AdamW);
    let lr = run
        .base_lr
        .unwrap_or(if kind.is_adaptive() { 1e-4 } else { 1e-2 });
    // Large batches need a warmup even when fine-tuning.
    let warmup = if run.batch_size > 512 {
        warmup_epochs(1, run.epochs)
    } else {
        0
    };
    let cosine = CosineAnnealingLr::new(run.epochs.saturating_sub(warmup)).with_eta_min(lr / 10.0);
    let mut spec = Spec::new(cosine).with_group("backbone", 0.1);
    if warmup > 0 {
        spec = spec.with_warmup(warmup, 0.1);
    }
    Recipe {
        name: "fine-tuning",
        reference: "Howard & Ruder, ULMFiT (2018): discriminative fine-tuning",
        optimizer: OptimizerSpec::for_kind(kind, lr, 0.01, 1e-4),
        schedule: in_epochs(run, spec, Timing::Iteration),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            format!("head at {lr}, pretrained backbone at {} (x0.1)", lr / 10.0),
            "a gentle cosine to 10%: fine-tuning needs little decay".into(),
        ],
    }
}

/// Run `burn-lr find` first, then one-cycle at its `max_lr` over the whole
/// run (Smith's super-convergence). Without a found LR, 0.01 (Adam) or 0.1
/// (SGD) stands in and the linter says so.
pub fn fast_one_cycle(run: &RunDescription) -> Recipe {
    let kind = run.optimizer.unwrap_or(OptimizerKind::Adam);
    let max_lr = run
        .base_lr
        .unwrap_or(if kind.is_adaptive() { 1e-2 } else { 0.1 });
    let one_cycle = OneCycleLr::new(max_lr, run.total_steps()).with_pct_start(0.3);
    Recipe {
        name: "fast-one-cycle",
        reference: "Smith & Topin, Super-Convergence (2018); fastai fit_one_cycle",
        optimizer: OptimizerSpec::for_kind(kind, max_lr, 0.01, 0.0),
        schedule: Spec::new(one_cycle),
        epochs: run.epochs,
        stepping: run.stepping,
        why: vec![
            match run.base_lr {
                Some(lr) => format!("max_lr {lr} (from --base-lr, e.g. the finder's valley)"),
                None => {
                    format!("max_lr {max_lr} as a placeholder: run `burn-lr find` and pass its LR")
                }
            },
            "one-cycle over the whole run: 30% up from max_lr / 25, then down to max_lr / 250000"
                .into(),
        ],
    }
}
