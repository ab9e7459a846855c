//! The loss-curve laws against trainings (see `docs/loss-law.md`): fit on a
//! constant and a cosine run, predict other schedules, train them, compare.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example loss_law_evidence -- train    # fitted and held-out runs (5 min)
//! cargo run --release -p burn-lr-examples --example loss_law_evidence -- plan     # plan from the fitted runs, train it
//! cargo run --release -p burn-lr-examples --example loss_law_evidence -- report   # docs/loss-law.md and .png
//! cargo run --release -p burn-lr-examples --example loss_law_evidence -- all      # the three in turn
//! ```

use burn_lr_examples::loss_law::{self, PLANNED, Schedule, report};

fn main() {
    let step = std::env::args().nth(1).unwrap_or_else(|| "report".into());
    if let Err(error) = run(&step) {
        eprintln!("loss_law_evidence: {error}");
        std::process::exit(1);
    }
}

fn run(step: &str) -> Result<(), String> {
    if !matches!(step, "train" | "plan" | "report" | "all") {
        return Err(format!(
            "unknown step `{step}`: expected train, plan, report or all"
        ));
    }
    let dir = loss_law::directory();
    if matches!(step, "train" | "all") {
        for schedule in loss_law::fitted().iter().chain(&loss_law::held_out()) {
            loss_law::write(&dir, &loss_law::measure(schedule)?)?;
        }
    }
    if matches!(step, "plan" | "all") {
        // The plan is made from the fitted runs alone, then trained like the others.
        let laws = report::laws(&dir)?;
        let pick = report::plan_pick(&dir, &laws[0])?;
        let path = dir.join(format!("{PLANNED}.json"));
        pick.spec.save(&path).map_err(|e| e.to_string())?;
        let planned = Schedule {
            name: PLANNED.into(),
            updates: loss_law::UPDATES,
            spec: pick.spec,
        };
        loss_law::write(&dir, &loss_law::measure(&planned)?)?;
    }
    if matches!(step, "report" | "all") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        report::write(&dir, &docs)?;
        println!("wrote {}", docs.join("loss-law.md").display());
    }
    Ok(())
}
