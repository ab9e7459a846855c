//! Zero tuning against a tuned grid (see `docs/lr-free.md`): Prodigy and
//! D-Adapt Adam at base LR 1 on the finder benchmark's tasks, against the
//! grid's best LR for each task's own optimizer.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example lr_free_evidence -- run      # the trainings (minutes)
//! cargo run --release -p burn-lr-examples --example lr_free_evidence -- report   # docs/lr-free.md and .png
//! cargo run --release -p burn-lr-examples --example lr_free_evidence -- all      # both in turn
//! ```
//!
//! Tasks without grid data are left out.

use burn_lr_examples::finder_bench::{data, lr_free, lr_free_report, tasks};

fn main() {
    let step = std::env::args().nth(1).unwrap_or_else(|| "report".into());
    if let Err(error) = run(&step) {
        eprintln!("lr_free_evidence: {error}");
        std::process::exit(1);
    }
}

fn run(step: &str) -> Result<(), String> {
    if !matches!(step, "run" | "report" | "all") {
        return Err(format!(
            "unknown step `{step}`: expected run, report or all"
        ));
    }
    let grid = data::read_grid(&data::directory())?;
    let (with_grid, missing): (Vec<_>, Vec<_>) = tasks::all()
        .into_iter()
        .partition(|t| grid.iter().any(|r| r.task == t.name()));
    let missing: Vec<String> = missing.iter().map(|t| t.name().to_string()).collect();
    let dir = lr_free::directory();
    if step != "report" {
        lr_free::write(&dir, &lr_free::run(&with_grid)?)?;
    }
    if step != "run" {
        let rows = lr_free_report::rows(&with_grid, &grid, &lr_free::read(&dir)?);
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        lr_free_report::write(&rows, &missing, &docs)?;
        println!("wrote {}", docs.join("lr-free.md").display());
    }
    Ok(())
}
