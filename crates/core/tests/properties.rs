//! Property tests over random specs: valid ones never produce a NaN, a
//! negative or an infinite LR, and composites stay within their children's
//! range; invalid ones are rejected with an error that names the field.

use burn_lr_core::{ConfigError, Schedule, Spec};
use proptest::prelude::*;
use serde_json::{Value, json};

const STEPS: usize = 300;

fn factor() -> impl Strategy<Value = f64> {
    0.0..=1.0f64
}

fn length() -> impl Strategy<Value = u64> {
    1..200u64
}

/// A random valid leaf schedule.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        (length(), factor()).prop_map(|(s, g)| json!({"scheduler": "step", "step_size": s, "gamma": g})),
        (prop::collection::vec(0..400u64, 0..5), factor())
            .prop_map(|(m, g)| json!({"scheduler": "multi_step", "milestones": m, "gamma": g})),
        (factor(), length()).prop_map(|(f, t)| json!({"scheduler": "constant", "factor": f, "total_iters": t})),
        (0.0..=1.0f64, 0.0..=1.0f64, length()).prop_map(|(a, b, t)| json!(
            {"scheduler": "linear", "start_factor": a, "end_factor": b, "total_iters": t})),
        factor().prop_map(|g| json!({"scheduler": "exponential", "gamma": g})),
        (length(), 0.01..5.0f64).prop_map(|(t, p)| json!({"scheduler": "polynomial", "total_iters": t, "power": p})),
        (length(), 0.0..0.01f64).prop_map(|(t, e)| json!({"scheduler": "cosine_annealing", "t_max": t, "eta_min": e})),
        (length(), 1..4u64, 0.0..0.01f64).prop_map(|(t, m, e)| json!(
            {"scheduler": "cosine_annealing_warm_restarts", "t_0": t, "t_mult": m, "eta_min": e})),
        (0..50u64, length()).prop_map(|(w, t)| json!(
            {"scheduler": "cosine_with_warmup", "num_warmup_steps": w, "num_training_steps": t})),
        (0..50u64, length()).prop_map(|(w, t)| json!(
            {"scheduler": "linear_with_warmup", "num_warmup_steps": w, "num_training_steps": t})),
        (0..50u64, length(), 0.1..4.0f64).prop_map(|(w, t, c)| json!({"scheduler": "cosine_with_hard_restarts",
            "num_warmup_steps": w, "num_training_steps": t, "num_cycles": c})),
        (0..50u64, 1..200u64, 0.1..3.0f64).prop_map(|(w, d, p)| json!({"scheduler": "polynomial_with_warmup",
            "num_warmup_steps": w, "num_training_steps": w + d, "lr_end": 0.0, "power": p})),
        (0..50u64).prop_map(|w| json!({"scheduler": "constant_with_warmup", "num_warmup_steps": w})),
        (0..50u64, length(), factor()).prop_map(|(w, t, r)| json!({"scheduler": "cosine_with_min_lr",
            "num_warmup_steps": w, "num_training_steps": t, "min_lr_rate": r})),
        (0..50u64, prop::option::of(1..100u64)).prop_map(|(w, ts)| json!(
            {"scheduler": "inverse_sqrt", "num_warmup_steps": w, "timescale": ts})),
        (0..50u64, 0..100u64, 0..100u64, prop::sample::select(vec!["linear", "cosine", "1-sqrt"]), factor())
            .prop_map(|(w, s, d, ty, r)| json!({"scheduler": "warmup_stable_decay", "num_warmup_steps": w,
                "num_stable_steps": s, "num_decay_steps": d, "decay_type": ty, "warmup_type": ty, "min_lr_ratio": r})),
        (length(), 0.0..0.001f64, 1.0..3.0f64, factor(), 1..5u64, 0..20u64, 0.0..0.001f64, 0.1..3.0f64)
            .prop_map(|(t, m, mul, d, lim, w, wi, k)| json!({"scheduler": "timm_cosine", "t_initial": t,
                "lr_min": m, "cycle_mul": mul, "cycle_decay": d, "cycle_limit": lim, "warmup_t": w,
                "warmup_lr_init": wi, "k_decay": k})),
    ]
}

