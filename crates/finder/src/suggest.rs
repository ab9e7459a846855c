//! Suggestions from an LR range-test curve: the hand-off rule (the default,
//! see [`crate::rule`] and [`crate::hand_off`]) and fastai's three rules.
//!
//! fastai hands the curve to its suggestion functions as float32 tensors; its
//! rules' comparisons and slopes are computed in `f32` here too, so that
//! near-ties resolve to the same point.

use serde::Serialize;

use crate::rule::{SHIPPED_ANCHOR, WARMUP_COSINE_DIVISOR, lag_free_point};

/// A suggestion rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Method {
    /// The default: the LR of the lowest two-sided smoothed raw loss before
    /// it first spikes, divided by a fitted constant, the peak LR of warmup + cosine for a run of 1000
    /// updates (`hand_off` scales it to the run's length).
    #[cfg_attr(feature = "clap", value(name = "hand_off", alias = "hand-off"))]
    HandOff,
    /// fastai `steep`: the left end of the steepest descent of the loss against log-LR.
    Steepest,
    /// fastai `minimum`: the LR of the lowest loss, divided by 10.
    Minimum,
    /// fastai `valley`: a third and a half into the longest decreasing run of the loss.
    Valley,
}

impl Method {
    /// Every method, the default first.
    pub const ALL: [Method; 4] = [
        Method::HandOff,
        Method::Steepest,
        Method::Minimum,
        Method::Valley,
    ];

    /// The method's name, as the command line, the JSON and the plots spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::HandOff => "hand_off",
            Self::Steepest => "steepest",
            Self::Minimum => "minimum",
            Self::Valley => "valley",
        }
    }
}

/// A suggested LR and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The rule that produced it.
    pub method: Method,
    /// The suggested LR.
    pub lr: f64,
    /// The curve point it comes from (0-based; for `minimum` and `hand_off`,
    /// the point of the lowest loss).
    pub index: usize,
    /// The loss at that point.
    pub loss: f64,
    /// `steepest`: the slope d(loss)/d(ln lr) there; `valley`: the length of the
    /// decreasing run; `minimum`: the lowest loss; `hand_off`: the LR of
    /// the lowest loss (the anchor).
    pub evidence: f64,
    /// The same evidence in words.
    pub why: String,
}

/// Index of the first smallest value (`f32` comparisons, as torch's `argmin`).
fn first_argmin(values: impl Iterator<Item = f32>) -> Option<(usize, f32)> {
    values
        .enumerate()
        .fold(None, |best: Option<(usize, f32)>, (i, v)| match best {
            Some((_, b)) if v < b => Some((i, v)),
            Some(_) => best,
            None => Some((i, v)),
        })
}

/// The length of the longest strictly decreasing subsequence ending at each
/// point (fastai's `valley` reads it), in O(n log n): `tails[k]` holds the
/// highest last value of a decreasing subsequence of length `k + 1`.
fn decreasing_runs(losses: &[f32]) -> Vec<usize> {
    let mut tails: Vec<f32> = Vec::new();
    losses
        .iter()
        .map(|&loss| {
            // Runs that `loss` can extend end above it; `tails` is decreasing.
            let k = tails.partition_point(|&tail| tail > loss);
            match tails.get_mut(k) {
                Some(tail) => *tail = loss,
                None => tails.push(loss),
            }
            k + 1
        })
        .collect()
}

/// Applies `method` to every point of a curve (`lrs` ascending and positive,
/// `losses` finite, same length >= 1; for `hand_off`, the raw losses when known).
/// Returns `None` for an empty curve.
pub fn suggest(method: Method, lrs: &[f64], losses: &[f64]) -> Option<Suggestion> {
    suggest_within(method, lrs, losses, 0)
}

/// [`suggest`] on a part of a curve that starts at point `offset` of the
/// whole one; indices (and the words of `why`) refer to the whole curve.
pub fn suggest_within(
    method: Method,
    lrs: &[f64],
    losses: &[f64],
    offset: usize,
) -> Option<Suggestion> {
    let n = lrs.len().min(losses.len());
    if n == 0 {
        return None;
    }
    let loss32: Vec<f32> = losses[..n].iter().map(|&l| l as f32).collect();
    let lr32: Vec<f32> = lrs[..n].iter().map(|&l| l as f32).collect();
    let at = |index: usize, lr: f64, evidence: f64, why: String| Suggestion {
        method,
        lr,
        index: index + offset,
        loss: losses[index],
        evidence,
        why,
    };
    Some(match method {
        Method::HandOff => {
            let index = lag_free_point(&lrs[..n], &losses[..n], SHIPPED_ANCHOR)?;
            at(
                index,
                lrs[index] / WARMUP_COSINE_DIVISOR,
                lrs[index],
                format!(
                    "the two-sided smoothed loss is lowest at point {}, LR {:.3e}; divided by {:.2}",
                    index + offset,
                    lrs[index],
                    WARMUP_COSINE_DIVISOR
                ),
            )
        }
        Method::Minimum => {
            let (index, loss) = first_argmin(loss32.iter().copied())?;
            at(
                index,
                lrs[index] / 10.0,
                loss as f64,
                format!("lowest loss {loss} at point {}; LR / 10", index + offset),
            )
        }
        Method::Steepest => {
            if n < 2 {
                return Some(at(0, lrs[0], 0.0, "a single point: no slope".into()));
            }
            // Two LRs equal in f32 have no slope between them: never the steepest.
            let slopes = (0..n - 1).map(|i| {
                let run = lr32[i + 1].ln() - lr32[i].ln();
                let slope = (loss32[i + 1] - loss32[i]) / run;
                if run > 0.0 && slope.is_finite() {
                    slope
                } else {
                    f32::INFINITY
                }
            });
            let (index, slope) = first_argmin(slopes)?;
            if slope.is_infinite() {
                return Some(at(
                    0,
                    lrs[0],
                    0.0,
                    "no slope: every LR equals the next one in f32".into(),
                ));
            }
            at(
                index,
                lrs[index],
                slope as f64,
                format!(
                    "steepest slope {slope} per unit of ln(lr) from point {}",
                    index + offset
                ),
            )
        }
        Method::Valley => {
            let lds = decreasing_runs(&loss32);
            // The first point where the longest run ends.
            let end = (0..n).fold(0, |end, i| if lds[end] < lds[i] { i } else { end });
            // fastai only sets the start when the run grows past one point.
            let start = if end == 0 {
                0
            } else {
                end as i64 - lds[end] as i64
            };
            let sections = (end as i64 - start) as f64 / 3.0;
            let index =
                (start + sections as i64 + (sections / 2.0) as i64).clamp(0, n as i64 - 1) as usize;
            let run = lds[end];
            at(
                index,
                lrs[index],
                run as f64,
                format!(
                    "decreasing run of {run} points ending at point {}; a third and a half into it",
                    end + offset
                ),
            )
        }
    })
}

