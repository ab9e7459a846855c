//! Every linter rule: one run that triggers it and one that does not.

use burn_lr_recipes::{Budget, ModelFamily, OptimizerKind, RunDescription, Severity, lint};
use burn_lr_schedule::Spec;

fn codes(spec: &str, run: &RunDescription) -> Vec<(&'static str, Severity)> {
    let spec = Spec::from_json(spec).unwrap();
    lint(&spec, run)
        .into_iter()
        .map(|f| (f.code, f.severity))
        .collect()
}

/// 100 epochs of 100 updates, batch 256, SGD, from scratch.
fn cnn() -> RunDescription {
    RunDescription::new(ModelFamily::Cnn, 100, 100, 256)
}

const COSINE_WARM: &str = r#"{"scheduler": "cosine_annealing", "t_max": 95, "unit": "epoch", "timing": "iteration",
    "steps_per_epoch": 100, "warmup": {"total_iters": 5}}"#;
const COSINE: &str = r#"{"scheduler": "cosine_annealing", "t_max": 100, "unit": "epoch", "timing": "iteration", "steps_per_epoch": 100}"#;

/// [`COSINE_WARM`] reduced on plateau.
fn plateau() -> String {
    format!(r#"{{"scheduler": "reduce_on_plateau", "base": {COSINE_WARM}}}"#)
}

/// `(rule, severity, spec that triggers, run, spec that does not, run)`.
fn cases() -> Vec<(
    &'static str,
    Severity,
    String,
    RunDescription,
    String,
    RunDescription,
)> {
    let vit = RunDescription::new(ModelFamily::Vit, 100, 100, 256);
    let big = RunDescription::new(ModelFamily::Cnn, 100, 100, 1024);
    let adam = RunDescription {
        optimizer: Some(OptimizerKind::Adam),
        base_lr: Some(2.0),
        ..cnn()
    };
    let adam_ok = RunDescription {
        optimizer: Some(OptimizerKind::Adam),
        base_lr: Some(1e-3),
        ..cnn()
    };
    let short = RunDescription {
        budget: Budget::Tight,
        ..RunDescription::new(ModelFamily::Cnn, 20, 100, 256)
    };
    let one_cycle = |epochs: u64| {
        format!(
            r#"{{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": {}}}"#,
            epochs * 100
        )
    };
    let s = |x: &str| x.to_string();
    vec![
        (
            "missing-warmup",
            Severity::Error,
            s(COSINE),
            vit.clone(),
            s(COSINE_WARM),
            vit,
        ),
        (
            "missing-warmup",
            Severity::Warning,
            s(COSINE),
            big.clone(),
            s(COSINE_WARM),
            big,
        ),
        (
            "warmup-too-long",
            Severity::Warning,
            s(
                r#"{"scheduler": "cosine_annealing", "t_max": 70, "unit": "epoch", "timing": "iteration", "warmup": {"total_iters": 30}}"#,
            ),
            cnn(),
            s(COSINE_WARM),
            cnn(),
        ),
        (
            "warmup-too-short",
            Severity::Info,
            s(
                r#"{"scheduler": "linear_with_warmup", "num_warmup_steps": 20, "num_training_steps": 10000}"#,
            ),
            cnn(),
            s(
                r#"{"scheduler": "linear_with_warmup", "num_warmup_steps": 500, "num_training_steps": 10000}"#,
            ),
            cnn(),
        ),
        (
            "tmax-includes-warmup",
            Severity::Warning,
            s(
                r#"{"scheduler": "cosine_annealing", "t_max": 100, "unit": "epoch", "timing": "iteration", "warmup": {"total_iters": 5}}"#,
            ),
            cnn(),
            s(COSINE_WARM),
            cnn(),
        ),
        (
            "horizon-short",
            Severity::Warning,
            s(
                r#"{"scheduler": "cosine_annealing", "t_max": 50, "unit": "epoch", "timing": "iteration"}"#,
            ),
            cnn(),
            s(COSINE),
            cnn(),
        ),
        (
            "horizon-long",
            Severity::Warning,
            s(
                r#"{"scheduler": "cosine_annealing", "t_max": 200, "unit": "epoch", "timing": "iteration"}"#,
            ),
            cnn(),
            s(COSINE),
            cnn(),
        ),
        (
            "horizon-short",
            Severity::Warning,
            one_cycle(10),
            short.clone(),
            one_cycle(20),
            short.clone(),
        ),
        (
            "milestone-after-end",
            Severity::Warning,
            s(
                r#"{"scheduler": "multi_step", "milestones": [30, 60, 120], "unit": "epoch", "timing": "epoch"}"#,
            ),
            cnn(),
            s(
                r#"{"scheduler": "multi_step", "milestones": [30, 60, 90], "unit": "epoch", "timing": "epoch"}"#,
            ),
            cnn(),
        ),
        (
            "epoch-spec-per-update",
            Severity::Error,
            s(r#"{"scheduler": "cosine_annealing", "t_max": 100}"#),
            cnn(),
            s(r#"{"scheduler": "cosine_annealing", "t_max": 10000}"#),
            cnn(),
        ),
        (
            "one-cycle-long",
            Severity::Warning,
            one_cycle(100),
            cnn(),
            one_cycle(20),
            short.clone(),
        ),
        (
            "max-lr-not-from-finder",
            Severity::Info,
            one_cycle(20),
            short.clone(),
            one_cycle(20),
            RunDescription {
                base_lr: Some(0.1),
                ..short
            },
        ),
        (
            "adaptive-lr-above-one",
            Severity::Error,
            s(COSINE),
            adam,
            s(COSINE),
            adam_ok,
        ),
        (
            "constant-lr-long",
            Severity::Warning,
            s(r#"{"scheduler": "constant", "factor": 1.0, "total_iters": 1}"#),
            cnn(),
            s(r#"{"scheduler": "constant", "factor": 1.0, "total_iters": 1}"#),
            RunDescription {
                fine_tune: true,
                ..cnn()
            },
        ),
        (
            "final-lr-high",
            Severity::Warning,
            s(
                r#"{"scheduler": "multi_step", "milestones": [50], "gamma": 0.9, "unit": "epoch", "timing": "epoch"}"#,
            ),
            cnn(),
            s(
                r#"{"scheduler": "multi_step", "milestones": [50, 75], "gamma": 0.1, "unit": "epoch", "timing": "epoch"}"#,
            ),
            cnn(),
        ),
        (
            "steps-per-epoch-from-run",
            Severity::Info,
            s(
                r#"{"scheduler": "cosine_annealing", "t_max": 100, "unit": "epoch", "timing": "iteration"}"#,
            ),
            cnn(),
            s(COSINE),
            cnn(),
        ),
    ]
}

#[test]
fn every_rule_triggers_and_stays_quiet() {
    for (rule, severity, bad, bad_run, good, good_run) in cases() {
        let found = codes(&bad, &bad_run);
        assert!(
            found.contains(&(rule, severity)),
            "{rule} should trigger on {bad}: {found:?}"
        );
        let clean = codes(&good, &good_run);
        assert!(
            !clean.iter().any(|(code, _)| *code == rule),
            "{rule} should not trigger on {good}: {clean:?}"
        );
    }
}

#[test]
fn plateau_needs_a_validation_metric() {
    let run = RunDescription {
        validation: false,
        ..cnn()
    };
    assert!(codes(&plateau(), &run).contains(&("plateau-without-metric", Severity::Error)));
    assert!(
        !codes(&plateau(), &cnn())
            .iter()
            .any(|(c, _)| *c == "plateau-without-metric")
    );
    assert!(
        !codes(COSINE_WARM, &run)
            .iter()
            .any(|(c, _)| *c == "plateau-without-metric")
    );
}
