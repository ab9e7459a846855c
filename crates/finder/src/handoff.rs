//! From a range test to the LRs of a schedule, with a verdict on how far
//! the curve can be trusted.

use serde::Serialize;

use crate::descent::{Descent, ONE_CYCLE_DIVISOR, WARMUP_COSINE_DIVISOR, descent};
use crate::range_test::{RangeTest, Stop};
use crate::suggest::{Method, Suggestion};

/// The optimizer the LR is for (it changes the advice's wording; the
/// benchmark fitted one rule for SGD and Adam alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    /// SGD with momentum.
    Sgd,
    /// Adam or AdamW.
    Adam,
}

/// How far the curve can be trusted (the first failing check, in the order
/// below from `TooFlat`). The thresholds pass every curve of the LR
/// benchmark at 50 to 200 updates, with a margin of 1.8x or more
/// (`docs/finder-benchmark.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Trust {
    /// The loss fell clearly, over enough points, and turned up again.
    Ok,
    /// The loss barely fell over the sweep.
    TooFlat {
        /// The fall of the smoothed loss, relative to its start.
        relative_fall: f64,
    },
    /// Too few points before the loss's minimum to read a valley from.
    TooShort {
        /// Points up to the minimum of the smoothed loss.
        points: usize,
    },
    /// The raw loss scatters too much around the smoothed one.
    TooNoisy {
        /// Median `|raw - smoothed|` relative to the fall.
        noise: f64,
    },
    /// The sweep completed without the loss rising again (by a tenth of its
    /// fall): the good LRs may lie above `end_lr`.
    StillFalling,
}

/// Whether the smoothed loss ends at least a tenth of its fall above its
/// minimum: the sweep went past the valley.
fn rose_again(d: &Descent) -> bool {
    let (Some(&first), Some(&last)) = (d.smoothed.first(), d.smoothed.last()) else {
        return false;
    };
    let low = d.smoothed[d.minimum];
    last > low + 0.1 * (first - low)
}

/// Fewest points up to the minimum (the benchmark's fewest: 36).
pub const MIN_POINTS: usize = 20;
/// Smallest relative fall that counts as a signal (the benchmark's smallest is 0.11).
pub const MIN_FALL: f64 = 0.05;
/// Largest scatter relative to the fall (the benchmark's largest is 0.055).
pub const MAX_NOISE: f64 = 0.1;

impl Trust {
    /// The verdict on what the descent rule read from a curve; `ended` says
    /// the sweep ran to its last update without diverging (unknown for a
    /// file: pass `true`).
    pub fn of(d: &Descent, ended: bool) -> Trust {
        // A flat curve's minimum is anywhere: flatness is said first.
        let points = d.minimum + 1;
        if d.relative_fall.is_nan() || d.relative_fall < MIN_FALL {
            Trust::TooFlat {
                relative_fall: d.relative_fall,
            }
        } else if points < MIN_POINTS {
            Trust::TooShort { points }
        } else if d.noise.is_nan() || d.noise > MAX_NOISE {
            Trust::TooNoisy { noise: d.noise }
        } else if ended && !rose_again(d) {
            Trust::StillFalling
        } else {
            Trust::Ok
        }
    }

    /// The verdict's name, as it is serialised (`ok`, `too_short`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Trust::Ok => "ok",
            Trust::TooFlat { .. } => "too_flat",
            Trust::TooShort { .. } => "too_short",
            Trust::TooNoisy { .. } => "too_noisy",
            Trust::StillFalling => "still_falling",
        }
    }

    /// `high` when the curve passed every check, `low` otherwise.
    pub fn confidence(&self) -> &'static str {
        match self {
            Trust::Ok => "high",
            _ => "low",
        }
    }

    /// What to do about it, in words (empty for `Ok`).
    pub fn remedy(&self) -> String {
        match self {
            Trust::Ok => String::new(),
            Trust::TooShort { points } => format!(
                "only {points} points before the loss's minimum: run more iterations (num_iter) or start lower \
                 (start_lr)"
            ),
            Trust::TooFlat { relative_fall } => format!(
                "the loss fell only {:.1}% over the sweep: widen it (end_lr) or check the model and data",
                100.0 * relative_fall
            ),
            Trust::TooNoisy { noise } => format!(
                "the raw loss scatters by {:.0}% of its fall: use larger batches or accumulate gradients",
                100.0 * noise
            ),
            Trust::StillFalling => {
                "the loss was still at its lowest when the sweep ended: raise end_lr, the \
                                    good LRs may be higher"
                    .into()
            }
        }
    }
}

/// LRs for the schedules that follow a range test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandOff {
    /// Peak LR of one-cycle (`max_lr`): the descent rule's LR / 1.5.
    pub max_lr: f64,
    /// Peak LR of warmup + cosine (the LR the warmup reaches): the rule's LR x 1.5.
    pub base_lr: f64,
    /// The suggestion both come from (`descent`; its LR is `base_lr`).
    pub from: Suggestion,
    /// Whether the curve supports it.
    pub trust: Trust,
    /// `high` or `low`.
    pub confidence: &'static str,
    /// Guidance, in words.
    pub advice: String,
}

