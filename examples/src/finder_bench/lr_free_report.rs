//! Zero tuning against a tuned grid: the learning-rate-free runs set against
//! the grid's best peak LR and good band for each task's own optimizer at
//! the same length, written to `docs/lr-free.md` and `docs/lr-free.png`.

use std::fmt::Write as _;
use std::path::Path;

use burn_lr_plot::{Chart, Series};

use super::band::{Band, Label};
use super::data::GridRun;
use super::lr_free::{LrFreeChoice, LrFreeRun, SEEDS, UPDATES};
use super::tasks::{GridSchedule, Quality, Task, WARMUP_FRACTION};

/// One optimizer's runs on one task.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The optimizer.
    pub optimizer: LrFreeChoice,
    /// Mean of the task's metric over the seeds (NaN if a seed diverged).
    pub mean: f64,
    /// Its standard deviation over the seeds.
    pub sd: f64,
    /// Whether the mean, as a loss, is at most the band's limit.
    pub in_band: bool,
    /// The share of the tuned run's gain over the untrained model that it
    /// keeps (1: as good as the best LR; NaN if a seed diverged).
    pub kept: f64,
}

/// One task: the grid's verdict and the learning-rate-free runs.
#[derive(Debug, Clone)]
pub struct Row {
    /// Task name.
    pub task: String,
    /// Its metric.
    pub quality: Quality,
    /// The grid's band at [`UPDATES`] under warmup + cosine.
    pub band: Band,
    /// One per optimizer of [`LrFreeChoice::ALL`] that has runs.
    pub results: Vec<Summary>,
}

/// A learning-rate-free run that gains more than this many times what the
/// grid's best run gains says the grid found no working LR at this length
/// (its search stopped early): the row is not a comparison.
pub const NOT_TUNED: f64 = 2.0;

impl Row {
    /// The share of the tuned gain a mean loss of the band's limit keeps.
    pub fn limit_kept(&self) -> f64 {
        kept(&self.band, self.band.limit())
    }

    /// Whether the grid's best run is a tuned run to compare against (no
    /// learning-rate-free run gains [`NOT_TUNED`] times as much).
    pub fn tuned(&self) -> bool {
        self.results
            .iter()
            .all(|s| s.kept.is_nan() || s.kept <= NOT_TUNED)
    }
}

fn kept(band: &Band, loss: f64) -> f64 {
    (band.untrained - loss) / (band.untrained - band.mean[band.best])
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if !mean.is_finite() || values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// The rows of the tasks that have both a grid band and runs.
pub fn rows(tasks: &[Box<dyn Task>], grid: &[GridRun], runs: &[LrFreeRun]) -> Vec<Row> {
    let schedule = GridSchedule::WarmupCosine.name();
    tasks
        .iter()
        .filter_map(|task| {
            let quality = task.quality();
            let band =
                Band::from_grid(grid, task.name(), schedule, UPDATES, quality, Label::Metric)?;
            let results: Vec<Summary> = LrFreeChoice::ALL
                .into_iter()
                .filter_map(|optimizer| {
                    let metrics: Vec<f64> = runs
                        .iter()
                        .filter(|r| r.task == task.name() && r.optimizer == optimizer)
                        .filter(|r| r.updates == UPDATES)
                        .map(|r| r.metric)
                        .collect();
                    if metrics.is_empty() {
                        return None;
                    }
                    let (mean, sd) = mean_sd(&metrics);
                    let loss = quality.as_loss(mean);
                    Some(Summary {
                        optimizer,
                        mean,
                        sd,
                        in_band: loss <= band.limit(),
                        kept: kept(&band, loss),
                    })
                })
                .collect();
            (!results.is_empty()).then(|| Row {
                task: task.name().into(),
                quality,
                band,
                results,
            })
        })
        .collect()
}

fn value(quality: Quality, x: f64) -> String {
    if x.is_nan() {
        return "diverged".into();
    }
    match quality {
        Quality::Accuracy => format!("{:.1}%", 100.0 * x),
        Quality::Mse => format!("{x:.3}"),
    }
}

fn spread(quality: Quality, mean: f64, sd: f64) -> String {
    if mean.is_nan() {
        return value(quality, mean);
    }
    match quality {
        Quality::Accuracy => format!("{} ± {:.1}", value(quality, mean), 100.0 * sd),
        Quality::Mse => format!("{} ± {sd:.3}", value(quality, mean)),
    }
}

/// How far `mean` falls short of `tuned`, in the metric's terms.
fn gap(quality: Quality, mean: f64, tuned: f64) -> String {
    if mean.is_nan() {
        return "diverged".into();
    }
    match quality {
        Quality::Accuracy => format!("{:.1} points below", 100.0 * (tuned - mean)),
        Quality::Mse => format!("{:.1} times the MSE", mean / tuned),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| !v.is_nan());
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => 0.5 * (values[n / 2 - 1] + values[n / 2]),
    }
}

