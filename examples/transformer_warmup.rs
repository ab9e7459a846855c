//! A tiny post-norm transformer on modular addition, trained with Adam at
//! high LRs with and without a linear warmup, over 5 seeds: how many diverge.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example transformer_warmup
//! ```

use burn_lr_examples::arithmetic::{diverged, train};
use burn_lr_examples::report::table;
use burn_lr_plot::{Chart, Series};

const SEEDS: [u64; 5] = [0, 1, 2, 3, 4];
const EPOCHS: usize = 30;

fn main() {
    println!("lr      | warmup | diverged | final train loss per seed");
    let mut chart = Chart::new(
        "tiny transformer, lr 1e-2: training loss",
        "epoch",
        "cross-entropy",
    );
    for lr in [3e-3, 1e-2, 3e-2] {
        for warmup in [false, true] {
            let runs: Vec<_> = SEEDS
                .iter()
                .map(|&s| train(s, lr, warmup, EPOCHS))
                .collect();
            let losses: Vec<String> = runs
                .iter()
                .map(|r| {
                    r.last()
                        .map_or("-".into(), |r| format!("{:.3}", r.train_loss))
                })
                .collect();
            let count = runs.iter().filter(|r| diverged(r)).count();
            println!(
                "{lr:<7} | {:<6} | {count} of {} | {}",
                if warmup { "yes" } else { "no" },
                SEEDS.len(),
                losses.join(" ")
            );
            if lr == 1e-2 {
                println!("seed 0, per epoch:\n{}", table(&runs[0]));
                let curve = runs[0]
                    .iter()
                    .map(|r| (r.epoch as f64, r.train_loss))
                    .collect();
                chart = chart.series(Series::new(
                    if warmup {
                        "warmup, seed 0"
                    } else {
                        "no warmup, seed 0"
                    },
                    curve,
                ));
            }
        }
    }
    let path = "docs/transformer-warmup.png";
    match chart.save(path) {
        Ok(()) => println!("plot: {path}"),
        Err(e) => eprintln!("transformer_warmup: {e}"),
    }
}
