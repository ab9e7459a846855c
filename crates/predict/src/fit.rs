//! Fitting a law to logged runs: a Huber loss on log-losses, several starts.
//!
//! Each run's updates after its warmup, but for the first tenth of them (the
//! fast early fall, which a power law in the LR sum follows poorly), are
//! averaged in up to 100 windows of equal length (the batch noise of one update is far above what the law
//! explains); a window's mean loss is compared with the law's loss at its
//! middle update, in logs, through a Huber loss (a spike costs linearly, not
//! quadratically). Every run weighs the same, whatever its length.
//!
//! The linear constants (`l0`, `a`, and `b` or `c`) are solved exactly by
//! weighted least squares on a grid of the others; the best few grid points
//! start a Levenberg-Marquardt descent over every constant. LRs are divided by
//! the largest peak while fitting, so the starts do not depend on the LR scale.

use burn_lr_core::ConfigError;
use serde::Serialize;

use crate::error::FitError;
use crate::interval::Uncertainty;
use crate::law::{Annealing, Drops, Law, MultiPower, annealing_area};
use crate::lm;
use crate::parallel::in_parallel;
use crate::path::LrPath;
use crate::quality::{FitWarning, POOR_FIT};

/// One logged run: the LR and the training loss of every update.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    name: String,
    path: LrPath,
    losses: Vec<f64>,
}

impl Run {
    /// A run named `name` (used in messages and reports), with `lrs[i]` and
    /// `losses[i]` the LR and the training loss of update `i`. Every loss must
    /// be finite and positive: a diverged run is not a fit input.
    pub fn new(
        name: impl Into<String>,
        lrs: Vec<f64>,
        losses: Vec<f64>,
    ) -> Result<Self, ConfigError> {
        let name = name.into();
        if lrs.len() != losses.len() {
            return Err(ConfigError::invalid(
                format!("{name}.loss"),
                format!("{} values", losses.len()),
                format!("one per LR ({})", lrs.len()),
            ));
        }
        if let Some((i, loss)) = losses
            .iter()
            .enumerate()
            .find(|(_, l)| !l.is_finite() || **l <= 0.0)
        {
            return Err(ConfigError::invalid(
                format!("{name}.loss[{i}]"),
                loss,
                "a finite loss > 0 (a diverged run cannot be fitted)",
            ));
        }
        let path = LrPath::new(lrs).map_err(|e| e.within(&name))?;
        Ok(Self { name, path, losses })
    }

    /// The run's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The run's LRs.
    pub fn path(&self) -> &LrPath {
        &self.path
    }

    /// The run's training loss, one per update.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// The measured final loss: the mean of the last 5% of the updates.
    pub fn final_loss(&self) -> f64 {
        let window = crate::law::final_window(self.losses.len());
        let n = window.len() as f64;
        self.losses[window].iter().sum::<f64>() / n
    }
}

/// Which law to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LawKind {
    /// The multi-power law (Luo et al., 2025), the default.
    #[default]
    #[cfg_attr(feature = "clap", value(name = "multi_power", alias = "multi-power"))]
    MultiPower,
    /// The LR-annealing law (Tissue et al., 2024), a baseline.
    Annealing,
}

/// A law fitted to runs, with how well it follows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fitted {
    /// The fitted law.
    #[serde(flatten)]
    pub law: Law,
    /// The root mean square relative error of the law on the fitted windows
    /// of every run (0.01 is 1%).
    pub fit_error: f64,
    /// The same per run, in the order given.
    pub runs: Vec<RunFit>,
    /// Why the law's predictions are not to be trusted (empty when the fit
    /// is good); `fit_warnings` in JSON, each with its `code`.
    #[serde(rename = "fit_warnings")]
    pub warnings: Vec<FitWarning>,
    /// What the fit leaves uncertain, for [`Fitted::final_loss_interval`].
    #[serde(skip)]
    pub(crate) uncertainty: Option<Uncertainty>,
}

