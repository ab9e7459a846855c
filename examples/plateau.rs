//! Warmup, then cosine, reduced on plateaus of the validation loss, with
//! early stopping on validation accuracy: one scheduler, one hook.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example plateau
//! ```

use std::process::exit;

use burn::optim::AdamConfig;
use burn::train::metric::AccuracyMetric;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::{MetricEarlyStoppingStrategy, StoppingCondition};
use burn_lr_core::Spec;
use burn_lr_examples::run::DigitsRun;

fn main() {
    let run = DigitsRun {
        name: "plateau".into(),
        epochs: 30,
        batch_size: 64,
        base_lr: 1e-2,
        seed: 0,
        classes: 0..10,
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/digits-plateau.json");
    let lr = Spec::from_file(path)
        .and_then(|spec| {
            spec.with_steps_per_epoch(run.steps_per_epoch())
                .init(run.base_lr)
        })
        .unwrap_or_else(|e| {
            eprintln!("plateau: {path}: {e}");
            exit(2);
        });
    println!("schedule: {path} (reduce on plateau of the validation loss)");
    println!("early stopping: no validation-accuracy improvement for 6 epochs");
    let stop = MetricEarlyStoppingStrategy::new(
        &AccuracyMetric::new(),
        Aggregate::Mean,
        Direction::Highest,
        Split::Valid,
        StoppingCondition::NoImprovementSince { n_epochs: 6 },
    );
    match run.launch(
        run.model(),
        AdamConfig::new().init(),
        lr.clone(),
        |training| training.early_stopping(lr.hook().wrap(stop)),
    ) {
        Ok(trained) => run.report(&trained.rows),
        Err(e) => {
            eprintln!("plateau: {e}");
            exit(1);
        }
    }
}
