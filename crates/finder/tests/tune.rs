//! The tuner through its public API, with objectives whose best LR is known.

use burn_lr_core::schedules::{CosineWithWarmup, LambdaLr, OneCycleLr};
use burn_lr_core::{ConfigError, Spec};
use burn_lr_finder::tune::{
    Bracket, Confidence, Goal, Outcome, TuneError, TuneWarning, TunerConfig, tune,
};

fn cosine(updates: u64) -> Spec {
    Spec::new(CosineWithWarmup::new(updates / 10, updates))
}

/// A task whose loss is a parabola in `log10(lr)` around `best(n)` for
/// trials of `n` updates, diverging from `diverge` up.
fn task(
    best: impl Fn(u64) -> f64,
    diverge: f64,
) -> impl FnMut(&burn_lr_finder::tune::Trial) -> Result<Outcome, String> {
    move |trial| {
        if trial.lr >= diverge {
            return Ok(Outcome::Diverged);
        }
        Ok(Outcome::Metric(
            (trial.lr.log10() - best(trial.updates).log10()).powi(2) + 0.1,
        ))
    }
}

#[test]
fn finds_the_best_lr_and_corrects_it_to_the_run_length() {
    // The best LR falls as n^-0.5: 0.3 at 100 updates, 0.03 at 10,000.
    let best = |n: u64| 0.3 * (n as f64 / 100.0).powf(-0.5);
    let config = TunerConfig::new(cosine(10_000), 10_000, Goal::Minimize).with_budget(10_000);
    let bracket = Bracket::new(1e-3, 1.0).unwrap();
    let t = tune(&config, &bracket, task(best, f64::INFINITY)).unwrap();
    // Within a grid step, and not above: the answer is never above the
    // longest trials' winner, and ties there go to the lower LR.
    let error = (t.lr / best(10_000)).log10();
    assert!(
        (-1.0 / 3.0..0.02).contains(&error),
        "{} against {}: {t:?}",
        t.lr,
        best(10_000)
    );
    assert!((t.beta_measured - 0.5).abs() < 0.1, "{}", t.beta_measured);
    assert!(t.cost <= 10_000 && t.budget == 10_000);
    assert_eq!(t.cost, t.trials.iter().map(|t| t.updates).sum::<u64>());
    assert_eq!(t.confidence, Confidence::High, "{:?}", t.warnings);
}

#[test]
fn the_budget_is_never_exceeded_and_the_search_is_deterministic() {
    let bracket = Bracket::new(1e-4, 0.1).unwrap();
    for (updates, budget, granule) in [
        (300, 300, 1),
        (1000, 500, 7),
        (3000, 6000, 23),
        (500, 1500, 1),
    ] {
        let config = TunerConfig::new(cosine(updates), updates, Goal::Minimize)
            .with_budget(budget)
            .with_granule(granule);
        let run = || tune(&config, &bracket, task(|_| 0.01, f64::INFINITY)).unwrap();
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert!(a.cost <= budget, "{updates} {budget}: {}", a.cost);
        assert!(
            a.trials
                .iter()
                .all(|t| t.updates % granule == 0 && t.updates <= updates)
        );
    }
}

#[test]
fn the_default_budget_is_two_runs() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Minimize);
    assert_eq!(config.budget(), 2000);
    let t = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap();
    assert!(t.cost <= 2000 && t.cost > 1000, "{}", t.cost);
}

#[test]
fn too_small_a_budget_says_the_minimum() {
    let config = TunerConfig::new(cosine(300), 300, Goal::Minimize).with_budget(100);
    let err = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap_err();
    let TuneError::Config(ConfigError::Invalid { field, allowed, .. }) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(field, "budget");
    assert!(allowed.contains("at least 160 updates"), "{allowed}");
}

#[test]
fn an_objective_error_stops_the_search_and_names_the_trial() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Minimize);
    let mut calls = 0;
    let err = tune(&config, &Bracket::lr_free(), |trial| {
        calls += 1;
        if trial.index == 3 {
            Err("out of memory")
        } else {
            Ok(Outcome::Metric(1.0))
        }
    })
    .unwrap_err();
    assert_eq!(calls, 4);
    let TuneError::Objective {
        trial, lr, message, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((*trial, message.as_str()), (3, "out of memory"));
    assert!((lr - 1.0).abs() < 1e-12);
    assert!(err.to_string().starts_with("trial 3 (lr 1.000e0"), "{err}");
}

#[test]
fn every_candidate_diverging_is_an_error() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Maximize);
    let err = tune(&config, &Bracket::lr_free(), |_| {
        Ok::<_, String>(Outcome::Metric(f64::NAN))
    });
    assert!(
        matches!(err, Err(TuneError::AllDiverged { ref lrs }) if lrs.len() == 7),
        "{err:?}"
    );
}

