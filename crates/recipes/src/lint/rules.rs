//! The rules, in the order their findings are reported. Each reads the
//! shared [`Context`] and returns at most one finding; the codes are stable.

use burn_lr_schedule::curves::WsdShape;
use burn_lr_schedule::{Schedule, Unit};

use super::curve::CurveFacts;
use super::{Context, Finding, MIN_SCHEDULED_STEPS};
use crate::run::{ModelFamily, OptimizerKind, Stepping};

use super::Severity;
use Severity::*;

/// A rule: one finding at most.
pub(crate) type Rule = fn(&Context) -> Option<Finding>;

/// Every rule.
pub(crate) const RULES: &[Rule] = &[
    steps_per_epoch_from_run,
    invalid_spec,
    short_run,
    missing_warmup,
    warmup_too_long,
    warmup_too_short,
    epoch_spec_per_update,
    horizon_short,
    tmax_includes_warmup,
    horizon_long,
    milestone_after_end,
    cooldown_length,
    cooldown_shape,
    cooldown_floor,
    one_cycle_long,
    max_lr_not_from_finder,
    plateau_without_metric,
    schedule_free_with_schedule,
    adaptive_lr_above_one,
    constant_lr_long,
    final_lr_high,
];

/// The warmup may take at most this fraction of the run...
const WARMUP_MAX: f64 = 0.2;
/// ...or up to this much when the curve is a one-cycle (it anneals below its start).
const ONE_CYCLE_RISE_MAX: f64 = 0.5;
/// A warmup below this fraction of the run is short.
const WARMUP_MIN: f64 = 0.01;
/// A decay that ends within this fraction of the run's end matches it.
const HORIZON_SLACK: f64 = 0.05;
/// Runs of at least this many epochs should end with a decayed LR.
const LONG_RUN_EPOCHS: u64 = 30;

fn steps_per_epoch_from_run(cx: &Context) -> Option<Finding> {
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

fn invalid_spec(cx: &Context) -> Option<Finding> {
    let error = cx.curve.as_ref().err()?;
    Some(Finding::new(
        "invalid-spec",
        Error,
        format!("the spec cannot be built: {error}"),
        "fix the field named above (`burn-lr preview` shows the curve once it builds)",
    ))
}

fn short_run(cx: &Context) -> Option<Finding> {
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

fn missing_warmup(cx: &Context) -> Option<Finding> {
    let curve = cx.scheduled_curve()?;
    if schedule_free(cx) {
        return None; // It warms up inside the optimizer (`warmup_steps`).
    }
    let (severity, who) = match cx.run.model {
        ModelFamily::Transformer | ModelFamily::Vit => (Error, "transformers"),
        _ if cx.run.batch_size > 512 => (Warning, "batches above 512"),
        _ => return None,
    };
    curve.warmup().is_none().then(|| {
        Finding::new(
            "missing-warmup",
            severity,
            format!(
                "no warmup: the first update runs at {:.0}% of the peak LR, and {who} are unstable \
                 at full LR from the first update",
                100.0 * curve.first / curve.peak
            ),
            "add a warmup (`\"warmup\": {\"total_iters\": N}`, about 5% of the run, or a \
             *_with_warmup schedule)",
        )
    })
}

/// The warmup as a fraction of the run, for curves whose rise is not their cycle.
fn warmup_fraction<'a>(cx: &'a Context) -> Option<(f64, &'a CurveFacts)> {
    let curve = cx.scheduled_curve()?;
    let warmup = curve.warmup()?;
    let own_cycle = cx.spec.schedule().restarts();
    (!own_cycle).then_some((warmup as f64 / curve.total as f64, curve))
}

fn warmup_too_long(cx: &Context) -> Option<Finding> {
    let (fraction, curve) = warmup_fraction(cx)?;
    // One-cycle's first phase: it starts at a few percent of the peak (1/25
    // by default) and anneals to far below that start.
    let one_cycle = curve.first >= curve.peak / 50.0
        && curve.last <= curve.first / 10.0
        && fraction <= ONE_CYCLE_RISE_MAX;
    (fraction > WARMUP_MAX && !one_cycle).then(|| {
        Finding::new(
            "warmup-too-long",
            Warning,
            format!(
                "the LR rises for {:.0}% of the run (to update {} of {})",
                100.0 * fraction,
                curve.peak_at,
                curve.total
            ),
            "keep the warmup within 1% to 20% of the run (5% is typical)",
        )
    })
}

fn warmup_too_short(cx: &Context) -> Option<Finding> {
    let (fraction, curve) = warmup_fraction(cx)?;
    (fraction < WARMUP_MIN).then(|| {
        Finding::new(
            "warmup-too-short",
            Info,
            format!(
                "the LR rises for {:.2}% of the run ({} updates)",
                100.0 * fraction,
                curve.peak_at
            ),
            "a warmup under 1% of the run is fine for detectors (500 updates); elsewhere aim for 1-5%",
        )
    })
}

/// The curve decays (its floor after the peak is below 99% of the peak).
fn decays(curve: &CurveFacts) -> bool {
    curve.floor < 0.99 * curve.peak
}

/// A spec in updates whose decay is over within about as many updates as the
/// run has epochs: an epoch count read as updates.
fn reads_epochs_as_updates<'a>(cx: &'a Context) -> Option<&'a CurveFacts> {
    let curve = cx.scheduled_curve()?;
    let per_update = cx.spec.unit() == Unit::Step && cx.run.stepping == Stepping::Update;
    let end = curve.decay_end;
    (per_update
        && cx.per_epoch > 1
        && decays(curve)
        && end <= 2 * cx.run.epochs
        && end.saturating_mul(10) < curve.total)
        .then_some(curve)
}

