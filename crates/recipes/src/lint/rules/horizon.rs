//! The decay against the run: where it ends, whether it restarts, what it
//! still plans after the last update, and where the LR ends.

use burn_lr_core::{Schedule, Unit};

use super::{Context, CurveFacts, Finding, Severity::*, decays, schedule_free};
use crate::run::Stepping;
/// A decay that ends within this fraction of the run's end matches it.
const HORIZON_SLACK: f64 = 0.05;

/// Runs of at least this many epochs should end with a decayed LR.
const LONG_RUN_EPOCHS: u64 = 30;

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

pub(super) fn epoch_spec_per_update(cx: &Context) -> Option<Finding> {
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

pub(super) fn horizon_short(cx: &Context) -> Option<Finding> {
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
fn counts_warmup_twice(end: u64, curve: &CurveFacts) -> bool {
    curve.warmup().is_some_and(|w| {
        let overshoot = end - curve.total;
        !curve.stepwise && overshoot.abs_diff(w) * 2 <= w
    })
}

pub(super) fn tmax_includes_warmup(cx: &Context) -> Option<Finding> {
    let (end, curve) =
        unfinished_decay(cx).filter(|&(end, curve)| counts_warmup_twice(end, curve))?;
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

pub(super) fn horizon_long(cx: &Context) -> Option<Finding> {
    // A decay that ends early and restarts ends again later: that is one
    // mistake, the short horizon, not two.
    if horizon_short(cx).is_some() {
        return None;
    }
    let curve = cx.scheduled_curve()?;
    let fix = "match the schedule's length to the run";
    if let Some((end, curve)) = unfinished_decay(cx) {
        let late = end as f64 > (1.0 + HORIZON_SLACK) * curve.total as f64;
        return (late && !curve.stepwise && !counts_warmup_twice(end, curve)).then(|| {
            let message = format!(
                "the decay ends at update {end}, after the run's {}: the LR never finishes \
                 decaying (it ends at {:.0}% of the peak)",
                curve.total,
                100.0 * curve.last / curve.peak
            );
            Finding::new("horizon-long", Warning, message, fix)
        });
    }
    // No end within four runs after this one, and the LR has barely started
    // to fall: a decay planned for a far longer run (a 300-epoch cosine in 3).
    let barely = curve.planned_end.is_none() && curve.last >= 0.5 * curve.peak;
    (barely && curve.still_falling() && !curve.stepwise).then(|| {
        let message = format!(
            "the LR has fallen only to {:.0}% of its peak by the end of the run and still falls \
             four runs later: the decay is planned for a far longer run",
            100.0 * curve.last / curve.peak
        );
        Finding::new("horizon-long", Warning, message, fix)
    })
}

/// An absolute floor (`eta_min`) above the base LR, as if it were a
/// fraction of it: the LR climbs toward the floor instead of decaying.
pub(super) fn floor_above_base(cx: &Context) -> Option<Finding> {
    let base = cx.run.base_lr?;
    let floor = match cx.spec.schedule() {
        Schedule::CosineAnnealing(c) => c.eta_min(),
        Schedule::CosineAnnealingWarmRestarts(c) => c.eta_min(),
        _ => return None,
    };
    (floor > base).then(|| {
        Finding::new(
            FLOOR_ABOVE_BASE,
            Error,
            format!(
                "`eta_min` = {floor} is above the base LR {base}: it is an absolute LR (as in \
                 PyTorch), not a fraction of the base, so the LR climbs from {base} toward {floor} \
                 instead of decaying"
            ),
            format!(
                "set `eta_min` to an LR below the base LR (e.g. {:e} for 1% of it)",
                base * 0.01
            ),
        )
    })
}

/// The code of [`floor_above_base`], whose finding explains the rise the
/// warmup and horizon rules would otherwise misread.
pub(crate) const FLOOR_ABOVE_BASE: &str = "floor-above-base";

/// The findings that only restate a floor above the base LR.
pub(crate) const FLOOR_CONSEQUENCES: [&str; 5] = [
    "warmup-too-long",
    "tmax-includes-warmup",
    "horizon-short",
    "horizon-long",
    "final-lr-high",
];

pub(super) fn milestone_after_end(cx: &Context) -> Option<Finding> {
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

/// A long run from a fixed schedule (a plateau spec decays on its own).
fn long_fixed_run<'a>(cx: &'a Context) -> Option<&'a CurveFacts> {
    // A plateau spec decays on its own; a schedule-free optimizer averages instead.
    let long =
        cx.run.epochs >= LONG_RUN_EPOCHS && cx.spec.plateau().is_none() && !schedule_free(cx);
    cx.scheduled_curve().filter(|c| long && c.peak > 0.0)
}

pub(super) fn constant_lr_long(cx: &Context) -> Option<Finding> {
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

pub(super) fn final_lr_high(cx: &Context) -> Option<Finding> {
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
