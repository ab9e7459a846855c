//! The shape of a range-test curve without lag: its two-sided smoothed
//! loss, the minimum, how far the loss fell and how much it scatters (what
//! the trust verdict reads), and the point where it made a given fraction of
//! its fall (the descent family of the LR benchmark).

use crate::smooth::two_sided;

/// Width of the two-sided smoothing the trust verdict reads, in decades of LR.
pub const SMOOTHING_WIDTH: f64 = 0.1;
/// The fraction of the fall (first point to minimum) at which [`descent`]
/// reads its point.
pub const DESCENT_FRACTION: f64 = 0.8;

/// What the descent rule reads from a curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Descent {
    /// The two-sided smoothed loss of every point.
    pub smoothed: Vec<f64>,
    /// Its minimum's point.
    pub minimum: usize,
    /// The first point at which the fraction of the fall is made.
    pub point: usize,
    /// That point's LR.
    pub lr: f64,
    /// The fall from the first point to the minimum, relative to the first
    /// point's smoothed loss (0 for a curve that never falls).
    pub relative_fall: f64,
    /// Median of `|raw - smoothed|` relative to the fall (infinite for a
    /// curve that never falls): how much the raw loss scatters.
    pub noise: f64,
}

/// The descent of the curve `(lrs, losses)` with the fitted constants
/// (`lrs` ascending and positive, `losses` finite: raw losses when known).
/// `None` when empty.
pub fn descent(lrs: &[f64], losses: &[f64]) -> Option<Descent> {
    descent_with(lrs, losses, SMOOTHING_WIDTH, DESCENT_FRACTION)
}

/// [`descent`] with another smoothing `width` (decades) and `fraction` of
/// the fall (the benchmark compares them).
pub fn descent_with(lrs: &[f64], losses: &[f64], width: f64, fraction: f64) -> Option<Descent> {
    let n = lrs.len().min(losses.len());
    let smoothed = two_sided(&lrs[..n], &losses[..n], width);
    let minimum = (0..n).min_by(|&a, &b| smoothed[a].total_cmp(&smoothed[b]))?;
    let fall = smoothed[0] - smoothed[minimum];
    let target = smoothed[0] - fraction * fall;
    let point = (0..=minimum)
        .find(|&i| smoothed[i] <= target)
        .unwrap_or(minimum);
    let mut scatter: Vec<f64> = (0..n).map(|i| (losses[i] - smoothed[i]).abs()).collect();
    scatter.sort_by(f64::total_cmp);
    let noise = if fall > 0.0 {
        scatter[n / 2] / fall
    } else {
        f64::INFINITY
    };
    Some(Descent {
        lr: lrs[point],
        relative_fall: if smoothed[0].abs() > 0.0 {
            fall / smoothed[0].abs()
        } else {
            0.0
        },
        noise,
        smoothed,
        minimum,
        point,
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
    fn the_point_is_where_the_loss_made_the_fraction_of_its_fall() {
        // Flat at 2.3 until point 40, a straight fall to 0.3 at point 60, then a rise.
        let lrs = lrs(100);
        let losses: Vec<f64> = (0..100)
            .map(|i| match i {
                0..40 => 2.3,
                40..60 => 2.3 - 0.1 * (i - 40) as f64,
                _ => 0.3 + 0.05 * (i - 60) as f64,
            })
            .collect();
        let d = descent(&lrs, &losses).unwrap();
        // The smoothing rounds the V's tip; the steeper side pushes the minimum a point right.
        assert!((60..=61).contains(&d.minimum), "{d:?}");
        // 80% of the fall of 2.0 is 1.6, reached 16 points into the fall.
        assert_eq!(d.point, 56, "{d:?}");
        assert_eq!(d.lr, lrs[56]);
        assert!(
            (d.relative_fall - 2.0 / 2.3).abs() < 0.03,
            "{}",
            d.relative_fall
        );
        assert!(d.noise < 1e-3, "a noiseless curve: {}", d.noise);
        assert_eq!(descent_with(&lrs, &losses, 0.1, 0.5).unwrap().point, 50);
    }

    #[test]
    fn a_flat_curve_has_no_fall_and_infinite_noise() {
        let d = descent(&lrs(30), &[1.0; 30]).unwrap();
        assert_eq!(d.relative_fall, 0.0);
        assert!(d.noise.is_infinite());
        assert!(descent(&[], &[]).is_none());
    }
}
