//! What a prediction outside the fitted runs' range risks.

use crate::fit::Run;
use crate::path::LrPath;

/// What predicting `path` from a law fitted on `runs` risks, in words (empty
/// when the prediction stays within what the runs show): updates the law
/// gives no loss for, an LR that rises after the warmup (a restart) when no
/// fitted run's does, a horizon more than
/// twice the longest run's, a peak LR none of the runs had, an LR that falls
/// more than [`FASTER`] times as fast as in any run (a step or a short
/// cooldown predicted from cosines, which the law can misjudge by 5-15%:
/// `docs/loss-law.md`), or a predicted loss at or below 0 (`predicted`: the
/// law's loss per update of `path`, as [`Law::losses`](crate::Law::losses)
/// gives it). `burn-lr predict` and `burn-lr plan` print them, and their
/// JSON carries them as `warnings`.
pub fn warnings(runs: &[Run], path: &LrPath, predicted: &[f64]) -> Vec<String> {
    let mut warnings = Vec::new();
    let undefined = predicted.iter().filter(|l| !l.is_finite()).count();
    if undefined > 0 {
        warnings.push(format!(
            "the law gives no loss for {undefined} update(s) whose LR sum is still 0 (an LR of 0 from the \
             first update): they are left empty (null in JSON)"
        ));
    }
    if path.rises_after_warmup() && !runs.iter().any(|r| r.path().rises_after_warmup()) {
        warnings.push(
            "the LR rises again after the warmup (a restart), which no fitted run does: the law has not \
             seen what a rise costs and can predict such a schedule far too low; fit on a run with \
             restarts too"
                .into(),
        );
    }
    if let Some((update, loss)) = predicted.iter().enumerate().find(|(_, l)| **l <= 0.0) {
        warnings.push(format!(
            "the predicted loss reaches {loss:.4} at update {update}: a loss cannot be negative, so the \
             law is far outside what the fitted runs show there and the prediction means nothing; fit on \
             longer runs"
        ));
    }
    let longest = runs.iter().map(|r| r.path().len()).max().unwrap_or(0);
    if path.len() > 2 * longest {
        warnings.push(format!(
            "the prediction runs {} updates, more than twice the longest fitted run ({longest}): \
             the law extrapolates",
            path.len()
        ));
    }
    let peaks: Vec<f64> = runs.iter().map(|r| r.path().peak()).collect();
    if peaks.iter().all(|p| (path.peak() / p - 1.0).abs() > 0.01) {
        warnings.push(format!(
            "the prediction peaks at LR {}, the fitted runs at {peaks:?}: the law is fitted at its \
             runs' peak LRs and only extrapolates to others",
            path.peak()
        ));
    }
    let fitted_fall = runs
        .iter()
        .map(|r| r.path().steepest_fall())
        .fold(0.0, f64::max);
    if path.steepest_fall() > FASTER * fitted_fall {
        warnings.push(format!(
            "the LR falls by {:.0}% of its peak within a twentieth of the run, more than {FASTER}x as fast \
             as in any fitted run ({:.0}%): the fitted runs do not show how fast the gain of a sudden decay \
             arrives, and the law can misjudge such a schedule (a step or a short cooldown) by 5-15%; fit on \
             a run with a decay of this kind too",
            100.0 * path.steepest_fall(),
            100.0 * fitted_fall
        ));
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
        let longer = warnings(&runs, &LrPath::new(cosine(2001, 0.1)).unwrap(), &[]);
        assert!(
            longer[0].contains("more than twice the longest"),
            "{longer:?}"
        );
        let higher = warnings(&runs, &LrPath::new(cosine(1000, 0.2)).unwrap(), &[]);
        assert!(higher[0].contains("peaks at LR 0.2"), "{higher:?}");
        let step: Vec<f64> = (0..1000)
            .map(|k| if k < 700 { 0.1 } else { 0.01 })
            .collect();
        let sudden = warnings(&runs, &LrPath::new(step).unwrap(), &[]);
        assert!(sudden[0].contains("falls by 90% of its peak"), "{sudden:?}");
        let negative = warnings(
            &runs,
            &LrPath::new(cosine(1000, 0.1)).unwrap(),
            &[0.2, -0.01],
        );
        assert!(
            negative[0].contains("reaches -0.0100 at update 1"),
            "{negative:?}"
        );
        let undefined = warnings(
            &runs,
            &LrPath::new(cosine(1000, 0.1)).unwrap(),
            &[f64::INFINITY, 0.5],
        );
        assert!(
            undefined[0].contains("no loss for 1 update(s)"),
            "{undefined:?}"
        );
        let restarts: Vec<f64> = cosine(500, 0.1).into_iter().cycle().take(1000).collect();
        let restart = warnings(&runs, &LrPath::new(restarts).unwrap(), &[]);
        assert!(restart[0].contains("rises again"), "{restart:?}");
    }
}
