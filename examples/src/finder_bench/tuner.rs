//! The tuner on the benchmark, live: for every task, target run and tuner
//! seed, a range test and a search at several budgets, each trial a real
//! training; scored against the grid's bands beside the hand-off and
//! fastai's `minimum` read from the same range test.

use std::fmt::Write as _;
use std::path::Path;

use burn_lr_core::OptimizerKind;
use burn_lr_finder::tune::{self, Bracket, Goal, TunerConfig};
use burn_lr_finder::{Method, Plan, RangeTest, hand_off};

use super::Recording;
use super::band::{Band, Label};
use super::data::GridRun;
use super::tasks::{GridSchedule, LENGTHS, Quality, Task};

/// Seeds of the searches (trials and range tests): the grid used 0-2, the
/// recorded sweeps 100-104.
pub const TUNER_SEEDS: [u64; 3] = [200, 201, 202];
/// Budgets, in target runs.
pub const BUDGETS: [f64; 4] = [0.5, 1.0, 2.0, 3.0];

/// The target runs: warmup + cosine at every length, one-cycle at the middle one.
pub fn targets() -> Vec<(GridSchedule, u64)> {
    let mut t: Vec<(GridSchedule, u64)> = LENGTHS
        .iter()
        .map(|&n| (GridSchedule::WarmupCosine, n))
        .collect();
    t.push((GridSchedule::OneCycle, LENGTHS[1]));
    t
}

/// One answer: a search's, or a curve rule's (budget 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Task name.
    pub task: String,
    /// Schedule name.
    pub schedule: String,
    /// Target length.
    pub updates: u64,
    /// Seed.
    pub seed: u64,
    /// `tuner`, `hand_off` or `fastai_minimum`.
    pub method: String,
    /// Budget in runs (0 for the curve rules).
    pub budget: f64,
    /// The LR, or NaN when there was none (the reason in `note`).
    pub lr: f64,
    /// Updates trained, the range test included.
    pub cost: u64,
    /// `high`/`low`, or the error.
    pub note: String,
}

/// A trial's place in the recorded searches: target schedule and length,
/// seed, budget, peak LR (its bits) and updates.
type TrialKey = (String, u64, u64, String, u64, u64);

/// The recorded trials (CSV, as [`write`] stores them) by their place.
fn recorded_trials(trials: &str) -> std::collections::HashMap<TrialKey, f64> {
    let parse = |line: &str| -> Option<(TrialKey, f64)> {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 10 {
            return None;
        }
        let key = (
            f[1].to_string(),
            f[2].parse().ok()?,
            f[3].parse().ok()?,
            f[4].to_string(),
            f[7].parse::<f64>().ok()?.to_bits(),
            f[8].parse().ok()?,
        );
        Some((key, f[9].parse().ok()?))
    };
    trials.lines().skip(1).filter_map(parse).collect()
}

/// Runs every search of `task`. A trial already in `trials` (the task's
/// recorded CSV, header first) is read from there, not trained again: the
/// searches are deterministic, so a change of the tuner that asks for the
/// same trials, or a new budget, costs only the trials it adds; the
/// trained ones are appended to `trials`.
pub fn run_task(task: &dyn Task, trials: &mut String) -> Result<Vec<Answer>, String> {
    let recorded = recorded_trials(trials);
    let recording = &Recording::all()[0];
    let goal = match task.quality() {
        Quality::Accuracy => Goal::Maximize,
        Quality::Mse => Goal::Minimize,
    };
    let kind: OptimizerKind = task.optimizer().family();
    let mut answers = Vec::new();
    for seed in TUNER_SEEDS {
        let sweep = task.range_test(seed, &recording.config())?;
        let test = RangeTest {
            model: (),
            curve: sweep.curve,
            stop: sweep.stop,
            num_iter: recording.num_iter,
        };
        let bracket = Bracket::from_range_test(&test);
        for (schedule, updates) in targets() {
            let row = |method: &str, budget: f64, lr: f64, cost: u64, note: String| Answer {
                task: task.name().into(),
                schedule: schedule.name().into(),
                updates,
                seed,
                method: method.into(),
                budget,
                lr,
                cost,
                note,
            };
            let handed =
                hand_off(&test, Plan::new(kind).with_updates(updates)).map(|h| match schedule {
                    GridSchedule::WarmupCosine => h.lr,
                    GridSchedule::OneCycle => h.max_lr,
                });
            let cost = recording.num_iter as u64;
            answers.push(row(
                "hand_off",
                0.0,
                handed.unwrap_or(f64::NAN),
                cost,
                String::new(),
            ));
            let minimum = test.suggestion(Method::Minimum).map_or(f64::NAN, |s| s.lr);
            answers.push(row("fastai_minimum", 0.0, minimum, cost, String::new()));
            for budget in BUDGETS {
                let config = TunerConfig::new(schedule.spec(1.0, updates), updates, goal)
                    .with_budget((budget * updates as f64).round() as u64)
                    .with_seed(seed);
                let result = bracket.clone().map_err(|e| e.to_string()).and_then(|b| {
                    tune::tune(&config, &b, |trial| {
                        let key = (
                            schedule.name().to_string(),
                            updates,
                            seed,
                            budget.to_string(),
                            trial.lr.to_bits(),
                            trial.updates,
                        );
                        if let Some(&metric) = recorded.get(&key) {
                            return Ok(tune::Outcome::Metric(metric));
                        }
                        let outcome = task.train_trial(trial)?;
                        let _ = writeln!(
                            trials,
                            "{},{},{updates},{seed},{budget},{},{},{:e},{},{}",
                            task.name(),
                            schedule.name(),
                            trial.index,
                            trial.rung,
                            trial.lr,
                            trial.updates,
                            outcome.metric
                        );
                        // The task's metric is NaN when the training diverged.
                        Ok::<_, String>(tune::Outcome::Metric(outcome.metric))
                    })
                    .map_err(|e| e.to_string())
                });
                answers.push(tuner_row(
                    task.name(),
                    schedule,
                    updates,
                    seed,
                    budget,
                    result,
                ));
            }
            eprintln!(
                "{} {} {updates} seed {seed}: done",
                task.name(),
                schedule.name()
            );
        }
    }
    Ok(answers)
}

