//! A tiny post-norm transformer on modular addition, trained with Adam at
//! high LRs with and without a linear warmup, over 5 seeds: how many diverge.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example transformer_warmup
//! ```

use burn_lr_examples::arithmetic::warmup_study;
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
    for row in warmup_study(&SEEDS, &[3e-3, 1e-2, 3e-2], EPOCHS) {
        let label = if row.warmup { "yes" } else { "no" };
        println!(
            "{:<7} | {label:<6} | {} of {} | {}",
            row.lr,
            row.diverged(),
            SEEDS.len(),
            row.final_losses().join(" ")
        );
        if row.lr == 1e-2 {
            println!("seed 0, per epoch:\n{}", table(&row.runs[0]));
            let curve = row.runs[0]
                .iter()
                .map(|r| (r.epoch as f64, r.train_loss))
                .collect();
            let name = if row.warmup {
                "warmup, seed 0"
            } else {
                "no warmup, seed 0"
            };
            chart = chart.series(Series::new(name, curve));
        }
    }
    let path = "docs/transformer-warmup.png";
    match chart.save(path) {
        Ok(()) => println!("plot: {path}"),
        Err(e) => eprintln!("transformer_warmup: {e}"),
    }
}
