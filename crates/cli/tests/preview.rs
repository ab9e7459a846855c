//! `burn-lr preview` as users script it: every schedule, every format, and
//! bad input answered with one line on stderr and exit code 2.

mod common;

use common::burn_lr;
use std::path::Path;

use burn_lr_core::{Schedule, Spec};
use burn_lr_tests::{close, golden_path, pytorch_spelling};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// One spec per scheduler name: every schedule's example, as JSON.
fn specs() -> Vec<String> {
    Schedule::examples()
        .into_iter()
        .map(|example| serde_json::to_string(&Spec::new(example)).unwrap())
        .collect()
}

#[test]
fn every_golden_case_with_pytorch_spellings_previews_the_recorded_lrs() {
    let text = std::fs::read_to_string(golden_path("lr_sequences.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let metrics = write(dir.path(), "metrics.json", "[]");
    for case in doc["cases"].as_array().unwrap() {
        let spec = serde_json::to_string(&pytorch_spelling(&case["spec"])).unwrap();
        let path = write(dir.path(), "spec.json", &spec);
        let want = case["lrs"].as_array().unwrap();
        let (steps, base_lr) = (want.len().to_string(), case["base_lr"].to_string());
        let mut args = vec!["preview", &path, "--steps", &steps, "--base-lr", &base_lr];
        if let Some(values) = case.get("metrics") {
            std::fs::write(&metrics, values.to_string()).unwrap();
            args.extend(["--metrics", &metrics]);
        }
        args.extend(["--format", "json"]);
        let out = burn_lr(&args);
        assert!(
            out.status.success(),
            "{spec}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
        for (k, (got, want)) in got.iter().zip(want).enumerate() {
            assert!(
                close(*got, want.as_f64().unwrap()),
                "{}: update {k}: {got}",
                case["id"]
            );
        }
    }
}

#[test]
fn every_schedule_previews_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in specs().iter().enumerate() {
        let spec = write(dir.path(), &format!("spec{i}.json"), text);
        let json = burn_lr(&[
            "preview",
            &spec,
            "--steps",
            "25",
            "--base-lr",
            "0.1",
            "--format",
            "json",
        ]);
        assert!(
            json.status.success(),
            "{text}: {}",
            String::from_utf8_lossy(&json.stderr)
        );
        let stdout = String::from_utf8(json.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "json is one line");
        let lrs: Vec<f64> = serde_json::from_str(&stdout).unwrap();
        assert_eq!(lrs.len(), 25);
        assert!(lrs.iter().all(|lr| lr.is_finite() && *lr >= 0.0));

        let csv = burn_lr(&["preview", &spec, "--steps", "25", "--format", "csv"]);
        let csv = String::from_utf8(csv.stdout).unwrap();
        assert_eq!(csv.lines().next(), Some("step,lr"));
        assert_eq!(csv.lines().count(), 26);

        let terminal = burn_lr(&["preview", &spec, "--steps", "25"]);
        assert!(terminal.status.success());
        assert!(
            String::from_utf8(terminal.stdout)
                .unwrap()
                .contains("update 25:")
        );

        for ext in ["svg", "png"] {
            let out = dir.path().join(format!("plot{i}.{ext}"));
            let plot = burn_lr(&[
                "preview",
                &spec,
                "--steps",
                "25",
                "--format",
                ext,
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(
                plot.status.success(),
                "{text} {ext}: {}",
                String::from_utf8_lossy(&plot.stderr)
            );
            assert!(
                std::fs::metadata(&out).unwrap().len() > 1000,
                "{ext} written"
            );
        }
    }
}

#[test]
fn toml_specs_and_epoch_units_work() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "spec.toml",
        "scheduler = \"step\"\nstep_size = 2\ngamma = 0.5\nunit = \"epoch\"\ntiming = \"epoch\"\n",
    );
    let out = burn_lr(&[
        "preview",
        &spec,
        "--steps",
        "6",
        "--steps-per-epoch",
        "2",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lrs: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lrs, [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]);
}

#[test]
fn cooldown_specs_preview_in_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    for (shape, f) in [
        ("linear", 1.0 - 0.5),
        ("cosine", 0.5),
        ("1-sqrt", 1.0 - 0.5f64.sqrt()),
    ] {
        let spec = write(
            dir.path(),
            &format!("cooldown-{shape}.json"),
            &format!(
                r#"{{"scheduler": "cooldown", "start": 4, "length": 4, "shape": "{shape}",
                    "base": {{"scheduler": "constant_with_warmup", "num_warmup_steps": 2}}}}"#
            ),
        );
        let out = burn_lr(&["preview", &spec, "--steps", "10", "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lrs: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
        // Warmup from 0 over 2 updates, stable, then the cooldown from update 4 (0-based) to 0 at 8.
        assert_eq!(lrs[..5], [0.0, 0.5, 1.0, 1.0, 1.0], "{shape}");
        assert!(close(lrs[6], f), "{shape}: half-way {} vs {f}", lrs[6]);
        assert_eq!(lrs[8..], [0.0, 0.0], "{shape}");
    }
}

#[test]
fn momentum_goldens_preview_with_their_lrs() {
    let text = std::fs::read_to_string(golden_path("momentum_sequences.json")).unwrap();
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for case in golden["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let spec = write(dir.path(), "momentum.json", &case["spec"].to_string());
        let steps = case["steps"].to_string();
        let base_lr = case["base_lr"].to_string();
        let args = ["preview", &spec, "--steps", &steps, "--base-lr", &base_lr];
        let out = burn_lr(&[&args[..], &["--momentum", "--format", "json"]].concat());
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let column = |key: &str| -> Vec<f64> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        for (k, (row, (lr, momentum))) in rows
            .iter()
            .zip(column("lrs").into_iter().zip(column("momentums")))
            .enumerate()
        {
            let got = (
                row["lr"].as_f64().unwrap(),
                row["momentum"].as_f64().unwrap(),
            );
            assert!(
                close(got.0, lr) && close(got.1, momentum),
                "{id}, update {k}: {got:?}"
            );
        }
        let csv = burn_lr(&[&args[..], &["--momentum", "--format", "csv"]].concat());
        assert!(String::from_utf8_lossy(&csv.stdout).starts_with("step,lr,momentum\n1,"));
    }
    let cosine = write(
        dir.path(),
        "cosine.json",
        r#"{"scheduler": "cosine_annealing", "t_max": 10}"#,
    );
    let out = burn_lr(&["preview", &cosine, "--steps", "3", "--momentum"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--momentum needs a spec that cycles"));
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &specs()[0]);
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"scheduler": "cosine_annealing", "t_max": -3}"#,
    );
    let epoch = write(
        dir.path(),
        "epoch.json",
        r#"{"scheduler": "step", "step_size": 2, "unit": "epoch", "timing": "iteration"}"#,
    );
    let no_t_max = write(
        dir.path(),
        "no_t_max.json",
        r#"{"scheduler": "cosine_annealing", "eta_min": 0.0}"#,
    );
    let cases: [(Vec<&str>, &str); 13] = [
        (
            vec!["preview", &good, "--steps", "5", "--base-lr", "-1"],
            "`base_lr` = -1 is invalid",
        ),
        (
            vec![
                "preview",
                &good,
                "--steps",
                "5",
                "--format",
                "png",
                "--out",
                "/no/such/dir/x.png",
            ],
            "cannot write",
        ),
        (vec![], "a subcommand is required"),
        (
            vec!["preview", &bad, "--steps", "5"],
            "`t_max` = -3 is invalid",
        ),
        (
            vec!["preview", "missing.json", "--steps", "5"],
            "cannot read",
        ),
        (
            vec!["preview", &good, "--steps", "0"],
            "--steps must be between 1 and",
        ),
        (
            vec!["preview", &good, "--steps", "five"],
            "invalid value 'five'",
        ),
        (
            vec!["preview", &good, "--steps", "5", "--base-lr", "nan"],
            "`base_lr` = NaN is invalid",
        ),
        (
            vec!["preview", &good, "--steps", "5", "--format", "svg"],
            "--out FILE is required",
        ),
        (
            vec!["preview", &good, "--steps", "5", "--format", "bmp"],
            "invalid value 'bmp'",
        ),
        (
            vec!["preview", &epoch, "--steps", "5"],
            "`steps_per_epoch` is missing",
        ),
        (vec!["preview", &good], "--steps <STEPS>"),
        // The range a missing key is told is the one its validation checks.
        (
            vec!["preview", &no_t_max, "--steps", "5"],
            "`t_max` is missing: expected an integer >= 1",
        ),
    ];
    for (args, expected) in cases {
        let out = burn_lr(&args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn plateau_specs_take_per_epoch_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "plateau.json",
        r#"{"scheduler": "reduce_on_plateau", "factor": 0.5, "patience": 0}"#,
    );
    let metrics = write(dir.path(), "metrics.json", "[1.0, 1.0, null, 0.5]");
    let out = burn_lr(&[
        "preview",
        &spec,
        "--steps",
        "5",
        "--metrics",
        &metrics,
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lrs: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    // Epoch 2 does not improve, epoch 3 is NaN (a bad epoch), epoch 4 improves.
    assert_eq!(lrs, [1.0, 1.0, 0.5, 0.25, 0.25]);

    let per_epoch = burn_lr(&[
        "preview",
        &spec,
        "--steps",
        "6",
        "--steps-per-epoch",
        "2",
        "--metrics",
        &metrics,
        "--format",
        "json",
    ]);
    let lrs: Vec<f64> = serde_json::from_slice(&per_epoch.stdout).unwrap();
    assert_eq!(
        lrs,
        [1.0, 1.0, 1.0, 1.0, 0.5, 0.5],
        "the LR changes at the first update after the epoch"
    );

    let bad = write(dir.path(), "bad.json", r#"[1.0, "x"]"#);
    for (args, expected) in [
        (
            vec!["preview", spec.as_str(), "--steps", "3"],
            "needs --metrics FILE",
        ),
        (
            vec![
                "preview",
                spec.as_str(),
                "--steps",
                "3",
                "--metrics",
                bad.as_str(),
            ],
            "metric [1] = \"x\" is not a number",
        ),
    ] {
        let out = burn_lr(&args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr.contains(expected) && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
}

#[test]
fn help_is_available() {
    let out = burn_lr(&["preview", "--help"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("--steps-per-epoch")
    );
}