/// The answer row of a search.
fn tuner_row(
    task: &str,
    schedule: GridSchedule,
    updates: u64,
    seed: u64,
    budget: f64,
    result: Result<tune::Tuning, String>,
) -> Answer {
    let (lr, cost, note) = match result {
        Ok(t) => (
            t.lr,
            t.cost,
            format!(
                "{:?}{}",
                t.confidence,
                t.warnings
                    .iter()
                    .map(|w| format!(" {}", w.code()))
                    .collect::<String>()
            )
            .to_lowercase(),
        ),
        Err(e) => (f64::NAN, 0, e.replace(',', ";")),
    };
    Answer {
        task: task.into(),
        schedule: schedule.name().into(),
        updates,
        seed,
        method: "tuner".into(),
        budget,
        lr,
        cost,
        note,
    }
}

const HEADER: &str = "task,schedule,updates,seed,method,budget,lr,cost,note";

/// The header of a trials CSV.
pub const TRIALS_HEADER: &str =
    "task,schedule,updates,seed,budget,index,rung,lr,trial_updates,metric";

/// Writes a task's answers to `dir/tuner/<task>.csv` and its trials (CSV
/// with its header) to `dir/tuner/<task>.trials.csv`.
pub fn write(dir: &Path, task: &str, answers: &[Answer], trials: &str) -> Result<(), String> {
    let dir = dir.join("tuner");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut text = format!("{HEADER}\n");
    for a in answers {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{:e},{},{}",
            a.task, a.schedule, a.updates, a.seed, a.method, a.budget, a.lr, a.cost, a.note
        );
    }
    let trials =
        format!("task,schedule,updates,seed,budget,index,rung,lr,trial_updates,metric\n{trials}");
    std::fs::write(dir.join(format!("{task}.csv")), text).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(format!("{task}.trials.csv")), trials).map_err(|e| e.to_string())
}

/// Reads every task's answers under `dir/tuner/`.
pub fn read(dir: &Path) -> Result<Vec<Answer>, String> {
    let mut answers = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("tuner"))
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "csv")
                && !p.to_string_lossy().ends_with(".trials.csv")
        })
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.splitn(9, ',').collect();
            let bad = || format!("{}: bad line `{line}`", path.display());
            if f.len() != 9 {
                return Err(bad());
            }
            answers.push(Answer {
                task: f[0].into(),
                schedule: f[1].into(),
                updates: f[2].parse().map_err(|_| bad())?,
                seed: f[3].parse().map_err(|_| bad())?,
                method: f[4].into(),
                budget: f[5].parse().map_err(|_| bad())?,
                lr: f[6].parse().map_err(|_| bad())?,
                cost: f[7].parse().map_err(|_| bad())?,
                note: f[8].into(),
            });
        }
    }
    Ok(answers)
}

/// A row of the report: how one method did on one target.
#[derive(Debug, Default)]
struct Tally {
    answers: usize,
    in_band: usize,
    collapses: usize,
    none: usize,
    errors: Vec<f64>,
    cost: f64,
    low: usize,
}

impl Tally {
    fn cell(&self) -> String {
        if self.answers == 0 {
            return "-".into();
        }
        let mut e = self.errors.clone();
        e.sort_by(f64::total_cmp);
        let median = if e.is_empty() {
            f64::NAN
        } else {
            e[e.len() / 2]
        };
        format!(
            "{}/{} ({:.0}%), {} at collapse{}, median {:.2} dec, cost {:.2} N",
            self.in_band,
            self.answers,
            100.0 * self.in_band as f64 / self.answers as f64,
            self.collapses,
            if self.none > 0 {
                format!(", {} no answer", self.none)
            } else {
                String::new()
            },
            median,
            self.cost / self.answers as f64
        )
    }
}

