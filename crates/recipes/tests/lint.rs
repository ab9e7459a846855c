//! Every linter rule, table-driven: each bad case written in at least three
//! forms (the `warmup` key, PyTorch's `sequential` idiom, a Hugging Face or
//! timm schedule with a built-in warmup) is flagged with the same code, and
//! the matching good case is quiet in every form. Rules that only the spec
//! or the run can tell (a plateau, one-cycle's own options) have one form.

use burn_lr_core::Spec;
use burn_lr_core::schedules::LambdaLr;
use burn_lr_recipes::{Budget, ModelFamily, OptimizerKind, RunDescription, Severity, lint};

fn findings(spec: &Spec, run: &RunDescription) -> Vec<(&'static str, Severity)> {
    lint(spec, run)
        .unwrap()
        .into_iter()
        .map(|f| (f.code, f.severity))
        .collect()
}

fn parse(json: &str) -> Spec {
    Spec::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// 100 epochs of 100 updates (10,000), batch 256, from scratch.
fn run(model: ModelFamily) -> RunDescription {
    RunDescription::new(model, 100, 100, 256)
}

/// A warmup of `w >= 1` updates from 1% then a cosine to 0 of `len` updates,
/// as the `warmup` key, PyTorch's `sequential` idiom, Hugging Face's
/// `cosine_with_warmup` and timm's `cosine` with `warmup_t`.
fn warmup_cosine(w: u64, len: u64) -> Vec<String> {
    vec![
        format!(
            r#"{{"scheduler": "cosine_annealing", "t_max": {len},
                "warmup": {{"total_iters": {w}, "start_factor": 0.01}}}}"#
        ),
        format!(
            r#"{{"scheduler": "sequential", "milestones": [{w}], "schedulers": [
                {{"scheduler": "linear", "start_factor": 0.01, "end_factor": 1.0, "total_iters": {w}}},
                {{"scheduler": "CosineAnnealingLR", "T_max": {len}}}]}}"#
        ),
        format!(
            r#"{{"scheduler": "cosine_with_warmup", "num_warmup_steps": {w},
                "num_training_steps": {}}}"#,
            w + len
        ),
        format!(
            r#"{{"scheduler": "timm_cosine", "t_initial": {}, "warmup_t": {w},
                "warmup_lr_init": 0.01}}"#,
            w + len
        ),
    ]
}

/// A cosine to 0 over `len` updates without warmup, in the same libraries' forms.
fn cosine(len: u64) -> Vec<String> {
    vec![
        format!(r#"{{"scheduler": "cosine_annealing", "t_max": {len}}}"#),
        format!(
            r#"{{"scheduler": "sequential", "milestones": [1], "schedulers": [
                {{"scheduler": "constant", "factor": 1.0, "total_iters": 1}},
                {{"scheduler": "CosineAnnealingLR", "T_max": {}}}]}}"#,
            len - 1
        ),
        format!(r#"{{"scheduler": "cosine_with_warmup", "num_training_steps": {len}}}"#),
        format!(r#"{{"scheduler": "timm_cosine", "t_initial": {len}}}"#),
    ]
}

/// Multi-step decays after a warmup of `w` updates, as the `warmup` key,
/// `sequential` and `chained` (mmdetection's warmup multiplies the steps).
fn warmup_steps(w: u64, milestones: &str, gamma: f64) -> Vec<String> {
    vec![
        format!(
            r#"{{"scheduler": "multi_step", "milestones": {milestones}, "gamma": {gamma},
                "warmup": {{"total_iters": {w}, "start_factor": 0.01}}}}"#
        ),
        format!(
            r#"{{"scheduler": "sequential", "milestones": [{w}], "schedulers": [
                {{"scheduler": "linear", "start_factor": 0.01, "total_iters": {w}}},
                {{"scheduler": "multi_step", "milestones": {milestones}, "gamma": {gamma}}}]}}"#
        ),
        format!(
            r#"{{"scheduler": "chained", "schedulers": [
                {{"scheduler": "linear", "start_factor": 0.01, "total_iters": {w}}},
                {{"scheduler": "multi_step", "milestones": {milestones}, "gamma": {gamma}}}]}}"#
        ),
    ]
}

/// Warmup + stable until `start`, then a cooldown of `length` updates, as a
/// `cooldown` spec and as a `warmup_stable_decay` curve.
fn wsd(start: u64, length: u64, shape: &str, floor: f64) -> Vec<String> {
    vec![
        format!(
            r#"{{"scheduler": "cooldown", "start": {start}, "length": {length}, "shape": "{shape}",
                "min_lr_ratio": {floor},
                "base": {{"scheduler": "constant_with_warmup", "num_warmup_steps": 500}}}}"#
        ),
        format!(
            r#"{{"scheduler": "warmup_stable_decay", "num_warmup_steps": 500,
                "num_stable_steps": {}, "num_decay_steps": {length}, "decay_type": "{shape}",
                "min_lr_ratio": {floor}}}"#,
            start - 500
        ),
    ]
}