#[test]
fn a_flat_metric_is_a_warning_with_low_confidence() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Maximize);
    let t = tune(&config, &Bracket::lr_free(), |_| {
        Ok::<_, String>(Outcome::Metric(0.1))
    })
    .unwrap();
    assert_eq!(t.confidence, Confidence::Low);
    assert!(
        t.warnings.iter().any(|w| w.code() == "flat_metric"),
        "{:?}",
        t.warnings
    );
    // Ties go to the lower LR: the lowest candidate.
    assert!((t.lr - 0.1).abs() < 1e-12, "{}", t.lr);
}

#[test]
fn the_answer_stays_below_every_lr_that_diverged() {
    // The loss keeps falling up to 0.3, where training diverges: the
    // candidates 0.46 and 1 diverge, 0.215 is the best that trains.
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Minimize);
    let bracket = Bracket::new(1e-3, 1.0).unwrap();
    let t = tune(&config, &bracket, task(|_| 10.0, 0.3)).unwrap();
    assert!(t.lr <= 0.2155, "{}", t.lr);
    assert!(t.trials.iter().any(|t| t.diverged()));
    assert!(
        !t.warnings
            .iter()
            .any(|w| matches!(w, TuneWarning::FlatMetric { .. }))
    );
}

#[test]
fn trials_run_the_target_rescaled_to_their_length_and_peak() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Minimize);
    let mut seen = Vec::new();
    tune(&config, &Bracket::lr_free(), |trial| {
        let lrs = trial.lrs().map_err(|e| e.to_string())?;
        let peak = lrs.iter().copied().fold(0.0, f64::max);
        // The warmup is a tenth of the trial: the peak is at update n / 10
        // (or the next one, where the time grid falls).
        let at = lrs.iter().position(|&l| l == peak).unwrap_or(0) as u64;
        seen.push((trial.lr, peak, at, trial.updates));
        Ok::<_, String>(Outcome::Metric(trial.lr))
    })
    .unwrap();
    for (lr, peak, at, n) in seen {
        assert!((peak / lr - 1.0).abs() < 1e-12, "{peak} {lr}");
        assert!(at.abs_diff(n / 10) <= 1, "{n}: {at}");
    }
    // One-cycle: the answer is its max_lr too.
    let config = TunerConfig::new(Spec::new(OneCycleLr::new(0.1, 1000)), 1000, Goal::Minimize);
    let t = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap();
    assert_eq!(t.max_lr, Some(t.lr));
}

#[test]
fn a_target_that_cannot_be_rescaled_is_named() {
    let closure = Spec::new(LambdaLr::new("halving", |t| 0.5f64.powf(t)));
    let config = TunerConfig::new(closure, 1000, Goal::Minimize);
    let err = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap_err();
    assert!(err.to_string().contains("lambda"), "{err}");
}

#[test]
fn the_result_writes_json_and_a_plot() {
    let config = TunerConfig::new(cosine(1000), 1000, Goal::Minimize);
    let t = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
    assert_eq!(json["trials"].as_array().unwrap().len(), t.trials.len());
    assert_eq!(json["goal"], "minimize");
    let dir = std::env::temp_dir().join(format!("burn-lr-tune-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tuning.svg");
    t.plot(&path, "tuning").unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(
        svg.contains("trials of") && svg.contains("chosen"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_trial_longer_than_the_run_is_refused() {
    let config = TunerConfig::new(cosine(40), 40, Goal::Minimize).with_granule(50);
    let err = tune(&config, &Bracket::lr_free(), task(|_| 1.0, f64::INFINITY)).unwrap_err();
    assert!(
        err.to_string().starts_with("`updates` = 40 is invalid"),
        "{err}"
    );
}

#[test]
fn longer_trials_that_diverge_lower_the_answer_and_say_so() {
    // Short trials train up to LR 1; from the second rung on, 0.1 and above diverge.
    let config = TunerConfig::new(cosine(3000), 3000, Goal::Minimize);
    let bracket = Bracket::new(1e-3, 1.0).unwrap();
    let t = tune(&config, &bracket, |trial| {
        if trial.rung > 0 && trial.lr >= 0.1 {
            return Ok::<_, String>(Outcome::Diverged);
        }
        Ok(Outcome::Metric((trial.lr.log10() - 0.2f64.log10()).powi(2)))
    })
    .unwrap();
    assert!(t.lr < 0.1 / 2.0, "{}", t.lr);
    let codes: Vec<&str> = t.warnings.iter().map(|w| w.code()).collect();
    assert!(
        codes.contains(&"longer_trials_diverged") || codes.contains(&"capped_by_divergence"),
        "{codes:?}"
    );
    assert_eq!(t.confidence, Confidence::Low);
    // Once an LR diverged, no longer trial trains it or anything above it.
    let first = t
        .trials
        .iter()
        .find(|r| r.diverged())
        .map(|r| (r.rung, r.lr))
        .unwrap();
    assert!(
        t.trials.iter().all(|r| r.rung <= first.0 || r.lr < first.1),
        "{:?}",
        t.trials
    );
}
