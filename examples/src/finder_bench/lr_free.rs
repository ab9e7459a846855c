//! Learning-rate-free trainings on the benchmark's tasks: Prodigy and
//! D-Adapt Adam at base LR 1 under warmup + cosine, stored as CSV
//! (`examples/data/lr-free/runs.csv`) to set against the grid's tuned runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::optim::ModuleOptimizer;
use burn_lr_core::optim::lr_free::{DAdaptAdamConfig, LrFree, ProdigyConfig};

use super::tasks::Task;

/// The run length of the comparison, in updates (the grid's middle length).
pub const UPDATES: u64 = 1000;
/// The seeds (the grid's seeds at [`UPDATES`]).
pub const SEEDS: [u64; 2] = [0, 1];

/// The learning-rate-free optimizers compared, with the packages' defaults
/// (no weight decay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LrFreeChoice {
    /// Prodigy with `safeguard_warmup` on (its authors' advice with a warmup).
    Prodigy,
    /// D-Adapt Adam.
    DAdaptAdam,
}

impl LrFreeChoice {
    /// Both, in report order.
    pub const ALL: [LrFreeChoice; 2] = [LrFreeChoice::Prodigy, LrFreeChoice::DAdaptAdam];

    /// The name in the data files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Prodigy => "prodigy",
            Self::DAdaptAdam => "dadapt_adam",
        }
    }

    /// The name in the report.
    pub fn title(self) -> &'static str {
        match self {
            Self::Prodigy => "Prodigy",
            Self::DAdaptAdam => "D-Adapt Adam",
        }
    }

    /// The optimizer and its handle.
    pub fn init(self) -> Result<(ModuleOptimizer, LrFree), String> {
        match self {
            Self::Prodigy => ProdigyConfig::new().with_safeguard_warmup(true).init(),
            Self::DAdaptAdam => DAdaptAdamConfig::new().init(),
        }
        .map_err(|e| e.to_string())
    }

    fn parse(name: &str) -> Option<LrFreeChoice> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One learning-rate-free training.
#[derive(Debug, Clone, PartialEq)]
pub struct LrFreeRun {
    /// Task name.
    pub task: String,
    /// The optimizer.
    pub optimizer: LrFreeChoice,
    /// Length of the run, in updates.
    pub updates: u64,
    /// Seed of the initial weights and batch order.
    pub seed: u64,
    /// Final validation loss (infinite when training blew up).
    pub valid_loss: f64,
    /// Final value of the task's metric (NaN when training blew up).
    pub metric: f64,
}

/// Where the measurements live (in the repository).
pub fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lr-free")
}

/// Trains every task with each optimizer, [`UPDATES`] updates, each seed
/// of [`SEEDS`], printing each run's time.
pub fn run(tasks: &[Box<dyn Task>]) -> Result<Vec<LrFreeRun>, String> {
    let mut runs = Vec::new();
    for task in tasks {
        for optimizer in LrFreeChoice::ALL {
            for seed in SEEDS {
                let start = Instant::now();
                let outcome = task.train_lr_free(seed, optimizer, UPDATES)?;
                eprintln!(
                    "{} {} seed {seed}: metric {:.4} ({:.1} s)",
                    task.name(),
                    optimizer.name(),
                    outcome.metric,
                    start.elapsed().as_secs_f64()
                );
                runs.push(LrFreeRun {
                    task: task.name().into(),
                    optimizer,
                    updates: UPDATES,
                    seed,
                    valid_loss: outcome.valid_loss,
                    metric: outcome.metric,
                });
            }
        }
    }
    Ok(runs)
}

const HEADER: &str = "task,optimizer,updates,seed,valid_loss,metric\n";

/// Writes the runs to `runs.csv` under `dir`.
pub fn write(dir: &Path, runs: &[LrFreeRun]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut text = String::from(HEADER);
    for r in runs {
        let _ = writeln!(
            text,
            "{},{},{},{},{:?},{:?}",
            r.task,
            r.optimizer.name(),
            r.updates,
            r.seed,
            r.valid_loss,
            r.metric
        );
    }
    let path = dir.join("runs.csv");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads `runs.csv` under `dir`.
pub fn read(dir: &Path) -> Result<Vec<LrFreeRun>, String> {
    let path = dir.join("runs.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(n, line)| {
            let bad = || format!("{} line {}: `{line}`", path.display(), n + 2);
            let f: Vec<&str> = line.split(',').collect();
            let [task, optimizer, updates, seed, loss, metric] = f.as_slice() else {
                return Err(bad());
            };
            Ok(LrFreeRun {
                task: task.to_string(),
                optimizer: LrFreeChoice::parse(optimizer).ok_or_else(bad)?,
                updates: updates.parse().map_err(|_| bad())?,
                seed: seed.parse().map_err(|_| bad())?,
                valid_loss: loss.parse().map_err(|_| bad())?,
                metric: metric.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}
