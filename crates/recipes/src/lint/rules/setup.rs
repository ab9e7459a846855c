//! Rules about the spec and the run rather than the curve: how it is read,
//! whether it builds, the plateau, the optimizer, one-cycle's own options.

use super::{Context, Finding, MIN_SCHEDULED_STEPS, Severity::*, decays, schedule_free};
use crate::run::OptimizerKind;
use burn_lr_core::Schedule;
pub(super) fn steps_per_epoch_from_run(cx: &Context) -> Option<Finding> {
    cx.filled_steps_per_epoch.then(|| {
        Finding::new(
            "steps-per-epoch-from-run",
            Info,
            format!(
                "the spec counts epochs; {} steps per epoch taken from the run description",
                cx.per_epoch
            ),
            "give `steps_per_epoch` in the spec or in code (Spec::with_steps_per_epoch)",
        )
    })
}

pub(super) fn invalid_spec(cx: &Context) -> Option<Finding> {
    let error = cx.curve.as_ref().err()?;
    Some(Finding::new(
        "invalid-spec",
        Error,
        format!("the spec cannot be built: {error}"),
        "fix the field named above (`burn-lr preview` shows the curve once it builds)",
    ))
}

pub(super) fn short_run(cx: &Context) -> Option<Finding> {
    let total = cx.run.total_steps();
    (total < MIN_SCHEDULED_STEPS).then(|| {
        Finding::new(
            "short-run",
            Info,
            format!(
                "the run has {total} step() calls: too few for a warmup or a decay to matter; \
                 the curve rules are skipped"
            ),
            format!(
                "a constant LR is as good here; schedule runs of at least {MIN_SCHEDULED_STEPS} updates"
            ),
        )
    })
}

fn is_one_cycle(cx: &Context) -> bool {
    matches!(cx.spec.schedule(), Schedule::OneCycle(_))
}

pub(super) fn one_cycle_long(cx: &Context) -> Option<Finding> {
    (is_one_cycle(cx) && cx.run.epochs > 50).then(|| {
        Finding::new(
            "one-cycle-long",
            Warning,
            format!(
                "one-cycle over {} epochs: it is built for short runs",
                cx.run.epochs
            ),
            "use warmup + cosine for runs above ~50 epochs",
        )
    })
}

pub(super) fn max_lr_not_from_finder(cx: &Context) -> Option<Finding> {
    let lr_free = cx.run.optimizer.is_some_and(OptimizerKind::is_lr_free);
    (is_one_cycle(cx) && cx.run.base_lr.is_none() && !lr_free).then(|| {
        Finding::new(
            "max-lr-not-from-finder",
            Info,
            "one-cycle's max_lr was not given from an LR range test".into(),
            "run `burn-lr find` and pass its `max_lr` (the one-cycle hand-off) with --base-lr",
        )
    })
}

pub(super) fn plateau_without_metric(cx: &Context) -> Option<Finding> {
    (cx.spec.plateau().is_some() && !cx.run.validation).then(|| {
        Finding::new(
            "plateau-without-metric",
            Error,
            "reduce_on_plateau needs a validation metric every epoch, and the run has none".into(),
            "compute a validation metric and register `lr.hook()` with `.early_stopping(..)`, \
             or use a fixed schedule",
        )
    })
}

pub(super) fn schedule_free_with_schedule(cx: &Context) -> Option<Finding> {
    let curve = cx.scheduled_curve()?;
    (schedule_free(cx) && decays(curve)).then(|| {
        Finding::new(
            "schedule-free-with-schedule",
            Error,
            format!(
                "a schedule-free optimizer under a decaying LR (down to {:.0}% of the peak): it \
                 averages its iterates instead of decaying, and the decay breaks its weighting",
                100.0 * curve.floor / curve.peak
            ),
            "use a constant LR (the optimizer warms up with `warmup_steps`), or a scheduled optimizer",
        )
    })
}

pub(super) fn adaptive_lr_above_one(cx: &Context) -> Option<Finding> {
    let curve = cx.curve.as_ref().ok()?;
    let kind = cx.run.optimizer.unwrap_or(OptimizerKind::Sgd);
    (kind.is_adaptive() && cx.run.base_lr.is_some() && curve.peak > 1.0).then(|| {
        Finding::new(
            "adaptive-lr-above-one",
            Error,
            format!(
                "peak LR {} with an adaptive optimizer: Adam steps are about LR-sized, so this diverges",
                curve.peak
            ),
            "adaptive optimizers want LRs around 1e-4..1e-2 (use square-root scaling for large batches)",
        )
    })
}