/// The default hand-off: the descent rule's LRs for warmup + cosine and for
/// one-cycle, with the curve's verdict. `None` for an empty curve.
///
/// The rule and its two constants were chosen on the project's LR benchmark
/// by leave-one-task-out (`docs/finder-benchmark.md`); fastai's rules stay
/// available through [`RangeTest::suggestion`].
pub fn hand_off<M>(test: &RangeTest<M>, optimizer: Optimizer) -> Option<HandOff> {
    let from = test.suggestion(Method::Descent)?;
    let curve = &test.curve;
    let losses = if curve.raw_losses.len() == curve.len() {
        &curve.raw_losses
    } else {
        &curve.losses
    };
    let d = descent(&curve.lrs, losses)?;
    let trust = Trust::of(&d, test.stop == Stop::Completed);
    let (base_lr, max_lr) = (d.lr / WARMUP_COSINE_DIVISOR, d.lr / ONE_CYCLE_DIVISOR);
    let who = match optimizer {
        Optimizer::Sgd => "SGD with momentum",
        Optimizer::Adam => "Adam",
    };
    let mut advice = format!(
        "{who}: warm up to {base_lr:.3e} for warmup + cosine, or use one-cycle with max_lr = {max_lr:.3e} \
         (confidence {})",
        trust.confidence()
    );
    if trust != Trust::Ok {
        advice = format!("{advice}: {}", trust.remedy());
    }
    Some(HandOff {
        max_lr,
        base_lr,
        from,
        confidence: trust.confidence(),
        trust,
        advice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curve::Curve;

    fn test_of(losses: Vec<f64>, stop: Stop) -> RangeTest<()> {
        let n = losses.len();
        RangeTest {
            model: (),
            curve: Curve {
                lrs: (0..n)
                    .map(|i| 1e-7 * 1e8f64.powf(i as f64 / n as f64))
                    .collect(),
                losses: losses.clone(),
                raw_losses: losses,
            },
            stop,
            num_iter: n,
        }
    }

    /// Flat at 2.3 until point `fall`, down to 0.3 over 20 points, up after `rise`.
    fn valley(n: usize, fall: usize, rise: usize, depth: f64) -> Vec<f64> {
        (0..n)
            .map(|i| match i {
                i if i < fall => 2.3,
                i if i < fall + 20 => 2.3 - depth * (i - fall) as f64 / 20.0,
                i if i < rise => 2.3 - depth,
                i => 2.3 - depth + 0.2 * (i - rise) as f64,
            })
            .collect()
    }

    #[test]
    fn a_clear_valley_is_trusted_and_both_schedules_get_an_lr() {
        let test = test_of(valley(100, 40, 75, 2.0), Stop::Diverged { index: 99 });
        let h = hand_off(&test, Optimizer::Adam).unwrap();
        assert_eq!(h.trust, Trust::Ok);
        assert_eq!(h.confidence, "high");
        assert!((h.base_lr / h.max_lr - 2.25).abs() < 1e-12);
        assert_eq!(h.from.method, Method::Descent);
        assert_eq!(h.from.lr, h.base_lr);
        // The fall runs over points 40..60 and reaches 80% at point 56.
        let lrs = &test.curve.lrs;
        assert_eq!(h.from.index, 56);
        assert!((h.base_lr / lrs[56] - 1.5).abs() < 1e-12, "{h:?}");
    }

    #[test]
    fn each_weakness_is_named() {
        let cases = [
            (valley(100, 40, 75, 0.05), Stop::Completed, "too_flat"),
            (
                valley(100, 0, 75, 2.0)[..15].to_vec(),
                Stop::Completed,
                "too_short",
            ),
            (valley(100, 40, 200, 2.0), Stop::Completed, "still_falling"),
        ];
        for (losses, stop, verdict) in cases {
            let h = hand_off(&test_of(losses, stop), Optimizer::Sgd).unwrap();
            let json = serde_json::to_value(&h.trust).unwrap();
            assert_eq!(json["verdict"], verdict, "{h:?}");
            assert_eq!(h.trust.name(), verdict);
            assert_eq!(h.confidence, "low");
            assert!(h.advice.contains(&h.trust.remedy()));
        }
        let mut noisy = valley(100, 40, 75, 2.0);
        for (i, l) in noisy.iter_mut().enumerate() {
            *l += if i % 2 == 0 { 0.5 } else { -0.5 };
        }
        let h = hand_off(&test_of(noisy, Stop::Completed), Optimizer::Sgd).unwrap();
        assert!(matches!(h.trust, Trust::TooNoisy { .. }), "{:?}", h.trust);
    }
}
