//! The benchmark's analysis, from the stored measurements: the bands at
//! every run length, the length exponent, the held-out comparisons
//! (leave-one-task-out, leave-one-length-out), the recordings and the trust
//! verdict, written to `docs/finder-benchmark.md` with a plot per task.

use std::fmt::Write as _;
use std::path::Path;

use burn_lr_core::OptimizerKind;
use burn_lr_finder::descent::descent;
use burn_lr_finder::rule::{FASTAI_SMOOTHING, REFERENCE_UPDATES, lag_free_losses};
use burn_lr_finder::{Method, Trust};

use super::band::{Band, LOSS_TOLERANCE, Label, half_step};
use super::data::{GridRun, SweepRun};
use super::score::{
    COLLAPSE_COST, Case, Family, Fitted, HeldOut, SHIPPED, Score, Table, each_task_on_itself,
    families, fit_all, fit_beta, leave_one_length_out, leave_one_task_out, score,
};
use super::tasks::{GridSchedule, LENGTHS, Task, WARMUP_FRACTION};
use super::{GRID_SEEDS, Recording, SWEEP_SEEDS, grid_lrs};

/// One family's results: held out by task, held out by length, and fitted
/// on everything.
pub struct Scored {
    /// The family.
    pub family: Family,
    /// Leave-one-task-out.
    pub by_task: HeldOut,
    /// Leave-one-length-out.
    pub by_length: HeldOut,
    /// Constants fitted on every task and length, and their (in-sample) table.
    pub all: (Fitted, Table),
    /// Each task fitted on itself: the family's ceiling.
    pub by_itself: HeldOut,
}

/// Everything the report says, computed from the measurements.
pub struct Analysis {
    /// Bands by the task's metric, per schedule ([`GridSchedule::ALL`]
    /// order), per task and length.
    pub bands: Vec<Vec<Band>>,
    /// The same by validation loss.
    pub loss_bands: Vec<Vec<Band>>,
    /// Every family's results on fastai-protocol curves.
    pub families: Vec<Scored>,
    /// The sweeps.
    pub sweeps: Vec<SweepRun>,
    /// The tasks that train with SGD (the others with Adam or AdamW).
    pub sgd_tasks: Vec<&'static str>,
}

fn bands_by(tasks: &[Box<dyn Task>], grid: &[GridRun], label: Label) -> Vec<Vec<Band>> {
    GridSchedule::ALL
        .iter()
        .map(|s| {
            tasks
                .iter()
                .flat_map(|t| {
                    LENGTHS.iter().filter_map(|&n| {
                        Band::from_grid(grid, t.name(), s.name(), n, t.quality(), label)
                    })
                })
                .collect()
        })
        .collect()
}

impl Analysis {
    /// Reads the bands and scores every family held out.
    pub fn new(tasks: &[Box<dyn Task>], grid: &[GridRun], sweeps: Vec<SweepRun>) -> Analysis {
        let bands = bands_by(tasks, grid, Label::Metric);
        let loss_bands = bands_by(tasks, grid, Label::ValidLoss);
        let all = families();
        let fastai: Vec<&SweepRun> = sweeps
            .iter()
            .filter(|r| r.recording == Recording::FASTAI)
            .collect();
        let sgd_tasks: Vec<&'static str> = tasks
            .iter()
            .filter(|t| t.optimizer().family() == OptimizerKind::Sgd)
            .map(|t| t.name())
            .collect();
        let cases: Vec<Case> = fastai
            .iter()
            .map(|r| Case::new(r, &all, false, sgd_tasks.contains(&r.task.as_str())))
            .collect();
        let scored = (0..all.len())
            .map(|f| {
                let by_task = leave_one_task_out(&all, f, &cases, &bands);
                let by_length = leave_one_length_out(&all, f, &cases, &bands);
                let fitted = fit_all(&all, f, &cases, &bands);
                let by_itself = each_task_on_itself(&all, f, &cases, &bands);
                (by_task, by_length, fitted, by_itself)
            })
            .collect::<Vec<_>>();
        let families = all
            .into_iter()
            .zip(scored)
            .map(|(family, (by_task, by_length, all, by_itself))| Scored {
                family,
                by_task,
                by_length,
                all,
                by_itself,
            })
            .collect();
        Analysis {
            bands,
            loss_bands,
            families,
            sweeps,
            sgd_tasks,
        }
    }

