//! Producing the benchmark's measurements and storing them as CSV: the grid
//! (`grid/<task>.csv`) and the range-test curves (`curves/`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use burn_lr_finder::{Method, RangeTest, Stop, SweepCurve};

use super::tasks::Task;
use super::{GRID_SEEDS, Recording, SWEEP_SEEDS, grid_lrs, grid_plan};

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
    /// model before training, with `updates` and `peak_lr` 0).
    pub schedule: String,
    /// Length of the run, in optimizer updates.
    pub updates: u64,
    /// Seed of the initial weights and batch order.
    pub seed: u64,
    /// Peak LR of the schedule.
    pub peak_lr: f64,
    /// Final validation loss (infinite when training blew up).
    pub valid_loss: f64,
    /// Final value of the task's metric (NaN when training blew up).
    pub metric: f64,
}

/// One range test's curve.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// Task name.
    pub task: String,
    /// How it was recorded (its name in the data files).
    pub recording: String,
    /// Updates the sweep was asked for.
    pub num_iter: usize,
    /// Seed of the initial weights and batch order.
    pub seed: u64,
    /// Why the sweep ended (`completed`, `diverged`, `non_finite`, `failed`).
    pub stop: String,
    /// Its points, with raw losses.
    pub curve: SweepCurve,
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

/// Whether a run failed outright: it blew up, or kept less than half of
/// what the best run so far gained over the untrained model (loss-like
/// values, lower is better).
fn collapsed(run: f64, best: f64, untrained: f64) -> bool {
    !run.is_finite() || run >= best + 0.5 * (untrained - best)
}

/// Trains every task at every length and seed count of [`grid_plan`], on the
/// grid's LRs from low to high, stopping one LR after the first at which a
/// seed collapses above a best that learned (the band and the collapse LR
/// are then known). The first length starts at the grid's lowest LR; the
/// others four grid points (1.33 decades) below the first length's best,
/// and go further down while their best is the lowest LR tried.
pub fn run_grid(tasks: &[Box<dyn Task>]) -> Result<Vec<GridRun>, String> {
    let mut runs = Vec::new();
    for task in tasks {
        let started = std::time::Instant::now();
        let quality = task.quality();
        let mut untrained = 0.0;
        for seed in GRID_SEEDS {
            let outcome = task.untrained(seed)?;
            untrained += quality.as_loss(outcome.metric) / GRID_SEEDS.len() as f64;
            runs.push(GridRun {
                task: task.name().into(),
                schedule: "untrained".into(),
                updates: 0,
                seed,
                peak_lr: 0.0,
                valid_loss: outcome.valid_loss,
                metric: outcome.metric,
            });
        }
        let lrs = grid_lrs();
        let mut floor = 0;
        for (schedule, updates, seeds) in grid_plan() {
            // Trains one grid LR at every seed; its mean (loss-like) and whether a seed collapsed.
            let mut train = |i: usize, best: f64| -> Result<(f64, bool), String> {
                let mut values = Vec::new();
                for &seed in &GRID_SEEDS[..seeds] {
                    let outcome = task.train(seed, schedule, lrs[i], updates)?;
                    values.push(quality.as_loss(outcome.metric));
                    runs.push(GridRun {
                        task: task.name().into(),
                        schedule: schedule.name().into(),
                        updates,
                        seed,
                        peak_lr: lrs[i],
                        valid_loss: outcome.valid_loss,
                        metric: outcome.metric,
                    });
                }
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let collapse = values.iter().any(|&v| collapsed(v, best, untrained));
                Ok((if mean.is_nan() { f64::INFINITY } else { mean }, collapse))
            };
            let mut best = (f64::INFINITY, floor);
            let mut past_collapse = 0;
            for i in floor..lrs.len() {
                let (mean, collapse) = train(i, best.0)?;
                if mean < best.0 {
                    best = (mean, i);
                }
                if i > best.1 && collapse && quality.learned(best.0, untrained) {
                    past_collapse += 1;
                    if past_collapse == 2 {
                        break;
                    }
                }
            }
            let mut lowest = floor;
            while best.1 == lowest && lowest > 0 {
                lowest -= 1;
                let (mean, _) = train(lowest, best.0)?;
                if mean < best.0 {
                    best = (mean, lowest);
                }
            }
            if floor == 0 {
                floor = best.1.saturating_sub(4);
            }
            eprintln!(
                "{} {} {updates}: best {:.3e} ({:.1?})",
                task.name(),
                schedule.name(),
                lrs[best.1],
                started.elapsed()
            );
        }
    }
    Ok(runs)
}