fn epoch_spec_per_update(cx: &Context) -> Option<Finding> {
    let curve = reads_epochs_as_updates(cx)?;
    Some(Finding::new(
        "epoch-spec-per-update",
        Error,
        format!(
            "the decay is over at update {} of {}: its length looks like epochs, but burn-train \
             steps the schedule every update ({} per epoch), so it ends in the first {:.1} epochs",
            curve.decay_end,
            curve.total,
            cx.per_epoch,
            curve.decay_end as f64 / cx.per_epoch as f64
        ),
        "add `\"unit\": \"epoch\", \"timing\": \"iteration\"` and the steps per epoch",
    ))
}

fn horizon_short(cx: &Context) -> Option<Finding> {
    let curve = cx.scheduled_curve()?;
    // Updates after the one where the decay ends.
    let after_end = curve.total - 1 - curve.decay_end;
    let early = after_end > 0 && after_end as f64 >= HORIZON_SLACK * curve.total as f64;
    let restart = curve.restarts && !cx.spec.schedule().restarts();
    // A smooth decay that stops early; a step curve's last level is its plan.
    let holds = !curve.restarts && !curve.stepwise;
    if !(decays(curve) && early && (restart || holds)) || reads_epochs_as_updates(cx).is_some() {
        return None;
    }
    let effect = if restart {
        "then the LR rises again"
    } else {
        "then the LR stays at its floor"
    };
    Some(Finding::new(
        "horizon-short",
        Warning,
        format!(
            "the decay ends at update {} of {} ({:.0}% of the run), {effect}",
            curve.decay_end,
            curve.total,
            100.0 * curve.decay_end as f64 / curve.total as f64
        ),
        "match the schedule's length to the run",
    ))
}

/// Where the decay the run does not reach ends: the run stops while the
/// curve still falls toward a floor it reaches later (open-ended decays excluded).
fn unfinished_decay<'a>(cx: &'a Context) -> Option<(u64, &'a CurveFacts)> {
    let curve = cx.scheduled_curve()?;
    let end = curve.planned_end?;
    (curve.still_falling() && end > curve.total).then_some((end, curve))
}

/// The decay ends one warmup after the run: the length counts the warmup twice.
fn counts_warmup_twice(cx: &Context) -> bool {
    unfinished_decay(cx).is_some_and(|(end, curve)| {
        curve.warmup().is_some_and(|w| {
            let overshoot = end - curve.total;
            !curve.stepwise && overshoot.abs_diff(w) * 2 <= w
        })
    })
}

fn tmax_includes_warmup(cx: &Context) -> Option<Finding> {
    let (end, curve) = unfinished_decay(cx).filter(|_| counts_warmup_twice(cx))?;
    Some(Finding::new(
        "tmax-includes-warmup",
        Warning,
        format!(
            "the decay ends at update {end}, {} after the run's {}: about the warmup's length \
             ({} updates), so its length counts the warmup too; the LR ends at {:.0}% of the peak",
            end - curve.total,
            curve.total,
            curve.peak_at,
            100.0 * curve.last / curve.peak
        ),
        "set the decay's length (t_max) to the run minus the warmup",
    ))
}

fn horizon_long(cx: &Context) -> Option<Finding> {
    let (end, curve) = unfinished_decay(cx)?;
    let late = end as f64 > (1.0 + HORIZON_SLACK) * curve.total as f64;
    (late && !curve.stepwise && !counts_warmup_twice(cx)).then(|| {
        Finding::new(
            "horizon-long",
            Warning,
            format!(
                "the decay ends at update {end}, after the run's {}: the LR never finishes \
                 decaying (it ends at {:.0}% of the peak)",
                curve.total,
                100.0 * curve.last / curve.peak
            ),
            "match the schedule's length to the run",
        )
    })
}

fn milestone_after_end(cx: &Context) -> Option<Finding> {
    let curve = cx.scheduled_curve()?;
    let end = curve.planned_end?;
    let drops_later = curve.future_floor < curve.last * (1.0 - 1e-9);
    (curve.stepwise && drops_later).then(|| {
        Finding::new(
            "milestone-after-end",
            Warning,
            format!(
                "the LR still drops after the run: its last drop is at update {end}, the run \
                 ends at {}",
                curve.total
            ),
            "place milestones inside the run (e.g. at 30%, 60%, 90%)",
        )
    })
}

