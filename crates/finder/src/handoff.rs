//! From a range test to the LRs of a schedule.

use serde::Serialize;

use crate::range_test::RangeTest;
use crate::suggest::{Method, Suggestion};

/// The optimizer the LR is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    /// SGD with momentum.
    Sgd,
    /// Adam or AdamW.
    Adam,
}

/// How far the curve can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Trust {
    /// The loss fell clearly over enough points.
    Ok,
    /// Too few points to read a valley from.
    TooShort {
        /// Points available to the suggestions.
        points: usize,
    },
    /// The loss barely moved over the sweep.
    TooFlat {
        /// `(max - min) / max` of the smoothed loss.
        relative_drop: f64,
    },
}

/// LRs for the schedules that follow a range test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandOff {
    /// Peak LR of one-cycle (`max_lr`).
    pub max_lr: f64,
    /// Base LR of warmup + cosine (the LR the warmup reaches).
    pub base_lr: f64,
    /// The suggestion both come from.
    pub from: Suggestion,
    /// Whether the curve supports it.
    pub trust: Trust,
    /// Guidance for the optimizer, in words.
    pub advice: String,
}

/// Fewest points the suggestions should read.
const MIN_POINTS: usize = 10;
/// Smallest relative fall of the loss that counts as a signal.
const MIN_DROP: f64 = 0.05;

/// The default hand-off: the `valley` suggestion as one-cycle's `max_lr` and
/// as the peak of warmup + cosine. `None` for an empty curve.
///
/// The rule is the one the project measured on the bundled data (see the
/// README's evidence section); `minimum` and `steepest` stay available
/// through [`RangeTest::suggestion`].
pub fn hand_off<M>(test: &RangeTest<M>, optimizer: Optimizer) -> Option<HandOff> {
    let from = test.suggestion(Method::Valley)?;
    let range = test.trimmed();
    let losses = &test.curve.losses[range.clone()];
    let (lo, hi) = losses
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &l| {
            (lo.min(l), hi.max(l))
        });
    let drop = if hi.abs() > 0.0 {
        (hi - lo) / hi.abs()
    } else {
        0.0
    };
    let trust = if range.len() < MIN_POINTS {
        Trust::TooShort {
            points: range.len(),
        }
    } else if drop < MIN_DROP {
        Trust::TooFlat {
            relative_drop: drop,
        }
    } else {
        Trust::Ok
    };
    let advice = match optimizer {
        Optimizer::Sgd => format!(
            "SGD with momentum: one-cycle with max_lr = {:.3e} (it warms up from max_lr / 25); for warmup + \
             cosine, warm up to {:.3e}. SGD tolerates LRs up to the steepest point, so this leaves margin.",
            from.lr, from.lr
        ),
        Optimizer::Adam => format!(
            "Adam: one-cycle with max_lr = {:.3e}; for warmup + cosine, warm up to {:.3e}. Adam's loss blows up \
             soon after its valley, so do not go above it.",
            from.lr, from.lr
        ),
    };
    let advice = match &trust {
        Trust::Ok => advice,
        Trust::TooShort { points } => format!(
            "only {points} points to read: run more iterations (num_iter) before trusting this. {advice}"
        ),
        Trust::TooFlat { relative_drop } => format!(
            "the loss moved only {:.1}% over the sweep: widen it (end_lr) or check the model and data before \
             trusting this. {advice}",
            100.0 * relative_drop
        ),
    };
    Some(HandOff {
        max_lr: from.lr,
        base_lr: from.lr,
        from,
        trust,
        advice,
    })
}
