//! Learning-rate-free optimizers (Prodigy, D-Adapt Adam): a base LR near 1,
//! Prodigy's safeguard under a warmup, no finder in front, decoupled decay.

use super::{Context, Finding, Severity::*};
use crate::run::OptimizerKind;

/// The base LRs a learning-rate-free optimizer is run at: the schedule
/// multiplies the adapted step, so the base stays near 1.
const LR_FREE_BASE: (f64, f64) = (0.1, 10.0);

fn lr_free(cx: &Context) -> bool {
    cx.run.optimizer.is_some_and(OptimizerKind::is_lr_free)
}

pub(super) fn lr_free_base_lr(cx: &Context) -> Option<Finding> {
    let lr = cx.run.base_lr?;
    let (low, high) = LR_FREE_BASE;
    (lr_free(cx) && !(low..=high).contains(&lr)).then(|| {
        Finding::new(
            "lr-free-base-lr",
            Warning,
            format!(
                "base LR {lr} with a learning-rate-free optimizer: it adapts the step itself and \
                 the LR multiplies the adapted step, so a base far from 1 scales every update"
            ),
            "use a base LR of 1 (the packages' default) and let the schedule shape it",
        )
    })
}

pub(super) fn lr_free_unsafe_warmup(cx: &Context) -> Option<Finding> {
    let curve = cx.scheduled_curve()?;
    let prodigy = cx.run.optimizer == Some(OptimizerKind::Prodigy);
    (prodigy && !cx.run.safeguard_warmup && curve.warmup().is_some()).then(|| {
        Finding::new(
            "lr-free-unsafe-warmup",
            Warning,
            "a warmup with Prodigy's `safeguard_warmup` off: the small early LRs shrink the \
             denominator of its estimate of the step size, which can overshoot after the warmup"
                .into(),
            "turn `safeguard_warmup` on (`ProdigyConfig::with_safeguard_warmup(true)`), as \
             Prodigy's authors advise with a warmup",
        )
    })
}

pub(super) fn finder_with_lr_free(cx: &Context) -> Option<Finding> {
    (lr_free(cx) && cx.run.lr_from_finder).then(|| {
        Finding::new(
            "finder-with-lr-free",
            Warning,
            "the LR came from an LR range test, in front of a learning-rate-free optimizer: it \
             estimates the step size itself, and the finder's LR (sized for a fixed-step \
             optimizer) becomes a multiplier of that estimate"
                .into(),
            "skip the finder: use a base LR of 1",
        )
    })
}

pub(super) fn coupled_decay_lr_free(cx: &Context) -> Option<Finding> {
    let dadapt = cx.run.optimizer == Some(OptimizerKind::DAdaptAdam);
    (dadapt && cx.run.weight_decay > 0.0 && !cx.run.decouple).then(|| {
        Finding::new(
            "coupled-decay-lr-free",
            Warning,
            format!(
                "D-Adapt Adam with weight decay {} and `decouple` off: the decay is added to the \
                 gradient (Adam's L2), not decoupled as AdamW's",
                cx.run.weight_decay
            ),
            "turn `decouple` on (`DAdaptAdamConfig::with_decouple(true)`) for AdamW-style decay",
        )
    })
}
