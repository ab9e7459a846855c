//! How uncertain a prediction is: the fit's own uncertainty, carried to a
//! predicted final loss.
//!
//! The fitted parameters' covariance is the least-squares one at the optimum
//! (Gauss-Newton, `s² (JᵀJ)⁻¹` over the fitted windows' residuals); a
//! prediction's variance is `gᵀ C g`, `g` its gradient in the parameters
//! (forward differences: one more prediction per parameter). The interval is
//! the normal one at the level asked. It measures what the runs leave
//! undetermined, not how far the law's form is from the task: a schedule the
//! law mispredicts (a sudden decay) can fall outside it; `docs/loss-law.md`
//! measures how often.

use burn_lr_core::ConfigError;
use serde::Serialize;

use crate::fit::{Fitted, LawKind, scaled_annealing, scaled_multi_power};
use crate::law::Law;
use crate::lm;
use crate::parallel::in_parallel;
use crate::path::LrPath;

/// The fitted parameters and their covariance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Uncertainty {
    kind: LawKind,
    theta: Vec<f64>,
    scale: f64,
    /// Row-major, `theta.len()` square.
    covariance: Vec<f64>,
}

impl Uncertainty {
    /// `None` when the residuals cannot give a covariance (no more of them
    /// than parameters, or not finite).
    pub(crate) fn of(
        kind: LawKind,
        theta: Vec<f64>,
        scale: f64,
        residuals: &dyn Fn(&[f64], &mut Vec<f64>),
    ) -> Option<Self> {
        let covariance = lm::covariance(residuals, &theta)?;
        Some(Self {
            kind,
            theta,
            scale,
            covariance,
        })
    }

    fn law(&self, theta: &[f64]) -> Law {
        match self.kind {
            LawKind::MultiPower => Law::MultiPower(scaled_multi_power(theta, self.scale)),
            LawKind::Annealing => Law::Annealing(scaled_annealing(theta, self.scale)),
        }
    }
}

/// A predicted final loss with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The predicted final loss.
    pub final_loss: f64,
    /// The interval's lower end (`final_loss_low` in JSON).
    #[serde(rename = "final_loss_low")]
    pub low: f64,
    /// Its upper end (`final_loss_high`).
    #[serde(rename = "final_loss_high")]
    pub high: f64,
    /// The probability it is meant to hold (0.8 is 80%).
    pub level: f64,
}

impl Interval {
    /// Whether the two intervals share a point.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

impl Fitted {
    /// The predicted final loss of `path` (as [`Law::final_loss`]) with an
    /// interval at `level` (in `(0, 1)`; 0.8 is the CLI's default) from the
    /// fit's own uncertainty. Without a covariance (a fit of as many windows
    /// as constants) the interval is the point.
    pub fn final_loss_interval(&self, path: &LrPath, level: f64) -> Result<Interval, ConfigError> {
        if !(level > 0.0 && level < 1.0) {
            return Err(ConfigError::invalid("level", level, "a number in (0, 1)"));
        }
        let final_loss = self.law.final_loss(path);
        let half = match &self.uncertainty {
            Some(u) => {
                let n = u.theta.len();
                let parameters: Vec<usize> = (0..n).collect();
                let gradient = in_parallel(&parameters, |&p| {
                    let h = 1e-6 * u.theta[p].abs().max(1.0);
                    let mut probe = u.theta.clone();
                    probe[p] += h;
                    (u.law(&probe).final_loss(path) - final_loss) / h
                });
                let variance: f64 = (0..n)
                    .flat_map(|p| (0..n).map(move |q| (p, q)))
                    .map(|(p, q)| gradient[p] * u.covariance[p * n + q] * gradient[q])
                    .sum();
                normal_quantile(0.5 + level / 2.0) * variance.max(0.0).sqrt()
            }
            None => 0.0,
        };
        Ok(Interval {
            final_loss,
            low: final_loss - half,
            high: final_loss + half,
            level,
        })
    }
}

/// The standard normal quantile of `p` in `(0, 1)` (Acklam's rational
/// approximation: about 1e-9 relative).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        for (p, want) in [
            (0.5, 0.0),
            (0.9, 1.281_551_565_544_6),
            (0.975, 1.959_963_984_540_1),
            (0.999, 3.090_232_306_167_8),
        ] {
            assert!(
                (normal_quantile(p) - want).abs() < 1e-6,
                "{p}: {}",
                normal_quantile(p)
            );
            assert!((normal_quantile(1.0 - p) + want).abs() < 1e-6, "{p}");
        }
    }
}
