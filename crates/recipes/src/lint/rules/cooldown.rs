//! The warmup-stable-decay rules (Hägele et al., 2024; Bergsma et al., 2025).

use burn_lr_core::schedules::WsdShape;
use burn_lr_core::{Schedule, Unit};

use super::{Context, Finding, Severity::*};
/// A `cooldown` or a `warmup_stable_decay`'s decay: its length in updates,
/// its shape and its floor (a fraction of the LR it starts from).
fn cooldown(cx: &Context) -> Option<(u64, WsdShape, f64)> {
    cx.scheduled_curve()?;
    let cooldown = match (cx.spec.cooldown(), cx.spec.schedule()) {
        (Some(c), _) => *c,
        (None, Schedule::WarmupStableDecay(wsd)) => wsd.decay(),
        _ => return None,
    };
    Some((
        cooldown.length().saturating_mul(updates_per_step(cx)),
        cooldown.shape(),
        cooldown.min_lr_ratio(),
    ))
}

/// The updates a spec's step count stands for.
fn updates_per_step(cx: &Context) -> u64 {
    match cx.spec.unit() {
        Unit::Epoch => cx.per_epoch,
        Unit::Step => 1,
    }
}

pub(super) fn cooldown_in_warmup(cx: &Context) -> Option<Finding> {
    cx.scheduled_curve()?;
    let start = cx.spec.cooldown()?.start();
    let warmup_end = cx.uncooled.as_ref()?.warmup()?;
    let start_update = start.saturating_mul(updates_per_step(cx));
    (start_update < warmup_end).then(|| {
        let unit = match cx.spec.unit() {
            Unit::Epoch => "epochs",
            Unit::Step => "updates",
        };
        Finding::new(
            "cooldown-in-warmup",
            Error,
            format!(
                "the cooldown starts at update {start_update}, before the warmup ends at update \
                 {warmup_end}: the LR never reaches its peak"
            ),
            format!(
                "start the cooldown after the warmup: `start` ({start}) counts {unit} from the \
                 first update"
            ),
        )
    })
}

pub(super) fn cooldown_length(cx: &Context) -> Option<Finding> {
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

pub(super) fn cooldown_shape(cx: &Context) -> Option<Finding> {
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

pub(super) fn cooldown_floor(cx: &Context) -> Option<Finding> {
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
