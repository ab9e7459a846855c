//! The tuner: the peak LR of a run, answered by short trainings of the
//! run's own schedule on the user's task.
//!
//! A range test brackets the candidates ([`Bracket`]): a log grid, three
//! points per decade, from where the loss starts to fall to a factor 2
//! below where it blows up. Then successive halving: every candidate trains
//! a short trial of the target schedule rescaled to the trial's length
//! ([`Spec::rescaled`]); then three candidates around where the best LR is
//! expected at the next length train three times longer, twice (two rungs
//! when the budget is small; the last rung takes what rounding left). Each rung's best LR is read between grid points,
//! and how it moved between the two longest rungs (`best LR ~ n^-beta`, the
//! task's own `beta`, trusted in `[0, 1]`) carries the longest trials' best
//! LR to the target's length; each rung is centred where that drift puts
//! the best LR at its length. Ties go to the lower
//! LR; a diverged or non-finite trial is never a winner, and the answer
//! stays below every LR that diverged. The cost, range test included,
//! never exceeds the budget.
//!
//! The objective is any closure `FnMut(&Trial) -> Result<Outcome, E>`:
//! burn-train ([`LearnerObjective`]), a custom loop, or a model that is not
//! burn's.

mod bracket;
mod learner;
mod search;
mod trial;
mod tuning;

use std::fmt::Display;

use burn_lr_core::{ConfigError, Schedule, Spec};
use indicatif::{ProgressBar, ProgressStyle};

pub use bracket::{Bracket, MAX_CANDIDATES, MIN_CANDIDATES, PER_DECADE};
pub use learner::{LearnerObjective, TrialSetup};
pub use search::{BETA_RANGE, FLAT, MIN_TRIAL_UPDATES, TIE};
pub use trial::{Outcome, Trial, TrialRecord};
pub use tuning::{Confidence, Goal, TuneError, TuneWarning, Tuning};

use search::{RungReading, Rungs, measured_beta, read_rung};

/// The run a search is for, and what it may spend.
///
/// ```
/// use burn_lr_core::{Spec, schedules::CosineWithWarmup};
/// use burn_lr_finder::tune::{Bracket, Goal, Outcome, TunerConfig, tune};
///
/// // 1000 updates of warmup + cosine; the task: a metric that peaks at LR 0.03.
/// let config = TunerConfig::new(Spec::new(CosineWithWarmup::new(100, 1000)), 1000, Goal::Minimize);
/// let bracket = Bracket::new(1e-3, 1.0)?;
/// let tuning = tune(&config, &bracket, |trial| {
///     Ok::<_, String>(Outcome::Metric((trial.lr.log10() - 0.03f64.log10()).powi(2)))
/// })?;
/// // Within a grid step (a factor 2.15) below it, never above.
/// assert!(tuning.lr <= 0.031 && tuning.lr > 0.03 / 2.2, "{}", tuning.lr);
/// assert!(tuning.cost <= config.budget()); // 2000 updates: two runs, by default
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TunerConfig {
    target: Spec,
    updates: u64,
    goal: Goal,
    budget: Option<u64>,
    seed: u64,
    granule: u64,
    progress: bool,
}

/// The default budget, in target runs: the search costs at most this many
/// trainings of the target's length, the range test included. Two runs: on
/// the project's LR benchmark (`docs/tuner.md`) the smallest budget with no
/// answer at the collapse LR, and 85% or more in the good band from 1,000
/// updates on (one run: 79-85%, one collapse; no budget up to three runs
/// reaches 90% at every length).
pub const DEFAULT_BUDGET_RUNS: f64 = 2.0;

impl TunerConfig {
    /// A search for the peak LR of `target` over a run of `updates`
    /// optimizer updates, scored by a metric to maximise or minimise. The
    /// budget defaults to two runs ([`DEFAULT_BUDGET_RUNS`]).
    pub fn new(target: Spec, updates: u64, goal: Goal) -> Self {
        Self {
            target,
            updates,
            goal,
            budget: None,
            seed: 0,
            granule: 1,
            progress: false,
        }
    }

    /// The most updates the search may train, the range test included.
    pub fn with_budget(mut self, updates: u64) -> Self {
        self.budget = Some(updates);
        self
    }

    /// The seed every trial trains from (default 0).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Makes every trial's length a multiple of `updates` (at least 1): the
    /// updates of an epoch, for a loop that trains whole epochs.
    pub fn with_granule(mut self, updates: u64) -> Self {
        self.granule = updates;
        self
    }

