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
    if step == "dump" {
        return dump();
    }
    if step == "explore" {
        return explore();
    }
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
    Ok(())
}

pub fn explore() -> Result<(), String> {
    use burn_lr_examples::finder_bench::{band::Band, score};
    let dir = data::directory();
    let grid = data::read_grid(&dir)?;
    let sweeps = data::read_sweeps(&dir)?;
    let bands: Vec<Vec<Band>> = ["warmup_cosine", "one_cycle"]
        .iter()
        .map(|schedule| {
            tasks::all()
                .iter()
                .filter_map(|t| Band::from_grid(&grid, t.name(), schedule))
                .collect()
        })
        .collect();
    let sched: Vec<&[Band]> = bands.iter().map(|b| b.as_slice()).collect();
    for n in [50, 100, 200] {
        let runs: Vec<&data::SweepRun> = sweeps.iter().filter(|r| r.num_iter == n).collect();
        for f in score::families() {
            let h = score::leave_one_task_out(&f, &runs, &sched);
            let all = score::fit(&f, &runs, &sched);
            let per: Vec<String> = h
                .tasks
                .iter()
                .map(|(_, _, sc)| format!("{}/{}", sc[0].in_band, sc[1].in_band))
                .collect();
            println!(
                "n{n} {:20} obj {:3} wc {:2}/{} c{} med {:.2} | oc {:2}/{} c{} med {:.2} | {} | all: {}",
                f.name,
                h.objective(),
                h.total[0].in_band,
                h.total[0].curves,
                h.total[0].collapses,
                h.total[0].median_error(),
                h.total[1].in_band,
                h.total[1].curves,
                h.total[1].collapses,
                h.total[1].median_error(),
                per.join(" "),
                all.label(&f)
            );
        }
    }
    Ok(())
}

pub fn dump() -> Result<(), String> {
    use burn_lr_finder::floor::valley_floor;
    let dir = data::directory();
    let sweeps = data::read_sweeps(&dir)?;
    for r in sweeps.iter() {
        let c = &r.curve;
        let f = valley_floor(&c.lrs, &c.raw_losses).unwrap();
        println!(
            "{:22} n{:3} s{} {:10} pts {:3} low {:3} min {:3} high {:3} fall {:.3} noise {:.4}",
            r.task,
            r.num_iter,
            r.seed,
            r.stop,
            c.len(),
            f.low,
            f.minimum,
            f.high,
            f.relative_fall,
            f.noise
        );
    }
    Ok(())
}
