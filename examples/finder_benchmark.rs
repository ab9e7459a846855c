//! The LR-finder benchmark (see `docs/finder-benchmark.md`).
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- grid     # the trainings (minutes)
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- curves   # the range tests
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- report   # scores, docs and plots
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- all      # the three in turn
//! ```

use burn_lr_examples::finder_bench::{data, report, tasks};

fn main() {
    let step = std::env::args().nth(1).unwrap_or_else(|| "report".into());
    if let Err(error) = run(&step) {
        eprintln!("finder_benchmark: {error}");
        std::process::exit(1);
    }
}

fn run(step: &str) -> Result<(), String> {
    let dir = data::directory();
    let all = step == "all";
    if !matches!(step, "grid" | "curves" | "report" | "all") {
        return Err(format!(
            "unknown step `{step}`: expected grid, curves, report or all"
        ));
    }
    if all || step == "grid" {
        data::write_grid(&dir, &data::run_grid(&tasks::all())?)?;
    }
    if all || step == "curves" {
        data::write_sweeps(&dir, &data::run_sweeps(&tasks::all())?)?;
    }
    if all || step == "report" {
        let tasks = tasks::all();
        let analysis =
            report::Analysis::new(&tasks, &data::read_grid(&dir)?, data::read_sweeps(&dir)?);
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        report::write(&tasks, &analysis, &docs)?;
        println!("wrote {}", docs.join("finder-benchmark.md").display());
    }
    Ok(())
}