#[cfg(test)]
mod steepest_tests {
    use super::*;

    #[test]
    fn lrs_equal_in_f32_give_no_infinite_slope() {
        // 1 + 1e-12 equals 1 in f32: no slope between the first two points.
        let lrs = [1.0, 1.0 + 1e-12, 2.0, 4.0];
        let losses = [3.0, 1.0, 2.9, 2.0];
        let s = suggest(Method::Steepest, &lrs, &losses).unwrap();
        assert!(s.evidence.is_finite(), "{s:?}");
        assert_eq!(s.index, 2, "{s:?}");
        let flat = suggest(Method::Steepest, &[1.0, 1.0 + 1e-12], &[2.0, 1.0]).unwrap();
        assert_eq!(flat.evidence, 0.0, "{flat:?}");
        assert!(flat.why.contains("no slope"), "{flat:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lrs(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 1e-6 * 1e7f64.powf(i as f64 / 100.0))
            .collect()
    }

    #[test]
    fn a_clean_valley() {
        // Flat, then a descent between points 40 and 60 that is steepest at its
        // start (a quarter sine), then a blow-up.
        let losses: Vec<f64> = (0..100)
            .map(|i| match i {
                0..40 => 2.3,
                40..60 => 2.3 - 2.0 * (std::f64::consts::FRAC_PI_2 * (i - 40) as f64 / 20.0).sin(),
                _ => 0.3 + 0.05 * ((i - 60) as f64).powi(2),
            })
            .collect();
        let lrs = lrs(100);
        let steep = suggest(Method::Steepest, &lrs, &losses).unwrap();
        assert_eq!(steep.index, 40, "the steepest segment is 40 -> 41");
        assert!(steep.evidence < 0.0);
        let minimum = suggest(Method::Minimum, &lrs, &losses).unwrap();
        assert_eq!(minimum.index, 60);
        assert_eq!(minimum.lr, lrs[60] / 10.0);
        let valley = suggest(Method::Valley, &lrs, &losses).unwrap();
        assert!((40..=60).contains(&valley.index), "{}", valley.index);
    }

    /// fastai's quadratic recurrence, which `decreasing_runs` replaces.
    fn quadratic_runs(losses: &[f32]) -> Vec<usize> {
        let mut lds = vec![1usize; losses.len()];
        for i in 1..losses.len() {
            for j in 0..i {
                if losses[i] < losses[j] && lds[i] < lds[j] + 1 {
                    lds[i] = lds[j] + 1;
                }
            }
        }
        lds
    }

    #[test]
    fn decreasing_runs_match_the_quadratic_recurrence() {
        // A deterministic pseudo-random walk with ties and plateaus.
        let mut x = 0x2545_f491_u64;
        for len in [0, 1, 2, 7, 50, 400] {
            let losses: Vec<f32> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 16) as f32 / 4.0
                })
                .collect();
            assert_eq!(
                decreasing_runs(&losses),
                quadratic_runs(&losses),
                "{losses:?}"
            );
        }
    }

    #[test]
    fn valley_on_a_million_points_is_fast_enough_to_run() {
        let n = 1_000_000;
        let lrs: Vec<f64> = (0..n).map(|i| 1e-6 * (1.0 + i as f64)).collect();
        let losses: Vec<f64> = (0..n).map(|i| ((i % 1000) as f64).sin() + 2.0).collect();
        assert!(suggest(Method::Valley, &lrs, &losses).is_some());
    }

    #[test]
    fn a_flat_curve_points_at_the_start() {
        let losses = vec![1.0; 50];
        let lrs = lrs(50);
        // fastai's rules (the hand-off calls a flat curve too flat for the default).
        for method in [Method::Steepest, Method::Minimum, Method::Valley] {
            assert_eq!(
                suggest(method, &lrs, &losses).unwrap().index,
                0,
                "{method:?}"
            );
        }
    }

    #[test]
    fn short_curves_still_answer() {
        let lrs = lrs(2);
        assert_eq!(
            suggest(Method::Steepest, &lrs, &[2.0, 1.0]).unwrap().index,
            0
        );
        assert_eq!(suggest(Method::Valley, &lrs[..1], &[2.0]).unwrap().index, 0);
        assert!(suggest(Method::Minimum, &[], &[]).is_none());
    }
}
