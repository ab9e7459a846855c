//! Fine-tuning with discriminative groups: pretrain on the digits 0-4, then
//! put a new head on the pretrained backbone and fine-tune on 5-9 with the
//! `fine_tuning` recipe (the `backbone` at a tenth of the `head`'s LR), next to
//! the same fine-tuning with one LR for every parameter.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example fine_tuning
//! ```

use burn::optim::AdamConfig;
use burn_lr_core::schedules::CosineAnnealingLr;
use burn_lr_core::{Spec, Timing};
use burn_lr_examples::run::DigitsRun;
use burn_lr_recipes::{ModelFamily, RunDescription, fine_tuning};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pretrain = DigitsRun {
        name: "fine-tuning/pretrain-0-4".into(),
        epochs: 10,
        batch_size: 64,
        base_lr: 1e-2,
        seed: 0,
        classes: 0..5,
    };
    let cosine = Spec::new(CosineAnnealingLr::new(10))
        .in_epochs(Timing::Iteration)
        .with_steps_per_epoch(pretrain.steps_per_epoch());
    let pretrained = pretrain.launch(
        pretrain.model(),
        AdamConfig::new().init(),
        cosine.init(pretrain.base_lr)?,
        |t| t,
    )?;
    pretrain.report(&pretrained.rows);

    let tune = |name: &str| DigitsRun {
        name: format!("fine-tuning/{name}"),
        epochs: 5,
        batch_size: 64,
        base_lr: 0.0,
        seed: 0,
        classes: 5..10,
    };
    let description = RunDescription {
        fine_tune: true,
        base_lr: Some(1e-3),
        ..RunDescription::new(ModelFamily::Mlp, 5, tune("x").steps_per_epoch(), 64)
    };
    let recipe = fine_tuning(&description)?;
    let uniform = recipe.schedule.clone().without_groups();
    let mut summary = Vec::new();
    for (name, spec) in [
        ("discriminative (backbone x0.1)", &recipe.schedule),
        ("one LR for all", &uniform),
    ] {
        let run = DigitsRun {
            base_lr: recipe.optimizer.lr,
            ..tune(if spec.groups().is_empty() {
                "uniform"
            } else {
                "discriminative"
            })
        };
        println!(
            "\nfine-tuning on 5-9, {name}: head LR {}",
            recipe.optimizer.lr
        );
        let model = pretrained.model.clone().with_new_head();
        let schedule = spec.init_for(&model, recipe.optimizer.lr)?;
        let trained = run.launch(model, recipe.optimizer.init()?, schedule, |t| t)?;
        run.report(&trained.rows);
        summary.push(format!(
            "{name:>32}: {:.2}%",
            trained.rows.last().map_or(f64::NAN, |r| r.valid_accuracy)
        ));
    }
    println!(
        "\nvalidation accuracy on 5-9 after 5 epochs of fine-tuning:\n{}",
        summary.join("\n")
    );
    Ok(())
}