/// A `cooldown` or a `warmup_stable_decay`'s decay: its length in updates,
/// its shape and its floor (a fraction of the LR it starts from).
fn cooldown(cx: &Context) -> Option<(u64, WsdShape, f64)> {
    cx.scheduled_curve()?;
    let (length, shape, floor) = match (cx.spec.cooldown(), cx.spec.schedule()) {
        (Some(c), _) => (c.length(), c.shape(), c.min_lr_ratio()),
        (None, Schedule::WarmupStableDecay(wsd)) => wsd.decay(),
        _ => return None,
    };
    let unit = match cx.spec.unit() {
        Unit::Epoch => cx.per_epoch,
        Unit::Step => 1,
    };
    Some((length.saturating_mul(unit), shape, floor))
}

fn cooldown_length(cx: &Context) -> Option<Finding> {
    let (length, ..) = cooldown(cx)?;
    let fraction = length as f64 / cx.run.total_steps() as f64;
    (!(0.1..=0.2).contains(&fraction)).then(|| {
        Finding::new(
            "cooldown-length",
            Info,
            format!(
                "the cooldown takes {:.0}% of the run ({length} updates)",
                100.0 * fraction
            ),
            "a cooldown of 10-20% of the run matches a cosine over the same budget \
             (Hägele et al., 2024)",
        )
    })
}

fn cooldown_shape(cx: &Context) -> Option<Finding> {
    let (_, shape, _) = cooldown(cx)?;
    (shape != WsdShape::OneMinusSqrt).then(|| {
        Finding::new(
            "cooldown-shape",
            Info,
            format!("the cooldown is {shape:?}"),
            "prefer the `1-sqrt` shape: it beats linear for the same length (Hägele et al., 2024)",
        )
    })
}

fn cooldown_floor(cx: &Context) -> Option<Finding> {
    let (_, _, floor) = cooldown(cx)?;
    (floor > 0.0).then(|| {
        Finding::new(
            "cooldown-floor",
            Info,
            format!(
                "the cooldown ends at {:.0}% of its starting LR",
                100.0 * floor
            ),
            "decay to zero (`min_lr_ratio` 0): it beats decaying to 10% (Bergsma et al., 2025)",
        )
    })
}

fn is_one_cycle(cx: &Context) -> bool {
    matches!(cx.spec.schedule(), Schedule::OneCycle(_))
}

fn one_cycle_long(cx: &Context) -> Option<Finding> {
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

fn max_lr_not_from_finder(cx: &Context) -> Option<Finding> {
    (is_one_cycle(cx) && cx.run.base_lr.is_none()).then(|| {
        Finding::new(
            "max-lr-not-from-finder",
            Info,
            "one-cycle's max_lr was not given from an LR range test".into(),
            "run `burn-lr find` and use its suggestion as max_lr (pass it with --base-lr)",
        )
    })
}

fn plateau_without_metric(cx: &Context) -> Option<Finding> {
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

fn schedule_free(cx: &Context) -> bool {
    cx.run
        .optimizer
        .is_some_and(OptimizerKind::is_schedule_free)
}

fn schedule_free_with_schedule(cx: &Context) -> Option<Finding> {
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

fn adaptive_lr_above_one(cx: &Context) -> Option<Finding> {
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

/// A long run from a fixed schedule (a plateau spec decays on its own).
fn long_fixed_run<'a>(cx: &'a Context) -> Option<&'a CurveFacts> {
    // A plateau spec decays on its own; a schedule-free optimizer averages instead.
    let long =
        cx.run.epochs >= LONG_RUN_EPOCHS && cx.spec.plateau().is_none() && !schedule_free(cx);
    cx.scheduled_curve().filter(|c| long && c.peak > 0.0)
}

fn constant_lr_long(cx: &Context) -> Option<Finding> {
    let curve = long_fixed_run(cx)?;
    (curve.constant() && !cx.run.fine_tune).then(|| {
        Finding::new(
            "constant-lr-long",
            Warning,
            format!("a constant LR for {} epochs from scratch", cx.run.epochs),
            "decay the LR (warmup + cosine is the usual default)",
        )
    })
}

fn final_lr_high(cx: &Context) -> Option<Finding> {
    let curve = long_fixed_run(cx)?;
    let reported = curve.constant() && !cx.run.fine_tune;
    (!reported && curve.last >= 0.5 * curve.peak).then(|| {
        Finding::new(
            "final-lr-high",
            Warning,
            format!(
                "the LR ends at {:.0}% of its peak after {} epochs",
                100.0 * curve.last / curve.peak,
                cx.run.epochs
            ),
            "decay to at most 10% of the peak by the end",
        )
    })
}