/// A rule's case: its code and severity, the run, the bad forms and the good ones.
struct Case {
    code: &'static str,
    severity: Severity,
    run: RunDescription,
    bad: Vec<String>,
    good: Vec<String>,
}

fn cases() -> Vec<Case> {
    use ModelFamily::*;
    let cnn = run(Cnn);
    let good = warmup_cosine(500, 9_500);
    let adam = |lr| RunDescription {
        optimizer: Some(OptimizerKind::Adam),
        base_lr: Some(lr),
        ..cnn.clone()
    };
    // Prodigy at base LR 1 with `safeguard_warmup` on, then `edit`ed.
    let prodigy = |edit: fn(&mut RunDescription)| {
        let mut run = RunDescription {
            optimizer: Some(OptimizerKind::Prodigy),
            base_lr: Some(1.0),
            safeguard_warmup: true,
            ..cnn.clone()
        };
        edit(&mut run);
        run
    };
    // D-Adapt Adam at base LR 1, then `edit`ed.
    let dadapt = |edit: fn(&mut RunDescription)| {
        let mut run = RunDescription {
            optimizer: Some(OptimizerKind::DAdaptAdam),
            base_lr: Some(1.0),
            ..cnn.clone()
        };
        edit(&mut run);
        run
    };
    let case = |code, severity, run: &RunDescription, bad, good| Case {
        code,
        severity,
        run: run.clone(),
        bad,
        good,
    };
    vec![
        case("missing-warmup", Severity::Error, &run(Vit), cosine(10_000), good.clone()),
        case(
            "missing-warmup",
            Severity::Warning,
            &RunDescription::new(Cnn, 100, 100, 1024),
            cosine(10_000),
            good.clone(),
        ),
        case("warmup-too-long", Severity::Warning, &cnn, warmup_cosine(3_000, 7_000), good.clone()),
        case("warmup-too-long", Severity::Warning, &cnn, warmup_cosine(6_000, 4_000), good.clone()),
        case("warmup-too-short", Severity::Info, &cnn, warmup_cosine(50, 9_950), good.clone()),
        case(
            "tmax-includes-warmup",
            Severity::Warning,
            &cnn,
            warmup_cosine(500, 10_000),
            good.clone(),
        ),
        case("horizon-short", Severity::Warning, &cnn, warmup_cosine(500, 4_500), good.clone()),
        case("horizon-long", Severity::Warning, &cnn, warmup_cosine(500, 19_500), good.clone()),
        case("horizon-long", Severity::Warning, &cnn, warmup_cosine(500, 999_500), good.clone()),
        case(
            "milestone-after-end",
            Severity::Warning,
            &cnn,
            warmup_steps(500, "[3000, 6000, 12000]", 0.1),
            warmup_steps(500, "[3000, 6000, 9000]", 0.1),
        ),
        case(
            "epoch-spec-per-update",
            Severity::Error,
            &cnn,
            warmup_cosine(5, 95)
                .into_iter()
                .chain([r#"{"scheduler": "step", "step_size": 30}"#.into()])
                .collect(),
            good.clone(),
        ),
        case(
            "final-lr-high",
            Severity::Warning,
            &cnn,
            warmup_steps(500, "[5000]", 0.9),
            warmup_steps(500, "[5000, 7500]", 0.1),
        ),
        case(
            "constant-lr-long",
            Severity::Warning,
            &cnn,
            vec![
                r#"{"scheduler": "constant", "factor": 1.0, "total_iters": 1}"#.into(),
                r#"{"scheduler": "constant_with_warmup", "num_warmup_steps": 0}"#.into(),
                r#"{"scheduler": "sequential", "milestones": [10], "schedulers": [
                    {"scheduler": "constant", "factor": 1.0, "total_iters": 1},
                    {"scheduler": "exponential", "gamma": 1.0}]}"#
                    .into(),
            ],
            good.clone(),
        ),
        case(
            "adaptive-lr-above-one",
            Severity::Error,
            &adam(2.0),
            warmup_cosine(500, 9_500),
            vec![],
        ),
        case("adaptive-lr-above-one", Severity::Error, &adam(0.9), vec![], good.clone()),
        // The WSD rules: a `cooldown` spec and a `warmup_stable_decay` curve.
        case(
            "cooldown-length",
            Severity::Info,
            &cnn,
            wsd(9_500, 500, "1-sqrt", 0.0),
            wsd(8_500, 1_500, "1-sqrt", 0.0),
        ),
        // A cooldown start meant in epochs but read in updates.
        case(
            "cooldown-in-warmup",
            Severity::Error,
            &cnn,
            vec![
                r#"{"scheduler": "cooldown", "start": 9, "length": 1500,
                    "base": {"scheduler": "constant_with_warmup", "num_warmup_steps": 500}}"#
                    .into(),
            ],
            wsd(8_500, 1_500, "1-sqrt", 0.0),
        ),
        case(
            "cooldown-shape",
            Severity::Info,
            &cnn,
            wsd(8_500, 1_500, "linear", 0.0),
            wsd(8_500, 1_500, "1-sqrt", 0.0),
        ),
        case(
            "cooldown-floor",
            Severity::Info,
            &cnn,
            wsd(8_500, 1_500, "1-sqrt", 0.1),
            wsd(8_500, 1_500, "1-sqrt", 0.0),
        ),
        // A schedule-free optimizer wants a constant LR.
        case(
            "schedule-free-with-schedule",
            Severity::Error,
            &RunDescription {
                optimizer: Some(OptimizerKind::ScheduleFreeAdamW),
                ..cnn.clone()
            },
            warmup_cosine(500, 9_500),
            vec![
                r#"{"scheduler": "constant", "factor": 1.0, "total_iters": 1}"#.into(),
                r#"{"scheduler": "constant_with_warmup", "num_warmup_steps": 0}"#.into(),
                r#"{"scheduler": "exponential", "gamma": 1.0}"#.into(),
            ],
        ),
        // Learning-rate-free optimizers: a base LR near 1, Prodigy's safeguard
        // under a warmup, no finder in front, decoupled weight decay.
        case("lr-free-base-lr", Severity::Warning, &prodigy(|r| r.base_lr = Some(1e-3)), good.clone(), vec![]),
        case("lr-free-base-lr", Severity::Warning, &prodigy(|r| r.base_lr = Some(50.0)), good.clone(), vec![]),
        case("lr-free-base-lr", Severity::Warning, &prodigy(|r| r.base_lr = Some(2.0)), vec![], good.clone()),
        case(
            "lr-free-unsafe-warmup",
            Severity::Warning,
            &prodigy(|r| r.safeguard_warmup = false),
            good.clone(),
            cosine(10_000),
        ),
        case("lr-free-unsafe-warmup", Severity::Warning, &prodigy(|_| ()), vec![], good.clone()),
        case("finder-with-lr-free", Severity::Warning, &prodigy(|r| r.lr_from_finder = true), good.clone(), vec![]),
        case(
            "finder-with-lr-free",
            Severity::Warning,
            &dadapt(|r| r.lr_from_finder = true),
            good.clone(),
            vec![],
        ),
        case(
            "finder-with-lr-free",
            Severity::Warning,
            &RunDescription {
                lr_from_finder: true,
                ..adam(1e-3)
            },
            vec![],
            good.clone(),
        ),
        case("coupled-decay-lr-free", Severity::Warning, &dadapt(|r| r.weight_decay = 0.01), good.clone(), vec![]),
        case(
            "coupled-decay-lr-free",
            Severity::Warning,
            &dadapt(|r| {
                r.weight_decay = 0.01;
                r.decouple = true;
            }),
            vec![],
            good.clone(),
        ),
        // One-cycle's own options: one form.
        case(
            "one-cycle-long",
            Severity::Warning,
            &cnn,
            vec![r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 10000}"#.into()],
            good.clone(),
        ),
        case(
            "max-lr-not-from-finder",
            Severity::Info,
            &RunDescription {
                budget: Budget::Tight,
                ..RunDescription::new(Cnn, 20, 100, 256)
            },
            vec![r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 2000}"#.into()],
            vec![],
        ),
        case(
            "steps-per-epoch-from-run",
            Severity::Info,
            &cnn,
            vec![
                r#"{"scheduler": "cosine_annealing", "t_max": 95, "unit": "epoch", "timing": "iteration",
                    "warmup": {"total_iters": 5}}"#
                    .into(),
            ],
            good.clone(),
        ),
        case(
            "invalid-spec",
            Severity::Error,
            &RunDescription {
                base_lr: Some(1e-4),
                ..cnn.clone()
            },
            vec![
                r#"{"scheduler": "polynomial_with_warmup", "num_training_steps": 10000, "lr_end": 0.001}"#
                    .into(),
            ],
            vec![],
        ),
        case(
            "short-run",
            Severity::Info,
            &RunDescription::new(Vit, 1, 9, 256),
            vec![r#"{"scheduler": "constant", "factor": 1.0, "total_iters": 1}"#.into()],
            vec![],
        ),
    ]
}