/// How well a fitted law follows one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunFit {
    /// The run's name.
    pub name: String,
    /// Its updates.
    pub updates: usize,
    /// The root mean square relative error on its windows.
    pub fit_error: f64,
}

/// The windows a run's post-warmup updates are averaged in, at most.
const WINDOWS: usize = 100;
/// The fewest updates after the warmup a run needs to be fitted.
pub const MIN_UPDATES: usize = 50;
/// The Huber loss's threshold on a log-loss residual (1%).
const HUBER: f64 = 0.01;
/// The grid starts that go on to a full descent.
const DESCENTS: usize = 3;

/// Fits `kind` to `runs`. A [`FitError`] says why the runs cannot be
/// fitted: none, one too short after its warmup (named), no run whose LR
/// decays (the law's decay terms are learnt from decays), or runs no start
/// of the law can follow.
pub fn fit(runs: &[Run], kind: LawKind) -> Result<Fitted, FitError> {
    if runs.is_empty() {
        return Err(FitError::NoRuns);
    }
    for run in runs {
        let after = run.path.len() - run.path.warmup();
        if after < MIN_UPDATES {
            return Err(FitError::TooShort {
                run: run.name.clone(),
                after_warmup: after,
            });
        }
    }
    let decays = runs.iter().any(|run| {
        let lrs = run.path.lrs();
        lrs[run.path.warmup()..].windows(2).any(|w| w[1] < w[0])
    });
    if !decays {
        return Err(FitError::NoDecay);
    }
    let scale = runs
        .iter()
        .map(|r| r.path.peak())
        .fold(f64::MIN_POSITIVE, f64::max);
    let data: Vec<Windows> = runs.iter().map(|r| Windows::new(r, scale)).collect();
    let (law, mut warnings, uncertainty) = match kind {
        LawKind::MultiPower => {
            let (law, at_bound, uncertainty) = fit_multi_power(&data, scale)?;
            (Law::MultiPower(law), at_bound, uncertainty)
        }
        LawKind::Annealing => {
            let (law, at_bound, uncertainty) = fit_annealing(&data, scale)?;
            (Law::Annealing(law), at_bound, uncertainty)
        }
    };
    let per_run: Vec<RunFit> = runs
        .iter()
        .zip(&data)
        .map(|(run, w)| {
            let predicted = law.losses_at(&run.path, &w.at);
            RunFit {
                name: run.name.clone(),
                updates: run.path.len(),
                fit_error: rms_relative(&predicted, &w.loss),
            }
        })
        .collect();
    let fit_error =
        (per_run.iter().map(|r| r.fit_error.powi(2)).sum::<f64>() / per_run.len() as f64).sqrt();
    // A NaN error is no good fit either.
    if fit_error.is_nan() || fit_error > POOR_FIT {
        warnings.insert(0, FitWarning::PoorFit { fit_error });
    }
    Ok(Fitted {
        law,
        fit_error,
        runs: per_run,
        warnings,
        uncertainty,
    })
}

fn rms_relative(predicted: &[f64], measured: &[f64]) -> f64 {
    let sum: f64 = predicted
        .iter()
        .zip(measured)
        .map(|(p, m)| (p / m - 1.0).powi(2))
        .sum();
    (sum / measured.len() as f64).sqrt()
}

/// One run, averaged in windows, with LRs divided by the fit's scale.
struct Windows {
    path: LrPath,
    /// The middle update of each window.
    at: Vec<usize>,
    /// The mean loss of each window.
    loss: Vec<f64>,
}

impl Windows {
    fn new(run: &Run, scale: f64) -> Self {
        let start = run.path.warmup() + 1 + (run.path.len() - run.path.warmup()) / 10;
        let n = run.path.len() - start;
        let width = n.div_ceil(WINDOWS).max(1);
        let (mut at, mut loss) = (Vec::new(), Vec::new());
        for lo in (start..run.path.len()).step_by(width) {
            let hi = (lo + width).min(run.path.len());
            at.push(lo + (hi - lo) / 2);
            loss.push(run.losses[lo..hi].iter().sum::<f64>() / (hi - lo) as f64);
        }
        Self {
            path: run.path.scaled(scale),
            at,
            loss,
        }
    }
}

