//! Trains a small classifier on the bundled digits data through burn-train,
//! with its LR schedule read from a spec file (linear warmup + cosine by
//! default), then prints the LR and the metrics of every epoch.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example digits -- [SPEC] [EPOCHS]
//! ```

use std::path::PathBuf;
use std::process::exit;

use burn::optim::AdamConfig;
use burn_lr_core::Spec;
use burn_lr_examples::run::DigitsRun;

fn main() {
    let mut args = std::env::args().skip(1);
    let spec_path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/digits-warmup-cosine.json")
    });
    let epochs = match args.next().map(|a| a.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("digits: EPOCHS must be a positive integer");
            exit(2);
        }
    };
    let run = DigitsRun {
        name: "digits".into(),
        epochs,
        batch_size: 64,
        base_lr: 1e-2,
        seed: 0,
        classes: 0..10,
    };
    let lr = Spec::from_file(&spec_path)
        .and_then(|spec| {
            spec.with_steps_per_epoch(run.steps_per_epoch())
                .init(run.base_lr)
        })
        .unwrap_or_else(|e| {
            eprintln!("digits: {}: {e}", spec_path.display());
            exit(2);
        });
    println!("schedule: {}", spec_path.display());
    match run.launch(
        run.model(),
        AdamConfig::new().init(),
        lr.clone(),
        // Checks each epoch's update count against the spec (and feeds a plateau spec).
        |training| training.early_stopping(lr.hook()),
    ) {
        Ok(trained) => run.report(&trained.rows),
        Err(e) => {
            eprintln!("digits: {e}");
            exit(1);
        }
    }
}
