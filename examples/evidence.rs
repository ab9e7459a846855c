//! The evidence harness: the same digits model under several schedules and
//! seeds, the LR finder against a grid search, written up as a markdown report
//! with plots.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example evidence            # writes docs/evidence.md
//! ```

use std::fmt::Write as _;
use std::path::Path;

use burn::optim::AdamConfig;
use burn_lr_core::optim::cycled::CycledAdamConfig;
use burn_lr_core::plateau::{ReduceOnPlateau, ThresholdMode};
use burn_lr_core::schedules::{ConstantLr, CosineAnnealingLr, MultiStepLr, OneCycleLr};
use burn_lr_core::{Spec, Timing};
use burn_lr_examples::arithmetic;
use burn_lr_examples::report::EpochRow;
use burn_lr_examples::run::DigitsRun;
use burn_lr_plot::{Chart, Series};

const SEEDS: [u64; 5] = [0, 1, 2, 3, 4];
const EPOCHS: u64 = 20;
const BATCH: usize = 64;
const BASE_LR: f64 = 1e-2;
const TARGET: f64 = 95.0;
const GRID: [f64; 6] = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
const TRANSFORMER_EPOCHS: usize = 30;

fn run(name: &str, seed: u64) -> DigitsRun {
    DigitsRun {
        name: format!("evidence/{name}-s{seed}"),
        epochs: EPOCHS as usize,
        batch_size: BATCH,
        base_lr: BASE_LR,
        seed,
        classes: 0..10,
    }
}

