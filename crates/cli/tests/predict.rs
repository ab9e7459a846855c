//! `burn-lr predict` and `burn-lr plan` as users script them, on the bundled
//! runs of one task, and bad input answered with one line and exit code 2.

mod common;

use common::burn_lr;
use std::path::Path;
use std::process::Output;

fn golden(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/loss_curves")
        .join(name)
        .display()
        .to_string()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn predict_gives_one_loss_per_update_and_the_final_loss() {
    let (constant, cosine) = (golden("constant-T4000.csv"), golden("cosine-T4000.csv"));
    let target = golden("cosine-T2000.csv");
    let out = json(&burn_lr(&[
        "predict", "--fit", &constant, "--fit", &cosine, "--lrs", &target, "--format", "json",
    ]));
    assert_eq!(out["law"], "multi_power");
    for key in ["l0", "a", "alpha", "b", "c", "beta", "gamma"] {
        assert!(out["params"][key].is_f64(), "{key}: {out}");
    }
    let loss = out["loss"].as_array().unwrap();
    assert_eq!(loss.len(), 2000);
    let tail: f64 = loss[1900..]
        .iter()
        .map(|l| l.as_f64().unwrap())
        .sum::<f64>()
        / 100.0;
    let final_loss = out["final_loss"].as_f64().unwrap();
    assert!((final_loss - tail).abs() < 1e-12);
    // The interval surrounds the prediction, and a higher level widens it.
    let (low, high) = (
        out["final_loss_low"].as_f64().unwrap(),
        out["final_loss_high"].as_f64().unwrap(),
    );
    assert!(low < final_loss && final_loss < high, "{out}");
    assert_eq!(out["level"], 0.8);
    let wider = json(&burn_lr(&[
        "predict", "--fit", &constant, "--fit", &cosine, "--lrs", &target, "--format", "json",
        "--level", "0.95",
    ]));
    assert!(wider["final_loss_low"].as_f64().unwrap() < low, "{wider}");
    assert!(wider["final_loss_high"].as_f64().unwrap() > high, "{wider}");
    assert!(
        out["fit_error"].as_f64().unwrap() < 0.05,
        "{}",
        out["fit_error"]
    );
    assert_eq!(out["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn predict_reads_a_spec_and_warns_when_it_extrapolates_or_decays_faster_than_the_fitted_runs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("wsd.json");
    std::fs::write(
        &spec,
        r#"{"scheduler": "warmup_stable_decay", "num_stable_steps": 9000,
            "num_decay_steps": 900, "decay_type": "1-sqrt",
            "warmup": {"total_iters": 99, "start_factor": 0.01}}"#,
    )
    .unwrap();
    let (constant, cosine) = (golden("constant-T4000.csv"), golden("cosine-T4000.csv"));
    let out = json(&burn_lr(&[
        "predict",
        "--fit",
        &constant,
        "--fit",
        &cosine,
        "--spec",
        spec.to_str().unwrap(),
        "--updates",
        "10000",
        "--base-lr",
        "0.05",
        "--format",
        "json",
    ]));
    assert_eq!(out["loss"].as_array().unwrap().len(), 10000);
    assert_eq!(out["warmup"], 99);
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("twice the longest"), "{warnings}");
    assert!(warnings.contains("peaks at LR 0.05"), "{warnings}");
    // The 1-sqrt cooldown falls by a third of the peak in 500 updates; the
    // cosines by 8% at most in a twentieth of their runs.
    assert!(
        warnings.contains("as fast as in any fitted run"),
        "{warnings}"
    );
}

#[test]
fn plan_prints_a_spec_that_loads_and_its_predicted_gain() {
    let runs = ["constant-T4000.csv", "cosine-T4000.csv", "cosine-T2000.csv"].map(golden);
    let out = json(&burn_lr(&[
        "plan",
        "--fit",
        &runs[0],
        "--fit",
        &runs[1],
        "--fit",
        &runs[2],
        "--updates",
        "4000",
        "--family",
        "wsd",
        "--format",
        "json",
    ]));
    let spec = burn_lr_core::Spec::from_json(&out["spec"].to_string()).unwrap();
    let lrs = spec
        .preview(out["base_lr"].as_f64().unwrap(), 4000)
        .unwrap();
    assert_eq!(lrs[99], 0.02, "the fitted runs' warmup and peak");
    let (planned, cosine) = (
        out["final_loss"].as_f64().unwrap(),
        out["cosine_final_loss"].as_f64().unwrap(),
    );
    assert!(planned <= cosine, "{out}");
    let gain = out["gain"].as_f64().unwrap();
    assert!((gain - (cosine - planned) / cosine).abs() < 1e-12);
    // A gain is claimed only above the fit's error, from a fit without warnings.
    assert_eq!(out["fit_warnings"], serde_json::json!([]), "{out}");
    let fit_error = out["fit_error"].as_f64().unwrap();
    // ... and only when the two predictions' intervals are apart.
    let overlap =
        out["final_loss_high"].as_f64().unwrap() >= out["cosine_final_loss_low"].as_f64().unwrap();
    assert_eq!(out["intervals_overlap"], overlap, "{out}");
    assert_eq!(out["claim"], gain > fit_error && !overlap, "{out}");
    // The pick is checked like any prediction: from these runs (no sudden
    // decay) it is a cooldown faster than any they show, and says so.
    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("as fast as in any fitted run"),
        "{warnings}"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let cosine = golden("cosine-T4000.csv");
    let constant = golden("constant-T4000.csv");
    let no_loss = write("no-loss.csv", "step,lr\n0,0.1\n");
    let nan = write("nan.csv", "step,lr,loss\n0,0.1,1.0\n1,0.1,nan\n");
    let gap = write("gap.csv", "step,lr,loss\n0,0.1,1.0\n2,0.1,0.9\n");
    for (args, expected) in [
        (
            vec!["predict", "--fit", &constant, "--lrs", &cosine],
            "decays",
        ),
        (
            vec!["predict", "--fit", &no_loss, "--lrs", &cosine],
            "columns lr, loss",
        ),
        (vec!["predict", "--fit", &nan, "--lrs", &cosine], "loss[1]"),
        (vec!["predict", "--fit", &gap, "--lrs", &cosine], "`step`"),
        (
            vec!["predict", "--fit", "no-such-file.csv", "--lrs", &cosine],
            "cannot read",
        ),
        (vec!["predict", "--fit", &cosine], "--lrs"),
        (
            vec![
                "predict", "--fit", &cosine, "--lrs", &cosine, "--level", "1",
            ],
            "`level` = 1 is invalid: allowed a number in (0, 1)",
        ),
        (
            vec![
                "plan",
                "--fit",
                &cosine,
                "--updates",
                "4000",
                "--level",
                "-0.5",
            ],
            "`level` = -0.5 is invalid",
        ),
        (
            vec!["plan", "--fit", &cosine, "--updates", "0"],
            "--updates 0",
        ),
        (
            vec!["plan", "--fit", &cosine, "--updates", "-5"],
            "invalid value '-5'",
        ),
        (
            vec![
                "predict",
                "--fit",
                &cosine,
                "--spec",
                "any.json",
                "--updates",
                "100",
                "--base-lr",
                "-0.02",
            ],
            "--base-lr -0.02 is invalid: allowed a finite LR > 0",
        ),
        (
            vec!["plan", "--fit", &cosine, "--updates", "50"],
            "at least 101",
        ),
        (
            vec![
                "plan",
                "--fit",
                &cosine,
                "--updates",
                "900",
                "--family",
                "step",
            ],
            "step",
        ),
    ] {
        let out = burn_lr(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_fit_that_cannot_follow_its_runs_warns_and_plan_claims_nothing() {
    // The cosine run's losses backwards: the loss rises as the LR decays.
    let text = std::fs::read_to_string(golden("cosine-T4000.csv")).unwrap();
    let rows: Vec<(&str, &str)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[1], fields[2])
        })
        .collect();
    let losses: Vec<&str> = rows.iter().rev().map(|(_, loss)| *loss).collect();
    let csv: String = std::iter::once("lr,loss\n".to_string())
        .chain(
            rows.iter()
                .zip(&losses)
                .map(|((lr, _), loss)| format!("{lr},{loss}\n")),
        )
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let reversed = dir.path().join("reversed.csv");
    std::fs::write(&reversed, csv).unwrap();
    let constant = golden("constant-T4000.csv");
    let reversed = reversed.display().to_string();
    let fit = ["--fit", constant.as_str(), "--fit", reversed.as_str()];
    let out = burn_lr(&[&["plan"][..], &fit, &["--updates", "4000"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("warning: the law misses the fitted runs by"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no claim that either is better"),
        "{stdout}"
    );
    let args = [
        &["plan"][..],
        &fit,
        &["--updates", "4000", "--format", "json"],
    ]
    .concat();
    let out = json(&burn_lr(&args));
    assert_eq!(out["claim"], false, "{out}");
    assert_eq!(out["fit_warnings"][0]["code"], "poor_fit", "{out}");
}
