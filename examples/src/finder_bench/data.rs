//! Producing the benchmark's measurements and storing them as CSV: the grid
//! (`grid.csv`, `untrained.csv`) and the range-test curves (`curves/`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use burn_lr_finder::{Curve, FinderConfig, Method, RangeTest, Stop};

use super::tasks::{GridSchedule, Task};
use super::{GRID_SEEDS, SWEEP_LENGTHS, SWEEP_SEEDS, grid_lrs};

/// Where the measurements live (in the repository).
pub fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/finder-benchmark")
}

/// One grid training.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRun {
    /// Task name.
    pub task: String,
    /// Schedule name (`warmup_cosine`, `one_cycle`; `untrained` for the
    /// model before training, with `peak_lr` 0).
    pub schedule: String,
    /// Seed of the initial weights and batch order.
    pub seed: u64,
    /// Peak LR of the schedule.
    pub peak_lr: f64,
    /// Final validation loss (infinite when training blew up).
    pub valid_loss: f64,
}

/// One range test's curve.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// Task name.
    pub task: String,
    /// Updates the sweep was asked for.
    pub num_iter: usize,
    /// Seed of the initial weights and batch order.
    pub seed: u64,
    /// Why the sweep ended (`completed`, `diverged`, `non_finite`, `failed`).
    pub stop: String,
    /// Its points, with raw losses.
    pub curve: Curve,
}

impl SweepRun {
    /// The sweep as the finder returns it (the stop reason does not change
    /// the suggestions, which is all it is read for).
    pub fn range_test(&self) -> RangeTest<()> {
        RangeTest {
            model: (),
            curve: self.curve.clone(),
            stop: Stop::Completed,
            num_iter: self.num_iter,
        }
    }

    /// The LR `method` suggests, as `Learner.lr_find` (or, for `descent`, the
    /// library) reads the curve.
    pub fn suggestion(&self, method: Method) -> Option<f64> {
        self.range_test().suggestion(method).map(|s| s.lr)
    }
}

/// The range test's settings: the finder's defaults, without a progress bar.
pub fn finder_config(num_iter: usize) -> FinderConfig {
    FinderConfig {
        num_iter,
        progress: false,
        ..FinderConfig::default()
    }
}

/// Trains every task with every schedule at every grid LR and seed, and
/// measures the untrained models.
pub fn run_grid(tasks: &[Box<dyn Task>]) -> Result<Vec<GridRun>, String> {
    let mut runs = Vec::new();
    for task in tasks {
        let started = std::time::Instant::now();
        for seed in GRID_SEEDS {
            let mut record = |schedule: &str, peak_lr, valid_loss| {
                runs.push(GridRun {
                    task: task.name().into(),
                    schedule: schedule.into(),
                    seed,
                    peak_lr,
                    valid_loss,
                })
            };
            record("untrained", 0.0, task.untrained_loss(seed)?);
            for schedule in GridSchedule::ALL {
                for lr in grid_lrs() {
                    record(schedule.name(), lr, task.train(seed, schedule, lr)?);
                }
            }
        }
        eprintln!("{}: grid in {:.1?}", task.name(), started.elapsed());
    }
    Ok(runs)
}

/// Runs the range tests of every task, sweep length and seed.
pub fn run_sweeps(tasks: &[Box<dyn Task>]) -> Result<Vec<SweepRun>, String> {
    let mut runs = Vec::new();
    for task in tasks {
        for num_iter in SWEEP_LENGTHS {
            for seed in SWEEP_SEEDS {
                let sweep = task.range_test(seed, &finder_config(num_iter))?;
                let stop = match sweep.stop {
                    Stop::Completed => "completed",
                    Stop::Diverged { .. } => "diverged",
                    Stop::NonFinite { .. } => "non_finite",
                    Stop::Failed { message } => return Err(format!("{}: {message}", task.name())),
                };
                runs.push(SweepRun {
                    task: task.name().into(),
                    num_iter,
                    seed,
                    stop: stop.into(),
                    curve: sweep.curve,
                });
            }
        }
        eprintln!("{}: range tests done", task.name());
    }
    Ok(runs)
}

fn io(path: &Path, error: std::io::Error) -> String {
    format!("{}: {error}", path.display())
}

/// Writes `grid.csv` under `dir`.
pub fn write_grid(dir: &Path, runs: &[GridRun]) -> Result<(), String> {
    let mut text = String::from("task,schedule,seed,peak_lr,valid_loss\n");
    for r in runs {
        let _ = writeln!(
            text,
            "{},{},{},{:?},{:?}",
            r.task, r.schedule, r.seed, r.peak_lr, r.valid_loss
        );
    }
    let path = dir.join("grid.csv");
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    std::fs::write(&path, text).map_err(|e| io(&path, e))
}

/// Reads `grid.csv` under `dir`.
pub fn read_grid(dir: &Path) -> Result<Vec<GridRun>, String> {
    let path = dir.join("grid.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(n, line)| {
            let bad = || format!("{} line {}: `{line}`", path.display(), n + 2);
            let f: Vec<&str> = line.split(',').collect();
            let [task, schedule, seed, lr, loss] = f.as_slice() else {
                return Err(bad());
            };
            Ok(GridRun {
                task: task.to_string(),
                schedule: schedule.to_string(),
                seed: seed.parse().map_err(|_| bad())?,
                peak_lr: lr.parse().map_err(|_| bad())?,
                valid_loss: loss.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn curve_name(task: &str, num_iter: usize, seed: u64) -> String {
    format!("{task}-n{num_iter}-s{seed}.csv")
}

/// Writes each curve to `curves/<task>-n<num_iter>-s<seed>.csv` and their
/// index (`curves/index.csv`: task, num_iter, seed, stop) under `dir`.
pub fn write_sweeps(dir: &Path, runs: &[SweepRun]) -> Result<(), String> {
    let curves = dir.join("curves");
    std::fs::create_dir_all(&curves).map_err(|e| io(&curves, e))?;
    let mut index = String::from("task,num_iter,seed,stop\n");
    for r in runs {
        let _ = writeln!(index, "{},{},{},{}", r.task, r.num_iter, r.seed, r.stop);
        let path = curves.join(curve_name(&r.task, r.num_iter, r.seed));
        std::fs::write(&path, r.curve.to_csv()).map_err(|e| io(&path, e))?;
    }
    let path = curves.join("index.csv");
    std::fs::write(&path, index).map_err(|e| io(&path, e))
}

/// Reads the curves listed in `curves/index.csv` under `dir`.
pub fn read_sweeps(dir: &Path) -> Result<Vec<SweepRun>, String> {
    let curves = dir.join("curves");
    let path = curves.join("index.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    text.lines()
        .skip(1)
        .map(|line| {
            let bad = || format!("{}: bad line `{line}`", path.display());
            let f: Vec<&str> = line.split(',').collect();
            let [task, num_iter, seed, stop] = f.as_slice() else {
                return Err(bad());
            };
            let (num_iter, seed) = (
                num_iter.parse().map_err(|_| bad())?,
                seed.parse().map_err(|_| bad())?,
            );
            let file = curves.join(curve_name(task, num_iter, seed));
            let text = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
            let (curve, _) =
                Curve::parse_csv(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(SweepRun {
                task: task.to_string(),
                num_iter,
                seed,
                stop: stop.to_string(),
                curve,
            })
        })
        .collect()
}