/// Trains one schedule with its hook (which feeds a plateau spec).
fn train(name: &str, seed: u64, base_lr: f64, schedule: &Spec) -> Vec<EpochRow> {
    let mut run = run(name, seed);
    run.base_lr = base_lr;
    let lr = schedule
        .clone()
        .with_steps_per_epoch(run.steps_per_epoch())
        .init(base_lr)
        .expect("harness specs are valid");
    let hook = lr.hook();
    // burn's Adam, or the same Adam (its epsilon, 1e-5) following a cycled beta1.
    let optim = match lr.momentum() {
        Some(momentum) => CycledAdamConfig::new()
            .with_eps(1e-5)
            .init(momentum)
            .expect("no weight-decay schedule to validate"),
        None => AdamConfig::new().init(),
    };
    let rows = run.launch(run.model(), optim, lr, |t| t.early_stopping(hook));
    rows.expect("training runs").rows
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn main() {
    let constant = || Spec::new(ConstantLr::new(1.0, 1));
    let schedules: [(&str, Spec); 4] = [
        ("constant", constant()),
        (
            "step",
            Spec::new(MultiStepLr::new([10, 15]).with_gamma(0.1)).in_epochs(Timing::Epoch),
        ),
        (
            "warmup+cosine",
            Spec::new(CosineAnnealingLr::new(18))
                .in_epochs(Timing::Iteration)
                .with_warmup(2, 0.01),
        ),
        (
            "plateau",
            constant().with_plateau(
                ReduceOnPlateau::new()
                    .with_factor(0.5)
                    .with_patience(1)
                    .with_threshold(0.01, ThresholdMode::Rel),
            ),
        ),
    ];
    let mut report = String::new();
    let mut curves: Vec<Series> = Vec::new();
    let _ = writeln!(
        report,
        "# Evidence on the digits data\n\nProduced by `cargo run --release -p burn-lr-examples --example evidence`. \
         MLP 64-128-10, Adam, batch {BATCH}, {EPOCHS} epochs ({} updates each), 1437 training / 360 validation \
         images, seeds {SEEDS:?} (the seed sets the split, the shuffling and the initial weights). Base LR {BASE_LR} \
         unless stated. Target accuracy for \"epochs to target\": {TARGET}%.\n",
        run("x", 0).steps_per_epoch()
    );
    let _ = writeln!(
        report,
        "## Schedules\n\n| schedule | final accuracy (mean +- std) | epochs to {TARGET}% (mean; runs that never reach it) |\n| --- | --- | --- |"
    );
    let hand_offs: Vec<_> = SEEDS.iter().map(|&s| run("finder", s).hand_off()).collect();
    let finder: Vec<f64> = hand_offs.iter().map(|h| h.max_lr).collect();
    let one_cycle =
        |lr: f64| Spec::new(OneCycleLr::new(lr, EPOCHS * run("x", 0).steps_per_epoch()));
    let mut all: Vec<(String, Vec<Vec<EpochRow>>)> = schedules
        .iter()
        .map(|(name, spec)| {
            (
                name.to_string(),
                SEEDS
                    .iter()
                    .map(|&s| train(name, s, BASE_LR, spec))
                    .collect(),
            )
        })
        .collect();
    all.push((
        "one-cycle (max_lr from the finder), momentum cycled 0.95-0.85".into(),
        SEEDS
            .iter()
            .zip(&finder)
            .map(|(&s, &lr)| train("one-cycle", s, 1.0, &one_cycle(lr)))
            .collect(),
    ));
    let fixed = |lr: f64| {
        Spec::new(
            OneCycleLr::new(lr, EPOCHS * run("x", 0).steps_per_epoch()).without_momentum_cycling(),
        )
    };
    all.push((
        "one-cycle (max_lr from the finder), fixed beta1 0.9".into(),
        SEEDS
            .iter()
            .zip(&finder)
            .map(|(&s, &lr)| train("one-cycle-fixed", s, 1.0, &fixed(lr)))
            .collect(),
    ));
    for (name, runs) in &all {
        let finals: Vec<f64> = runs
            .iter()
            .map(|rows| rows.last().map_or(f64::NAN, |r| r.valid_accuracy))
            .collect();
        let reach: Vec<f64> = runs
            .iter()
            .filter_map(|rows| {
                rows.iter()
                    .find(|r| r.valid_accuracy >= TARGET)
                    .map(|r| r.epoch as f64)
            })
            .collect();
        let (mean, std) = mean_std(&finals);
        let reach_text = if reach.is_empty() {
            "never".to_string()
        } else {
            format!(
                "{:.1}; {} of {} never",
                mean_std(&reach).0,
                runs.len() - reach.len(),
                runs.len()
            )
        };
        let _ = writeln!(report, "| {name} | {mean:.2}% +- {std:.2} | {reach_text} |");
        let per_epoch: Vec<(f64, f64)> = (0..EPOCHS as usize)
            .map(|e| {
                (
                    e as f64 + 1.0,
                    mean_std(&runs.iter().map(|r| r[e].valid_accuracy).collect::<Vec<_>>()).0,
                )
            })
            .collect();
        curves.push(Series::new(name.clone(), per_epoch));
    }

    // The finder against a grid search of the warmup + cosine base LR.
    let _ = writeln!(
        report,
        "\n## The LR finder against a grid search\n\nWarmup + cosine at each LR of the grid, over the same seeds:\n\n| base LR | final accuracy (mean +- std) |\n| --- | --- |"
    );
    let mut best = (0.0, f64::NEG_INFINITY);
    for lr in GRID {
        let finals: Vec<f64> = SEEDS
            .iter()
            .map(|&s| {
                train(&format!("grid-{lr}"), s, lr, &schedules[2].1)
                    .last()
                    .map_or(f64::NAN, |r| r.valid_accuracy)
            })
            .collect();
        let (mean, std) = mean_std(&finals);
        if mean > best.1 {
            best = (lr, mean);
        }
        let _ = writeln!(report, "| {lr:e} | {mean:.2}% +- {std:.2} |");
    }
    let bases: Vec<f64> = hand_offs.iter().map(|h| h.lr).collect();
    let at_finder: Vec<f64> = SEEDS
        .iter()
        .zip(&bases)
        .map(|(&s, &lr)| {
            train("grid-finder", s, lr, &schedules[2].1)
                .last()
                .map_or(f64::NAN, |r| r.valid_accuracy)
        })
        .collect();
    let (mean, std) = mean_std(&at_finder);
    let geo = (bases.iter().map(|lr| lr.ln()).sum::<f64>() / bases.len() as f64).exp();
    let finder_text: Vec<String> = bases.iter().map(|lr| format!("{lr:.2e}")).collect();
    let _ = writeln!(
        report,
        "| the finder's hand-off, per seed | {mean:.2}% +- {std:.2} |\n\nBest grid LR: {:e} ({:.2}%). The finder's \
         default hand-off for warmup + cosine over the run's {} updates, per seed: {} (geometric mean {geo:.2e}, \
         {:.2}x the best grid LR); one-cycle gets {:.2}x it.\n",
        best.0,
        best.1,
        hand_offs.first().map_or(0, |h| h.updates),
        finder_text.join(", "),
        geo / best.0,
        burn_lr_finder::rule::WARMUP_COSINE_DIVISOR / burn_lr_finder::rule::ONE_CYCLE_DIVISOR
    );
    // The transformer with and without warmup at high LRs.
    let _ = writeln!(
        report,
        "## Transformers without warmup\n\nA 2-layer post-norm transformer (width 64) on `a + b mod 23`, Adam, \
         {TRANSFORMER_EPOCHS} epochs, constant LR with or without a linear warmup from 0 over the first 10% of the \
         updates. A run diverged when its final training loss stays above 90% of chance (`ln 23`).\n\n\
         | LR | warmup | diverged seeds | final training loss per seed |\n| --- | --- | --- | --- |"
    );
    for row in arithmetic::warmup_study(&SEEDS, &[3e-3, 1e-2, 3e-2], TRANSFORMER_EPOCHS) {
        let _ = writeln!(
            report,
            "| {:e} | {} | {} of {} | {} |",
            row.lr,
            if row.warmup { "yes" } else { "no" },
            row.diverged(),
            SEEDS.len(),
            row.final_losses().join(", ")
        );
    }
    let _ = writeln!(report, "\n![validation accuracy](evidence-accuracy.png)");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    std::fs::create_dir_all(&docs).expect("docs/ can be created");
    let mut chart = Chart::new(
        "digits: mean validation accuracy over 5 seeds",
        "epoch",
        "accuracy (%)",
    );
    for series in curves {
        chart = chart.series(series);
    }
    chart = chart.legend_lower_left();
    if let Err(e) = chart.save(docs.join("evidence-accuracy.png")) {
        eprintln!("evidence: {e}");
    }
    std::fs::write(docs.join("evidence.md"), &report).expect("docs/evidence.md can be written");
    println!("{report}");
}
