//! What the hand-off reads from a curve: an anchor LR, from losses without
//! lag, scaled to the length of the planned run.
//!
//! The anchors are the rule families the LR benchmark compares
//! (`docs/finder-benchmark.md`); the library ships one of them with the
//! constants fitted there.

use crate::descent::descent_with;
use crate::range_test::RangeTest;
use crate::smooth::two_sided;
use crate::suggest::Method;
use crate::sweep_curve::SweepCurve;

/// The EMA factor assumed for a curve that has only its smoothed losses:
/// fastai's recorder and this finder both use 0.98 (bias-corrected).
pub const FASTAI_SMOOTHING: f64 = 0.98;

/// The run length the anchors are calibrated at, in optimizer updates:
/// a run of `N` updates gets the anchor's LR times `(N / REFERENCE_UPDATES)^-beta`.
pub const REFERENCE_UPDATES: u64 = 1000;

/// The anchor the hand-off reads (the family and shape that won the LR
/// benchmark held out, `docs/finder-benchmark.md`).
pub const SHIPPED_ANCHOR: Anchor = Anchor::FirstMinimum {
    width: 0.3,
    rise: 0.25,
};
/// The anchor's LR divided by this is the peak LR of warmup + cosine for a
/// run of [`REFERENCE_UPDATES`] updates.
pub const WARMUP_COSINE_DIVISOR: f64 = 1.9952623149688795;
/// The anchor's LR divided by this is one-cycle's `max_lr` for a run of
/// [`REFERENCE_UPDATES`] updates.
pub const ONE_CYCLE_DIVISOR: f64 = 2.51188643150958;
/// The exponent of the run length: the hand-off for `N` updates is the
/// reference one times `(N / REFERENCE_UPDATES)^-BETA` (the median over the
/// benchmark's tasks of the band's slope against the length).
pub const BETA: f64 = 0.33056054703600746;
/// The shortest and longest runs the benchmark labelled, in updates: the
/// hand-off says when a run is shorter than the first or longer than the
/// second. It is never raised for runs shorter than [`REFERENCE_UPDATES`].
pub const MEASURED_UPDATES: (u64, u64) = (300, 3000);

/// Where the per-update losses a lag-free rule reads come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LossSource {
    /// Recorded with the curve.
    Raw,
    /// Recovered from the smoothed losses by inverting a bias-corrected EMA
    /// with this factor.
    Recovered {
        /// The EMA factor assumed.
        smoothing: f64,
    },
    /// The curve's one loss column, read as raw: the caller said so
    /// (smoothing 0), or inverting it gave negative losses from non-negative
    /// ones, so it is no running average with the factor assumed.
    Column {
        /// Whether the inversion was tried and refuted.
        refuted: bool,
    },
}

/// The curve's per-update losses: the raw ones when every point has one,
/// otherwise recovered from the smoothed ones by inverting the
/// bias-corrected EMA the finder (and fastai) record with `smoothing`:
/// `avg_i = s_i (1 - b^(i+1))`, `raw_i = (avg_i - b avg_(i-1)) / (1 - b)`.
/// With `smoothing` 0, or when the inversion turns non-negative losses
/// negative (an average of non-negative losses cannot), the column is read
/// as raw.
pub fn lag_free_losses(curve: &SweepCurve, smoothing: f64) -> (Vec<f64>, LossSource) {
    if curve.raw_losses.len() == curve.len() {
        return (curve.raw_losses.clone(), LossSource::Raw);
    }
    if smoothing == 0.0 {
        return (curve.losses.clone(), LossSource::Column { refuted: false });
    }
    let recovered = invert_ema(&curve.losses, smoothing);
    if curve.losses.iter().all(|&l| l >= 0.0) && recovered.iter().any(|&l| l < 0.0) {
        return (curve.losses.clone(), LossSource::Column { refuted: true });
    }
    (recovered, LossSource::Recovered { smoothing })
}

