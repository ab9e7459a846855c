//! Levenberg-Marquardt least squares for a handful of parameters.

/// The most iterations of one minimisation.
const MAX_ITERATIONS: usize = 300;

/// Minimises `Σ r_j(θ)²` from `theta`, with `residuals(θ, r)` filling `r`
/// (forward-difference Jacobian). Returns the parameters and their cost.
/// A non-finite residual makes a step fail, never the result.
pub(crate) fn minimize(
    residuals: &dyn Fn(&[f64], &mut Vec<f64>),
    mut theta: Vec<f64>,
) -> (Vec<f64>, f64) {
    let n = theta.len();
    let mut r = Vec::new();
    residuals(&theta, &mut r);
    let mut cost = sum_of_squares(&r);
    if !cost.is_finite() {
        return (theta, f64::INFINITY);
    }
    let m = r.len();
    let mut jacobian = vec![0.0; m * n];
    let mut shifted = Vec::with_capacity(m);
    let mut damping = 1e-3;
    let mut stalled = 0;
    for _ in 0..MAX_ITERATIONS {
        jacobian_of(residuals, &theta, &r, &mut jacobian, &mut shifted);
        // Normal equations: (JᵀJ + damping diag(JᵀJ)) step = -Jᵀr.
        let (jtj, jtr) = normal_equations(&jacobian, &r, n);
        let mut improved = false;
        while damping < 1e12 {
            let mut system = jtj.clone();
            for p in 0..n {
                system[p * n + p] += damping * jtj[p * n + p].max(1e-12);
            }
            let rhs: Vec<f64> = jtr.iter().map(|g| -g).collect();
            let Some(step) = solve(system, rhs) else {
                damping *= 10.0;
                continue;
            };
            let candidate: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t + s).collect();
            residuals(&candidate, &mut shifted);
            let new_cost = sum_of_squares(&shifted);
            if new_cost.is_finite() && new_cost < cost {
                stalled = if cost - new_cost < 1e-10 * cost {
                    stalled + 1
                } else {
                    0
                };
                theta = candidate;
                cost = new_cost;
                std::mem::swap(&mut r, &mut shifted);
                damping = (damping / 3.0).max(1e-12);
                improved = true;
                break;
            }
            damping *= 4.0;
        }
        if !improved || stalled >= 3 {
            break;
        }
    }
    (theta, cost)
}

/// The forward-difference Jacobian of `residuals` at `theta` (where they
/// are `r`), row-major into `jacobian`.
fn jacobian_of(
    residuals: &dyn Fn(&[f64], &mut Vec<f64>),
    theta: &[f64],
    r: &[f64],
    jacobian: &mut [f64],
    shifted: &mut Vec<f64>,
) {
    let n = theta.len();
    for p in 0..n {
        let h = 1e-6 * theta[p].abs().max(1.0);
        let mut probe = theta.to_vec();
        probe[p] += h;
        residuals(&probe, shifted);
        for (j, (s, r)) in shifted.iter().zip(r).enumerate() {
            jacobian[j * n + p] = (s - r) / h;
        }
    }
}

/// `(JᵀJ, Jᵀr)` of a row-major Jacobian with `n` columns.
fn normal_equations(jacobian: &[f64], r: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut jtj = vec![0.0; n * n];
    let mut jtr = vec![0.0; n];
    for (row, r) in jacobian.chunks_exact(n).zip(r) {
        for p in 0..n {
            jtr[p] += row[p] * r;
            for q in 0..n {
                jtj[p * n + q] += row[p] * row[q];
            }
        }
    }
    (jtj, jtr)
}

/// The covariance of least-squares parameters at their optimum `theta`,
/// linearised (Gauss-Newton): `s² (JᵀJ)⁻¹` with `s²` the residuals' mean
/// square per degree of freedom. A direction the residuals do not
/// determine gets a tiny ridge (and so a huge variance), not a failure;
/// `None` only when there are no more residuals than parameters.
pub(crate) fn covariance(
    residuals: &dyn Fn(&[f64], &mut Vec<f64>),
    theta: &[f64],
) -> Option<Vec<f64>> {
    let n = theta.len();
    let mut r = Vec::new();
    residuals(theta, &mut r);
    let m = r.len();
    if m <= n || !sum_of_squares(&r).is_finite() {
        return None;
    }
    let mut jacobian = vec![0.0; m * n];
    let mut shifted = Vec::with_capacity(m);
    jacobian_of(residuals, theta, &r, &mut jacobian, &mut shifted);
    let (mut jtj, _) = normal_equations(&jacobian, &r, n);
    let ridge = 1e-12
        * (0..n)
            .map(|p| jtj[p * n + p])
            .fold(0.0, f64::max)
            .max(1e-300);
    for p in 0..n {
        jtj[p * n + p] += ridge;
    }
    let s2 = sum_of_squares(&r) / (m - n) as f64;
    let mut inverse = vec![0.0; n * n];
    for col in 0..n {
        let mut unit = vec![0.0; n];
        unit[col] = 1.0;
        let x = solve(jtj.clone(), unit)?;
        for row in 0..n {
            inverse[row * n + col] = s2 * x[row];
        }
    }
    Some(inverse)
}

fn sum_of_squares(r: &[f64]) -> f64 {
    r.iter().map(|x| x * x).sum()
}

/// Solves the dense system `a x = b` (row-major `a`) by Gaussian elimination
/// with partial pivoting; `None` when it is singular.
pub(crate) fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs().is_nan() || a[pivot * n + col].abs() <= 1e-300 {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= factor * a[col * n + k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row * n + row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_fits_an_exponential_decay() {
        let xs: Vec<f64> = (0..40).map(|i| i as f64 * 0.1).collect();
        let ys: Vec<f64> = xs.iter().map(|x| 2.5 * (-1.3 * x).exp() + 0.4).collect();
        let residuals = |t: &[f64], r: &mut Vec<f64>| {
            r.clear();
            r.extend(
                xs.iter()
                    .zip(&ys)
                    .map(|(x, y)| t[0] * (-t[1] * x).exp() + t[2] - y),
            );
        };
        let (theta, cost) = minimize(&residuals, vec![1.0, 0.5, 0.0]);
        assert!(cost < 1e-16, "{cost}");
        for (got, want) in theta.iter().zip([2.5, 1.3, 0.4]) {
            assert!((got - want).abs() < 1e-6, "{theta:?}");
        }
    }

    #[test]
    fn a_singular_system_is_none() {
        assert_eq!(solve(vec![1.0, 2.0, 2.0, 4.0], vec![1.0, 2.0]), None);
        assert_eq!(
            solve(vec![2.0, 0.0, 0.0, 4.0], vec![2.0, 2.0]),
            Some(vec![1.0, 0.5])
        );
    }
}
