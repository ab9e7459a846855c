//! `burn-lr recommend` and `burn-lr lint`: every family's recommendation
//! lints clean for the same run and previews; bad flags exit with 2.

mod common;

use common::burn_lr;

#[test]
fn every_family_gets_a_recipe_that_lints_clean_and_previews() {
    let dir = tempfile::tempdir().unwrap();
    for (model, epochs, steps, batch) in [
        ("cnn", "90", "500", "256"),
        ("vit", "300", "300", "1024"),
        ("transformer", "3", "1000", "32"),
        ("detector", "12", "700", "16"),
        ("detr", "300", "100", "64"),
        ("segmentation", "40", "300", "16"),
        ("mlp", "20", "23", "64"),
        ("other", "60", "100", "2048"),
    ] {
        let run = [
            "--model",
            model,
            "--epochs",
            epochs,
            "--steps-per-epoch",
            steps,
            "--batch-size",
            batch,
            "--format",
            "json",
        ];
        let out = burn_lr(&[&["recommend"][..], &run].concat());
        assert!(
            out.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recipe: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in [
            "recipe",
            "reference",
            "optimizer",
            "base_lr",
            "schedule",
            "stepping",
            "epochs",
            "why",
        ] {
            assert!(!recipe[key].is_null(), "{model}: {key} missing");
        }
        let spec = dir.path().join(format!("{model}.json"));
        std::fs::write(&spec, recipe["schedule"].to_string()).unwrap();
        let spec = spec.to_str().unwrap();

        let lint = burn_lr(&[&["lint", spec][..], &run].concat());
        assert_eq!(lint.status.code(), Some(0), "{model}");
        let findings: serde_json::Value = serde_json::from_slice(&lint.stdout).unwrap();
        let serious: Vec<_> = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(serious.is_empty(), "{model}: {serious:?}");

        let total = (epochs.parse::<u64>().unwrap() * steps.parse::<u64>().unwrap())
            .min(50_000)
            .to_string();
        let base_lr = recipe["base_lr"].to_string();
        let preview = burn_lr(&[
            "preview",
            spec,
            "--steps",
            &total,
            "--base-lr",
            &base_lr,
            "--format",
            "json",
        ]);
        assert!(
            preview.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&preview.stderr)
        );
    }
}