/// The raw values of a bias-corrected EMA with factor `b` in `(0, 1)`.
fn invert_ema(smoothed: &[f64], b: f64) -> Vec<f64> {
    let mut previous = 0.0;
    smoothed
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let average = s * (1.0 - b.powi(i as i32 + 1));
            let raw = (average - b * previous) / (1.0 - b);
            previous = average;
            raw
        })
        .collect()
}

/// An anchor: a point read from a curve, before it is scaled to a schedule
/// and a run length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anchor {
    /// One of fastai's rules, as `Learner.lr_find` applies it (trimmed EMA
    /// loss; `minimum` already divided by 10).
    Fastai(Method),
    /// The LR of the lowest loss after a two-sided smoothing of `width` decades.
    Minimum {
        /// Smoothing width, in decades of LR.
        width: f64,
    },
    /// The LR of the lowest loss after a two-sided smoothing of `width`
    /// decades, before the loss first spikes: rises above its lowest value
    /// so far by `rise` times its whole fall (from the first point to the
    /// lowest) once it has made [`SPIKE_AFTER_FALL`] of that fall, read on
    /// the loss smoothed over [`SPIKE_WIDTH`] only, so that a narrow spike is
    /// not smoothed away. A loss that recovers after a
    /// spike, lower still, is not followed past it.
    FirstMinimum {
        /// Smoothing width, in decades of LR.
        width: f64,
        /// The rise that counts as a spike, relative to the loss's fall.
        rise: f64,
    },
    /// The first LR where the two-sided smoothed loss made `fraction` of its
    /// fall from the first point to its minimum.
    Descent {
        /// Smoothing width, in decades of LR.
        width: f64,
        /// Fraction of the fall, in `(0, 1]`.
        fraction: f64,
    },
}

impl Anchor {
    /// Whether the anchor stays below the LR where the loss first spiked.
    /// The others may follow a loss that recovers after a spike to an LR
    /// past it: beyond an instability the sweep has shown, which the
    /// training run, longer, is likelier to meet than to outgrow.
    pub fn stops_at_spikes(&self) -> bool {
        matches!(self, Anchor::FirstMinimum { .. })
    }
}

/// The anchor's LR on `test`'s curve (`smoothing`: the EMA factor of a
/// curve without raw losses); `None` for an empty curve.
pub fn anchor<M>(test: &RangeTest<M>, anchor: Anchor, smoothing: f64) -> Option<f64> {
    let curve = &test.curve;
    match anchor {
        Anchor::Fastai(method) => test.suggestion(method).map(|s| s.lr),
        Anchor::Minimum { .. } | Anchor::FirstMinimum { .. } | Anchor::Descent { .. } => {
            let (losses, _) = lag_free_losses(curve, smoothing);
            lag_free_point(&curve.lrs, &losses, anchor).map(|i| curve.lrs[i])
        }
    }
}

/// What a lag-free anchor reads from a curve, from one smoothing per width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The anchor's point.
    pub point: usize,
    /// The lowest point of the anchor's smoothed loss over the whole curve
    /// (past a spike too): the anchor's point unless it stopped at a spike.
    pub lowest: usize,
    /// Where the loss first spikes, for an anchor that stops there
    /// ([`Anchor::stops_at_spikes`]); `None` for the others and for curves
    /// without a spike.
    pub spike: Option<usize>,
}

