//! The learning-rate-free comparison's stored measurements: every task with
//! grid data has both optimizers' runs on the grid's seeds, and
//! `docs/lr-free.md` is what they say.

use burn_lr_examples::finder_bench::lr_free::{self, LrFreeChoice, SEEDS};
use burn_lr_examples::finder_bench::{data, lr_free_report, tasks};

fn rows() -> Vec<lr_free_report::Row> {
    let grid = data::read_grid(&data::directory()).unwrap();
    let runs = lr_free::read(&lr_free::directory()).unwrap();
    lr_free_report::rows(&tasks::all(), &grid, &runs)
}

#[test]
fn every_task_with_grid_data_has_both_optimizers_on_every_seed() {
    let grid = data::read_grid(&data::directory()).unwrap();
    let runs = lr_free::read(&lr_free::directory()).unwrap();
    for task in tasks::all() {
        if !grid.iter().any(|r| r.task == task.name()) {
            continue;
        }
        for optimizer in LrFreeChoice::ALL {
            let seeds: Vec<u64> = runs
                .iter()
                .filter(|r| r.task == task.name() && r.optimizer == optimizer)
                .map(|r| r.seed)
                .collect();
            assert_eq!(seeds, SEEDS, "{} {}", task.name(), optimizer.name());
        }
    }
}

#[test]
fn the_report_is_what_the_measurements_say() {
    let grid = data::read_grid(&data::directory()).unwrap();
    let missing: Vec<String> = tasks::all()
        .iter()
        .filter(|t| !grid.iter().any(|r| r.task == t.name()))
        .map(|t| t.name().to_string())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    lr_free_report::write(&rows(), &missing, dir.path()).unwrap();
    burn_lr_tests::assert_doc_is_fresh(dir.path(), "lr-free.md", "lr_free_evidence", "report");
}