/// The Huber residual of `ln(predicted / measured)`, with its weight folded
/// in: its square is twice the weighted Huber loss. A prediction that is not
/// a positive number costs as much as a 5x miss.
fn huber_residual(predicted: f64, measured: f64, weight: f64) -> f64 {
    let r = if predicted > 0.0 && predicted.is_finite() {
        (predicted / measured).ln()
    } else {
        5.0
    };
    let magnitude = if r.abs() <= HUBER {
        r.abs()
    } else {
        (2.0 * HUBER * r.abs() - HUBER * HUBER).sqrt()
    };
    weight.sqrt() * magnitude.copysign(r)
}

/// Fills `out` with every run's Huber residuals of `losses(index, run)`.
fn residuals_of(
    data: &[Windows],
    out: &mut Vec<f64>,
    losses: impl Fn(usize, &Windows) -> Vec<f64>,
) {
    out.clear();
    for (index, w) in data.iter().enumerate() {
        let weight = 1.0 / w.at.len() as f64;
        out.extend(
            losses(index, w)
                .iter()
                .zip(&w.loss)
                .map(|(p, m)| huber_residual(*p, *m, weight)),
        );
    }
}

/// The linear constants `(l0, a, k)` of `l0 + a u - k v` closest to the
/// windows' losses in relative terms, every run weighing the same.
fn linear_constants(data: &[Windows], u: &[Vec<f64>], v: &[Vec<f64>]) -> Option<[f64; 3]> {
    let mut normal = vec![0.0; 9];
    let mut rhs = vec![0.0; 3];
    for ((w, u), v) in data.iter().zip(u).zip(v) {
        for j in 0..w.at.len() {
            let weight = 1.0 / (w.at.len() as f64 * w.loss[j] * w.loss[j]);
            let x = [1.0, u[j], -v[j]];
            for p in 0..3 {
                rhs[p] += weight * x[p] * w.loss[j];
                for q in 0..3 {
                    normal[p * 3 + q] += weight * x[p] * x[q];
                }
            }
        }
    }
    let [l0, a, k] = <[f64; 3]>::try_from(lm::solve(normal, rhs)?).ok()?;
    let floor = data
        .iter()
        .flat_map(|w| w.loss.iter().copied())
        .fold(f64::INFINITY, f64::min);
    Some([l0.clamp(1e-3 * floor, floor), a.max(1e-6), k.max(1e-6)])
}

/// `(S_W + S1(i))^-alpha` at every window of every run.
fn power_features(data: &[Windows], alpha: f64) -> Vec<Vec<f64>> {
    data.iter()
        .map(|w| {
            w.at.iter()
                .map(|&i| w.path.sum_before(i + 1).powf(-alpha))
                .collect()
        })
        .collect()
}

/// Scores every start, then descends from the best few: the parameters of
/// the lowest cost found; an error when no start has a finite cost.
fn descend(
    starts: Vec<Vec<f64>>,
    residuals: &(dyn Fn(&[f64], &mut Vec<f64>) + Sync),
) -> Result<Vec<f64>, FitError> {
    let mut scored: Vec<(f64, Vec<f64>)> = starts
        .into_iter()
        .map(|theta| {
            let mut r = Vec::new();
            residuals(&theta, &mut r);
            (r.iter().map(|x| x * x).sum::<f64>(), theta)
        })
        .filter(|(cost, _)| cost.is_finite())
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored.truncate(DESCENTS);
    in_parallel(&scored, |(_, theta)| lm::minimize(residuals, theta.clone()))
        .into_iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, cost)| cost.is_finite())
        .map(|(theta, _)| theta)
        .ok_or(FitError::NoStart)
}

