//! From a range test to the LRs of a schedule, with a verdict on how far
//! the curve can be trusted.

use burn_lr_core::{ConfigError, OptimizerKind};
use serde::Serialize;

use crate::descent::{Descent, descent};
use crate::range_test::{RangeTest, Stop};
use crate::rule::{
    BETA, FASTAI_SMOOTHING, LossSource, MEASURED_UPDATES, ONE_CYCLE_DIVISOR, REFERENCE_UPDATES,
    SHIPPED_ANCHOR, SPIKE_NOISE, WARMUP_COSINE_DIVISOR, horizon_factor, lag_free_losses, read,
};
use crate::suggest::{Method, Suggestion};

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
    /// The sweep completed with the loss still below half its fall, on a
    /// bottom `decades` wide: it never found where training breaks, so the
    /// hand-off may sit above that point (on a noisy plateau, the lowest
    /// point is anywhere on it).
    Plateau {
        /// Decades of LR from where the loss's bottom starts to the sweep's end.
        decades: f64,
    },
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

/// Whether the smoothed loss ends with more than half its fall kept: the
/// sweep never blew up.
fn kept_its_fall(d: &Descent) -> bool {
    let (Some(&first), Some(&last)) = (d.smoothed.first(), d.smoothed.last()) else {
        return false;
    };
    last < first - 0.5 * (first - d.smoothed[d.minimum])
}

/// The first point whose smoothed loss is within [`SPIKE_NOISE`] times the
/// loss's scatter of its lowest: where the loss's bottom starts.
fn bottom_start(d: &Descent) -> usize {
    let fall = d.smoothed[0] - d.smoothed[d.minimum];
    let scatter = if d.noise.is_finite() {
        d.noise * fall
    } else {
        0.0
    };
    let low = d.smoothed[d.minimum] + SPIKE_NOISE * scatter;
    (0..=d.minimum)
        .find(|&i| d.smoothed[i] <= low)
        .unwrap_or(d.minimum)
}

/// A plateau at least this wide (decades), ending the sweep, is one.
pub const MIN_PLATEAU_DECADES: f64 = 0.5;

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
    pub fn of(d: &Descent, lrs: &[f64], ended: bool) -> Trust {
        // A curve too short to read anything from is said first; then
        // flatness (a flat curve's minimum is anywhere).
        let points = d.minimum + 1;
        if d.smoothed.len() < MIN_POINTS {
            Trust::TooShort { points }
        } else if d.relative_fall.is_nan() || d.relative_fall < MIN_FALL {
            Trust::TooFlat {
                relative_fall: d.relative_fall,
            }
        } else if points < MIN_POINTS {
            Trust::TooShort { points }
        } else if d.noise.is_nan() || d.noise > MAX_NOISE {
            Trust::TooNoisy { noise: d.noise }
        } else if ended && kept_its_fall(d) {
            let decades = (lrs[lrs.len() - 1] / lrs[bottom_start(d)]).log10();
            if rose_again(d) || decades >= MIN_PLATEAU_DECADES {
                Trust::Plateau { decades }
            } else {
                Trust::StillFalling
            }
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
            Trust::Plateau { .. } => "plateau",
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
                "the loss fell only {:.1}% over the sweep: if it rose from the start, start lower (start_lr); \
                 otherwise widen it (end_lr) or check the model and data",
                100.0 * relative_fall
            ),
            Trust::TooNoisy { noise } => format!(
                "the raw loss scatters by {:.1}% of its fall (more than {:.0}%): use larger batches or \
                 accumulate gradients",
                100.0 * noise,
                100.0 * MAX_NOISE
            ),
            Trust::Plateau { decades } => format!(
                "the sweep ended with the loss still below half its fall, {decades:.1} decades past \
                 where its bottom starts: it never found where training breaks, and the LR may sit \
                 above that point; the tuner (`burn_lr::finder::tune`) answers by training"
            ),
            Trust::StillFalling => {
                "the loss was still at its lowest when the sweep ended: raise end_lr, the \
                                    good LRs may be higher"
                    .into()
            }
        }
    }
}

/// The run the hand-off is for. `Plan::default()` is a run of unknown
/// optimizer and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    /// The optimizer, when known (the advice names it).
    pub optimizer: Option<OptimizerKind>,
    /// Length of the run in optimizer updates (`>= 1`); `None` assumes
    /// [`REFERENCE_UPDATES`](crate::rule::REFERENCE_UPDATES) and says so in the hand-off's warnings.
    pub updates: Option<u64>,
}