#[test]
fn lint_exits_1_on_an_error_and_bad_flags_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.json");
    std::fs::write(&spec, r#"{"scheduler": "cosine_annealing", "t_max": 100}"#).unwrap();
    let spec = spec.to_str().unwrap();
    let out = burn_lr(&[
        "lint",
        spec,
        "--model",
        "vit",
        "--epochs",
        "100",
        "--steps-per-epoch",
        "500",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("missing-warmup")
    );
    for args in [
        vec![
            "lint",
            spec,
            "--model",
            "bogus",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "1",
        ],
        vec![
            "lint",
            spec,
            "--model",
            "cnn",
            "--epochs",
            "0",
            "--steps-per-epoch",
            "1",
        ],
        vec!["recommend", "--model", "cnn", "--epochs", "10"],
        vec![
            "recommend",
            "--model",
            "cnn",
            "--epochs",
            "10",
            "--steps-per-epoch",
            "5",
            "--base-lr",
            "-1",
        ],
        vec![
            "lint",
            "missing.json",
            "--model",
            "cnn",
            "--epochs",
            "10",
            "--steps-per-epoch",
            "5",
        ],
    ] {
        let out = burn_lr(&args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn the_lr_free_optimizers_are_known_to_recommend_and_lint() {
    let run = [
        "--model",
        "cnn",
        "--epochs",
        "90",
        "--steps-per-epoch",
        "500",
    ];
    for optimizer in ["prodigy", "dadapt-adam"] {
        let out = burn_lr(&[&["recommend"][..], &run, &["--optimizer", optimizer]].concat());
        assert!(out.status.success(), "{optimizer}: {out:?}");
        assert!(String::from_utf8(out.stdout).unwrap().contains("lr-free"));
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.json");
    std::fs::write(
        &spec,
        r#"{"scheduler": "cosine_annealing", "t_max": 42750, "warmup": {"total_iters": 2250}}"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let lint = |extra: &[&str]| {
        let out = burn_lr(
            &[
                &["lint", spec][..],
                &run,
                &["--optimizer", "prodigy"],
                extra,
            ]
            .concat(),
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let flagged = lint(&["--base-lr", "0.001", "--lr-from-finder"]);
    for code in [
        "lr-free-base-lr",
        "lr-free-unsafe-warmup",
        "finder-with-lr-free",
    ] {
        assert!(flagged.contains(code), "{code}: {flagged}");
    }
    let clean = lint(&["--base-lr", "1", "--safeguard-warmup"]);
    assert!(!clean.contains("lr-free"), "{clean}");
}

#[test]
fn recommend_says_which_of_the_finders_hand_offs_it_takes() {
    let recommend = |model: &str, epochs: &str| -> serde_json::Value {
        let out = burn_lr(&[
            "recommend",
            "--model",
            model,
            "--epochs",
            epochs,
            "--steps-per-epoch",
            "23",
            "--base-lr",
            "0.01",
            "--lr-from-finder",
            "--format",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // A short MLP run gets one-cycle: it takes the finder's `max_lr`.
    let short = recommend("mlp", "5");
    assert_eq!(short["schedule"]["scheduler"], "one_cycle", "{short}");
    assert_eq!(short["finder_field"], "max_lr");
    assert!(short["why"].to_string().contains("`max_lr`"), "{short}");
    // A long CNN run gets warmup + cosine: it takes the finder's `lr`.
    let long = recommend("cnn", "90");
    assert_ne!(long["schedule"]["scheduler"], "one_cycle", "{long}");
    assert_eq!(long["finder_field"], "lr");
    let text = burn_lr(&[
        "recommend",
        "--model",
        "mlp",
        "--epochs",
        "5",
        "--steps-per-epoch",
        "23",
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("base LR from `burn-lr find`: its `max_lr`"),
        "{text}"
    );
}

/// The finding codes `lint` reports for `spec` on a 640-update run at base LR 1e-3.
fn lint_codes(spec: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, spec).unwrap();
    let out = burn_lr(&[
        "lint",
        path.to_str().unwrap(),
        "--model",
        "mlp",
        "--epochs",
        "10",
        "--steps-per-epoch",
        "64",
        "--base-lr",
        "1e-3",
        "--format",
        "json",
    ]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lint_names_the_real_mistake_once() {
    // A horizon shorter than the run: one finding, not "short" and "long".
    let codes = lint_codes(r#"{"scheduler": "cosine_annealing", "T_max": 300}"#);
    assert!(codes.contains(&"horizon-short".into()), "{codes:?}");
    assert!(!codes.contains(&"horizon-long".into()), "{codes:?}");
    // `eta_min` above the base LR (written as a ratio): named, and no warmup
    // finding where there is no warmup.
    let codes = lint_codes(r#"{"scheduler": "cosine_annealing", "T_max": 640, "eta_min": 0.1}"#);
    assert!(codes.contains(&"floor-above-base".into()), "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("warmup")), "{codes:?}");
    assert!(!codes.contains(&"tmax-includes-warmup".into()), "{codes:?}");
    // A cooldown start written in epochs for a spec counting updates.
    let codes = lint_codes(
        r#"{"scheduler": "cooldown", "start": 8, "length": 64,
            "base": {"scheduler": "constant_with_warmup", "num_warmup_steps": 32}}"#,
    );
    assert!(codes.contains(&"cooldown-in-warmup".into()), "{codes:?}");
    // The warmup the cooldown cut short is that mistake, not a second one.
    assert!(!codes.contains(&"warmup-too-short".into()), "{codes:?}");
}
