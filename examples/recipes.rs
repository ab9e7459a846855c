//! The vision recipes on the digits data: ResNet's step schedule and the
//! modern warmup + cosine (both SGD, as the recipes say), and one-cycle at the
//! LR the finder suggests (Adam). Prints the final accuracy of each.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example recipes
//! ```

use burn_lr_examples::run::DigitsRun;
use burn_lr_recipes::{
    ModelFamily, Recipe, RunDescription, cnn_classic, cnn_modern, fast_one_cycle,
};

const EPOCHS: u64 = 20;
const BATCH: u64 = 64;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let run = |name: &str| DigitsRun {
        name: format!("recipes/{name}"),
        epochs: EPOCHS as usize,
        batch_size: BATCH as usize,
        base_lr: 0.0,
        seed: 0,
        classes: 0..10,
    };
    let steps_per_epoch = run("x").steps_per_epoch();
    let description = RunDescription::new(ModelFamily::Cnn, EPOCHS, steps_per_epoch, BATCH);

    // The finder's suggestion for one-cycle (Adam, the same model and data).
    let found = run("finder").hand_off().max_lr;
    println!("finder: one-cycle max_lr {found:.3e}");

    let recipes: [Recipe; 3] = [
        cnn_classic(&description)?,
        cnn_modern(&description)?,
        fast_one_cycle(&RunDescription {
            base_lr: Some(found),
            ..description.clone()
        })?,
    ];
    let mut summary = Vec::new();
    for recipe in recipes {
        println!(
            "\n{} ({}): {:?} at {}",
            recipe.name, recipe.reference, recipe.optimizer.kind, recipe.optimizer.lr
        );
        let digits_run = DigitsRun {
            base_lr: recipe.optimizer.lr,
            ..run(recipe.name)
        };
        let scheduler = recipe.schedule.init(recipe.optimizer.lr)?;
        // One-cycle's momentum follows its schedule.
        let optim = recipe.optimizer.init_with(&scheduler)?;
        match digits_run.launch(digits_run.model(), optim, scheduler, |t| t) {
            Ok(trained) => {
                digits_run.report(&trained.rows);
                let last = trained.rows.last().map_or(f64::NAN, |r| r.valid_accuracy);
                summary.push(format!("{:>20}: {last:.2}%", recipe.name));
            }
            Err(e) => eprintln!("recipes: {e}"),
        }
    }
    println!(
        "\nfinal validation accuracy after {EPOCHS} epochs:\n{}",
        summary.join("\n")
    );
    Ok(())
}
