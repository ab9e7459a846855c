//! Two-sided smoothing of a range test's raw losses.
//!
//! The finder's running average (fastai's EMA with factor 0.98) trails the
//! raw loss: with 100 points over 8 decades it lags by about a third of a
//! decade, so a minimum read from it sits to the right of the real one. A
//! local linear fit with Gaussian weights in `log10(lr)` looks both ways and
//! has no lag; being linear, it also stays unbiased at the curve's ends,
//! where a plain moving average would flatten the blow-up.

/// The loss of every point, fitted by weighted least squares to a line in
/// `log10(lr)` over its neighbours, each weighted by
/// `exp(-(distance / width)^2 / 2)` with `width` in decades (neighbours
/// beyond three widths are ignored).
///
/// `lrs` must be positive and ascending, `losses` finite and of the same
/// length; `width` positive.
///
/// A curve of more than 4096 points is first averaged in that many
/// bins of equal width in `log10(lr)` (each bin weighing as its points), the
/// fit is made at the bins and read back at every point by linear
/// interpolation: the cost stays linear in the curve's length (a bin is far
/// narrower than `width` on any curve that long).
pub fn two_sided(lrs: &[f64], losses: &[f64], width: f64) -> Vec<f64> {
    let x: Vec<f64> = lrs.iter().map(|lr| lr.log10()).collect();
    let n = x.len().min(losses.len());
    if n > MAX_EXACT {
        return binned(&x[..n], &losses[..n], width);
    }
    local_linear(&x[..n], &losses[..n], &vec![1.0; n], width)
}

/// The most points smoothed point by point.
const MAX_EXACT: usize = 4096;

/// The fit at bin means, interpolated back to every point.
fn binned(x: &[f64], losses: &[f64], width: f64) -> Vec<f64> {
    let (lo, hi) = (x[0], x[x.len() - 1]);
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let bin = |v: f64| (((v - lo) / span) * MAX_EXACT as f64).min(MAX_EXACT as f64 - 1.0) as usize;
    let (mut count, mut sx, mut sy) = (
        vec![0.0; MAX_EXACT],
        vec![0.0; MAX_EXACT],
        vec![0.0; MAX_EXACT],
    );
    for (v, y) in x.iter().zip(losses) {
        let b = bin(*v);
        count[b] += 1.0;
        sx[b] += v;
        sy[b] += y;
    }
    let kept: Vec<usize> = (0..MAX_EXACT).filter(|b| count[*b] > 0.0).collect();
    let bx: Vec<f64> = kept.iter().map(|b| sx[*b] / count[*b]).collect();
    let by: Vec<f64> = kept.iter().map(|b| sy[*b] / count[*b]).collect();
    let weight: Vec<f64> = kept.iter().map(|b| count[*b]).collect();
    let fitted = local_linear(&bx, &by, &weight, width);
    let mut next = 0;
    x.iter()
        .map(|v| {
            while next + 1 < bx.len() && bx[next + 1] <= *v {
                next += 1;
            }
            match (bx.get(next), bx.get(next + 1)) {
                (Some(a), Some(b)) if *v >= *a && b > a => {
                    let t = (v - a) / (b - a);
                    fitted[next] + t * (fitted[next + 1] - fitted[next])
                }
                _ => fitted[next],
            }
        })
        .collect()
}

/// The local linear fit at every point of `x` (ascending), point `j`
/// weighing `weight[j]` times its Gaussian weight.
fn local_linear(x: &[f64], losses: &[f64], weight: &[f64], width: f64) -> Vec<f64> {
    let n = x.len();
    let reach = 3.0 * width;
    let mut first = 0;
    (0..n)
        .map(|i| {
            while x[i] - x[first] > reach {
                first += 1;
            }
            let (mut s0, mut s1, mut s2, mut t0, mut t1) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for j in first..n {
                let d = x[j] - x[i];
                if d > reach {
                    break;
                }
                let w = weight[j] * (-0.5 * (d / width).powi(2)).exp();
                s0 += w;
                s1 += w * d;
                s2 += w * d * d;
                t0 += w * losses[j];
                t1 += w * d * losses[j];
            }
            let det = s0 * s2 - s1 * s1;
            // A lone point (or points at one LR) has no slope: its weighted mean.
            if det > 1e-12 * s0 * s2 {
                (s2 * t0 - s1 * t1) / det
            } else {
                t0 / s0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lrs(n: usize) -> Vec<f64> {
        (0..n).map(|i| 1e-6 * 10f64.powf(i as f64 / 10.0)).collect()
    }

    #[test]
    fn a_line_in_log_lr_comes_back_exactly_ends_included() {
        let lrs = lrs(60);
        let line: Vec<f64> = lrs.iter().map(|lr| 3.0 - 0.25 * lr.log10()).collect();
        for (fit, want) in two_sided(&lrs, &line, 0.3).iter().zip(&line) {
            assert!((fit - want).abs() < 1e-9, "{fit} vs {want}");
        }
    }

    #[test]
    fn the_minimum_of_a_noisy_valley_does_not_move_right() {
        // A parabola in log-LR with its minimum at point 40, plus alternating noise.
        let lrs = lrs(80);
        let losses: Vec<f64> = (0..80)
            .map(|i| {
                let d = (i as f64 - 40.0) / 10.0;
                1.0 + d * d + if i % 2 == 0 { 0.05 } else { -0.05 }
            })
            .collect();
        let smooth = two_sided(&lrs, &losses, 0.2);
        let argmin = (0..80)
            .min_by(|&a, &b| smooth[a].total_cmp(&smooth[b]))
            .unwrap();
        assert_eq!(argmin, 40);
    }

    #[test]
    fn a_long_curve_is_binned_and_stays_close_to_the_exact_fit() {
        // 20,000 points over 8 decades: a noisy valley.
        let n = 20_000;
        let lrs: Vec<f64> = (0..n)
            .map(|i| 1e-7 * 10f64.powf(8.0 * i as f64 / n as f64))
            .collect();
        let losses: Vec<f64> = lrs
            .iter()
            .enumerate()
            .map(|(i, lr)| {
                let x = lr.log10();
                2.0 + 0.3 * (x + 3.0).powi(2) + 0.05 * ((i * 7919 % 101) as f64 / 101.0 - 0.5)
            })
            .collect();
        let binned = two_sided(&lrs, &losses, 0.3);
        let exact = {
            let x: Vec<f64> = lrs.iter().map(|lr| lr.log10()).collect();
            local_linear(&x, &losses, &vec![1.0; n], 0.3)
        };
        let worst = binned
            .iter()
            .zip(&exact)
            .map(|(b, e)| ((b - e) / e).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-3, "{worst}");
    }

    #[test]
    fn one_point_is_its_own_fit() {
        assert_eq!(two_sided(&[0.1], &[2.5], 0.2), vec![2.5]);
        assert!(two_sided(&[], &[], 0.2).is_empty());
    }
}