/// The range of a fitted log-constant: `e^-25` to `e^25`, so that a
/// constant the runs cannot pin down stays a finite number.
fn soft_log(x: f64) -> f64 {
    25.0 * (x / 25.0).tanh()
}

/// A fitted log-constant this close to `±25` is at the edge of its range.
const LOG_EDGE: f64 = 20.0;
/// A fitted `gamma` within this fraction of [`GAMMA`]'s width of either end
/// is at the edge of its range.
const GAMMA_EDGE: f64 = 0.01;

/// The constants fitted at the edge of their range: `names[i]` is the
/// constant of `theta[i]` (a log-constant, or `gamma`), `values[i]` its
/// fitted value.
fn at_bound(theta: &[f64], names: &[&'static str], values: &[f64]) -> Vec<FitWarning> {
    names
        .iter()
        .zip(theta)
        .zip(values)
        .filter(|((name, x), _)| {
            if **name == "gamma" {
                let gamma = gamma_of(**x);
                let edge = GAMMA_EDGE * (GAMMA.1 - GAMMA.0);
                gamma < GAMMA.0 + edge || gamma > GAMMA.1 - edge
            } else if **name == "l0" {
                // A floor of 0 is a law without one, not a guess.
                soft_log(**x) > LOG_EDGE
            } else {
                soft_log(**x).abs() > LOG_EDGE
            }
        })
        .map(|((name, _), value)| FitWarning::AtBound {
            constant: name,
            value: *value,
        })
        .collect()
}

fn soft_log_inverse(y: f64) -> f64 {
    25.0 * (y.clamp(-24.9, 24.9) / 25.0).atanh()
}

/// The range `gamma` is fitted in (the paper's fits are near 0.5).
const GAMMA: (f64, f64) = (-1.0, 3.0);

fn gamma_of(x: f64) -> f64 {
    GAMMA.0 + (GAMMA.1 - GAMMA.0) / (1.0 + (-x).exp())
}

fn gamma_inverse(gamma: f64) -> f64 {
    let p = (gamma - GAMMA.0) / (GAMMA.1 - GAMMA.0);
    (p / (1.0 - p)).ln()
}

/// Multi-power parameters, fitted in the scaled LR units:
/// `[ln l0, ln a, ln alpha, ln b, ln c, ln beta]` (each kept within
/// `±25` by [`soft_log`]) and `gamma` (within [`GAMMA`]).
fn multi_power(theta: &[f64]) -> MultiPower {
    let e = |i: usize| soft_log(theta[i]).exp();
    MultiPower {
        l0: e(0),
        a: e(1),
        alpha: e(2),
        b: e(3),
        c: e(4),
        beta: e(5),
        gamma: gamma_of(theta[6]),
    }
}

fn fit_multi_power(
    data: &[Windows],
    scale: f64,
) -> Result<(MultiPower, Vec<FitWarning>, Option<Uncertainty>), FitError> {
    let drops: Vec<Drops> = data.iter().map(|w| Drops::new(&w.path)).collect();
    let mut starts = Vec::new();
    for alpha in [0.15, 0.3, 0.5, 0.8] {
        let u = power_features(data, alpha);
        for c in [0.003, 0.03, 0.3] {
            for beta in [0.4, 0.8] {
                for gamma in [0.3, 0.6] {
                    let unit = MultiPower {
                        l0: 0.0,
                        a: 0.0,
                        alpha,
                        b: 1.0,
                        c,
                        beta,
                        gamma,
                    };
                    let v: Vec<Vec<f64>> = data
                        .iter()
                        .zip(&drops)
                        .map(|(w, d)| unit.drops_at(d, &w.at))
                        .collect();
                    if let Some([l0, a, b]) = linear_constants(data, &u, &v) {
                        let logs = [l0, a, alpha, b, c, beta].map(|x| soft_log_inverse(x.ln()));
                        let mut start = logs.to_vec();
                        start.push(gamma_inverse(gamma));
                        starts.push(start);
                    }
                }
            }
        }
    }
    let residuals = |theta: &[f64], out: &mut Vec<f64>| {
        let law = multi_power(theta);
        residuals_of(data, out, |index, w| law.losses_at(&drops[index], &w.at));
    };
    let theta = descend(starts, &residuals)?;
    let law = scaled_multi_power(&theta, scale);
    let values = [law.l0, law.a, law.alpha, law.b, law.c, law.beta, law.gamma];
    let names = ["l0", "a", "alpha", "b", "c", "beta", "gamma"];
    let uncertainty = Uncertainty::of(LawKind::MultiPower, theta.clone(), scale, &residuals);
    Ok((law, at_bound(&theta, &names, &values), uncertainty))
}

/// The multi-power law of fitted parameters, in the runs' LR units.
pub(crate) fn scaled_multi_power(theta: &[f64], scale: f64) -> MultiPower {
    let law = multi_power(theta);
    MultiPower {
        a: law.a * scale.powf(law.alpha),
        b: law.b / scale,
        c: law.c / scale.powf(1.0 - law.gamma),
        ..law
    }
}

/// The annealing law of fitted parameters, in the runs' LR units.
pub(crate) fn scaled_annealing(theta: &[f64], scale: f64) -> Annealing {
    let law = annealing(theta);
    Annealing {
        a: law.a * scale.powf(law.alpha),
        c: law.c / scale,
        ..law
    }
}

/// Annealing parameters, fitted in the scaled LR units: `[ln l0, ln a, ln alpha, ln c]`,
/// each within `±25` by [`soft_log`].
fn annealing(theta: &[f64]) -> Annealing {
    let e = |i: usize| soft_log(theta[i]).exp();
    Annealing {
        l0: e(0),
        a: e(1),
        alpha: e(2),
        c: e(3),
        decay: Annealing::DECAY,
    }
}

fn fit_annealing(
    data: &[Windows],
    scale: f64,
) -> Result<(Annealing, Vec<FitWarning>, Option<Uncertainty>), FitError> {
    let areas: Vec<Vec<f64>> = data
        .iter()
        .map(|w| {
            let area = annealing_area(&w.path, Annealing::DECAY);
            w.at.iter().map(|&i| area[i]).collect()
        })
        .collect();
    let starts = [0.1, 0.2, 0.3, 0.5, 0.8, 1.2]
        .into_iter()
        .filter_map(|alpha| {
            let [l0, a, c] = linear_constants(data, &power_features(data, alpha), &areas)?;
            Some([l0, a, alpha, c].map(|x| soft_log_inverse(x.ln())).to_vec())
        })
        .collect();
    let residuals = |theta: &[f64], out: &mut Vec<f64>| {
        let law = annealing(theta);
        residuals_of(data, out, |_, w| law.losses_at(&w.path, &w.at));
    };
    let theta = descend(starts, &residuals)?;
    let law = scaled_annealing(&theta, scale);
    let values = [law.l0, law.a, law.alpha, law.c];
    let warnings = at_bound(&theta, &["l0", "a", "alpha", "c"], &values);
    let uncertainty = Uncertainty::of(LawKind::Annealing, theta, scale, &residuals);
    Ok((law, warnings, uncertainty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_at_the_edge_of_its_range_is_named() {
        let names = ["l0", "beta", "gamma"];
        let values = [1.0, 2.0, 3.0];
        let inside = [0.0, 3.0, gamma_inverse(0.5)];
        assert!(at_bound(&inside, &names, &values).is_empty());
        // A floor of 0 is no guess; a huge beta and gamma at -1 are.
        let edges = [-30.0, 30.0, gamma_inverse(GAMMA.0 + 0.001)];
        let named: Vec<&str> = at_bound(&edges, &names, &values)
            .iter()
            .map(|w| match w {
                FitWarning::AtBound { constant, .. } => *constant,
                FitWarning::PoorFit { .. } => "poor_fit",
            })
            .collect();
        assert_eq!(named, ["beta", "gamma"]);
    }
}