#[test]
fn every_rule_flags_every_form_of_its_mistake_and_no_form_of_the_fix() {
    let mut checked = 0;
    for case in cases() {
        for bad in &case.bad {
            let found = findings(&parse(bad), &case.run);
            assert!(
                found.contains(&(case.code, case.severity)),
                "{} should flag {bad}: {found:?}",
                case.code
            );
            checked += 1;
        }
        for good in &case.good {
            let found = findings(&parse(good), &case.run);
            assert!(
                found.iter().all(|(_, s)| *s == Severity::Info)
                    && !found.iter().any(|(c, _)| *c == case.code),
                "{} should be quiet on {good}: {found:?}",
                case.code
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn the_curve_rules_read_every_way_of_writing_a_warmup_the_same() {
    // A 5% warmup + cosine, in four forms, for a ViT: no finding at all.
    for form in warmup_cosine(500, 9_500) {
        assert_eq!(
            findings(&parse(&form), &run(ModelFamily::Vit)),
            [],
            "{form}"
        );
    }
    // The same horizon mistake in four forms gets the same one finding.
    for form in warmup_cosine(500, 10_000) {
        assert_eq!(
            findings(&parse(&form), &run(ModelFamily::Cnn)),
            [("tmax-includes-warmup", Severity::Warning)],
            "{form}"
        );
    }
}

#[test]
fn one_cycle_and_cycles_are_not_warmup_mistakes() {
    let cnn = RunDescription {
        base_lr: Some(0.1),
        ..RunDescription::new(ModelFamily::Cnn, 20, 100, 256)
    };
    for spec in [
        r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 2000}"#,
        r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 2000, "anneal_strategy": "linear", "pct_start": 0.45}"#,
        r#"{"scheduler": "cosine_annealing_warm_restarts", "T_0": 500}"#,
        r#"{"scheduler": "cyclic", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 500}"#,
    ] {
        assert_eq!(findings(&parse(spec), &cnn), [], "{spec}");
    }
}

#[test]
fn a_closure_is_linted_by_its_curve() {
    // A warmup + cosine written as one closure, whose cosine ends 2,500 updates after the run.
    let closure = LambdaLr::new("warmup-cosine", |t| {
        if t < 500.0 {
            0.01 + 0.99 * t / 500.0
        } else {
            (1.0 + (std::f64::consts::PI * (t - 500.0) / 12_000.0).cos()) / 2.0
        }
    });
    assert_eq!(
        findings(&Spec::new(closure), &run(ModelFamily::Cnn)),
        [("horizon-long", Severity::Warning)]
    );
}

#[test]
fn plateau_needs_a_validation_metric() {
    let plateau = format!(
        r#"{{"scheduler": "reduce_on_plateau", "base": {}}}"#,
        warmup_cosine(500, 9_500)[0]
    );
    let blind = RunDescription {
        validation: false,
        ..run(ModelFamily::Cnn)
    };
    let code = ("plateau-without-metric", Severity::Error);
    assert!(findings(&parse(&plateau), &blind).contains(&code));
    assert!(!findings(&parse(&plateau), &run(ModelFamily::Cnn)).contains(&code));
    assert!(!findings(&parse(&warmup_cosine(500, 9_500)[0]), &blind).contains(&code));
}

/// A 640-update run: 10 epochs of 64, base LR 1e-3.
fn short_run() -> RunDescription {
    let mut run = RunDescription::new(ModelFamily::Mlp, 10, 64, 64);
    run.base_lr = Some(1e-3);
    run
}

#[test]
fn a_cosine_that_ends_early_and_restarts_is_one_short_horizon() {
    let spec = parse(r#"{"scheduler": "CosineAnnealingLR", "T_max": 300}"#);
    let codes: Vec<&str> = findings(&spec, &short_run())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(codes.contains(&"horizon-short"), "{codes:?}");
    assert!(!codes.contains(&"horizon-long"), "{codes:?}");
}

#[test]
fn an_eta_min_above_the_base_lr_is_named_and_not_read_as_a_warmup() {
    let spec = parse(r#"{"scheduler": "cosine_annealing", "t_max": 300, "eta_min": 0.1}"#);
    let found = findings(&spec, &short_run());
    assert_eq!(found, [("floor-above-base", Severity::Error)], "{found:?}");
    let message = lint(&spec, &short_run()).unwrap()[0].message.clone();
    assert!(message.contains("`eta_min` = 0.1"), "{message}");
    // Below the base LR, no finding of this kind.
    let fine = parse(r#"{"scheduler": "cosine_annealing", "t_max": 640, "eta_min": 1e-5}"#);
    assert!(
        !findings(&fine, &short_run())
            .iter()
            .any(|f| f.0 == "floor-above-base")
    );
}
