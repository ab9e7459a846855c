//! `burn-lr find`: the range test on the bundled model and the rules on a
//! recorded curve, with bad files answered by one line and exit code 2.

mod common;

use common::burn_lr;

#[test]
fn a_recorded_curve_gets_the_json_suggestion_of_its_method() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curve.csv");
    let lrs: Vec<f64> = (0..30)
        .map(|i| 1e-4 * 10f64.powf(i as f64 / 10.0))
        .collect();
    // A descent that steepens until point 19, the lowest loss at 20, then a rise.
    let losses: Vec<f64> = (0..30)
        .map(|i| {
            if i < 20 {
                2.0 - 0.004 * (i * i) as f64
            } else {
                0.5 + 0.3 * (i - 20) as f64
            }
        })
        .collect();
    let csv: String = std::iter::once("lr,loss\n".to_string())
        .chain(
            lrs.iter()
                .zip(&losses)
                .map(|(lr, loss)| format!("{lr},{loss}\n")),
        )
        .collect();
    std::fs::write(&path, csv).unwrap();
    for (method, index) in [("minimum", 20), ("steepest", 18)] {
        let out = burn_lr(&[
            "find",
            "--curve",
            path.to_str().unwrap(),
            "--method",
            method,
            "--format",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(value["index"], index, "{method}: {value}");
        assert!(value["lr"].as_f64().unwrap() > 0.0);
    }
    // Without --method: the default rule, with its verdict.
    let default = burn_lr(&[
        "find",
        "--curve",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(value["method"], "hand_off", "{value}");
    let (lr, max_lr, index) = (
        value["lr"].as_f64().unwrap(),
        value["max_lr"].as_f64().unwrap(),
        value["index"].as_u64().unwrap(),
    );
    // The lowest loss is at point 20; the hand-off sits below its LR.
    assert!((18..=21).contains(&index), "{value}");
    assert!(
        lr < lrs[index as usize] && max_lr < lrs[index as usize],
        "{value}"
    );
    assert!(value["confidence"].is_string(), "{value}");
    assert_eq!(value["updates"], 1000, "{value}");
    assert_eq!(value["updates_assumed"], true, "{value}");
    let warnings = value["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("read as raw losses: it is no running average")),
        "a smooth two-column file that inverts to negative losses is read as raw: {value}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("length was not given")),
        "{value}"
    );
    // The run's length moves the hand-off, and is said.
    let long = burn_lr(&[
        "find",
        "--curve",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--updates",
        "3000",
        "--smoothing",
        "0",
    ]);
    let long: serde_json::Value = serde_json::from_slice(&long.stdout).unwrap();
    assert_eq!(
        (&long["updates"], &long["updates_assumed"]),
        (&3000.into(), &false.into())
    );
    let raw_warning = long["warnings"][0].as_str().unwrap();
    assert!(raw_warning.contains("read as raw"), "{long}");
    assert!(long["lr"].as_f64().unwrap() < lr, "{long} vs {value}");
    // The text output: no leading space, the hand-off and its warnings.
    let text = burn_lr(&["find", "--curve", path.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("hand-off for 1000 updates (assumed)"),
        "{text}"
    );
    assert!(
        text.contains("warning: the curve has one loss column"),
        "{text}"
    );
    // fastai's recorder's running average (a reference curve): its raw losses are recovered.
    let fastai = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/golden/finder_curves/real-mlp-adam-s0.csv"
    );
    let out = burn_lr(&[
        "find",
        "--curve",
        fastai,
        "--format",
        "json",
        "--updates",
        "500",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        value["warnings"][0]
            .as_str()
            .unwrap()
            .contains("raw losses were recovered"),
        "{value}"
    );
    let minimum = burn_lr(&[
        "find",
        "--curve",
        path.to_str().unwrap(),
        "--method",
        "minimum",
    ]);
    let minimum = String::from_utf8(minimum.stdout).unwrap();
    assert!(minimum.starts_with("minimum: lr "), "{minimum}");
}

#[test]
fn bad_updates_and_smoothing_are_one_line_errors() {
    for (args, expected) in [
        (
            ["--updates", "0"],
            "--updates 0 is invalid: allowed an integer in [1, ",
        ),
        (
            ["--smoothing", "1"],
            "--smoothing 1 is invalid: allowed a number in [0, 1)",
        ),
        (
            ["--smoothing=-0.5", "--updates=7"],
            "--smoothing -0.5 is invalid",
        ),
    ] {
        let mut all = vec!["find", "--curve", "unused.csv"];
        all.extend(args);
        let out = burn_lr(&all);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn bad_curve_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expected) in [
        ("empty.csv", "", "no point"),
        (
            "words.csv",
            "lr,loss\n0.1,abc\n",
            "line 2: expected two numbers",
        ),
        (
            "zero.csv",
            "0,1\n0.1,2\n",
            "line 1: the LR must be a number in [1e-30, 1e30]",
        ),
        (
            "unsorted.csv",
            "0.1,1\n0.01,2\n",
            "line 2: LRs must increase",
        ),
        (
            "no-lr.csv",
            "step,loss\n0,1\n1,2\n",
            "line 1: the header must name the columns `lr` and `loss`",
        ),
        (
            "holes.csv",
            "lr,loss,raw_loss\n0.1,1,1\n0.2,1,\n",
            "line 3: the raw loss is missing here",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = burn_lr(&[
            "find",
            "--curve",
            path.to_str().unwrap(),
            "--method",
            "valley",
            "--format",
            "json",
        ]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    // A one-row curve has no minimum to hand off from; fastai's rules, which
    // read whatever they are given, still answer.
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "lr,loss\n0.01,2.3\n").unwrap();
    let out = burn_lr(&["find", "--curve", one.to_str().unwrap()]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at least 20 points"), "{stderr}");
    assert!(out.stdout.is_empty());
    let out = burn_lr(&[
        "find",
        "--curve",
        one.to_str().unwrap(),
        "--method",
        "minimum",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = burn_lr(&["find", "--curve", "missing.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let out = burn_lr(&["find", "--num-iter", "1"]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("`num_iter` = 1 is invalid")
    );
}

#[test]
fn the_live_test_writes_its_curve_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, png) = (dir.path().join("c.csv"), dir.path().join("c.png"));
    let out = burn_lr(&[
        "find",
        "--num-iter",
        "50",
        "--csv",
        csv.to_str().unwrap(),
        "--plot",
        png.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suggestions = value["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0]["method"], "hand_off");
    let hand_off = &value["hand_off"];
    assert_eq!(hand_off["lr"], suggestions[0]["lr"]);
    assert!(hand_off["max_lr"].as_f64().unwrap() > 0.0, "{hand_off}");
    assert!(hand_off["confidence"].is_string(), "{hand_off}");
    assert!(hand_off["warnings"].is_array(), "{hand_off}");
    assert!(std::fs::read_to_string(&csv).unwrap().lines().count() > 10);
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    // The CSV it wrote reads back, raw losses included: the same suggestion.
    let again = burn_lr(&["find", "--curve", csv.to_str().unwrap(), "--format", "json"]);
    assert!(again.status.success());
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["lr"], suggestions[0]["lr"], "{again}");
}

#[test]
fn optimizers_without_a_hand_off_are_refused_and_a_cut_curve_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.csv");
    // Falling until its last finite point, then NaN.
    let rows: String = (0..60)
        .map(|i| {
            let lr = 1e-5 * 10f64.powf(i as f64 / 12.0);
            let loss = if i == 59 {
                f64::NAN
            } else {
                2.3 - 0.03 * i as f64
            };
            format!("{lr},{loss}\n")
        })
        .collect();
    std::fs::write(&path, format!("lr,loss\n{rows}")).unwrap();
    let file = path.to_str().unwrap();
    for (optimizer, expected) in [
        ("prodigy", "sets its own step size"),
        ("sf-adamw", "takes a constant LR"),
    ] {
        for live in [true, false] {
            let mut args = vec!["find", "--optimizer", optimizer];
            if !live {
                args.extend(["--curve", file]);
            }
            let out = burn_lr(&args);
            assert_eq!(out.status.code(), Some(2), "{optimizer}");
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert!(stderr.contains(expected), "{optimizer}: {stderr}");
        }
    }
    let out = burn_lr(&[
        "find",
        "--curve",
        file,
        "--format",
        "json",
        "--updates",
        "1000",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["truncated_at"], 59);
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("still falling when training failed"),
        "{warnings}"
    );
}
