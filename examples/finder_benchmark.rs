//! The LR-finder benchmark (see `docs/finder-benchmark.md`).
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- grid     # the trainings (about 40 min)
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- curves   # the range tests (minutes)
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- report   # scores, docs and plots
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- all      # the three in turn
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- tuner    # live searches (about 40 min; recorded trials are reused)
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- tuner-report
//! ```
//!
//! `grid` and `curves` take task names to run only those (`-- grid digits-mlp-sgd`);
//! the grid writes one file per task, so tasks can run in parallel processes.

use burn_lr_examples::finder_bench::{data, report, tasks, tuner};

fn main() {
    let mut args = std::env::args().skip(1);
    let step = args.next().unwrap_or_else(|| "report".into());
    let only: Vec<String> = args.collect();
    if let Err(error) = run(&step, &only) {
        eprintln!("finder_benchmark: {error}");
        std::process::exit(1);
    }
}

/// The benchmark's tasks, or those named in `only`.
fn tasks(only: &[String]) -> Result<Vec<Box<dyn tasks::Task>>, String> {
    let all = tasks::all();
    if let Some(unknown) = only
        .iter()
        .find(|n| !all.iter().any(|t| t.name() == n.as_str()))
    {
        return Err(format!("unknown task `{unknown}`"));
    }
    Ok(all
        .into_iter()
        .filter(|t| only.is_empty() || only.iter().any(|n| n == t.name()))
        .collect())
}

fn run(step: &str, only: &[String]) -> Result<(), String> {
    let dir = data::directory();
    let all = step == "all";
    if !matches!(
        step,
        "grid" | "curves" | "report" | "all" | "tuner" | "tuner-report"
    ) {
        return Err(format!(
            "unknown step `{step}`: expected grid, curves, report, all, tuner or tuner-report"
        ));
    }
    if step == "tuner" {
        for task in tasks(only)? {
            let path = dir
                .join("tuner")
                .join(format!("{}.trials.csv", task.name()));
            let mut trials = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| format!("{}\n", tuner::TRIALS_HEADER));
            let answers = tuner::run_task(task.as_ref(), &mut trials)?;
            tuner::write(&dir, task.name(), &answers, &trials)?;
        }
        return Ok(());
    }
    if step == "tuner-report" {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        let table = tuner::report(&tasks::all(), &data::read_grid(&dir)?, &tuner::read(&dir)?);
        let path = docs.join(tuner::REPORT);
        std::fs::write(&path, table).map_err(|e| e.to_string())?;
        println!("wrote {}", path.display());
        return Ok(());
    }
    if all || step == "grid" {
        data::write_grid(&dir, &data::run_grid(&tasks(only)?)?)?;
    }
    if all || step == "curves" {
        data::write_sweeps(&dir, &data::run_sweeps(&tasks(only)?)?)?;
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
