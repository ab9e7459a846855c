//! `cooldown`: the formula of every shape over three bases (a constant LR
//! after a warmup, a warmup + cosine, a WSD), computed here independently of
//! the library; every path to the spec (code, JSON, TOML); composition with
//! groups and plateau; and an exact resume.

use std::f64::consts::PI;

use burn::lr_scheduler::LrScheduler;
use burn_lr_core::Spec;
use burn_lr_core::plateau::ReduceOnPlateau;
use burn_lr_core::schedules::{ConstantWithWarmup, CosineAnnealingLr, WarmupStableDecay, WsdShape};
use burn_lr_core::spec::Cooldown;
use burn_lr_testkit::close;

const SHAPES: [(&str, WsdShape); 3] = [
    ("linear", WsdShape::Linear),
    ("cosine", WsdShape::Cosine),
    ("1-sqrt", WsdShape::OneMinusSqrt),
];

/// `f(x)` of each shape, by name.
fn f(shape: &str, x: f64) -> f64 {
    match shape {
        "linear" => 1.0 - x,
        "cosine" => 0.5 * (1.0 + (PI * x).cos()),
        _ => 1.0 - x.sqrt(),
    }
}

/// The LR of a base at step `t`, for base LR 1.
type Curve = Box<dyn Fn(f64) -> f64>;

/// `(name, JSON of the base, its curve)`.
fn bases() -> Vec<(&'static str, String, Curve)> {
    vec![
        (
            "warmup + constant",
            r#"{"scheduler": "constant_with_warmup", "num_warmup_steps": 10}"#.into(),
            Box::new(|t: f64| if t < 10.0 { t / 10.0 } else { 1.0 }),
        ),
        (
            "warmup + cosine",
            r#"{"scheduler": "cosine_annealing", "t_max": 190, "eta_min": 0.01,
                "warmup": {"total_iters": 10, "start_factor": 0.1}}"#
                .into(),
            Box::new(|t: f64| {
                if t < 10.0 {
                    0.1 + 0.9 * t / 10.0
                } else {
                    0.01 + 0.99 * 0.5 * (1.0 + (PI * (t - 10.0) / 190.0).cos())
                }
            }),
        ),
        (
            "wsd",
            r#"{"scheduler": "warmup_stable_decay", "num_warmup_steps": 10,
                "num_stable_steps": 150, "num_decay_steps": 40}"#
                .into(),
            Box::new(|t: f64| {
                if t < 10.0 {
                    t / 10.0
                } else if t < 160.0 {
                    1.0
                } else {
                    let x = ((t - 160.0) / 40.0).min(1.0);
                    0.5 * (1.0 + (PI * x).cos())
                }
            }),
        ),
    ]
}

#[test]
fn every_shape_over_every_base_follows_the_formula() {
    let (start, length, ratio) = (60u64, 30u64, 0.1);
    for (name, base_json, base) in bases() {
        for (shape, _) in SHAPES {
            let json = format!(
                r#"{{"scheduler": "cooldown", "base": {base_json}, "start": {start},
                    "length": {length}, "shape": "{shape}", "min_lr_ratio": {ratio}}}"#
            );
            let spec = Spec::from_json(&json).unwrap();
            let got = spec.preview(1.0, 120).unwrap();
            for (t, lr) in got.iter().enumerate() {
                let t = t as f64;
                let want = if t < start as f64 {
                    base(t)
                } else {
                    let x = ((t - start as f64) / length as f64).min(1.0);
                    base(start as f64) * (ratio + (1.0 - ratio) * f(shape, x))
                };
                assert!(close(*lr, want), "{name}, {shape}, t = {t}: {lr} vs {want}");
            }
        }
    }
}

