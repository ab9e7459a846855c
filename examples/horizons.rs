//! Training without a fixed horizon, measured on the digits data (5 seeds):
//! schedule-free AdamW against warmup + cosine AdamW, each at its best LR of a
//! grid (and on the tiny transformer); warmup-stable-decay with a `1-sqrt` cooldown of 10% and 20% against
//! cosine over the same budget; and many horizons from one stable run, each a
//! cooldown branched off its checkpoint, against a cosine trained for exactly
//! that horizon. Writes `docs/horizons.md` and `docs/horizons.png`.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example horizons
//! ```

use std::fmt::Write as _;
use std::path::Path;

use burn::optim::AdamWConfig;
use burn_lr_core::Spec;
use burn_lr_core::optim::schedule_free::{Averaged, ScheduleFreeAdamWConfig};
use burn_lr_core::schedules::{ConstantLr, CosineAnnealingLr};
use burn_lr_core::spec::Cooldown;
use burn_lr_examples::arithmetic::{Optimization, train_with};
use burn_lr_examples::run::DigitsRun;
use burn_lr_plot::{Chart, Series};

const SEEDS: [u64; 5] = [0, 1, 2, 3, 4];
const EPOCHS: u64 = 20;
const WARMUP_EPOCHS: u64 = 2;
const GRID: [f64; 4] = [1e-3, 3e-3, 1e-2, 3e-2];
const HORIZONS: [u64; 4] = [5, 10, 15, 20];
const TRANSFORMER_EPOCHS: usize = 30;
const TRANSFORMER_GRID: [f64; 3] = [1e-3, 3e-3, 1e-2];

type Error = Box<dyn std::error::Error>;

fn run(name: &str, seed: u64, epochs: u64) -> DigitsRun {
    DigitsRun {
        name: format!("horizons/{name}-s{seed}"),
        epochs: epochs as usize,
        batch_size: 64,
        base_lr: 0.0,
        seed,
        classes: 0..10,
    }
}

/// A warmup of 2 epochs from 1%, then `after` (in updates).
fn warmed(steps: u64, after: impl Into<burn_lr_core::Schedule>) -> Spec {
    Spec::new(after).with_warmup(WARMUP_EPOCHS * steps, 0.01)
}

/// Warmup + cosine to 0 over `epochs`.
fn cosine(steps: u64, epochs: u64) -> Spec {
    warmed(
        steps,
        CosineAnnealingLr::new((epochs - WARMUP_EPOCHS) * steps),
    )
}

/// Warmup, then a constant LR for as long as the run goes.
fn stable(steps: u64) -> Spec {
    warmed(steps, ConstantLr::new(1.0, 1))
}

fn last_accuracy(rows: &[burn_lr_examples::report::EpochRow]) -> f64 {
    rows.last().map_or(f64::NAN, |r| r.valid_accuracy)
}

/// Final validation accuracy of AdamW under `spec` for `epochs`.
fn adamw(name: &str, seed: u64, epochs: u64, lr: f64, spec: &Spec) -> Result<f64, Error> {
    let run = run(name, seed, epochs);
    let schedule = spec.init(lr)?;
    let trained = run.launch(run.model(), AdamWConfig::new().init(), schedule, |t| t)?;
    Ok(last_accuracy(&trained.rows))
}

