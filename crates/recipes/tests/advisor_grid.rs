//! The advisor recommends only what the linter accepts: over a grid of runs
//! (every family, runs from 1 update to 10^12, batches from 1 to 10^9, every
//! optimizer, stepping, budget and fine-tuning flag), `recommend` answers,
//! its schedule is finite and non-negative over the run, and `lint` of it for
//! the same run finds no warning or error.

use burn_lr_recipes::{
    AdviceError, Budget, ModelFamily, OptimizerKind, RunDescription, Severity, Stepping, lint,
    recommend,
};
use burn_lr_testkit::failures;

const EPOCHS: [u64; 9] = [1, 2, 3, 5, 10, 31, 51, 300, 1_000_000];
const STEPS_PER_EPOCH: [u64; 7] = [1, 2, 3, 7, 100, 2502, 1_000_000];
const BATCHES: [u64; 4] = [1, 256, 513, 1_000_000_000];
/// An optimizer with a base LR the run fixes (or none: the recipe chooses).
const OPTIMIZERS: [(Option<OptimizerKind>, Option<f64>); 6] = [
    (None, None),
    (Some(OptimizerKind::Sgd), None),
    (Some(OptimizerKind::Adam), Some(1e-3)),
    (Some(OptimizerKind::AdamW), Some(0.5)),
    (Some(OptimizerKind::ScheduleFreeAdamW), None),
    (Some(OptimizerKind::ScheduleFreeSgd), Some(0.5)),
];

fn grid() -> impl Iterator<Item = RunDescription> {
    ModelFamily::ALL.into_iter().flat_map(|model| {
        EPOCHS.into_iter().flat_map(move |epochs| {
            STEPS_PER_EPOCH.into_iter().flat_map(move |steps| {
                BATCHES.into_iter().flat_map(move |batch| {
                    OPTIMIZERS
                        .into_iter()
                        .flat_map(move |(optimizer, base_lr)| {
                            [false, true].into_iter().flat_map(move |fine_tune| {
                                [Stepping::Update, Stepping::Epoch].into_iter().flat_map(
                                    move |stepping| {
                                        [Budget::Normal, Budget::Tight].map(move |budget| {
                                            RunDescription {
                                                optimizer,
                                                base_lr,
                                                fine_tune,
                                                stepping,
                                                budget,
                                                ..RunDescription::new(model, epochs, steps, batch)
                                            }
                                        })
                                    },
                                )
                            })
                        })
                })
            })
        })
    })
}

fn check(run: &RunDescription) -> Result<(), String> {
    let recipe = recommend(run).map_err(|e| format!("no recipe: {e}"))?;
    let lr = |update| {
        recipe
            .schedule
            .scheduler(recipe.optimizer.lr)
            .map(|s| s.lr_at(update))
            .map_err(|e| format!("{}: {e}", recipe.name))
    };
    let total = run.total_steps();
    for update in [0, 1, total / 2, total - 1]
        .into_iter()
        .filter(|&u| u < total)
    {
        let x = lr(update)?;
        if !(x.is_finite() && x >= 0.0) {
            return Err(format!("{}: LR {x} at update {update}", recipe.name));
        }
    }
    let findings = lint(&recipe.schedule, run).map_err(|e| e.to_string())?;
    match findings.iter().find(|f| f.severity > Severity::Info) {
        Some(f) => Err(format!("{}: {f:?}\n{:?}", recipe.name, recipe.schedule)),
        None => Ok(()),
    }
}

#[test]
fn every_recommendation_on_the_grid_passes_the_linter() {
    let runs: Vec<RunDescription> = grid().collect();
    assert_eq!(runs.len(), 8 * 9 * 7 * 4 * 6 * 2 * 2 * 2);
    let failures = failures(&runs, |run| {
        check(run).err().map(|e| format!("{run:?}: {e}"))
    });
    assert!(
        failures.is_empty(),
        "{} of {} runs fail, e.g.:\n{}",
        failures.len(),
        runs.len(),
        failures[..failures.len().min(5)].join("\n")
    );
}

#[test]
fn a_base_lr_the_linter_rejects_is_an_error_not_a_recipe() {
    let run = RunDescription {
        optimizer: Some(OptimizerKind::AdamW),
        base_lr: Some(5.0),
        ..RunDescription::new(ModelFamily::Vit, 100, 100, 256)
    };
    let error = recommend(&run).unwrap_err();
    assert!(matches!(&error, AdviceError::Rejected(f) if f.code == "adaptive-lr-above-one"));
}

#[test]
fn invalid_runs_are_errors_that_name_the_field() {
    let base = RunDescription::new(ModelFamily::Cnn, 10, 10, 10);
    for (run, field) in [
        (
            RunDescription {
                epochs: 0,
                ..base.clone()
            },
            "epochs",
        ),
        (
            RunDescription {
                steps_per_epoch: 0,
                ..base.clone()
            },
            "steps_per_epoch",
        ),
        (
            RunDescription {
                batch_size: 0,
                ..base.clone()
            },
            "batch_size",
        ),
        (
            RunDescription {
                epochs: u64::MAX / 2,
                ..base.clone()
            },
            "epochs",
        ),
        (
            RunDescription {
                base_lr: Some(f64::NAN),
                ..base.clone()
            },
            "base_lr",
        ),
        (
            RunDescription {
                base_lr: Some(-1.0),
                ..base.clone()
            },
            "base_lr",
        ),
    ] {
        let error = recommend(&run).unwrap_err().to_string();
        assert!(error.starts_with(&format!("`{field}` =")), "{error}");
        let spec = recommend(&base).unwrap().schedule;
        assert_eq!(lint(&spec, &run).unwrap_err().field(), Some(field));
    }
}