    /// The family with the best leave-one-task-out objective among those
    /// the library may ship ([`Family::shippable`]).
    pub fn winner(&self) -> Option<&Scored> {
        self.families
            .iter()
            .filter(|s| s.family.shippable())
            .max_by_key(|s| s.by_task.objective())
    }

    /// Whether `run`'s task trains with SGD.
    fn sgd(&self, run: &SweepRun) -> bool {
        self.sgd_tasks.contains(&run.task.as_str())
    }

    /// The shipped family.
    pub fn shipped(&self) -> Option<&Scored> {
        self.families.iter().find(|s| s.family.name == SHIPPED)
    }

    /// The shipped family (constants fitted on everything) scored on the
    /// curves of `recording`, read as stored or smoothed-only, against `bands`.
    pub fn recording(
        &self,
        recording: &str,
        smoothed_only: bool,
        bands: &[Vec<Band>],
    ) -> Vec<Score> {
        let Some(shipped) = self.shipped() else {
            return Vec::new();
        };
        let runs: Vec<Case> = self
            .sweeps
            .iter()
            .filter(|r| r.recording == recording)
            .map(|r| {
                Case::new(
                    r,
                    std::slice::from_ref(&shipped.family),
                    smoothed_only,
                    self.sgd(r),
                )
            })
            .collect();
        let refs: Vec<&Case> = runs.iter().collect();
        bands
            .iter()
            .enumerate()
            .map(|(s, b)| {
                score(
                    0,
                    shipped.family.margin,
                    &shipped.all.0,
                    &refs,
                    b,
                    s,
                    &|_| true,
                )
            })
            .collect()
    }
}

fn cell(score: &Score) -> String {
    if score.curves == 0 {
        return "-".into();
    }
    format!(
        "{}/{} ({:.0}%), {} collapse{}",
        score.in_band,
        score.curves,
        100.0 * score.in_band as f64 / score.curves.max(1) as f64,
        score.collapses,
        if score.collapses == 1 { "" } else { "s" }
    )
}

fn sci(x: f64) -> String {
    format!("{x:.2e}")
}

/// The trust verdict on a stored sweep.
pub fn trust_of(run: &SweepRun) -> Option<Trust> {
    let (losses, _) = lag_free_losses(&run.curve, FASTAI_SMOOTHING);
    let d = descent(&run.curve.lrs, &losses)?;
    Some(Trust::of(&d, &run.curve.lrs, run.stop == "completed"))
}

fn schedule_name(s: usize) -> &'static str {
    ["warmup + cosine", "one-cycle"][s]
}