/// Per optimizer, over the rows whose grid run is [`tuned`](Row::tuned):
/// tasks in the band, tasks compared, and the median share of the tuned
/// gain kept.
pub fn headline(rows: &[Row], optimizer: LrFreeChoice) -> (usize, usize, f64) {
    let results: Vec<&Summary> = rows
        .iter()
        .filter(|r| r.tuned())
        .flat_map(|r| r.results.iter().filter(|s| s.optimizer == optimizer))
        .collect();
    let in_band = results.iter().filter(|s| s.in_band).count();
    let kept = median(results.iter().map(|s| s.kept).collect());
    (in_band, results.len(), kept)
}

fn table(w: &mut String, rows: &[Row]) {
    let _ = write!(
        w,
        "| # | task | tuned: best LR | tuned: mean ± sd | band limit |"
    );
    for o in LrFreeChoice::ALL {
        let _ = write!(w, " {} | in band |", o.title());
    }
    let _ = write!(w, "\n|---|---|---|---|---|");
    for _ in LrFreeChoice::ALL {
        let _ = write!(w, "---|---|");
    }
    w.push('\n');
    for (i, row) in rows.iter().enumerate() {
        let b = &row.band;
        let q = row.quality;
        let _ = write!(
            w,
            "| {} | {} | {:.2e} | {} | {} |",
            i + 1,
            row.task,
            b.best_lr(),
            spread(q, q.as_loss(b.mean[b.best]), b.sd[b.best]),
            value(q, q.as_loss(b.limit()))
        );
        for o in LrFreeChoice::ALL {
            match row.results.iter().find(|s| s.optimizer == o) {
                Some(s) => {
                    let verdict = match (row.tuned(), s.in_band) {
                        (false, _) => "(not compared)",
                        (true, true) => "yes",
                        (true, false) => "**no**",
                    };
                    let _ = write!(w, " {} | {verdict} |", spread(q, s.mean, s.sd));
                }
                None => {
                    let _ = write!(w, " not run | |");
                }
            }
        }
        w.push('\n');
    }
}

fn losses(w: &mut String, rows: &[Row]) {
    for o in LrFreeChoice::ALL {
        let misses: Vec<String> = rows
            .iter()
            .filter_map(|row| {
                let s = row.results.iter().find(|s| s.optimizer == o)?;
                (!s.in_band).then(|| {
                    let tuned = row.quality.as_loss(row.band.mean[row.band.best]);
                    format!(
                        "{} ({} against {} tuned: {})",
                        row.task,
                        value(row.quality, s.mean),
                        value(row.quality, tuned),
                        gap(row.quality, s.mean, tuned)
                    )
                })
            })
            .collect();
        let list = if misses.is_empty() {
            "none".to_string()
        } else {
            misses.join("; ")
        };
        let _ = writeln!(w, "- {} misses the band on: {list}.", o.title());
    }
}

