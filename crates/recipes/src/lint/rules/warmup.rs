//! The warmup, read from the curve: the rise from the first LR to the peak.

use super::{Context, CurveFacts, Finding, Severity::*, schedule_free};
use crate::run::ModelFamily;
/// The warmup may take at most this fraction of the run...
const WARMUP_MAX: f64 = 0.2;

/// ...or up to this much when the curve is a one-cycle (it anneals below its start).
const ONE_CYCLE_RISE_MAX: f64 = 0.5;

/// A warmup below this fraction of the run is short.
const WARMUP_MIN: f64 = 0.01;

pub(super) fn missing_warmup(cx: &Context) -> Option<Finding> {
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

pub(super) fn warmup_too_long(cx: &Context) -> Option<Finding> {
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

pub(super) fn warmup_too_short(cx: &Context) -> Option<Finding> {
    // A cooldown that cuts the warmup short is that mistake, said once.
    if super::cooldown::cooldown_in_warmup(cx).is_some() {
        return None;
    }
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