/// A random valid schedule, possibly composite, with absolute ones too.
fn schedule() -> impl Strategy<Value = Value> {
    let absolute = prop_oneof![
        (0.0..0.1f64, 0.1..2.0f64, length(), prop::option::of(length()),
            prop::sample::select(vec!["triangular", "triangular2", "exp_range"]), 0.9..=1.0f64)
            .prop_map(|(b, m, up, down, mode, g)| json!({"scheduler": "cyclic", "base_lr": b, "max_lr": m,
                "step_size_up": up, "step_size_down": down, "mode": mode, "gamma": g})),
        (0.0..10.0f64, 0.1..0.45f64, 50..400u64, prop::bool::ANY, prop::sample::select(vec!["cos", "linear"]))
            .prop_map(|(m, p, t, three, a)| json!({"scheduler": "one_cycle", "max_lr": m, "total_steps": t,
                "pct_start": p, "three_phase": three, "anneal_strategy": a})),
    ];
    prop_oneof![
        3 => leaf(),
        1 => absolute,
        1 => (prop::collection::vec(leaf(), 2..4), 1..100u64).prop_map(|(children, gap)| {
            let milestones: Vec<u64> = (1..children.len() as u64).map(|i| i * gap).collect();
            json!({"scheduler": "sequential", "schedulers": children, "milestones": milestones})
        }),
        1 => prop::collection::vec(leaf(), 1..4).prop_map(|c| json!({"scheduler": "chained", "schedulers": c})),
    ]
}

/// A schedule added to the library must get a random generator here too.
#[test]
fn the_random_specs_cover_every_schedule() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = schedule();
    let seen: std::collections::BTreeSet<String> = (0..3000)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current()["scheduler"].to_string())
        .collect();
    let missing: Vec<&str> = Schedule::NAMES
        .iter()
        .copied()
        .filter(|name| !seen.contains(&format!("\"{name}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "no random specs for {missing:?}: add them to leaf()"
    );
}

fn range(lrs: &[f64]) -> (f64, f64) {
    lrs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/properties.proptest-regressions"),
        ))),
        ..ProptestConfig::with_cases(400)
    })]

    #[test]
    fn every_lr_is_finite_and_non_negative(spec in schedule(), base_lr in 0.0..10.0f64) {
        // The raw curve: `lr_at` applies no guard, so a NaN or negative LR fails here.
        let scheduler = Spec::from_value(&spec).unwrap().scheduler(base_lr).unwrap();
        for update in 0..STEPS as u64 {
            let lr = scheduler.lr_at(update);
            prop_assert!(lr.is_finite() && lr >= 0.0, "{lr} at update {update}");
        }
    }

    #[test]
    fn sequential_stays_within_its_children(children in prop::collection::vec(leaf(), 2..4),
                                            gap in 1..100u64, base_lr in 0.001..10.0f64) {
        let milestones: Vec<u64> = (1..children.len() as u64).map(|i| i * gap).collect();
        let spec = Spec::from_value(&json!(
            {"scheduler": "sequential", "schedulers": children, "milestones": milestones})).unwrap();
        let (lo, hi) = children.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), child| {
            let (a, b) = range(&Spec::from_value(child).unwrap().preview(base_lr, STEPS).unwrap());
            (lo.min(a), hi.max(b))
        });
        for lr in spec.preview(base_lr, STEPS).unwrap() {
            prop_assert!(lr >= lo * (1.0 - 1e-12) && lr <= hi * (1.0 + 1e-12), "{lr} not in [{lo}, {hi}]");
        }
    }

    #[test]
    fn chained_decays_stay_below_each_child(children in prop::collection::vec(leaf(), 1..4),
                                            base_lr in 0.001..10.0f64) {
        // Factors of at most 1 multiply to at most the smallest one.
        let bounded: Vec<Value> = children.into_iter().filter(|c| {
            Spec::from_value(c).unwrap().preview(base_lr, STEPS).unwrap().iter().all(|&lr| lr <= base_lr)
        }).collect();
        prop_assume!(!bounded.is_empty());
        let chained = Spec::from_value(&json!({"scheduler": "chained", "schedulers": bounded})).unwrap();
        let lrs = chained.preview(base_lr, STEPS).unwrap();
        for child in &bounded {
            let child_lrs = Spec::from_value(child).unwrap().preview(base_lr, STEPS).unwrap();
            for (lr, bound) in lrs.iter().zip(child_lrs) {
                prop_assert!(*lr <= bound * (1.0 + 1e-12), "{lr} > {bound}");
            }
        }
    }

    #[test]
    fn warmup_rises_to_the_schedule_start(spec in leaf(), length in 1..50u64, start in factor()) {
        let spec = Spec::from_value(&spec).unwrap();
        let plain = spec.preview(1.0, 1).unwrap()[0];
        let warm = spec.clone().with_warmup(length, start).preview(1.0, length as usize + 1).unwrap();
        prop_assert!((warm[0] - start * plain).abs() <= 1e-12);
        prop_assert!(warm.windows(2).take(length as usize).all(|w| w[1] >= w[0] - 1e-15));
        prop_assert!((warm[length as usize] - plain).abs() <= 1e-12);
    }

    #[test]
    fn invalid_values_are_errors_that_name_the_field(spec in leaf(), pick in any::<prop::sample::Index>(),
                                                     bad in prop::sample::select(vec![
                                                         json!(-1), json!(-0.5), json!("x"), json!(1e300),
                                                         json!([1]), json!({"a": 1}), json!(true)])) {
        let mut map = spec.as_object().unwrap().clone();
        let keys: Vec<String> = map.keys().filter(|k| *k != "scheduler").cloned().collect();
        prop_assume!(!keys.is_empty());
        let key = pick.get(&keys).clone();
        map.insert(key.clone(), bad.clone());
        match Spec::from_value(&Value::Object(map)) {
            // Some replacements are valid for some fields (1e300 as a length is not, as eta_min it is).
            Ok(spec) => {
                for lr in spec.preview(1.0, 50).unwrap() {
                    prop_assert!(lr.is_finite() && lr >= 0.0);
                }
            }
            Err(ConfigError::Invalid { field, .. }) => prop_assert!(field.starts_with(&key), "{field} vs {key}"),
            Err(other) => prop_assert!(false, "unexpected error kind for {key} = {bad}: {other}"),
        }
    }
}