/// Final validation accuracy of schedule-free AdamW at the average `x`, and at `y`.
fn schedule_free(seed: u64, lr: f64) -> Result<(f64, f64), Error> {
    let run = run(&format!("schedule-free-{lr:e}"), seed, EPOCHS);
    let warmup = WARMUP_EPOCHS * run.steps_per_epoch();
    let (optim, handle) = ScheduleFreeAdamWConfig::new()
        .with_warmup_steps(warmup)
        .init()?;
    let model = Averaged::new(run.model(), handle);
    let trained = run.launch(model, optim, lr, |t| t)?;
    Ok((
        last_accuracy(&trained.rows),
        run.accuracy(&trained.model.model),
    ))
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn cell(values: &[f64]) -> String {
    let (mean, std) = mean_std(values);
    format!("{mean:.2}% +- {std:.2}")
}

/// Copies the stable run's directory (logs and checkpoints) to start a branch.
fn branch(from: &DigitsRun, to: &DigitsRun) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(to.directory());
    copy_dir(&from.directory(), &to.directory())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Accuracies at every horizon of cooldowns (20% of the horizon, `1-sqrt`
/// to 0) branched off one stable run.
fn branched_horizons(seed: u64, lr: f64) -> Result<Vec<f64>, Error> {
    let steps = run("stable", seed, 1).steps_per_epoch();
    let mut accuracies = Vec::new();
    let mut trained_to = None;
    for horizon in HORIZONS {
        let start = horizon * 4 / 5;
        let main = run("stable", seed, start);
        let scheduler = stable(steps).init(lr)?;
        let optim = AdamWConfig::new().init();
        match trained_to {
            None => main.launch(main.model(), optim, scheduler, |t| {
                t.with_default_checkpointers()
            })?,
            Some(epoch) => main.resume(epoch, main.model(), optim, scheduler, |t| t)?,
        };
        trained_to = Some(start as usize);
        let cooled = run(&format!("branch-{horizon}"), seed, horizon);
        branch(&main, &cooled)?;
        let spec =
            stable(steps).with_cooldown(Cooldown::new(start * steps, (horizon - start) * steps));
        let trained = cooled.resume(
            start as usize,
            cooled.model(),
            AdamWConfig::new().init(),
            // The checkpoint is the stable run's: the cooldown is a deliberate change.
            spec.init(lr)?.allow_spec_change(),
            |t| t,
        )?;
        accuracies.push(last_accuracy(&trained.rows));
    }
    Ok(accuracies)
}

fn main() -> Result<(), Error> {
    let steps = run("x", 0, 1).steps_per_epoch();
    let mut report = String::new();
    writeln!(
        report,
        "# Training without a fixed horizon, on the digits data\n\nProduced by `cargo run --release -p burn-lr-examples --example horizons`. MLP 64-128-10, AdamW (burn's defaults), batch 64, {steps} updates per epoch, seeds {SEEDS:?}; a 2-epoch warmup from 1% everywhere (schedule-free: the optimizer's `warmup_steps`). Accuracy is the final validation accuracy, mean +- std over the seeds.\n"
    )?;

    // Part 1: each optimizer at its best LR of the grid.
    writeln!(
        report,
        "## Schedule-free AdamW against warmup + cosine AdamW ({EPOCHS} epochs)\n"
    )?;
    writeln!(
        report,
        "| LR | warmup + cosine AdamW | schedule-free AdamW at x | schedule-free AdamW at y |"
    )?;
    writeln!(report, "| --- | --- | --- | --- |")?;
    let mut best_cosine = (0.0, f64::NEG_INFINITY);
    let mut best_free = (0.0, f64::NEG_INFINITY);
    for lr in GRID {
        let mut cos = Vec::new();
        let (mut at_x, mut at_y) = (Vec::new(), Vec::new());
        for seed in SEEDS {
            cos.push(adamw(
                &format!("cosine-{lr:e}"),
                seed,
                EPOCHS,
                lr,
                &cosine(steps, EPOCHS),
            )?);
            let (x, y) = schedule_free(seed, lr)?;
            at_x.push(x);
            at_y.push(y);
        }
        writeln!(
            report,
            "| {lr:e} | {} | {} | {} |",
            cell(&cos),
            cell(&at_x),
            cell(&at_y)
        )?;
        if mean_std(&cos).0 > best_cosine.1 {
            best_cosine = (lr, mean_std(&cos).0);
        }
        if mean_std(&at_x).0 > best_free.1 {
            best_free = (lr, mean_std(&at_x).0);
        }
    }
    writeln!(
        report,
        "\nBest LR: warmup + cosine {:e} ({:.2}%), schedule-free {:e} ({:.2}% at x). The column \"at y\" is what validating the training iterate instead of the average gives.\n",
        best_cosine.0, best_cosine.1, best_free.0, best_free.1
    )?;
    let lr = best_cosine.0;

    // Part 1b: the same comparison on the tiny transformer.
    writeln!(
        report,
        "### The tiny transformer ({TRANSFORMER_EPOCHS} epochs)\n\nThe 2-layer post-norm transformer on `a + b mod 23`, a 10% warmup in both (schedule-free: inside the optimizer). Its validation split does not generalize within 30 epochs (accuracy near chance for every optimizer), so the measure is the final training loss (chance: ln 23 = 3.14):\n"
    )?;
    writeln!(
        report,
        "| LR | warmup + cosine AdamW | schedule-free AdamW |\n| --- | --- | --- |"
    )?;
    for lr in TRANSFORMER_GRID {
        let loss = |optimization| -> Vec<f64> {
            SEEDS
                .iter()
                .map(|&seed| {
                    let rows = train_with(seed, lr, optimization, TRANSFORMER_EPOCHS);
                    rows.last().map_or(f64::NAN, |r| r.train_loss)
                })
                .collect()
        };
        let (cos, cos_std) = mean_std(&loss(Optimization::CosineAdamW));
        let (free, free_std) = mean_std(&loss(Optimization::ScheduleFreeAdamW));
        writeln!(
            report,
            "| {lr:e} | {cos:.3} +- {cos_std:.3} | {free:.3} +- {free_std:.3} |"
        )?;
    }
    writeln!(report)?;

    // Part 2: WSD cooldowns against cosine over the same budget.
    writeln!(
        report,
        "## Warmup-stable-decay against cosine ({EPOCHS} epochs, LR {lr:e})\n"
    )?;
    writeln!(report, "| schedule | accuracy |\n| --- | --- |")?;
    let total = EPOCHS * steps;
    let mut rows: Vec<(String, Spec)> = vec![("warmup + cosine".into(), cosine(steps, EPOCHS))];
    for percent in [10, 20] {
        let length = total * percent / 100;
        let spec = stable(steps).with_cooldown(Cooldown::new(total - length, length));
        rows.push((
            format!("WSD, 1-sqrt cooldown over the last {percent}%"),
            spec,
        ));
    }
    for (name, spec) in &rows {
        let accuracies = SEEDS
            .iter()
            .map(|&seed| adamw(&name.replace(' ', "-"), seed, EPOCHS, lr, spec))
            .collect::<Result<Vec<_>, _>>()?;
        writeln!(report, "| {name} | {} |", cell(&accuracies))?;
    }

    // Part 3: many horizons from one stable run.
    writeln!(
        report,
        "\n## Many horizons from one run (LR {lr:e})\n\nOne stable run (warmup + constant) saves a checkpoint every epoch; for each horizon H a branch resumes from the checkpoint of epoch 0.8 H with a `1-sqrt` cooldown to 0 over the last 20%. The alternative trains a separate warmup + cosine for exactly H epochs.\n"
    )?;
    writeln!(
        report,
        "| horizon (epochs) | branched cooldown | cosine for exactly H |\n| --- | --- | --- |"
    )?;
    let mut branched: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    for seed in SEEDS {
        for (i, accuracy) in branched_horizons(seed, lr)?.into_iter().enumerate() {
            branched[i].push(accuracy);
        }
    }
    let (mut chart_branch, mut chart_cosine) = (Vec::new(), Vec::new());
    for (i, horizon) in HORIZONS.into_iter().enumerate() {
        let exact = SEEDS
            .iter()
            .map(|&seed| {
                adamw(
                    &format!("cosine-h{horizon}"),
                    seed,
                    horizon,
                    lr,
                    &cosine(steps, horizon),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        writeln!(
            report,
            "| {horizon} | {} | {} |",
            cell(&branched[i]),
            cell(&exact)
        )?;
        chart_branch.push((horizon as f64, mean_std(&branched[i]).0));
        chart_cosine.push((horizon as f64, mean_std(&exact).0));
    }
    writeln!(report, "\n![accuracy at each horizon](horizons.png)")?;

    let docs = Path::new("docs");
    std::fs::create_dir_all(docs)?;
    Chart::new(
        "digits: accuracy at each horizon",
        "horizon (epochs)",
        "validation accuracy (%)",
    )
    .series(Series::new(
        "cooldown branched off one stable run",
        chart_branch,
    ))
    .series(Series::new(
        "cosine trained for exactly the horizon",
        chart_cosine,
    ))
    .save(docs.join("horizons.png"))?;
    std::fs::write(docs.join("horizons.md"), &report)?;
    println!("\n{report}\nwrote docs/horizons.md and docs/horizons.png");
    Ok(())
}
