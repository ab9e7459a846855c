//! One spelling per value: every enum value the command line prints (JSON
//! and help) is accepted back as input, and means the same; the kebab-case
//! forms of earlier versions are accepted on input only.

mod common;

use common::burn_lr;

const CURVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/golden/finder_curves/real-mlp-adam-s0.csv"
);

fn json(args: &[&str]) -> serde_json::Value {
    let out = burn_lr(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn recommend(optimizer: Option<&str>) -> serde_json::Value {
    let mut args = vec![
        "recommend",
        "--model",
        "cnn",
        "--epochs",
        "10",
        "--steps-per-epoch",
        "100",
        "--batch-size",
        "64",
        "--format",
        "json",
    ];
    if let Some(optimizer) = optimizer {
        args.extend(["--optimizer", optimizer]);
    }
    json(&args)
}

#[test]
fn every_optimizer_printed_is_read_back_as_itself() {
    let kinds = [
        "sgd",
        "adam",
        "adamw",
        "schedule_free_adamw",
        "schedule_free_sgd",
        "prodigy",
        "dadapt_adam",
    ];
    let help = String::from_utf8_lossy(&burn_lr(&["recommend", "--help"]).stdout).to_string();
    for kind in kinds {
        assert!(help.contains(&format!("- {kind}:")), "{kind} in the help");
        assert_eq!(recommend(Some(kind))["optimizer"]["kind"], kind);
    }
    // The recipe's own choice, printed, then given back.
    let chosen = recommend(None)["optimizer"]["kind"].clone();
    let chosen = chosen.as_str().unwrap();
    assert!(kinds.contains(&chosen), "{chosen}");
    assert_eq!(recommend(Some(chosen))["optimizer"]["kind"], chosen);
    // Earlier spellings, on input only.
    for (old, kind) in [
        ("sf-adamw", "schedule_free_adamw"),
        ("sf-sgd", "schedule_free_sgd"),
        ("dadapt-adam", "dadapt_adam"),
    ] {
        assert_eq!(recommend(Some(old))["optimizer"]["kind"], kind);
    }
}

#[test]
fn every_method_printed_is_read_back_as_itself() {
    for method in ["hand_off", "steepest", "minimum", "valley"] {
        let out = json(&[
            "find", "--curve", CURVE, "--method", method, "--format", "json",
        ]);
        assert_eq!(out["method"], method, "{out}");
    }
    let out = json(&[
        "find", "--curve", CURVE, "--method", "hand-off", "--format", "json",
    ]);
    assert_eq!(out["method"], "hand_off", "{out}");
}

#[test]
fn the_law_is_spelled_as_the_json_prints_it() {
    let help = String::from_utf8_lossy(&burn_lr(&["predict", "--help"]).stdout).to_string();
    assert!(help.contains("- multi_power:"), "{help}");
    // The value parses (the missing run is what is refused), in both spellings.
    for law in ["multi_power", "multi-power", "annealing"] {
        let out = burn_lr(&[
            "plan",
            "--fit",
            "missing.csv",
            "--updates",
            "10",
            "--law",
            law,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("missing.csv"), "{law}: {stderr}");
    }
}