impl Plan {
    /// A run with `optimizer` whose length is not given.
    pub fn new(optimizer: OptimizerKind) -> Self {
        Self {
            optimizer: Some(optimizer),
            updates: None,
        }
    }

    /// The run's length, in optimizer updates.
    pub fn with_updates(self, updates: u64) -> Self {
        Self {
            updates: Some(updates),
            ..self
        }
    }
}

impl From<OptimizerKind> for Plan {
    fn from(optimizer: OptimizerKind) -> Self {
        Plan::new(optimizer)
    }
}

/// LRs for the schedules that follow a range test, for a run of a given length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandOff {
    /// Peak LR of warmup + cosine (the LR the warmup reaches).
    pub lr: f64,
    /// Peak LR of one-cycle (`max_lr`).
    pub max_lr: f64,
    /// The run length both are for, in optimizer updates.
    pub updates: u64,
    /// Whether `updates` was assumed ([`REFERENCE_UPDATES`](crate::rule::REFERENCE_UPDATES)) rather than given.
    pub updates_assumed: bool,
    /// The suggestion both come from (method `hand_off`, its `lr` the peak
    /// of warmup + cosine, its point the lowest lag-free loss before the
    /// loss first spikes, its evidence
    /// that point's LR).
    pub from: Suggestion,
    /// Whether the curve supports it.
    pub trust: Trust,
    /// `high` or `low`.
    pub confidence: &'static str,
    /// Guidance, in words.
    pub advice: String,
    /// What the caller should know about how the curve was read (empty when
    /// nothing): losses recovered from a running average, a length assumed
    /// or extrapolated, a sweep too short.
    pub warnings: Vec<String>,
}

/// Fewest points a sweep should have for the hand-off (its benchmark's
/// shortest sweeps have 50).
pub const MIN_SWEEP_POINTS: usize = 50;

/// Why the hand-off has no LR for `kind`: a learning-rate-free optimizer
/// sets its own step size, a schedule-free one takes a constant LR. `None`
/// for a scheduled optimizer.
pub fn no_hand_off_for(kind: OptimizerKind) -> Option<String> {
    let name = kind.name();
    if kind.is_lr_free() {
        Some(format!(
            "{name} sets its own step size from a base LR of 1: it needs no range test"
        ))
    } else if kind.is_schedule_free() {
        Some(format!(
            "{name} takes a constant LR, while the hand-off is a warmup + cosine peak or a one-cycle \
             max_lr, measured for scheduled optimizers only"
        ))
    } else {
        None
    }
}

/// The default hand-off: the LR of the lowest lag-free loss before the loss
/// first spikes ([`SHIPPED_ANCHOR`](crate::rule::SHIPPED_ANCHOR)), divided
/// by a constant per schedule and scaled to the run's length, with the
/// curve's verdict. A curve recorded without raw losses is read as this
/// finder's and fastai's running average
/// ([`FASTAI_SMOOTHING`](crate::rule::FASTAI_SMOOTHING)); see
/// [`hand_off_smoothed`] for another.
///
/// An error for a plan whose optimizer takes no scheduled LR
/// ([`no_hand_off_for`]), a curve of fewer than [`MIN_POINTS`] points and a
/// curve with no finite loss.
///
/// The rule and its constants were chosen on the project's LR benchmark by
/// leave-one-task-out over three run lengths, among the rules that never
/// hand off past a spike of the loss (`docs/finder-benchmark.md`);
/// fastai's rules stay available through [`RangeTest::suggestion`].
pub fn hand_off<M>(test: &RangeTest<M>, plan: impl Into<Plan>) -> Result<HandOff, ConfigError> {
    hand_off_smoothed(test, plan, FASTAI_SMOOTHING)
}

