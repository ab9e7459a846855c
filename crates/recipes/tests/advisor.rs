//! For every model family (and fine-tuning, large batches, tight budgets), the
//! recommended schedule previews without error and passes the linter with no
//! warning or error for the same run.

use burn_lr_recipes::{
    Budget, ModelFamily, OptimizerKind, RunDescription, Severity, Stepping, lint, recommend,
};

fn runs() -> Vec<RunDescription> {
    use ModelFamily::*;
    let mut runs = Vec::new();
    for (model, epochs, steps, batch) in [
        (Cnn, 100, 5005, 256),
        (Cnn, 20, 390, 128),
        (Vit, 300, 2502, 512),
        (Transformer, 3, 10_000, 32),
        (Detector, 12, 7330, 16),
        (Detector, 24, 7330, 16),
        (Detr, 300, 7330, 64),
        (Segmentation, 80, 500, 16),
        (Mlp, 10, 23, 64),
        (Mlp, 60, 23, 64),
        (Other, 90, 1000, 4096),
    ] {
        let run = RunDescription::new(model, epochs, steps, batch);
        runs.push(run.clone());
        runs.push(RunDescription {
            fine_tune: true,
            ..run.clone()
        });
        runs.push(RunDescription {
            budget: Budget::Tight,
            optimizer: Some(OptimizerKind::AdamW),
            ..run.clone()
        });
        // Per-update recipes (warmup over a few hundred updates) cannot be expressed by a
        // loop that steps once per epoch over a handful of epochs; the linter says so.
        if !matches!(model, Transformer | Detector | Segmentation) {
            runs.push(RunDescription {
                stepping: Stepping::Epoch,
                ..run
            });
        }
    }
    runs
}

#[test]
fn every_recommendation_passes_the_linter_and_previews() {
    for run in runs() {
        let recipe = recommend(&run);
        let findings: Vec<_> = lint(&recipe.schedule, &run)
            .into_iter()
            .filter(|f| f.severity > Severity::Info)
            .collect();
        assert!(
            findings.is_empty(),
            "{} for {run:?}:\n{findings:#?}",
            recipe.name
        );
        let spec = recipe
            .schedule
            .clone()
            .with_steps_per_epoch(run.steps_per_call_epoch());
        let lrs = spec
            .preview(recipe.optimizer.lr, run.total_steps().min(200_000) as usize)
            .unwrap();
        assert!(
            lrs.iter().all(|lr| lr.is_finite() && *lr >= 0.0),
            "{}",
            recipe.name
        );
        assert!(!recipe.why.is_empty() && !recipe.reference.is_empty());
    }
}
