//! Schedule-free training: a constant LR, the optimizer's own warmup, and
//! evaluation at the running average.

use burn_lr_core::Spec;
use burn_lr_core::schedules::ConstantLr;

use burn_lr_core::ConfigError;

use crate::recipe::{OptimizerSpec, Recipe};
use crate::run::{OptimizerKind, RunDescription};

/// Schedule-free AdamW (the package's LR 0.0025) or SGD (LR 1.0, momentum
/// 0.9) at a constant LR, warming up inside the optimizer over 5% of the
/// updates (at least one). Build it with `init_schedule_free()` and validate
/// the average with `Averaged`.
pub fn schedule_free(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let kind = match run.optimizer {
        Some(OptimizerKind::ScheduleFreeSgd) => OptimizerKind::ScheduleFreeSgd,
        _ => OptimizerKind::ScheduleFreeAdamW,
    };
    let reference_lr = if kind == OptimizerKind::ScheduleFreeSgd {
        1.0
    } else {
        2.5e-3
    };
    let lr = run.base_lr.unwrap_or(reference_lr);
    let warmup_steps = run.total_updates().div_ceil(20).max(1);
    let optimizer = OptimizerSpec {
        warmup_steps,
        ..OptimizerSpec::for_kind(kind, lr, 0.0, 0.0)
    };
    Ok(Recipe::for_run(
        run,
        "schedule-free",
        "Defazio et al., The Road Less Scheduled (2024); the schedulefree package",
        optimizer,
        Spec::new(ConstantLr::new(1.0, 1)),
        vec![
            format!("{kind:?} at a constant LR {lr}: the optimizer averages instead of decaying"),
            format!(
                "warmup inside the optimizer: warmup_steps = {warmup_steps} (5% of the updates)"
            ),
            "validate and export the average x: `init_schedule_free()` and `Averaged`".into(),
        ],
    ))
}
