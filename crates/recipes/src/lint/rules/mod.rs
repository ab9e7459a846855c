//! The rules, in the order their findings are reported. Each reads the
//! shared [`Context`] and returns at most one finding; the codes are stable.

mod cooldown;
mod horizon;
mod lr_free;
mod setup;
mod warmup;

use super::curve::CurveFacts;
use super::{Context, Finding, MIN_SCHEDULED_STEPS, Severity};
use crate::run::OptimizerKind;
use cooldown::*;
use horizon::*;
pub(crate) use horizon::{FLOOR_ABOVE_BASE, FLOOR_CONSEQUENCES};
use lr_free::*;
use setup::*;
use warmup::*;

/// A rule: one finding at most.
pub(crate) type Rule = fn(&Context) -> Option<Finding>;

/// Every rule.
pub(crate) const RULES: &[Rule] = &[
    steps_per_epoch_from_run,
    invalid_spec,
    short_run,
    floor_above_base,
    missing_warmup,
    warmup_too_long,
    warmup_too_short,
    epoch_spec_per_update,
    horizon_short,
    tmax_includes_warmup,
    horizon_long,
    milestone_after_end,
    cooldown_in_warmup,
    cooldown_length,
    cooldown_shape,
    cooldown_floor,
    one_cycle_long,
    max_lr_not_from_finder,
    plateau_without_metric,
    schedule_free_with_schedule,
    adaptive_lr_above_one,
    lr_free_base_lr,
    lr_free_unsafe_warmup,
    finder_with_lr_free,
    coupled_decay_lr_free,
    constant_lr_long,
    final_lr_high,
];

/// The curve decays (its floor after the peak is below 99% of the peak).
fn decays(curve: &CurveFacts) -> bool {
    curve.floor < 0.99 * curve.peak
}

fn schedule_free(cx: &Context) -> bool {
    cx.run
        .optimizer
        .is_some_and(OptimizerKind::is_schedule_free)
}
