//! What a prediction outside the fitted runs' range risks.

use std::fmt;

use serde::Serialize;

use crate::fit::Run;
use crate::path::LrPath;
use crate::quality::coded;

/// A risk of predicting a schedule from a law fitted on some runs: each has
/// a stable [`code`](Self::code) and a message (`Display`); JSON gives both.
#[derive(Debug, Clone, PartialEq)]
pub enum PredictWarning {
    /// The law gives no loss for `updates` updates whose LR sum is still 0.
    NoLoss {
        /// How many.
        updates: usize,
    },
    /// The LR rises again after the warmup, which no fitted run's does.
    Restart,
    /// The predicted loss reaches `loss` (at most 0) at `update`.
    NegativeLoss {
        /// The update (0-based).
        update: usize,
        /// The predicted loss there.
        loss: f64,
    },
    /// The prediction is more than twice as long as the longest fitted run.
    BeyondFittedLength {
        /// The prediction's updates.
        updates: usize,
        /// The longest fitted run's.
        longest: usize,
    },
    /// The prediction peaks at an LR none of the fitted runs had.
    OtherPeak {
        /// The prediction's peak LR.
        peak: f64,
        /// The fitted runs' peak LRs.
        fitted: Vec<f64>,
    },
    /// The LR falls more than [`FASTER`] times as fast as in any fitted run.
    SuddenDecay {
        /// The steepest fall, as a fraction of the peak (see
        /// [`LrPath::steepest_fall`]).
        fall: f64,
        /// The steepest fall of the fitted runs.
        fitted: f64,
    },
}

impl PredictWarning {
    /// A stable identifier, for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoLoss { .. } => "no_loss",
            Self::Restart => "restart",
            Self::NegativeLoss { .. } => "negative_loss",
            Self::BeyondFittedLength { .. } => "beyond_fitted_length",
            Self::OtherPeak { .. } => "other_peak",
            Self::SuddenDecay { .. } => "sudden_decay",
        }
    }
}

impl fmt::Display for PredictWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoLoss { updates } => write!(
                f,
                "the law gives no loss for {updates} update(s) whose LR sum is still 0 (an LR of 0 \
                 from the first update): they are left empty (null in JSON)"
            ),
            Self::Restart => write!(
                f,
                "the LR rises again after the warmup (a restart), which no fitted run does: the law \
                 has not seen what a rise costs and can predict such a schedule far too low; fit on \
                 a run with restarts too"
            ),
            Self::NegativeLoss { update, loss } => write!(
                f,
                "the predicted loss reaches {loss:.4} at update {update}: a loss cannot be negative, \
                 so the law is far outside what the fitted runs show there and the prediction means \
                 nothing; fit on longer runs"
            ),
            Self::BeyondFittedLength { updates, longest } => write!(
                f,
                "the prediction runs {updates} updates, more than twice the longest fitted run \
                 ({longest}): the law extrapolates"
            ),
            Self::OtherPeak { peak, fitted } => write!(
                f,
                "the prediction peaks at LR {peak}, the fitted runs at {fitted:?}: the law is \
                 fitted at its runs' peak LRs and only extrapolates to others"
            ),
            Self::SuddenDecay { fall, fitted } => write!(
                f,
                "the LR falls by {:.0}% of its peak within a twentieth of the run, more than \
                 {FASTER}x as fast as in any fitted run ({:.0}%): the fitted runs do not show how \
                 fast the gain of a sudden decay arrives, and the law can misjudge such a schedule \
                 (a step or a short cooldown) by 5-15%; fit on a run with a decay of this kind too",
                100.0 * fall,
                100.0 * fitted
            ),
        }
    }
}

impl Serialize for PredictWarning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        coded(self.code(), self, serializer)
    }
}