    /// Draws a progress bar on a terminal: trials done and left, and the
    /// best so far.
    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// The budget in updates.
    pub fn budget(&self) -> u64 {
        self.budget
            .unwrap_or((DEFAULT_BUDGET_RUNS * self.updates as f64).round() as u64)
    }

    /// The target spec.
    pub fn target(&self) -> &Spec {
        &self.target
    }

    /// The target run's length.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.updates == 0 {
            return Err(ConfigError::invalid("updates", 0, "an integer >= 1"));
        }
        if self.granule == 0 {
            return Err(ConfigError::invalid("granule", 0, "an integer >= 1"));
        }
        self.target.validate()
    }
}

/// Runs the search: trials of `config`'s target on `bracket`'s candidates,
/// each trained by `objective`. See the [module docs](self).
///
/// Errors: a configuration that cannot run ([`TuneError::Config`]: a budget
/// below the smallest search, which the message states; a target that
/// cannot be rescaled); the first error of the objective, naming its trial
/// ([`TuneError::Objective`]); every candidate diverged
/// ([`TuneError::AllDiverged`]).
pub fn tune<E: Display>(
    config: &TunerConfig,
    bracket: &Bracket,
    mut objective: impl FnMut(&Trial) -> Result<Outcome, E>,
) -> Result<Tuning, TuneError> {
    config.validate()?;
    // A target that cannot be rescaled fails here, before any training.
    trial_spec(&config.target, config.updates, config.updates, 1.0)?;
    let grid = bracket.candidates();
    let plan = Rungs::plan(
        grid.len(),
        config.updates,
        config.budget(),
        bracket.cost(),
        config.granule,
    )?;
    let total: usize = plan.rungs.iter().map(|&(n, _)| n).sum();
    let bar = progress_bar(config.progress, total);
    let mut trials = Vec::new();
    let mut readings: Vec<(u64, RungReading, usize)> = Vec::new(); // (updates, reading, offset in grid)
    let mut warnings = Vec::new();
    let mut lowest_diverged = f64::INFINITY;
    let mut offset = 0;
    for (rung, &(count, updates)) in plan.rungs.iter().enumerate() {
        // A later rung does not train LRs that diverged in shorter trials.
        let window = &grid[offset..offset + count];
        let lrs = &window[..window
            .iter()
            .take_while(|&&lr| lr < lowest_diverged)
            .count()];
        if lrs.is_empty() {
            warnings.push(TuneWarning::LongerTrialsDiverged { updates });
            break;
        }
        let mut losses = Vec::with_capacity(count);
        for &lr in lrs {
            let trial = Trial {
                index: trials.len(),
                rung,
                lr,
                updates,
                seed: config.seed,
                spec: trial_spec(&config.target, config.updates, updates, lr)?,
            };
            let outcome = objective(&trial).map_err(|e| TuneError::Objective {
                trial: trial.index,
                lr,
                updates,
                message: e.to_string(),
            })?;
            let metric = outcome.metric();
            if metric.is_none() {
                lowest_diverged = lowest_diverged.min(lr);
            }
            losses.push(metric.map(|m| config.goal.as_loss(m)));
            trials.push(TrialRecord {
                index: trial.index,
                rung,
                lr,
                updates,
                seed: config.seed,
                metric,
            });
            bar.inc(1);
        }
        let Some(reading) = read_rung(lrs, &losses) else {
            if rung == 0 {
                bar.finish_and_clear();
                return Err(TuneError::AllDiverged { lrs: lrs.to_vec() });
            }
            warnings.push(TuneWarning::LongerTrialsDiverged { updates });
            break;
        };
        if rung == 0 && reading.flat {
            let finite = trials.iter().filter_map(|t| t.metric);
            let range = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
                (lo.min(m), hi.max(m))
            });
            warnings.push(TuneWarning::FlatMetric { range });
        }
        bar.set_message(format!(
            "best at {updates} updates: lr {:.3e}",
            10f64.powf(reading.log_lr)
        ));
        readings.push((updates, reading, offset));
        // The next rung: three grid points around where the best LR is
        // expected at its length, below every LR that diverged.
        if let Some(&(_, next)) = plan.rungs.get(rung + 1) {
            let points: Vec<(u64, f64)> = readings.iter().map(|&(n, r, _)| (n, r.log_lr)).collect();
            let beta = measured_beta(&points).clamp(BETA_RANGE.0, BETA_RANGE.1);
            let expected = reading.log_lr - beta * (next as f64 / updates as f64).log10();
            let nearest = (0..grid.len())
                .min_by(|&a, &b| {
                    let d = |i: usize| (grid[i].log10() - expected).abs();
                    d(a).total_cmp(&d(b))
                })
                .unwrap_or(0);
            let below_divergence = grid.iter().take_while(|&&lr| lr < lowest_diverged).count();
            offset = nearest
                .saturating_sub(1)
                .min(below_divergence.saturating_sub(search::FINALISTS))
                .min(grid.len().saturating_sub(search::FINALISTS));
        }
    }
    bar.finish_and_clear();
    // Rung 0 either read a winner or returned `AllDiverged` above.
    let Some(&last) = readings.last() else {
        return Err(TuneError::AllDiverged { lrs: grid.to_vec() });
    };
    Ok(answer(
        config,
        bracket,
        last,
        &readings,
        trials,
        warnings,
        lowest_diverged,
    ))
}