fn header(w: &mut String, tasks: &[Box<dyn Task>]) {
    let _ = writeln!(w, "# LR finder benchmark\n");
    let _ = writeln!(
        w,
        "Generated by `cargo run --release -p burn-lr-examples --example finder_benchmark -- all` \
         (grid, range tests, then this report; `-- report` redoes only the report from \
         `examples/data/finder-benchmark/`). Every number below is computed from those files.\n"
    );
    let _ = writeln!(w, "## What is measured\n");
    let _ = writeln!(
        w,
        "- **Tasks**: {} task/optimizer pairs (listed at the end), trained on the CPU with burn's training step \
           (`TrainStep`).",
        tasks.len()
    );
    let _ = writeln!(
        w,
        "- **Grid**: each task is trained for {:?} updates with warmup + cosine ({:.0}% linear warmup, then half a \
           cosine to 0) and with one-cycle (PyTorch's defaults), at peak LRs three per decade ({} from 1e-5 to \
           100; from low to high until every seed of an LR fails, and the longer runs from two decades below the \
           shortest run's best), {} seeds each (initial weights and batch order), on a fixed data split. A run is \
           scored by the task's own metric on the validation set (accuracy, or MSE for the regression); the \
           validation loss is kept as a second label.",
        LENGTHS,
        100.0 * WARMUP_FRACTION,
        grid_lrs().len(),
        GRID_SEEDS.len()
    );
    let _ = writeln!(
        w,
        "- **Best LR**: the best mean over the seeds. **Good band**: the LRs next to it whose mean is within two \
           standard deviations of the best LR's seeds, or within one point of accuracy (5% of the best MSE; {:.0}% \
           of the best validation loss for the second label), whichever is wider. **Collapse LR**: the first LR above the best at which some seed blows up or \
           keeps less than half of that gain. A suggestion is *in the band* when the grid point nearest to it (in \
           log scale, within a factor {:.3}) is, and *collapses* when that point is the collapse LR or above.",
        100.0 * LOSS_TOLERANCE,
        half_step()
    );
    let _ = writeln!(
        w,
        "- **Range tests**: the finder's defaults on seeds {:?}, which the grid did not use. fastai's protocol \
           (100 updates from 1e-7 to 10, EMA 0.98, stop at 4x the best smoothed loss) is what rules are fitted on; \
           the other recordings (below) only judge them.",
        SWEEP_SEEDS
    );
    let _ = writeln!(
        w,
        "- **Rules**: fastai's `valley`, `steep` and `minimum` as `Learner.lr_find` applies them, and families read \
           from the lag-free loss (raw losses smoothed both ways), each with constants: a shape setting, a divisor \
           per schedule (for the families \"per optimizer\", one for SGD and one for Adam and AdamW), and for \
           the families that know the run, the exponent beta of `(N / {REFERENCE_UPDATES})^-beta` \
           (fitted on the grid's bands, below). A fit maximises hits in the band minus {COLLAPSE_COST} per \
           collapse (within half a decade of the collapse LR, a margin for tasks whose collapse sits \
           closer) over every task and length it sees. **Leave-one-task-out**: for each task, the constants are \
           fitted on the other tasks and scored on this one at every length. **Leave-one-length-out**: fitted on \
           two lengths, scored on the third.\n"
    );
}

