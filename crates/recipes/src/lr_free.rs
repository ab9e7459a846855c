//! Learning-rate-free training: Prodigy or D-Adapt Adam at base LR 1 under
//! a short warmup and a cosine, the schedule multiplying the adapted step.

use burn_lr_core::Spec;
use burn_lr_core::schedules::CosineAnnealingLr;

use burn_lr_core::ConfigError;

use crate::recipe::{OptimizerSpec, Recipe, warmup_steps};
use crate::run::{OptimizerKind, RunDescription};

/// Prodigy (or D-Adapt Adam when the run names it) at base LR 1 (or the
/// run's), a linear warmup from 1% over about 5% of the updates, then a
/// cosine to 0; the run's weight decay, decoupled. Build it with
/// `init_lr_free()` (Prodigy with `safeguard_warmup` on) and train through
/// the handle.
pub fn lr_free(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = match run.optimizer {
        Some(OptimizerKind::DAdaptAdam) => OptimizerKind::DAdaptAdam,
        _ => OptimizerKind::Prodigy,
    };
    let lr = run.base_lr.unwrap_or(1.0);
    let warmup = warmup_steps(run, run.total_updates().div_ceil(20));
    let cosine = CosineAnnealingLr::new(run.total_steps().saturating_sub(warmup).max(1));
    let optimizer = OptimizerSpec {
        momentum: None,
        ..OptimizerSpec::for_kind(kind, lr, run.weight_decay, run.weight_decay)
    };
    let mut why = vec![
        format!(
            "{kind:?} at base LR {lr}: it estimates the step size itself, the schedule multiplies it"
        ),
        format!(
            "linear warmup from 1% over {warmup} steps (about 5% of the run), then a cosine to 0"
        ),
        "build it with `init_lr_free()` and update through its handle (`LrFreeModel` in burn-train)"
            .into(),
    ];
    if kind == OptimizerKind::Prodigy {
        why.push("Prodigy with `safeguard_warmup` on, as its authors advise under a warmup".into());
    }
    Ok(Recipe::for_run(
        run,
        "lr-free",
        "Mishchenko & Defazio, Prodigy (2023); Defazio & Mishchenko, D-Adaptation (2023)",
        optimizer,
        Spec::new(cosine).with_warmup(warmup, 0.01),
        why,
    ))
}
