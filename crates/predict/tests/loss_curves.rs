//! The loss-curve laws on the bundled runs of one task (`tests/golden/loss_curves/`):
//! fitted on all three, and each run predicted from the other two, which the
//! law never saw. The errors asserted are the ones measured, with a margin:
//! what a user should expect from this task's noise (3 seeds, one batch per
//! update), not a promise for every task.

use burn_lr_predict::{LawKind, Run, fit};

fn run(name: &str) -> Run {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/loss_curves")
        .join(format!("{name}.csv"));
    Run::from_path(path).unwrap()
}

const RUNS: [&str; 3] = ["constant-T4000", "cosine-T4000", "cosine-T2000"];

/// `(run, predicted final loss, measured final loss)` with the law fitted on
/// the runs `fitted_on(run)` names.
fn predictions(
    kind: LawKind,
    fitted_on: impl Fn(&str) -> Vec<&'static str>,
) -> Vec<(String, f64, f64)> {
    RUNS.iter()
        .map(|name| {
            let runs: Vec<Run> = fitted_on(name).iter().map(|n| run(n)).collect();
            let law = fit(&runs, kind).unwrap().law;
            let target = run(name);
            (
                name.to_string(),
                law.final_loss(target.path()),
                target.final_loss(),
            )
        })
        .collect()
}

fn worst_error(rows: &[(String, f64, f64)]) -> f64 {
    rows.iter()
        .map(|(name, predicted, measured)| {
            let error = (predicted / measured - 1.0).abs();
            println!(
                "{name}: predicted {predicted:.4}, measured {measured:.4} ({:.2}%)",
                100.0 * error
            );
            error
        })
        .fold(0.0, f64::max)
}

#[test]
fn the_multi_power_law_fitted_on_all_three_follows_each_final_loss() {
    let rows = predictions(LawKind::MultiPower, |_| RUNS.to_vec());
    // Measured: 0.5%, 0.3% and 0.5%.
    assert!(worst_error(&rows) < 0.02);
}

#[test]
fn each_run_is_predicted_from_the_other_two() {
    let others = |name: &str| RUNS.iter().copied().filter(|n| *n != name).collect();
    let rows = predictions(LawKind::MultiPower, others);
    // Measured: 6.2% (constant from the two cosines), 5.9% and 5.3% (one
    // cosine from the constant run and the other cosine).
    assert!(worst_error(&rows) < 0.08);
    // The order of the three final losses is right: the long cosine lowest,
    // the constant LR highest.
    let loss = |i: usize| rows[i].1;
    assert!(loss(1) < loss(2) && loss(2) < loss(0), "{rows:?}");
}

#[test]
fn the_annealing_baseline_fits_too() {
    let rows = predictions(LawKind::Annealing, |_| RUNS.to_vec());
    // Measured: 0.3%, 3.5% (it cannot follow the long cosine's end) and 1.7%.
    assert!(worst_error(&rows) < 0.05);
}

#[test]
fn constant_runs_alone_are_refused_with_the_reason() {
    let error = fit(&[run("constant-T4000")], LawKind::MultiPower)
        .unwrap_err()
        .to_string();
    assert!(error.contains("decays"), "{error}");
}

#[test]
fn a_good_fit_has_no_warning_and_a_law_that_cannot_follow_its_runs_says_so() {
    let runs: Vec<Run> = RUNS.iter().map(|n| run(n)).collect();
    let fitted = fit(&runs, LawKind::MultiPower).unwrap();
    assert!(fitted.warnings.is_empty(), "{:?}", fitted.warnings);
    // The cosine run's losses backwards: the loss rises as the LR decays.
    let cosine = run("cosine-T4000");
    let mut backwards = cosine.losses().to_vec();
    backwards.reverse();
    let reversed = Run::new("reversed", cosine.path().lrs().to_vec(), backwards).unwrap();
    let fitted = fit(&[run("constant-T4000"), reversed], LawKind::MultiPower).unwrap();
    assert!(
        fitted.fit_error > burn_lr_predict::POOR_FIT,
        "{}",
        fitted.fit_error
    );
    let codes: Vec<&str> = fitted.warnings.iter().map(|w| w.code()).collect();
    assert_eq!(codes.first(), Some(&"poor_fit"), "{:?}", fitted.warnings);
    let json = serde_json::to_value(&fitted).unwrap();
    assert_eq!(json["fit_warnings"][0]["code"], "poor_fit", "{json}");
    assert!(
        json["fit_warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not to be trusted")
    );
}