#[test]
fn code_json_and_toml_build_the_same_spec_and_it_round_trips() {
    let code = Spec::new(ConstantWithWarmup::new(10))
        .with_group("backbone", 0.1)
        .with_cooldown(
            Cooldown::new(80, 20)
                .with_shape(WsdShape::Cosine)
                .with_min_lr_ratio(0.05),
        );
    let json = Spec::from_json(
        r#"{"scheduler": "cooldown", "start": 80, "length": 20, "shape": "cosine", "min_lr_ratio": 0.05,
            "base": {"scheduler": "constant_with_warmup", "num_warmup_steps": 10,
                     "groups": [{"match": "backbone", "lr_mult": 0.1}]}}"#,
    )
    .unwrap();
    let toml = Spec::from_toml(
        r#"
        scheduler = "cooldown"
        start = 80
        length = 20
        shape = "cosine"
        min_lr_ratio = 0.05
        [base]
        scheduler = "constant_with_warmup"
        num_warmup_steps = 10
        groups = [{ match = "backbone", lr_mult = 0.1 }]
        "#,
    )
    .unwrap();
    assert_eq!(code, json);
    assert_eq!(code, toml);
    let text = code.to_json().unwrap();
    assert_eq!(Spec::from_json(&text).unwrap(), code, "{text}");
    // Under a plateau rule too.
    let plateau = code
        .clone()
        .with_steps_per_epoch(10)
        .with_plateau(ReduceOnPlateau::new());
    let text = plateau.to_json().unwrap();
    assert_eq!(Spec::from_json(&text).unwrap(), plateau, "{text}");
}

#[test]
fn bad_cooldowns_name_the_field() {
    for (json, error) in [
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 0, "base": {"scheduler": "step", "step_size": 3}}"#,
            "`length` = 0 is invalid",
        ),
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 3, "min_lr_ratio": 2, "base": {"scheduler": "step", "step_size": 3}}"#,
            "`min_lr_ratio` = 2 is invalid",
        ),
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 3, "shape": "sqrt", "base": {"scheduler": "step", "step_size": 3}}"#,
            "`shape` = \"sqrt\" is invalid: allowed one of \"linear\", \"cosine\", \"1-sqrt\"",
        ),
        (
            r#"{"scheduler": "cooldown", "length": 3, "base": {"scheduler": "step", "step_size": 3}}"#,
            "`start` is missing",
        ),
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 3}"#,
            "`base` is missing",
        ),
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 3, "base": {"scheduler": "step", "step_size": 0}}"#,
            "`base.step_size` = 0 is invalid",
        ),
        (
            r#"{"scheduler": "cooldown", "start": 5, "length": 3, "base": {"scheduler": "cooldown", "start": 1, "length": 1,
            "base": {"scheduler": "step", "step_size": 3}}}"#,
            "`base.scheduler` = \"cooldown\" is invalid",
        ),
    ] {
        let got = Spec::from_json(json).unwrap_err().to_string();
        assert!(got.starts_with(error), "{json}: {got}");
    }
    let code = Spec::new(CosineAnnealingLr::new(0)).with_cooldown(Cooldown::new(1, 1));
    assert_eq!(
        code.init(1.0).unwrap_err().to_string(),
        "`base.t_max` = 0 is invalid: allowed an integer >= 1"
    );
}

#[test]
fn a_scheduler_restored_at_any_step_continues_bit_for_bit() {
    let spec = Spec::new(
        WarmupStableDecay::new(10, 1000, 0).with_shapes(WsdShape::Linear, WsdShape::Linear),
    )
    .with_cooldown(Cooldown::new(40, 25));
    let truth = spec.preview(0.3, 100).unwrap();
    for cut in [0, 1, 39, 40, 41, 64, 65, 99] {
        let mut first = spec.scheduler(0.3).unwrap();
        for _ in 0..cut {
            first.step();
        }
        let mut resumed = spec.scheduler(0.3).unwrap();
        resumed.load_record(first.to_record());
        let rest: Vec<f64> = (cut..100).map(|_| resumed.step()).collect();
        assert_eq!(rest, truth[cut..], "cut at {cut}");
    }
}