/// What a lag-free anchor reads from `(lrs, losses)` (`losses` raw or
/// recovered); `None` for an empty curve and for fastai's rules, which read
/// the EMA loss.
pub fn read(lrs: &[f64], losses: &[f64], anchor: Anchor) -> Option<Reading> {
    match anchor {
        Anchor::Fastai(_) => None,
        Anchor::Minimum { width } => {
            let lowest = lowest_before(&two_sided(lrs, losses, width), usize::MAX)?;
            Some(Reading {
                point: lowest,
                lowest,
                spike: None,
            })
        }
        Anchor::FirstMinimum { width, rise } => {
            let wide = two_sided(lrs, losses, width);
            let narrow = two_sided(lrs, losses, SPIKE_WIDTH);
            let spike = first_spike(&narrow, &wide, rise, scatter(losses, &narrow));
            let lowest = lowest_before(&wide, usize::MAX)?;
            let point = match spike {
                // The first point stays a candidate even when it blows up.
                Some(j) if lowest >= j => lowest_before(&wide, j.max(1))?,
                _ => lowest,
            };
            Some(Reading {
                point,
                lowest,
                spike,
            })
        }
        Anchor::Descent { width, fraction } => {
            descent_with(lrs, losses, width, fraction).map(|d| Reading {
                point: d.point,
                lowest: d.minimum,
                spike: None,
            })
        }
    }
}

/// The point a lag-free anchor reads ([`read`]'s `point`).
pub fn lag_free_point(lrs: &[f64], losses: &[f64], anchor: Anchor) -> Option<usize> {
    read(lrs, losses, anchor).map(|r| r.point)
}

/// The point of the lowest of `values` before `end`; `None` when there is none.
fn lowest_before(values: &[f64], end: usize) -> Option<usize> {
    (0..values.len().min(end)).min_by(|&a, &b| values[a].total_cmp(&values[b]))
}

/// The smoothing width, in decades, of the loss [`Anchor::FirstMinimum`]
/// looks for spikes on (the finder's plot draws the same curve).
pub const SPIKE_WIDTH: f64 = crate::descent::SMOOTHING_WIDTH;

/// How much of its whole fall the loss must have made before a rise counts
/// as a spike: the scatter of a flat start is no instability.
pub const SPIKE_AFTER_FALL: f64 = 0.5;

/// A loss this many times its start (for losses at or below 0: this many
/// falls above it, less one) is a spike wherever it occurs, fallen or not:
/// the range test's own divergence factor.
pub const BLOW_UP: f64 = 4.0;

/// How far above the noise a rise must go to be a spike: this many times the
/// median scatter of the raw loss around the narrow smoothing (a noisy
/// sweep's smoothed loss wanders by about that much without any instability).
pub const SPIKE_NOISE: f64 = 3.0;

/// The median of `|raw - smoothed|`: the loss's scatter, in its own units.
pub fn scatter(raw: &[f64], smoothed: &[f64]) -> f64 {
    let mut d: Vec<f64> = raw
        .iter()
        .zip(smoothed)
        .map(|(r, s)| (r - s).abs())
        .filter(|d| d.is_finite())
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
}

/// The first point where `narrow` (the loss smoothed over [`SPIKE_WIDTH`])
/// rises by `rise` times the whole fall (and by [`SPIKE_NOISE`] times the
/// loss's `noise`, its scatter) above its lowest since the loss made
/// [`SPIKE_AFTER_FALL`] of that fall, or, at any point, [`BLOW_UP`] times
/// its start. The fall runs from the first point of
/// `wide` (the anchor's smoothing, whose start is not one noisy point) to
/// the lowest of `narrow` (whose end is not a long extrapolation), and
/// whether the loss has made its part is read on `wide`. `None` when there
/// is none.
fn first_spike(narrow: &[f64], wide: &[f64], rise: f64, noise: f64) -> Option<usize> {
    let first = *wide.first()?;
    let lowest = narrow.iter().copied().fold(f64::INFINITY, f64::min);
    let fall = (first - lowest).max(0.0);
    let threshold = (rise * fall).max(SPIKE_NOISE * noise);
    let fallen = lowest + (1.0 - SPIKE_AFTER_FALL) * fall;
    let blow_up = first + (BLOW_UP - 1.0) * first.abs().max(fall);
    let mut wide_lowest = first;
    let mut since_fallen: Option<f64> = None;
    for (i, (&loss, &smooth)) in narrow.iter().zip(wide).enumerate() {
        if loss > blow_up {
            return Some(i);
        }
        wide_lowest = wide_lowest.min(smooth);
        if wide_lowest > fallen {
            continue;
        }
        let low = since_fallen.get_or_insert(loss);
        if loss > *low + threshold {
            return Some(i);
        }
        *low = low.min(loss);
    }
    None
}