/// Runs the range tests of every task, recording and seed.
pub fn run_sweeps(tasks: &[Box<dyn Task>]) -> Result<Vec<SweepRun>, String> {
    let mut runs = Vec::new();
    for task in tasks {
        for recording in Recording::all() {
            for seed in SWEEP_SEEDS.iter().take(recording.seeds) {
                let sweep = task.range_test(*seed, &recording.config())?;
                let stop = match sweep.stop {
                    Stop::Completed => "completed",
                    Stop::Diverged { .. } => "diverged",
                    Stop::NonFinite { .. } => "non_finite",
                    Stop::Failed { message } => return Err(format!("{}: {message}", task.name())),
                };
                runs.push(SweepRun {
                    task: task.name().into(),
                    recording: recording.name.clone(),
                    num_iter: recording.num_iter,
                    seed: *seed,
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

/// Writes the runs of each task to `grid/<task>.csv` under `dir`.
pub fn write_grid(dir: &Path, runs: &[GridRun]) -> Result<(), String> {
    let grid = dir.join("grid");
    std::fs::create_dir_all(&grid).map_err(|e| io(&grid, e))?;
    let mut tasks: Vec<&str> = runs.iter().map(|r| r.task.as_str()).collect();
    tasks.dedup();
    for task in tasks {
        let mut text = String::from("task,schedule,updates,seed,peak_lr,valid_loss,metric\n");
        for r in runs.iter().filter(|r| r.task == task) {
            let _ = writeln!(
                text,
                "{},{},{},{},{:?},{:?},{:?}",
                r.task, r.schedule, r.updates, r.seed, r.peak_lr, r.valid_loss, r.metric
            );
        }
        let path = grid.join(format!("{task}.csv"));
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    Ok(())
}

/// Reads every `grid/*.csv` under `dir`.
pub fn read_grid(dir: &Path) -> Result<Vec<GridRun>, String> {
    let grid = dir.join("grid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&grid)
        .map_err(|e| io(&grid, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut runs = Vec::new();
    for path in files {
        runs.extend(read_grid_file(&path)?);
    }
    Ok(runs)
}

fn read_grid_file(path: &Path) -> Result<Vec<GridRun>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(n, line)| {
            let bad = || format!("{} line {}: `{line}`", path.display(), n + 2);
            let f: Vec<&str> = line.split(',').collect();
            let [task, schedule, updates, seed, lr, loss, metric] = f.as_slice() else {
                return Err(bad());
            };
            Ok(GridRun {
                task: task.to_string(),
                schedule: schedule.to_string(),
                updates: updates.parse().map_err(|_| bad())?,
                seed: seed.parse().map_err(|_| bad())?,
                peak_lr: lr.parse().map_err(|_| bad())?,
                valid_loss: loss.parse().map_err(|_| bad())?,
                metric: metric.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn curve_name(task: &str, recording: &str, seed: u64) -> String {
    format!("{task}-{recording}-s{seed}.csv")
}

/// Writes each curve to `curves/<task>-<recording>-s<seed>.csv` and their
/// index (`curves/index.csv`: task, recording, num_iter, seed, stop) under `dir`.
pub fn write_sweeps(dir: &Path, runs: &[SweepRun]) -> Result<(), String> {
    let curves = dir.join("curves");
    std::fs::create_dir_all(&curves).map_err(|e| io(&curves, e))?;
    let mut index = String::from("task,recording,num_iter,seed,stop\n");
    for r in runs {
        let _ = writeln!(
            index,
            "{},{},{},{},{}",
            r.task, r.recording, r.num_iter, r.seed, r.stop
        );
        let path = curves.join(curve_name(&r.task, &r.recording, r.seed));
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
            let [task, recording, num_iter, seed, stop] = f.as_slice() else {
                return Err(bad());
            };
            let (num_iter, seed) = (
                num_iter.parse().map_err(|_| bad())?,
                seed.parse().map_err(|_| bad())?,
            );
            let file = curves.join(curve_name(task, recording, seed));
            let text = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
            let (curve, _) =
                SweepCurve::parse_csv(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(SweepRun {
                task: task.to_string(),
                recording: recording.to_string(),
                num_iter,
                seed,
                stop: stop.to_string(),
                curve,
            })
        })
        .collect()
}