/// The report's file under `docs/`.
pub const REPORT: &str = "tuner-benchmark.md";

/// The report's markdown: per target and method (and budget), the share in
/// the good band, the number at or above the collapse LR, the median
/// `|log10(lr / best)|` and the mean cost in target runs.
pub fn report(tasks: &[Box<dyn Task>], grid: &[GridRun], answers: &[Answer]) -> String {
    let mut methods: Vec<(String, f64)> =
        vec![("hand_off".into(), 0.0), ("fastai_minimum".into(), 0.0)];
    methods.extend(BUDGETS.iter().map(|&b| ("tuner".to_string(), b)));
    let mut out = String::from(
        "# The tuner on the LR benchmark, live\n\nGenerated by `cargo run --release -p burn-lr-examples --example finder_benchmark -- tuner-report` from `examples/data/finder-benchmark/tuner/` (`-- tuner` runs the searches; see [tuner.md](tuner.md)). Per target run: answers in the good band, at or above the collapse LR, the median distance to the best LR in decades, and the mean cost in target runs, over 16 tasks x 3 seeds.\n\n| method | warmup + cosine, 300 | warmup + cosine, 1000 | warmup + cosine, 3000 | one-cycle, 1000 |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut confidence = String::new();
    for (method, budget) in &methods {
        let label = match method.as_str() {
            "tuner" => format!("tuner, budget {budget} N"),
            "hand_off" => "hand-off (range test only)".into(),
            _ => "fastai minimum (range test only)".into(),
        };
        let _ = write!(out, "| {label} |");
        for (schedule, updates) in targets() {
            let mut tally = Tally::default();
            for (a, band) in banded(tasks, grid, answers, (schedule, updates), method, *budget) {
                tally.answers += 1;
                tally.cost += a.cost as f64 / updates as f64;
                if !a.lr.is_finite() {
                    tally.none += 1;
                    continue;
                }
                let hit = band.contains(a.lr);
                tally.in_band += usize::from(hit);
                tally.collapses += usize::from(band.collapses(a.lr));
                tally.errors.push((a.lr / band.best_lr()).log10().abs());
                if a.note.starts_with("low") {
                    tally.low += 1;
                }
            }
            let _ = write!(out, " {} |", tally.cell());
            if method == "tuner" {
                let _ = writeln!(
                    confidence,
                    "- budget {budget} N, {} {updates}: {} of {} answers low confidence",
                    schedule.name(),
                    tally.low,
                    tally.answers - tally.none
                );
            }
        }
        out.push('\n');
    }
    out.push_str("\nConfidence:\n\n");
    out.push_str(&confidence);
    out.push_str(&misses(tasks, grid, answers));
    out
}

/// The answers of `method` at `budget` for one target run, each with its
/// task's band (tasks without one are left out).
fn banded<'a>(
    tasks: &[Box<dyn Task>],
    grid: &[GridRun],
    answers: &'a [Answer],
    (schedule, updates): (GridSchedule, u64),
    method: &str,
    budget: f64,
) -> Vec<(&'a Answer, Band)> {
    let mut out = Vec::new();
    for task in tasks {
        let quality = task.quality();
        let Some(band) = Band::from_grid(
            grid,
            task.name(),
            schedule.name(),
            updates,
            quality,
            Label::Metric,
        ) else {
            continue;
        };
        out.extend(
            answers
                .iter()
                .filter(|a| {
                    a.task == task.name()
                        && a.schedule == schedule.name()
                        && a.updates == updates
                        && a.method == method
                        && a.budget == budget
                })
                .map(|a| (a, band.clone())),
        );
    }
    out
}

/// Every search at a budget of one run that missed the band: the task, the
/// target, the seed, the LR, the band and the warnings.
fn misses(tasks: &[Box<dyn Task>], grid: &[GridRun], answers: &[Answer]) -> String {
    let mut out = String::from(
        "\nMisses at a budget of 1 N:\n\n| task | target | seed | LR | best | band | collapse | note |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (schedule, updates) in targets() {
        for (a, band) in banded(tasks, grid, answers, (schedule, updates), "tuner", 1.0) {
            if band.contains(a.lr) {
                continue;
            }
            let (low, high) = band.range();
            let _ = writeln!(
                out,
                "| {} | {} {updates} | {} | {:.2e} | {:.2e} | {low:.2e} - {high:.2e} | {} | {} |",
                a.task,
                schedule.name(),
                a.seed,
                a.lr,
                band.best_lr(),
                band.collapse_lr()
                    .map_or("-".into(), |c| format!("{c:.2e}")),
                a.note
            );
        }
    }
    out
}
