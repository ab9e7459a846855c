//! The valley-floor rule, the finder's default.
//!
//! The raw losses are smoothed both ways ([`two_sided`], no lag); the valley
//! floor is the run of points around the smoothed minimum that lie within
//! [`FLOOR_FRACTION`] of the loss's whole fall above it. Its geometric
//! centre, divided by a constant for each schedule, is the suggestion.
//!
//! The constants were fitted on the project's LR benchmark (eight
//! task/optimizer pairs, `docs/finder-benchmark.md`) and chosen among five
//! rule families by leave-one-task-out.

use crate::smooth::two_sided;

/// Width of the two-sided smoothing, in decades of LR.
pub const SMOOTHING_WIDTH: f64 = 0.1;
/// The floor: points whose smoothed loss is within this fraction of the
/// fall (first point to minimum) above the minimum.
pub const FLOOR_FRACTION: f64 = 0.1;
/// The floor's centre divided by this is the peak LR of warmup + cosine.
pub const WARMUP_COSINE_DIVISOR: f64 = 1.25;
/// The floor's centre divided by this is one-cycle's `max_lr`.
pub const ONE_CYCLE_DIVISOR: f64 = 2.0;

/// The valley floor of a curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// The two-sided smoothed loss of every point.
    pub smoothed: Vec<f64>,
    /// Its minimum's point.
    pub minimum: usize,
    /// First point of the floor.
    pub low: usize,
    /// Last point of the floor.
    pub high: usize,
    /// Geometric centre of the floor's LRs.
    pub centre: f64,
    /// The fall from the first point to the minimum, relative to the first
    /// point's smoothed loss (0 for a curve that never falls).
    pub relative_fall: f64,
    /// Median of `|raw - smoothed|` relative to the fall (infinite for a
    /// curve that never falls): how much the raw loss scatters.
    pub noise: f64,
}

/// The valley floor of the curve `(lrs, losses)` with the fitted constants
/// (`lrs` ascending and positive, `losses` finite: raw losses when known).
/// `None` when empty.
pub fn valley_floor(lrs: &[f64], losses: &[f64]) -> Option<Floor> {
    valley_floor_with(lrs, losses, SMOOTHING_WIDTH, FLOOR_FRACTION)
}

/// [`valley_floor`] with another smoothing `width` (decades) and floor
/// `fraction` (the benchmark compares them).
pub fn valley_floor_with(lrs: &[f64], losses: &[f64], width: f64, fraction: f64) -> Option<Floor> {
    let n = lrs.len().min(losses.len());
    let smoothed = two_sided(&lrs[..n], &losses[..n], width);
    let minimum = (0..n).min_by(|&a, &b| smoothed[a].total_cmp(&smoothed[b]))?;
    let fall = smoothed[0] - smoothed[minimum];
    let ceiling = smoothed[minimum] + fraction * fall;
    let on_floor = |i: &usize| smoothed[*i] <= ceiling;
    let low = (0..=minimum)
        .rev()
        .take_while(on_floor)
        .last()
        .unwrap_or(minimum);
    let high = (minimum..n).take_while(on_floor).last().unwrap_or(minimum);
    let mut scatter: Vec<f64> = (0..n).map(|i| (losses[i] - smoothed[i]).abs()).collect();
    scatter.sort_by(f64::total_cmp);
    let noise = if fall > 0.0 {
        scatter[n / 2] / fall
    } else {
        f64::INFINITY
    };
    Some(Floor {
        centre: (lrs[low] * lrs[high]).sqrt(),
        relative_fall: if smoothed[0].abs() > 0.0 {
            fall / smoothed[0].abs()
        } else {
            0.0
        },
        noise,
        smoothed,
        minimum,
        low,
        high,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lrs(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 1e-7 * 1e8f64.powf(i as f64 / n as f64))
            .collect()
    }

    #[test]
    fn the_floor_is_centred_on_a_symmetric_valley() {
        // Flat at 2.3, a valley centred on point 60 (flat bottom 55..=65), then a rise.
        let lrs = lrs(100);
        let losses: Vec<f64> = (0..100)
            .map(|i| {
                let d = (i as f64 - 60.0).abs();
                if d <= 5.0 {
                    0.3
                } else {
                    (0.3 + 0.1 * (d - 5.0)).min(2.3)
                }
            })
            .collect();
        let floor = valley_floor(&lrs, &losses).unwrap();
        assert!((52..=55).contains(&floor.low), "{floor:?}");
        assert!((65..=68).contains(&floor.high), "{floor:?}");
        let centre_index = (floor.centre / 1e-7).log10() / 8.0 * 100.0;
        assert!((centre_index - 60.0).abs() < 0.6, "{centre_index}");
        assert!((floor.relative_fall - 2.0 / 2.3).abs() < 0.01);
        assert!(floor.noise < 1e-3, "a noiseless curve: {}", floor.noise);
    }

    #[test]
    fn a_flat_curve_has_no_fall_and_infinite_noise() {
        let floor = valley_floor(&lrs(30), &[1.0; 30]).unwrap();
        assert_eq!(floor.relative_fall, 0.0);
        assert!(floor.noise.is_infinite());
        assert!(valley_floor(&[], &[]).is_none());
    }
}