/// The target rescaled to a trial of `updates` (of the target's `target`)
/// whose LR peaks at `lr` over the trial's own updates.
fn trial_spec(
    target: &Spec,
    target_updates: u64,
    updates: u64,
    lr: f64,
) -> Result<Spec, ConfigError> {
    let time = target_updates as f64 / updates as f64;
    let shape = target.rescaled(time, 1.0)?;
    let peak = shape
        .preview(Trial::BASE_LR, updates as usize)?
        .into_iter()
        .fold(0.0, f64::max);
    if !(peak > 0.0 && peak.is_finite()) {
        return Err(ConfigError::invalid(
            "target",
            target.schedule().name(),
            format!("a schedule whose LR is above 0 somewhere in a run of {updates} updates"),
        ));
    }
    target.rescaled(time, lr / peak)
}

/// The answer from the rungs' readings.
fn answer(
    config: &TunerConfig,
    bracket: &Bracket,
    last: (u64, RungReading, usize),
    readings: &[(u64, RungReading, usize)],
    trials: Vec<TrialRecord>,
    mut warnings: Vec<TuneWarning>,
    lowest_diverged: f64,
) -> Tuning {
    let grid = bracket.candidates();
    let rung_best: Vec<(u64, f64)> = readings.iter().map(|&(n, r, _)| (n, r.log_lr)).collect();
    // The slope between the two longest rungs: the nearest to the target's
    // length (the best LR of very short trials falls faster).
    let measured = measured_beta(&rung_best[rung_best.len().saturating_sub(2)..]);
    let beta = measured.clamp(BETA_RANGE.0, BETA_RANGE.1);
    if (measured - beta).abs() > 0.25 {
        warnings.push(TuneWarning::LengthCorrectionClamped {
            measured,
            used: beta,
        });
    }
    let (last_updates, last, last_offset) = last;
    let winner = last_offset + last.winner;
    if winner == 0 || winner + 1 == grid.len() {
        warnings.push(TuneWarning::EdgeOfBracket {
            lr: grid[winner],
            high: winner > 0,
        });
    }
    // Never above the longest trials' winner: their parabola may put the
    // best LR between it and the next candidate up, but ties and noise go to
    // the lower LR, and a run longer than the trials wants a lower one.
    let log_lr = last.log_lr.min(grid[winner].log10())
        - beta
            * (config.updates as f64 / last_updates as f64)
                .log10()
                .max(0.0);
    // Never at or above an LR that diverged: a grid step below it at most.
    let cap = lowest_diverged / 10f64.powf(1.0 / PER_DECADE);
    if 10f64.powf(log_lr) > cap {
        warnings.push(TuneWarning::CappedByDivergence {
            diverged: lowest_diverged,
        });
    }
    let lr = 10f64.powf(log_lr).min(cap);
    let one_cycle = matches!(config.target.schedule(), Schedule::OneCycle(_));
    Tuning {
        lr,
        max_lr: one_cycle.then_some(lr),
        updates: config.updates,
        goal: config.goal,
        confidence: if warnings.is_empty() {
            Confidence::High
        } else {
            Confidence::Low
        },
        warnings,
        cost: bracket.cost() + trials.iter().map(|t| t.updates).sum::<u64>(),
        budget: config.budget(),
        beta_measured: measured,
        beta,
        rung_best: rung_best.iter().map(|&(n, x)| (n, 10f64.powf(x))).collect(),
        bracket: bracket.clone(),
        trials,
    }
}

fn progress_bar(show: bool, total: usize) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("tuning {bar:30} {pos}/{len} trials {msg}") {
        bar.set_style(style);
    }
    bar
}