#[test]
fn documented_rejections_name_field_value_and_range() {
    let cases = [
        (
            r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 0}"#,
            "`total_steps` = 0 is invalid: allowed an integer >= 2",
        ),
        (
            r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 100, "pct_start": 1.0}"#,
            "`pct_start` = 1 is invalid: allowed a number in (0, 1)",
        ),
        (
            r#"{"scheduler": "cosine_annealing", "t_max": 10, "eta_min": -1}"#,
            "`eta_min` = -1 is invalid: allowed a finite number >= 0",
        ),
        (
            r#"{"scheduler": "nope"}"#,
            "`scheduler` = \"nope\" is invalid",
        ),
        (
            r#"{"scheduler": "step", "step_size": 3, "gama": 0.1}"#,
            "`gama` is not a known key here",
        ),
        (
            r#"{"scheduler": "sequential", "schedulers": [{"scheduler": "step", "step_size": 0}], "milestones": []}"#,
            "`schedulers[0].step_size` = 0 is invalid",
        ),
        (
            r#"{"scheduler": "sequential", "schedulers": [{"scheduler": "exponential", "gamma": 0.9}, {"scheduler": "exponential", "gamma": 0.5}], "milestones": [5, 3]}"#,
            "`milestones` = [5, 3] is invalid",
        ),
        (
            r#"{"scheduler": "step", "step_size": 3, "unit": "epoch"}"#,
            "`timing` is missing",
        ),
        (
            r#"{"scheduler": "step", "step_size": 3, "steps_per_epoch": 10}"#,
            "`steps_per_epoch` = 10 is invalid: allowed only with",
        ),
        (
            r#"{"scheduler": "chained", "schedulers": [{"scheduler": "cyclic", "base_lr": 0.1, "max_lr": 1}]}"#,
            "`schedulers[0]` = cyclic is invalid",
        ),
        (
            r#"{"scheduler": "step", "step_size": 3, "warmup": {"total_iters": 0}}"#,
            "`warmup.total_iters` = 0 is invalid",
        ),
        (
            r#"{"scheduler": "step", "step_size": 3, "groups": [{"match": "a", "lr_mult": -2}]}"#,
            "`groups[0].lr_mult` = -2 is invalid",
        ),
        ("{\"scheduler\": \"step\", ", "the spec cannot be parsed"),
    ];
    for (text, expected) in cases {
        let message = Spec::from_json(text).unwrap_err().to_string();
        assert!(
            message.contains(expected),
            "{text}\n  got: {message}\n  want: {expected}"
        );
    }
    let epoch = Spec::from_json(
        r#"{"scheduler": "step", "step_size": 3, "unit": "epoch", "timing": "epoch"}"#,
    )
    .unwrap();
    assert!(
        epoch
            .scheduler(0.1)
            .unwrap_err()
            .to_string()
            .contains("`steps_per_epoch` is missing")
    );
    let step = Spec::from_json(r#"{"scheduler": "step", "step_size": 3}"#).unwrap();
    for bad in [f64::NAN, f64::INFINITY, -0.1] {
        assert!(
            step.scheduler(bad)
                .unwrap_err()
                .to_string()
                .contains("`base_lr`")
        );
    }
    assert!(step.scheduler(12.0).is_ok(), "LRs above 1 are valid");
}
