//! Criterion benchmarks of burn-lr; see the `[[bench]]` targets.
//!
//! The schedules the benchmarks and the allocation test share live here.

use burn_lr_schedule::Spec;

/// One representative spec per schedule, plus composites, as `(name, spec)`.
pub fn representative_specs() -> Vec<(&'static str, Spec)> {
    let specs: [(&str, &str); 23] = [
        (
            "step",
            r#"{"scheduler": "step", "step_size": 30, "gamma": 0.1}"#,
        ),
        (
            "multi_step",
            r#"{"scheduler": "multi_step", "milestones": [30, 60, 90], "gamma": 0.1}"#,
        ),
        (
            "constant",
            r#"{"scheduler": "constant", "factor": 0.5, "total_iters": 10}"#,
        ),
        (
            "linear",
            r#"{"scheduler": "linear", "start_factor": 0.1, "end_factor": 1.0, "total_iters": 100}"#,
        ),
        (
            "exponential",
            r#"{"scheduler": "exponential", "gamma": 0.99}"#,
        ),
        (
            "polynomial",
            r#"{"scheduler": "polynomial", "total_iters": 1000, "power": 0.9}"#,
        ),
        (
            "cosine_annealing",
            r#"{"scheduler": "cosine_annealing", "t_max": 1000}"#,
        ),
        (
            "cosine_annealing_warm_restarts",
            r#"{"scheduler": "cosine_annealing_warm_restarts", "t_0": 10, "t_mult": 2}"#,
        ),
        (
            "cyclic",
            r#"{"scheduler": "cyclic", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 200, "mode": "exp_range", "gamma": 0.999}"#,
        ),
        (
            "one_cycle",
            r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 100000}"#,
        ),
        (
            "linear_with_warmup",
            r#"{"scheduler": "linear_with_warmup", "num_warmup_steps": 100, "num_training_steps": 100000}"#,
        ),
        (
            "cosine_with_warmup",
            r#"{"scheduler": "cosine_with_warmup", "num_warmup_steps": 100, "num_training_steps": 100000}"#,
        ),
        (
            "cosine_with_hard_restarts",
            r#"{"scheduler": "cosine_with_hard_restarts", "num_warmup_steps": 100, "num_training_steps": 100000, "num_cycles": 3}"#,
        ),
        (
            "polynomial_with_warmup",
            r#"{"scheduler": "polynomial_with_warmup", "num_warmup_steps": 100, "num_training_steps": 100000}"#,
        ),
        (
            "constant_with_warmup",
            r#"{"scheduler": "constant_with_warmup", "num_warmup_steps": 100}"#,
        ),
        (
            "inverse_sqrt",
            r#"{"scheduler": "inverse_sqrt", "num_warmup_steps": 100}"#,
        ),
        (
            "cosine_with_min_lr",
            r#"{"scheduler": "cosine_with_min_lr", "num_warmup_steps": 100, "num_training_steps": 100000, "min_lr_rate": 0.1}"#,
        ),
        (
            "warmup_stable_decay",
            r#"{"scheduler": "warmup_stable_decay", "num_warmup_steps": 100, "num_stable_steps": 50000, "num_decay_steps": 49900}"#,
        ),
        (
            "timm_cosine",
            r#"{"scheduler": "timm_cosine", "t_initial": 100, "cycle_mul": 2, "cycle_limit": 5, "warmup_t": 5, "warmup_lr_init": 0.0001}"#,
        ),
        (
            "sequential warmup+cosine",
            r#"{"scheduler": "sequential", "schedulers": [{"scheduler": "linear", "start_factor": 0.01, "total_iters": 100}, {"scheduler": "cosine_annealing", "t_max": 99900}], "milestones": [100]}"#,
        ),
        (
            "chained exponential*step",
            r#"{"scheduler": "chained", "schedulers": [{"scheduler": "exponential", "gamma": 0.999}, {"scheduler": "step", "step_size": 1000, "gamma": 0.5}]}"#,
        ),
        (
            "cosine + warmup prefix",
            r#"{"scheduler": "cosine_annealing", "t_max": 99900, "warmup": {"total_iters": 100, "start_factor": 0.01}}"#,
        ),
        (
            "cosine in epochs (iteration timing)",
            r#"{"scheduler": "cosine_annealing", "t_max": 90, "unit": "epoch", "timing": "iteration", "steps_per_epoch": 500}"#,
        ),
    ];
    let mut all: Vec<(&'static str, Spec)> = specs
        .into_iter()
        .map(|(name, text)| {
            (
                name,
                Spec::from_json(text).expect("benchmark specs are valid"),
            )
        })
        .collect();
    all.push((
        "lambda",
        burn_lr_schedule::lambda("inverse", |t| 1.0 / (1.0 + t / 1000.0)),
    ));
    all
}