/// What predicting `path` from a law fitted on `runs` risks (empty when the
/// prediction stays within what the runs show): updates the law gives no
/// loss for, an LR that rises after the warmup (a restart) when no fitted
/// run's does, a horizon more than twice the longest run's, a peak LR none
/// of the runs had, an LR that falls more than [`FASTER`] times as fast as
/// in any run (a step or a short cooldown predicted from cosines, which the
/// law can misjudge by 5-15%: `docs/loss-law.md`), or a predicted loss at
/// or below 0 (`predicted`: the law's loss per update of `path`, as
/// [`Law::losses`](crate::Law::losses) gives it). `burn-lr predict` and
/// `burn-lr plan` print them, and their JSON carries them as `warnings`,
/// each with its `code`.
pub fn warnings(runs: &[Run], path: &LrPath, predicted: &[f64]) -> Vec<PredictWarning> {
    let mut warnings = Vec::new();
    let undefined = predicted.iter().filter(|l| !l.is_finite()).count();
    if undefined > 0 {
        warnings.push(PredictWarning::NoLoss { updates: undefined });
    }
    if path.rises_after_warmup() && !runs.iter().any(|r| r.path().rises_after_warmup()) {
        warnings.push(PredictWarning::Restart);
    }
    if let Some((update, loss)) = predicted.iter().enumerate().find(|(_, l)| **l <= 0.0) {
        warnings.push(PredictWarning::NegativeLoss {
            update,
            loss: *loss,
        });
    }
    let longest = runs.iter().map(|r| r.path().len()).max().unwrap_or(0);
    if path.len() > 2 * longest {
        warnings.push(PredictWarning::BeyondFittedLength {
            updates: path.len(),
            longest,
        });
    }
    let peaks: Vec<f64> = runs.iter().map(|r| r.path().peak()).collect();
    if peaks.iter().all(|p| (path.peak() / p - 1.0).abs() > 0.01) {
        warnings.push(PredictWarning::OtherPeak {
            peak: path.peak(),
            fitted: peaks,
        });
    }
    let fitted = runs
        .iter()
        .map(|r| r.path().steepest_fall())
        .fold(0.0, f64::max);
    if path.steepest_fall() > FASTER * fitted {
        warnings.push(PredictWarning::SuddenDecay {
            fall: path.steepest_fall(),
            fitted,
        });
    }
    warnings
}

/// How much faster than in any fitted run the LR may fall (see
/// [`LrPath::steepest_fall`]) before a prediction carries a warning.
pub const FASTER: f64 = 3.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lrs: Vec<f64>) -> Run {
        let losses = (0..lrs.len()).map(|i| 1.0 / (1.0 + i as f64)).collect();
        Run::new("run", lrs, losses).unwrap()
    }

    fn cosine(updates: usize, peak: f64) -> Vec<f64> {
        (0..updates)
            .map(|k| peak * 0.5 * (1.0 + (std::f64::consts::PI * k as f64 / updates as f64).cos()))
            .collect()
    }

    #[test]
    fn a_prediction_like_the_fitted_runs_carries_no_warning() {
        let runs = [run(cosine(1000, 0.1))];
        let path = LrPath::new(cosine(2000, 0.1)).unwrap();
        assert!(warnings(&runs, &path, &[0.5; 2000]).is_empty());
    }

    #[test]
    fn each_risk_is_named() {
        let runs = [run(cosine(1000, 0.1))];
        let text = |w: Vec<PredictWarning>| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let longer = text(warnings(
            &runs,
            &LrPath::new(cosine(2001, 0.1)).unwrap(),
            &[],
        ));
        assert!(
            longer[0].contains("more than twice the longest"),
            "{longer:?}"
        );
        let higher = text(warnings(
            &runs,
            &LrPath::new(cosine(1000, 0.2)).unwrap(),
            &[],
        ));
        assert!(higher[0].contains("peaks at LR 0.2"), "{higher:?}");
        let step: Vec<f64> = (0..1000)
            .map(|k| if k < 700 { 0.1 } else { 0.01 })
            .collect();
        let sudden = warnings(&runs, &LrPath::new(step).unwrap(), &[]);
        assert_eq!(sudden[0].code(), "sudden_decay");
        let sudden = text(sudden);
        assert!(sudden[0].contains("falls by 90% of its peak"), "{sudden:?}");
        let negative = text(warnings(
            &runs,
            &LrPath::new(cosine(1000, 0.1)).unwrap(),
            &[0.2, -0.01],
        ));
        assert!(
            negative[0].contains("reaches -0.0100 at update 1"),
            "{negative:?}"
        );
        let undefined = text(warnings(
            &runs,
            &LrPath::new(cosine(1000, 0.1)).unwrap(),
            &[f64::INFINITY, 0.5],
        ));
        assert!(
            undefined[0].contains("no loss for 1 update(s)"),
            "{undefined:?}"
        );
        let restarts: Vec<f64> = cosine(500, 0.1).into_iter().cycle().take(1000).collect();
        let restart = text(warnings(&runs, &LrPath::new(restarts).unwrap(), &[]));
        assert!(restart[0].contains("rises again"), "{restart:?}");
    }
}