/// [`first_spike`] with the shipped rise, for the hand-off's tests.
#[cfg(test)]
pub(crate) fn first_spike_for_tests(narrow: &[f64], wide: &[f64], noise: f64) -> Option<usize> {
    let Anchor::FirstMinimum { rise, .. } = SHIPPED_ANCHOR else {
        return None;
    };
    first_spike(narrow, wide, rise, noise)
}

/// `(updates / REFERENCE_UPDATES)^-beta`: how the best peak LR moves with
/// the run's length (longer runs want lower LRs).
pub fn horizon_factor(updates: u64, beta: f64) -> f64 {
    (updates as f64 / REFERENCE_UPDATES as f64).powf(-beta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverting_the_ema_recovers_the_raw_losses() {
        let raw: Vec<f64> = (0..100).map(|i| 2.0 + (i as f64 * 0.7).sin()).collect();
        let b = FASTAI_SMOOTHING;
        let mut average = 0.0;
        let losses: Vec<f64> = raw
            .iter()
            .enumerate()
            .map(|(i, r)| {
                average = b * average + (1.0 - b) * r;
                average / (1.0 - b.powi(i as i32 + 1))
            })
            .collect();
        let curve = SweepCurve {
            lrs: (0..100).map(|i| 1e-7 * 1.2f64.powi(i)).collect(),
            losses,
            raw_losses: Vec::new(),
        };
        let (recovered, source) = lag_free_losses(&curve, b);
        assert_eq!(source, LossSource::Recovered { smoothing: b });
        for (r, want) in recovered.iter().zip(&raw) {
            assert!((r - want).abs() < 1e-9, "{r} vs {want}");
        }
        let (as_is, source) = lag_free_losses(&curve, 0.0);
        assert_eq!(as_is, curve.losses);
        assert_eq!(source, LossSource::Column { refuted: false });
    }

    #[test]
    fn a_raw_column_is_not_mistaken_for_a_running_average() {
        // A noisy raw loss: inverted as an EMA it swings below zero, which an
        // average of non-negative losses cannot.
        let losses: Vec<f64> = (0..100)
            .map(|i| 2.0 + if i % 2 == 0 { 0.3 } else { -0.3 })
            .collect();
        let curve = SweepCurve {
            lrs: (0..100).map(|i| 1e-7 * 1.2f64.powi(i)).collect(),
            losses,
            raw_losses: Vec::new(),
        };
        let (read, source) = lag_free_losses(&curve, FASTAI_SMOOTHING);
        assert_eq!(source, LossSource::Column { refuted: true });
        assert_eq!(read, curve.losses);
    }

    #[test]
    fn a_spike_is_a_rise_by_a_fraction_of_the_whole_fall() {
        // Falls to 1.0, spikes to 3.0 (point 4), recovers to 0.5.
        let losses = [2.0, 1.5, 1.0, 1.2, 3.0, 1.0, 0.5, 0.6];
        assert_eq!(first_spike(&losses, &losses, 0.5, 0.0), Some(4));
        // A rise of 0.2 over a fall of 1.5 is no spike at 0.5, one at 0.1.
        let losses = [2.0, 1.0, 1.2, 0.5];
        assert_eq!(first_spike(&losses, &losses, 0.5, 0.0), None);
        assert_eq!(first_spike(&losses, &losses, 0.1, 0.0), Some(2));
        assert_eq!(first_spike(&[], &[], 0.5, 0.0), None);
        // The scatter of a flat start is no spike: the loss has not fallen yet.
        assert_eq!(
            first_spike(
                &[2.0, 2.1, 2.0, 1.0, 0.5],
                &[2.0, 2.1, 2.0, 1.0, 0.5],
                0.05,
                0.0
            ),
            None
        );
        assert_eq!(
            first_spike(
                &[2.0, 2.1, 2.0, 1.0, 1.2, 0.5],
                &[2.0, 2.1, 2.0, 1.0, 1.2, 0.5],
                0.05,
                0.0
            ),
            Some(4)
        );
        // A noisy dip of the narrow curve before the loss made half its fall
        // (read on the wide one) is no reference for a later rise.
        let narrow = [2.0, 0.2, 2.0, 1.0, 1.1, 0.5];
        let wide = [2.0, 1.9, 1.8, 1.0, 1.0, 0.5];
        assert_eq!(first_spike(&narrow, &wide, 0.25, 0.0), None);
        // A blow-up to 4x the start is a spike before the loss has fallen too.
        let early = [2.0, 2.1, 9.0, 2.0, 1.0, 0.5];
        assert_eq!(first_spike(&early, &early, 0.25, 0.0), Some(2));
        // Losses below 0: the blow-up is three falls (2) above the start.
        let negative = [-1.0, -1.5, -2.0, 6.0, -3.0];
        assert_eq!(first_spike(&negative, &[-1.0; 5], 10.0, 0.0), Some(3));
        // A rise within three times the loss's scatter is noise, not a spike.
        let losses = [2.0, 1.5, 1.0, 1.2, 3.0, 1.0, 0.5, 0.6];
        assert_eq!(first_spike(&losses, &losses, 0.5, 0.5), Some(4));
        assert_eq!(first_spike(&losses, &losses, 0.5, 0.7), None);
    }

    #[test]
    fn the_hand_off_anchor_stops_before_a_narrow_spike() {
        // 100 points over 8 decades: a fall from 2.3 to 0.8 by LR 1e-2, a
        // spike to 2.3 a third of a decade wide there, then a recovery to
        // 0.3 at LR 1 before the blow-up.
        let lrs: Vec<f64> = (0..100)
            .map(|i| 1e-7 * 10f64.powf(i as f64 * 0.08))
            .collect();
        let losses: Vec<f64> = lrs
            .iter()
            .map(|&lr| {
                let x = lr.log10();
                let fall = 0.8 + 1.5 / (1.0 + ((x + 3.5) * 3.0).exp());
                let spike = 1.5 * (-((x + 2.0) / 0.1).powi(2) / 2.0).exp();
                let late = if x > -1.5 {
                    0.5 * ((x + 1.5) / 1.5).min(1.0)
                } else {
                    0.0
                };
                let blow_up = if x > 0.3 { 10.0 * (x - 0.3) } else { 0.0 };
                fall + spike - late + blow_up
            })
            .collect();
        let r = read(&lrs, &losses, SHIPPED_ANCHOR).unwrap();
        assert!(
            lrs[r.point] < 1e-2,
            "anchored at {} past the spike at 1e-2",
            lrs[r.point]
        );
        let spike = r.spike.expect("the spike is found");
        assert!((r.point..r.lowest).contains(&spike), "{r:?}");
        let past = lag_free_point(&lrs, &losses, Anchor::Minimum { width: 0.3 }).unwrap();
        assert_eq!(past, r.lowest);
        assert!(
            lrs[past] > 1e-1,
            "the plain minimum is past the spike: {}",
            lrs[past]
        );
        assert_eq!(read(&[], &[], SHIPPED_ANCHOR), None);
    }

    #[test]
    fn longer_runs_get_lower_lrs() {
        assert_eq!(horizon_factor(REFERENCE_UPDATES, 0.4), 1.0);
        assert!((horizon_factor(10 * REFERENCE_UPDATES, 0.5) - 10f64.sqrt().recip()).abs() < 1e-12);
        assert!(horizon_factor(100, 0.3) > 1.0);
    }
}
