//! The LR-finder benchmark (see `docs/finder-benchmark.md`).
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- grid     # the trainings (minutes)
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- curves   # the range tests
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- report   # scores, docs and plots
//! cargo run --release -p burn-lr-examples --example finder_benchmark -- all      # the three in turn
//! ```

use burn_lr_examples::finder_bench::{data, tasks};

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
    if step == "explore" {
        return explore();
    }
    if !matches!(step, "grid" | "curves" | "report" | "all") {
        return Err(format!("unknown step `{step}`: expected grid, curves, report or all"));
    }
    if all || step == "grid" {
        data::write_grid(&dir, &data::run_grid(&tasks::all())?)?;
    }
    if all || step == "curves" {
        data::write_sweeps(&dir, &data::run_sweeps(&tasks::all())?)?;
    }
    Ok(())
}

pub fn explore() -> Result<(), String> {
    use burn_lr_examples::finder_bench::{band::Band, score};
    let dir = data::directory();
    let grid = data::read_grid(&dir)?;
    let sweeps = data::read_sweeps(&dir)?;
    for schedule in ["warmup_cosine", "one_cycle"] {
        let bands: Vec<Band> = tasks::all().iter().filter_map(|t| Band::from_grid(&grid, t.name(), schedule)).collect();
        for b in &bands {
            println!("{schedule} {} best {:.3e} band {:.3e}..{:.3e} collapse {:?}", b.task, b.best_lr(), b.range().0, b.range().1, b.collapse_lr());
        }
        let brefs: Vec<&Band> = bands.iter().collect();
        for n in [50, 100, 200] {
            let runs: Vec<&data::SweepRun> = sweeps.iter().filter(|r| r.num_iter == n).collect();
            for f in score::families() {
                let h = score::leave_one_task_out(&f, &runs, &brefs);
                let per: Vec<String> = h.tasks.iter().map(|(_, s, sc)| format!("{}({})", sc.in_band, f.settings[*s].0)).collect();
                println!("{schedule} n{n} {:16} in {:3}/{} coll {} med {:.2} worst {:.2} | {}", f.name, h.total.in_band, h.total.curves, h.total.collapses, h.total.median_error(), h.total.worst_error(), per.join(" "));
            }
        }
    }
    Ok(())
}