fn beta_section(w: &mut String, analysis: &Analysis) {
    let _ = writeln!(w, "## How the best LR moves with the run's length\n");
    // One-cycle is trained at one length: only warmup + cosine has a slope.
    for (s, bands) in analysis.bands.iter().enumerate().take(1) {
        let (median, per_task) = fit_beta(bands, &|_| true);
        let values: Vec<f64> = per_task.iter().map(|(_, b)| *b).collect();
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd =
            (values.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let _ = writeln!(
            w,
            "- {}: the band's centre falls as `N^-beta` with beta **{median:.2}** (median over tasks; mean {mean:.2}, \
             sd {sd:.2}, from {:.2} to {:.2}). Per task: {}.",
            schedule_name(s),
            values.iter().copied().fold(f64::INFINITY, f64::min),
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            per_task
                .iter()
                .map(|(t, b)| format!("{t} {b:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(w);
}

/// A table of held-out (or per-task) scores: its title, what it says, and
/// which of a family's results it shows.
type View = (&'static str, &'static str, fn(&Scored) -> &HeldOut);

fn result_section(w: &mut String, analysis: &Analysis) {
    let _ = writeln!(w, "## Result\n");
    if let Some(winner) = analysis.winner() {
        let _ = writeln!(
            w,
            "Among the families the library may ship (reading only the curve and the run's length, fitted half a \
             decade below the collapse LR, never handing off past a spike of the loss), the best held out by task \
             is **{}** ({}). Fitted on every task and length: {}. The library ships `{SHIPPED}` as `hand_off` (and \
             `Method::HandOff`).\n",
            winner.family.name,
            winner.family.about,
            winner.all.0.label(&winner.family)
        );
    }
    if let Some(winner) = analysis.winner() {
        for other in analysis
            .families
            .iter()
            .filter(|s| !s.family.shippable() && s.by_task.objective() > winner.by_task.objective())
        {
            let mut why = Vec::new();
            if !other.family.stops_at_spikes() {
                why.push(
                    "its anchor follows a loss that recovers after a spike to LRs past the spike (on the benchmark, \
                     curves of the sigmoid network on tabular data): a hand-off beyond an instability the sweep \
                     has shown",
                );
            }
            if other.family.per_optimizer {
                why.push(
                    "it takes the optimizer, which `burn-lr find --curve` cannot see: a missing or wrong \
                     `--optimizer` would move the LR without a word",
                );
            }
            if other.family.margin < winner.family.margin {
                why.push(
                    "its fit comes closer to the collapse LR than the half decade kept for tasks whose collapse \
                     sits nearer their sweep than the benchmark's",
                );
            }
            let why = why.join("; ");
            let _ = writeln!(
                w,
                "**{}** scores {} held out by task against {} (fitted on everything: {}); not shipped: {}.\n",
                other.family.name,
                other.by_task.objective(),
                winner.by_task.objective(),
                other.all.0.label(&other.family),
                why
            );
        }
    }
    let views: [View; 3] = [
        (
            "Leave-one-task-out",
            "Held-out suggestions in the band, and at or above the collapse LR, per run length:",
            |s| &s.by_task,
        ),
        (
            "Leave-one-length-out",
            "Held-out suggestions in the band, and at or above the collapse LR, per run length:",
            |s| &s.by_length,
        ),
        (
            "Each task fitted on itself (the ceiling)",
            "Not held out: each task's constants are fitted on that task alone (its own curves and bands, the same \
             margin below the collapse LR) and scored there. This is the most a family could reach if it knew \
             which constants suit the task: a family short of the goal here cannot reach it held out, whatever \
             tasks are added; what it loses from here to leave-one-task-out is the spread between tasks.",
            |s| &s.by_itself,
        ),
    ];
    for (title, about, held) in views {
        let _ = writeln!(w, "### {title}\n\n{about}\n");
        let columns: Vec<String> = (0..2)
            .flat_map(|s| {
                LENGTHS
                    .iter()
                    .map(move |n| format!("{}, {n}", schedule_name(s)))
            })
            .collect();
        let _ = writeln!(
            w,
            "| rule | {} | objective |\n|{}",
            columns.join(" | "),
            " --- |".repeat(columns.len() + 2)
        );
        for scored in &analysis.families {
            let h = held(scored);
            let cells: Vec<String> = (0..2)
                .flat_map(|s| (0..LENGTHS.len()).map(move |n| (s, n)))
                .map(|(s, n)| h.total.get(s).map_or("-".into(), |row| cell(&row[n])))
                .collect();
            let _ = writeln!(
                w,
                "| {} | {} | {} |",
                scored.family.name,
                cells.join(" | "),
                h.objective()
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(
        w,
        "### Fitted on every task and length (in-sample)\n\nThe constants each family gets from all the data, and \
         how they score on it:\n\n| rule | constants | {} |\n|{}",
        (0..2)
            .flat_map(|s| LENGTHS
                .iter()
                .map(move |n| format!("{}, {n}", schedule_name(s))))
            .collect::<Vec<_>>()
            .join(" | "),
        " --- |".repeat(2 + 2 * LENGTHS.len())
    );
    for scored in &analysis.families {
        let (fitted, table) = &scored.all;
        let cells: Vec<String> = table.iter().flatten().map(cell).collect();
        let _ = writeln!(
            w,
            "| {} | {} | {} |",
            scored.family.name,
            fitted.label(&scored.family),
            cells.join(" | ")
        );
    }
    let _ = writeln!(w);
    if let Some(shipped) = analysis.shipped() {
        let h = &shipped.by_task;
        let goal = h
            .total
            .iter()
            .flatten()
            .all(|s| 10 * s.in_band >= 9 * s.curves && s.collapses == 0);
        let _ = writeln!(
            w,
            "The goal was at least 9 curves in 10 in the band at every length and no collapse, held out by task: \
             **{}**.\n",
            if goal {
                "reached"
            } else {
                "not reached; the misses are listed per task below"
            }
        );
        ceiling(w, analysis, shipped);
        let _ = writeln!(
            w,
            "### Per task (leave-one-task-out, {SHIPPED})\n\nEach cell: held-out suggestions in the band out of {} \
             curves, `!n` for n collapses; then the constants fitted without the task.\n",
            SWEEP_SEEDS.len()
        );
        let columns: Vec<String> = (0..2)
            .flat_map(|s| {
                LENGTHS
                    .iter()
                    .map(move |n| format!("{}, {n}", schedule_name(s)))
            })
            .collect();
        let _ = writeln!(
            w,
            "| task | {} | constants |\n|{}",
            columns.join(" | "),
            " --- |".repeat(columns.len() + 2)
        );
        for (task, fitted, table) in &h.folds {
            let cells: Vec<String> = table
                .iter()
                .flatten()
                .map(|s| {
                    if s.curves == 0 {
                        return "-".to_string();
                    }
                    let bang = if s.collapses > 0 {
                        format!(" !{}", s.collapses)
                    } else {
                        String::new()
                    };
                    format!("{}/{}{bang}", s.in_band, s.curves)
                })
                .collect();
            let _ = writeln!(
                w,
                "| {task} | {} | {} |",
                cells.join(" | "),
                fitted.label(&shipped.family)
            );
        }
        let _ = writeln!(w);
    }
}

/// What the shipped family reaches fitted on each task itself, and the
/// bands no suggestion can hit while keeping the fit's margin below the
/// collapse LR (the whole band within that margin).
fn ceiling(w: &mut String, analysis: &Analysis, shipped: &Scored) {
    let warmup_cosine = &shipped.by_itself.total[0];
    let per_length: Vec<String> = LENGTHS
        .iter()
        .zip(warmup_cosine)
        .map(|(n, s)| {
            format!(
                "{:.0}% at {n}",
                100.0 * s.in_band as f64 / s.curves.max(1) as f64
            )
        })
        .collect();
    let out_of_reach: Vec<String> = analysis.bands[0]
        .iter()
        .filter(|b| {
            b.collapse_lr()
                .is_some_and(|c| b.range().0 / half_step() >= c / shipped.family.margin)
        })
        .map(|b| format!("{} at {}", b.task, b.updates))
        .collect();
    let _ = writeln!(
        w,
        "Fitted on each task itself, `{SHIPPED}` reaches {} with warmup + cosine. Keeping half a decade below the \
         collapse LR, no suggestion can hit the good band of {}: the whole band lies within that margin (the \
         best LR of these runs sits one grid step below the collapse). The goal and the margin conflict there; \
         the margin is kept, since a suggestion at the collapse LR costs a whole run.\n",
        per_length.join(", "),
        if out_of_reach.is_empty() {
            "any run".to_string()
        } else {
            out_of_reach.join(", ")
        }
    );
}

fn recordings_section(w: &mut String, analysis: &Analysis) {
    let _ = writeln!(
        w,
        "## How the curve was recorded\n\nThe shipped rule with its constants (fitted on fastai-protocol curves \
         only) on curves recorded other ways, every task and length together; smoothed-only curves keep only the \
         running average (rounded to f32, as fastai stores it), from which the rule recovers the raw losses.\n"
    );
    let _ = writeln!(
        w,
        "| recording | updates | LRs | warmup + cosine | one-cycle |\n| --- | --- | --- | --- | --- |"
    );
    for recording in Recording::all() {
        for smoothed_only in [false, true] {
            if smoothed_only && recording.name != Recording::FASTAI {
                continue;
            }
            let scores = analysis.recording(&recording.name, smoothed_only, &analysis.bands);
            if scores.len() < 2 {
                continue;
            }
            let _ = writeln!(
                w,
                "| {}{} | {} | {:e} to {:e} | {} | {} |",
                recording.name,
                if smoothed_only { ", smoothed only" } else { "" },
                recording.num_iter,
                recording.start_lr,
                recording.end_lr,
                cell(&scores[0]),
                cell(&scores[1])
            );
        }
    }
    let loss = analysis.recording(Recording::FASTAI, false, &analysis.loss_bands);
    if loss.len() == 2 {
        let _ = writeln!(
            w,
            "\nScored against the bands of the validation loss instead of the metric (the second label): warmup + \
             cosine {}; one-cycle {}.\n",
            cell(&loss[0]),
            cell(&loss[1])
        );
    }
}

fn trust_section(w: &mut String, analysis: &Analysis) {
    let _ = writeln!(
        w,
        "## Trust verdict\n\n`find` reports a verdict on the curve and a confidence (`high` only for `ok`): a fall \
         under {:.0}% of the start is `too_flat`; fewer than {} points before the minimum, `too_short`; scatter \
         over {:.0}% of the fall, `too_noisy`; a completed sweep whose loss never rose back by a tenth of its fall, \
         `still_falling`. Verdicts on the benchmark's curves:\n\n| recording | verdict | curves |\n| --- | --- | --- |",
        100.0 * burn_lr_finder::MIN_FALL,
        burn_lr_finder::MIN_POINTS,
        100.0 * burn_lr_finder::MAX_NOISE
    );
    for recording in Recording::all() {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for run in analysis
            .sweeps
            .iter()
            .filter(|r| r.recording == recording.name)
        {
            let verdict = trust_of(run).map_or("none".into(), |t| t.name().to_string());
            match counts.iter_mut().find(|(v, _)| *v == verdict) {
                Some(c) => c.1 += 1,
                None => counts.push((verdict, 1)),
            }
        }
        for (verdict, curves) in counts {
            let _ = writeln!(w, "| {} | {verdict} | {curves} |", recording.name);
        }
    }
    let _ = writeln!(w);
}

fn tasks_section(
    w: &mut String,
    tasks: &[Box<dyn Task>],
    analysis: &Analysis,
    plots: &Path,
) -> Result<(), String> {
    let _ = writeln!(w, "## Tasks\n");
    for task in tasks {
        let _ = writeln!(
            w,
            "### {}\n\n{} ({} per update, {} updates per epoch, scored by {}).\n",
            task.name(),
            task.about(),
            task.batch_size(),
            task.steps_per_epoch(),
            task.quality().name()
        );
        let _ = writeln!(
            w,
            "| schedule | updates | best | band | collapse |\n| --- | --- | --- | --- | --- |"
        );
        for (s, bands) in analysis.bands.iter().enumerate() {
            for b in bands.iter().filter(|b| b.task == task.name()) {
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} to {} | {} |",
                    schedule_name(s),
                    b.updates,
                    sci(b.best_lr()),
                    sci(b.range().0),
                    sci(b.range().1),
                    b.collapse_lr().map_or("not reached".into(), sci)
                );
            }
        }
        let run = analysis
            .sweeps
            .iter()
            .find(|r| r.task == task.name() && r.recording == Recording::FASTAI);
        let band = analysis.bands[0]
            .iter()
            .find(|b| b.task == task.name() && b.updates == REFERENCE_UPDATES)
            .or_else(|| analysis.bands[0].iter().find(|b| b.task == task.name()));
        if let (Some(run), Some(band)) = (run, band) {
            let file = format!("{}.png", task.name());
            plot(run, band, &plots.join(&file))?;
            let _ = writeln!(w, "\n![{}](finder-benchmark/{file})\n", task.name());
        }
    }
    Ok(())
}

/// Writes `docs/finder-benchmark.md` and its plots under `docs`.
pub fn write(tasks: &[Box<dyn Task>], analysis: &Analysis, docs: &Path) -> Result<(), String> {
    let plots = docs.join("finder-benchmark");
    std::fs::create_dir_all(&plots).map_err(|e| format!("{}: {e}", plots.display()))?;
    let mut md = String::new();
    header(&mut md, tasks);
    beta_section(&mut md, analysis);
    result_section(&mut md, analysis);
    recordings_section(&mut md, analysis);
    trust_section(&mut md, analysis);
    tasks_section(&mut md, tasks, analysis, &plots)?;
    let path = docs.join("finder-benchmark.md");
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))
}

fn plot(run: &SweepRun, band: &Band, path: &Path) -> Result<(), String> {
    let test = run.range_test();
    let suggestions: Vec<_> = [Method::HandOff, Method::Minimum, Method::Valley]
        .iter()
        .filter_map(|m| test.suggestion(*m))
        .collect();
    let (low, high) = band.range();
    test.curve
        .chart(
            &format!("{} (seed {}, {} updates)", run.task, run.seed, run.num_iter),
            &suggestions,
        )
        .span(
            format!("good band ({} updates, warmup + cosine)", band.updates),
            low / half_step(),
            high * half_step(),
        )
        .save(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}