/// Writes `docs/lr-free.md` and `docs/lr-free.png` under `docs`; `missing`
/// names the tasks left out for want of grid data.
pub fn write(rows: &[Row], missing: &[String], docs: &Path) -> Result<(), String> {
    let mut w = String::new();
    let _ = writeln!(w, "# Zero tuning against a tuned grid\n");
    let _ = writeln!(
        w,
        "Prodigy (`safeguard_warmup` on) and D-Adapt Adam, both with the packages' defaults and no weight \
         decay, train each task of the [finder benchmark](finder-benchmark.md) at base LR 1 under warmup + \
         cosine ({:.0}% warmup; the schedule's value multiplies the adapted step), {UPDATES} updates, seeds \
         {SEEDS:?}. Against them: the task's own optimizer (AdamW, Adam or SGD) at the grid's best peak LR \
         of the same schedule and length, same seeds. A learning-rate-free run is **in band** when its mean \
         metric over the seeds, as a loss, is at most the good band's limit (the best LR's mean plus two \
         standard deviations of its seeds, or 0.5% of the gain over the untrained model, whichever is \
         larger): as good as the tuned run, up to seed noise.\n",
        100.0 * WARMUP_FRACTION
    );
    if !missing.is_empty() {
        let _ = writeln!(w, "Left out (no grid data): {}.\n", missing.join(", "));
    }
    let untuned: Vec<&str> = rows
        .iter()
        .filter(|r| !r.tuned())
        .map(|r| r.task.as_str())
        .collect();
    if !untuned.is_empty() {
        let _ = writeln!(
            w,
            "Not compared: {} (a learning-rate-free run gains more than {NOT_TUNED} times what the grid's \
             best run does at this length: the grid's search stopped before reaching a working LR, so its \
             best is no tuned run; the row is in the table, outside the headline).\n",
            untuned.join(", ")
        );
    }
    let _ = writeln!(w, "## Headline\n");
    for o in LrFreeChoice::ALL {
        let (in_band, n, kept) = headline(rows, o);
        let _ = writeln!(
            w,
            "- {}: in band on {in_band} of {n} tasks compared; median share of the tuned gain kept {:.0}%.",
            o.title(),
            100.0 * kept
        );
    }
    let _ = writeln!(w, "\n## Where they lose\n");
    losses(&mut w, rows);
    let _ = writeln!(
        w,
        "\n## Per task\n\nMetric: accuracy, or MSE for `regression-adam` (mean ± sd over the seeds). \
         Best LR: the grid's peak LR with the best mean metric.\n"
    );
    table(&mut w, rows);
    let _ = writeln!(
        w,
        "\nThe plot: per task compared, the share of the tuned run's gain over the untrained model that each \
         keeps (1: as good as the best LR), and the good band's limit. On a task whose untrained loss is huge \
         (regression-adam) a share near 1 can still be many times the tuned MSE: the table has the metric.\n\n\
         ![share of the tuned gain kept](lr-free.png)"
    );
    let path = docs.join("lr-free.md");
    std::fs::write(&path, w).map_err(|e| format!("{}: {e}", path.display()))?;
    plot(rows, &docs.join("lr-free.png"))
}

fn plot(rows: &[Row], path: &Path) -> Result<(), String> {
    let at = |f: &dyn Fn(&Row) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| ((i + 1) as f64, if r.tuned() { f(r) } else { f64::NAN }))
            .collect()
    };
    let mut chart = Chart::new(
        format!("Share of the tuned run's gain kept, {UPDATES} updates, warmup + cosine"),
        "task (# in docs/lr-free.md)",
        "share of the tuned gain",
    )
    .series(Series::new("good band limit", at(&|r| r.limit_kept())))
    .legend_lower_left();
    for o in LrFreeChoice::ALL {
        let kept = |r: &Row| {
            r.results
                .iter()
                .find(|s| s.optimizer == o)
                .map_or(f64::NAN, |s| s.kept)
        };
        chart = chart.series(Series::new(format!("{} at LR 1", o.title()), at(&kept)));
    }
    chart
        .save(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}