/// [`hand_off`] for a curve whose smoothed losses were recorded with the EMA
/// factor `smoothing` (in `[0, 1)`; 0 when the loss column is raw).
pub fn hand_off_smoothed<M>(
    test: &RangeTest<M>,
    plan: impl Into<Plan>,
    smoothing: f64,
) -> Result<HandOff, ConfigError> {
    let plan = plan.into();
    if let Some(why) = plan.optimizer.and_then(no_hand_off_for) {
        return Err(ConfigError::invalid(
            "plan.optimizer",
            plan.optimizer.map_or("", OptimizerKind::name),
            format!("a scheduled optimizer (SGD, Adam, AdamW, ...): {why}"),
        ));
    }
    let curve = &test.curve;
    if curve.len() < MIN_POINTS {
        return Err(ConfigError::invalid(
            "test.curve",
            format!(
                "{} point{}",
                curve.len(),
                if curve.len() == 1 { "" } else { "s" }
            ),
            format!(
                "a sweep of at least {MIN_POINTS} points (a shorter one has no minimum to read): run more \
                 iterations (num_iter) or start lower (start_lr)"
            ),
        ));
    }
    let no_loss = || {
        ConfigError::invalid(
            "test.curve",
            format!("{} points", curve.len()),
            "a curve with at least one finite loss",
        )
    };
    let (losses, source) = lag_free_losses(curve, smoothing);
    let d = descent(&curve.lrs, &losses).ok_or_else(no_loss)?;
    let trust = Trust::of(&d, &curve.lrs, test.stop == Stop::Completed);
    let reading = read(&curve.lrs, &losses, SHIPPED_ANCHOR).ok_or_else(no_loss)?;
    let (index, anchor_lr) = (reading.point, curve.lrs[reading.point]);
    // The fall that placed the anchor must stand above the loss's scatter.
    let scatter = d.noise * (d.smoothed[0] - d.smoothed[d.minimum]);
    let anchor_fall = d.smoothed[0] - d.smoothed[index];
    let trust = match trust {
        // A NaN scatter or fall (nothing to compare) is too noisy too.
        Trust::Ok
            if scatter
                .partial_cmp(&(MAX_NOISE * anchor_fall))
                .is_none_or(|o| o.is_gt()) =>
        {
            Trust::TooNoisy {
                noise: scatter / anchor_fall.max(0.0),
            }
        }
        other => other,
    };
    // Said when the loss is lower still past its first spike (the hand-off
    // does not follow it there).
    let spike = match reading.spike {
        Some(j) if reading.lowest >= j => format!(
            " before the loss first spikes, at point {j} (lr {:.3e}); its lower loss past the spike (lr \
             {:.3e}) is not followed",
            curve.lrs[j], curve.lrs[reading.lowest]
        ),
        _ => String::new(),
    };
    let mut warnings = Vec::new();
    match source {
        LossSource::Raw => {}
        LossSource::Recovered { smoothing } => warnings.push(format!(
            "the curve has only a smoothed loss, which lags: the raw losses were recovered by inverting a \
             bias-corrected running average with factor {smoothing}{}; if the column is raw, say so \
             (smoothing 0)",
            if smoothing == FASTAI_SMOOTHING {
                " (fastai's and this finder's)"
            } else {
                ""
            }
        )),
        LossSource::Column { refuted } => warnings.push(if refuted {
            format!(
                "the curve has one loss column, read as raw losses: it is no running average with factor \
                 {smoothing} (inverting it gives negative losses); if it is one with another factor, say which"
            )
        } else {
            "the curve has one loss column, read as raw losses".into()
        }),
    }
    if test.stop != Stop::Completed && index + 1 == curve.len() {
        warnings.push(
            "the lowest loss is the sweep's last point: the loss was still falling when training failed \
             (it diverged or was not finite), so where it turns is unknown and the LRs sit close to the \
             failing one"
                .into(),
        );
    }
    if curve.len() < MIN_SWEEP_POINTS {
        warnings.push(format!(
            "the sweep has {} point{} (fewer than {MIN_SWEEP_POINTS}): its minimum is coarse, record a longer one",
            curve.len(),
            if curve.len() == 1 { "" } else { "s" }
        ));
    }
    let (updates, updates_assumed) = match plan.updates {
        Some(n) => (n, false),
        None => {
            warnings.push(format!(
                "the run's length was not given: the LRs are for {REFERENCE_UPDATES} optimizer updates (longer \
                 runs want lower LRs; pass the planned number of updates)"
            ));
            (REFERENCE_UPDATES, true)
        }
    };
    let (shortest, longest) = MEASURED_UPDATES;
    if updates < shortest {
        warnings.push(format!(
            "{updates} updates is shorter than the benchmark's shortest runs ({shortest}): the LRs are those for \
             {REFERENCE_UPDATES} updates, not measured this short"
        ));
    } else if updates > longest {
        warnings.push(format!(
            "{updates} updates is longer than the benchmark's longest runs ({longest}): the length scaling is \
             extrapolated"
        ));
    }
    // Shorter runs than the reference are not raised: their warmups are short too.
    let scale = horizon_factor(updates.max(REFERENCE_UPDATES), BETA);
    let (lr, max_lr) = (
        anchor_lr / WARMUP_COSINE_DIVISOR * scale,
        anchor_lr / ONE_CYCLE_DIVISOR * scale,
    );
    let who = plan
        .optimizer
        .map_or(String::new(), |kind| format!("{}, ", kind.name()));
    let mut advice = format!(
        "{who}{updates} updates: warm up to {lr:.3e} for warmup + cosine, or use one-cycle with max_lr = \
         {max_lr:.3e} (confidence {})",
        trust.confidence()
    );
    if trust != Trust::Ok {
        advice = format!("{advice}: {}", trust.remedy());
    }
    Ok(HandOff {
        lr,
        max_lr,
        updates,
        updates_assumed,
        from: Suggestion {
            method: Method::HandOff,
            lr,
            index,
            loss: losses[index],
            evidence: anchor_lr,
            why: format!(
                "the lag-free loss is lowest at point {index} (lr {anchor_lr:.3e}, after a fall of {:.0}%){spike}; \
                 divided by {WARMUP_COSINE_DIVISOR:.2} and scaled by {scale:.3} for {updates} updates",
                100.0 * d.relative_fall
            ),
        },
        confidence: trust.confidence(),
        trust,
        advice,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep_curve::SweepCurve;

    fn test_of(losses: Vec<f64>, stop: Stop) -> RangeTest<()> {
        let n = losses.len();
        RangeTest {
            model: (),
            curve: SweepCurve {
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
    fn a_lower_loss_past_a_spike_is_named_and_not_followed() {
        // A valley at points 40-70, a spike of 1.5 at 75-77, a lower valley after.
        let mut losses = valley(100, 20, 95, 1.0);
        for (i, loss) in losses.iter_mut().enumerate() {
            if (75..=77).contains(&i) {
                *loss += 1.5;
            } else if (80..95).contains(&i) {
                *loss -= 0.5;
            }
        }
        let test = test_of(losses, Stop::Completed);
        let h = hand_off(&test, Plan::new(OptimizerKind::Adam)).unwrap();
        assert!(h.from.index < 75, "{:?}", h.from);
        assert!(h.from.why.contains("first spikes"), "{}", h.from.why);
        // Without the lower valley the blow-up is no spike worth naming.
        let plain = test_of(valley(100, 20, 75, 1.0), Stop::Completed);
        let h = hand_off(&plain, Plan::new(OptimizerKind::Adam)).unwrap();
        assert!(!h.from.why.contains("spike"), "{}", h.from.why);
    }

    #[test]
    fn a_loss_still_falling_when_training_failed_is_said() {
        // Falling to its last point, then the sweep failed (NaN or divergence).
        let falling: Vec<f64> = (0..60).map(|i| 2.3 - 0.03 * i as f64).collect();
        let failed = test_of(falling.clone(), Stop::NonFinite { lr: 1.0 });
        let h = hand_off(&failed, Plan::default()).unwrap();
        assert_eq!(h.from.index, 59);
        assert!(
            h.warnings
                .iter()
                .any(|w| w.contains("still falling when training failed")),
            "{:?}",
            h.warnings
        );
        // A completed sweep says it through its verdict instead.
        let completed = hand_off(&test_of(falling, Stop::Completed), Plan::default()).unwrap();
        assert_eq!(completed.trust, Trust::StillFalling);
        assert!(
            !completed
                .warnings
                .iter()
                .any(|w| w.contains("training failed"))
        );
    }

    #[test]
    fn a_clear_valley_is_trusted_and_both_schedules_get_an_lr() {
        let test = test_of(valley(100, 40, 75, 2.0), Stop::Diverged { index: 99 });
        let h = hand_off(&test, OptimizerKind::Adam).unwrap();
        assert_eq!(h.trust, Trust::Ok);
        assert_eq!(h.confidence, "high");
        // The floor runs from point 60 to 75; the smoothed loss is lowest inside it.
        assert!((60..=75).contains(&h.from.index), "{h:?}");
        let anchor = test.curve.lrs[h.from.index];
        assert_eq!(h.from.evidence, anchor);
        assert_eq!(h.from.lr, h.lr);
        assert_eq!(h.lr, anchor / WARMUP_COSINE_DIVISOR);
        assert_eq!(h.max_lr, anchor / ONE_CYCLE_DIVISOR);
        assert_eq!((h.updates, h.updates_assumed), (REFERENCE_UPDATES, true));
        assert!(h.advice.starts_with("Adam, 1000 updates"), "{}", h.advice);
        let unknown = hand_off(&test, Plan::default()).unwrap();
        assert!(
            unknown.advice.starts_with("1000 updates"),
            "{}",
            unknown.advice
        );
        assert_eq!(unknown.lr, h.lr);
        assert_eq!(h.warnings.len(), 1, "{:?}", h.warnings);
        assert!(h.warnings[0].contains("length was not given"));
        assert_eq!(
            test.suggestion(Method::HandOff).map(|s| (s.index, s.lr)),
            Some((h.from.index, h.lr))
        );
    }

    #[test]
    fn longer_runs_get_lower_lrs_and_shorter_ones_are_not_raised() {
        let test = test_of(valley(100, 40, 75, 2.0), Stop::Diverged { index: 99 });
        let at = |n| hand_off(&test, Plan::new(OptimizerKind::Sgd).with_updates(n)).unwrap();
        let (reference, long) = (at(REFERENCE_UPDATES), at(3 * REFERENCE_UPDATES));
        assert!(reference.warnings.is_empty(), "{:?}", reference.warnings);
        assert!(!reference.updates_assumed);
        let ratio = long.lr / reference.lr;
        assert!((ratio - 3f64.powf(-BETA)).abs() < 1e-12, "{ratio}");
        assert_eq!(long.max_lr / reference.max_lr, ratio);
        let (shortest, longest) = MEASURED_UPDATES;
        let short = at(shortest / 3);
        assert_eq!(short.lr, at(shortest).lr);
        assert!(
            short.warnings[0].contains("shorter than"),
            "{:?}",
            short.warnings
        );
        assert!(at(longest * 2).warnings[0].contains("extrapolated"));
    }

    #[test]
    fn a_smoothed_only_curve_is_read_without_its_lag_and_says_so() {
        let raw = valley(100, 40, 75, 2.0);
        let mut average = 0.0;
        let smoothed: Vec<f64> = raw
            .iter()
            .enumerate()
            .map(|(i, r)| {
                average = FASTAI_SMOOTHING * average + (1.0 - FASTAI_SMOOTHING) * r;
                average / (1.0 - FASTAI_SMOOTHING.powi(i as i32 + 1))
            })
            .collect();
        let with_raw = test_of(raw, Stop::Completed);
        let mut only = test_of(smoothed, Stop::Completed);
        only.curve.raw_losses.clear();
        let (a, b) = (
            hand_off(&with_raw, OptimizerKind::Adam).unwrap(),
            hand_off(&only, OptimizerKind::Adam).unwrap(),
        );
        assert_eq!(a.from.index, b.from.index);
        assert!(
            b.warnings
                .iter()
                .any(|w| w.contains("only a smoothed loss"))
        );
        assert!(!a.warnings.iter().any(|w| w.contains("smoothed")));
        // Read as raw, the lagging average puts the minimum later.
        let lagging = hand_off_smoothed(&only, OptimizerKind::Adam, 0.0).unwrap();
        assert!(lagging.from.index > b.from.index, "{lagging:?}");
    }

    #[test]
    fn a_curve_too_short_to_read_is_an_error() {
        for n in [1, 2, MIN_POINTS - 1] {
            let err = hand_off(&test_of(vec![2.3; n], Stop::Completed), OptimizerKind::Sgd)
                .unwrap_err()
                .to_string();
            assert!(err.contains("test.curve"), "{err}");
            assert!(
                err.contains(&format!("at least {MIN_POINTS} points")),
                "{err}"
            );
        }
        let longest = valley(100, 0, 75, 2.0)[..MIN_POINTS].to_vec();
        assert!(hand_off(&test_of(longest, Stop::Completed), OptimizerKind::Sgd).is_ok());
    }

    #[test]
    fn each_weakness_is_named() {
        let cases = [
            (valley(100, 40, 75, 0.05), Stop::Completed, "too_flat"),
            (
                // The minimum at point 9 of 60.
                (0..60)
                    .map(|i| match i {
                        i if i < 10 => 2.3 - 0.2 * i as f64,
                        i => 0.5 + 0.05 * (i - 10) as f64,
                    })
                    .collect(),
                Stop::Completed,
                "too_short",
            ),
            (valley(100, 75, 200, 2.0), Stop::Completed, "still_falling"),
            (valley(100, 40, 200, 2.0), Stop::Completed, "plateau"),
        ];
        for (losses, stop, verdict) in cases {
            let h = hand_off(&test_of(losses, stop), OptimizerKind::Sgd).unwrap();
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
        let h = hand_off(&test_of(noisy, Stop::Completed), OptimizerKind::Sgd).unwrap();
        assert!(matches!(h.trust, Trust::TooNoisy { .. }), "{:?}", h.trust);
    }

    /// Uniform noise in `[-amplitude, amplitude]`, the same for every run.
    fn noise(n: usize, amplitude: f64, seed: u64) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                amplitude * (2.0 * (state >> 11) as f64 / (1u64 << 53) as f64 - 1.0)
            })
            .collect()
    }

    /// A noisy sweep of 100 points over 1e-7 to 10: flat at 2.3, falling by
    /// 1.0 between 1e-5 and 1e-1 (points 25 to 75), flat to point 88, then
    /// blowing up; raw noise of +-0.45.
    fn noisy_valley(seed: u64) -> Vec<f64> {
        let clean: Vec<f64> = (0..100)
            .map(|i| match i {
                i if i < 25 => 2.3,
                i if i < 75 => 2.3 - (i - 25) as f64 / 50.0,
                i if i < 88 => 1.3,
                i => 1.3 + 0.5 * (i - 88) as f64,
            })
            .collect();
        clean
            .iter()
            .zip(noise(100, 0.45, seed))
            .map(|(c, e)| c + e)
            .collect()
    }

    #[test]
    fn noise_on_a_noisy_sweep_is_no_spike() {
        // On noisy sweeps the narrow smoothing wanders by more than a quarter
        // of the fall: before the spike threshold knew the scatter, the
        // hand-off stopped at such a wander, decades below the valley.
        let mut fired_without_noise = 0;
        for seed in 0..20 {
            let test = test_of(noisy_valley(seed), Stop::Diverged { index: 99 });
            let (losses, _) = lag_free_losses(&test.curve, FASTAI_SMOOTHING);
            let lrs = &test.curve.lrs;
            let narrow = crate::smooth::two_sided(lrs, &losses, crate::rule::SPIKE_WIDTH);
            let wide = crate::smooth::two_sided(lrs, &losses, 0.3);
            fired_without_noise += usize::from(
                crate::rule::first_spike_for_tests(&narrow, &wide, 0.0).is_some_and(|j| j < 75),
            );
            let h = hand_off(&test, OptimizerKind::Sgd).unwrap();
            // The valley's bottom is 1e-1 to 3e-1; the hand-off is half of its anchor.
            assert!(
                h.from.evidence >= 1e-2,
                "seed {seed}: anchor {:.2e} ({})",
                h.from.evidence,
                h.from.why
            );
        }
        assert!(fired_without_noise >= 3, "{fired_without_noise}");
    }

    #[test]
    fn a_sweep_ending_on_a_noisy_plateau_is_not_trusted() {
        // Falls by 1.0 to LR 1e-2 (point 62), then a noisy plateau that
        // rises by 13% of the fall up to 10 and never diverges.
        for seed in 0..10 {
            let clean = (0..100).map(|i| match i {
                i if i < 25 => 2.3,
                i if i < 62 => 2.3 - (i - 25) as f64 / 37.0,
                i => 1.3 + 0.13 * (i - 62) as f64 / 37.0,
            });
            let losses = clean
                .zip(noise(100, 0.15, seed))
                .map(|(c, e)| c + e)
                .collect();
            let h = hand_off(&test_of(losses, Stop::Completed), OptimizerKind::Sgd).unwrap();
            assert!(
                matches!(h.trust, Trust::Plateau { .. }),
                "seed {seed}: {:?}",
                h.trust
            );
            assert_eq!(h.confidence, "low");
            assert!(h.advice.contains("tuner"), "{}", h.advice);
        }
    }
}
