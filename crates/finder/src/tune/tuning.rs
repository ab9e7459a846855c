//! What a search answers: the LR, how sure it is and why, what it cost, and
//! every trial; its warnings and errors.

use std::fmt;
use std::path::Path;

use burn_lr_core::ConfigError;
use burn_lr_plot::{Chart, PlotError, Series};
use serde::Serialize;

use super::bracket::Bracket;
use super::trial::TrialRecord;

/// Whether a larger metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Higher is better (accuracy).
    Maximize,
    /// Lower is better (loss, error).
    Minimize,
}

impl Goal {
    /// `metric` turned lower-is-better.
    pub(crate) fn as_loss(self, metric: f64) -> f64 {
        match self {
            Self::Maximize => -metric,
            Self::Minimize => metric,
        }
    }
}

/// Something the caller should know about an answer; each lowers the
/// confidence. [`code`](Self::code) is stable; `Display` is the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TuneWarning {
    /// The metric did not move across the first rung's candidates.
    FlatMetric {
        /// The lowest and highest metric of the rung.
        range: (f64, f64),
    },
    /// The best trial of the last rung is the bracket's lowest or highest
    /// candidate: the best LR may lie outside the bracket.
    EdgeOfBracket {
        /// That candidate.
        lr: f64,
        /// `true` at the highest candidate.
        high: bool,
    },
    /// The best LR moved with the trial length faster than the correction
    /// trusts, or against the usual direction; the correction was clamped.
    LengthCorrectionClamped {
        /// The exponent the trials measured.
        measured: f64,
        /// The exponent used.
        used: f64,
    },
    /// The answer was lowered to a grid step below an LR that diverged (a
    /// divergence at or near the best LR: a noisy task, or an unlucky seed).
    CappedByDivergence {
        /// The lowest LR that diverged.
        diverged: f64,
    },
    /// Every trial of a later rung diverged, or every LR of its window had
    /// diverged already: the answer comes from the shorter trials, capped
    /// below the LRs that diverged.
    LongerTrialsDiverged {
        /// Updates of the trials that all diverged.
        updates: u64,
    },
}

impl TuneWarning {
    /// The warning's stable code, as serialised.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FlatMetric { .. } => "flat_metric",
            Self::EdgeOfBracket { .. } => "edge_of_bracket",
            Self::LengthCorrectionClamped { .. } => "length_correction_clamped",
            Self::CappedByDivergence { .. } => "capped_by_divergence",
            Self::LongerTrialsDiverged { .. } => "longer_trials_diverged",
        }
    }
}

impl fmt::Display for TuneWarning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Self::FlatMetric { range } => write!(
                f,
                "the metric did not move across the candidates ({:.6} to {:.6}): it says nothing \
                 about the LR; check that it is the validation metric, and that the trials train",
                range.0, range.1
            ),
            Self::EdgeOfBracket { lr, high } => write!(
                f,
                "the best trial is the bracket's {} candidate ({lr:.3e}): better LRs may lie {} it; \
                 widen the bracket",
                if *high { "highest" } else { "lowest" },
                if *high { "above" } else { "below" }
            ),
            Self::LengthCorrectionClamped { measured, used } => write!(
                f,
                "the best LR moved with the trial length as n^-{measured:.2}, outside the trusted \
                 [0, 1]: corrected with {used:.2} (the trials are noisy at these lengths; a larger \
                 budget gives longer trials)"
            ),
            Self::CappedByDivergence { diverged } => write!(
                f,
                "a trial at {diverged:.3e} diverged, at or next to the best LR the trials read: the \
                 answer was lowered to a grid step below it"
            ),
            Self::LongerTrialsDiverged { updates } => write!(
                f,
                "every trial of {updates} updates diverged: the answer comes from shorter trials, \
                 below the LRs that diverged"
            ),
        }
    }
}

/// How far an answer can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// No warning.
    High,
    /// At least one warning.
    Low,
}

/// What went wrong with a search.
#[derive(Debug, Clone, PartialEq)]
pub enum TuneError {
    /// The search's configuration (a budget too small, a target that cannot
    /// be rescaled, ...).
    Config(ConfigError),
    /// The objective returned an error: the search stopped at that trial.
    Objective {
        /// The trial's index.
        trial: usize,
        /// Its peak LR.
        lr: f64,
        /// Its updates.
        updates: u64,
        /// The objective's error, in words.
        message: String,
    },
    /// Every candidate of the first rung diverged: no LR of the bracket
    /// trains.
    AllDiverged {
        /// The candidates tried.
        lrs: Vec<f64>,
    },
}

impl From<ConfigError> for TuneError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

impl fmt::Display for TuneError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Self::Config(e) => e.fmt(f),
            Self::Objective {
                trial,
                lr,
                updates,
                message,
            } => write!(
                f,
                "trial {trial} (lr {lr:.3e}, {updates} updates) failed: {message}"
            ),
            Self::AllDiverged { lrs } => write!(
                f,
                "every candidate diverged ({} LRs from {:.3e} to {:.3e}): no LR of the bracket \
                 trains; check the model and the loss, or bracket lower LRs",
                lrs.len(),
                lrs.first().copied().unwrap_or(f64::NAN),
                lrs.last().copied().unwrap_or(f64::NAN)
            ),
        }
    }
}

impl std::error::Error for TuneError {}

/// The answer of a search, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tuning {
    /// The peak LR for the target run.
    pub lr: f64,
    /// The same LR as one-cycle's `max_lr`, when the target is one-cycle.
    pub max_lr: Option<f64>,
    /// The target run's length, in updates.
    pub updates: u64,
    /// Whether the metric was maximised or minimised.
    pub goal: Goal,
    /// `high` when no warning was raised.
    pub confidence: Confidence,
    /// What lowered the confidence.
    pub warnings: Vec<TuneWarning>,
    /// Updates trained, the range test included (never above `budget`).
    pub cost: u64,
    /// The budget the search was given.
    pub budget: u64,
    /// The exponent of `best LR ~ n^-beta` the trials measured, and the one
    /// used to carry the longest trials' best LR to `updates`.
    pub beta_measured: f64,
    /// See `beta_measured`.
    pub beta: f64,
    /// The best LR each rung read (between grid points), by trial length:
    /// `(updates, lr)`.
    pub rung_best: Vec<(u64, f64)>,
    /// The candidates and what the range test cost.
    pub bracket: Bracket,
    /// Every trial, in the order it ran.
    pub trials: Vec<TrialRecord>,
}

impl Tuning {
    /// The answer as pretty JSON (warnings carry their `code`).
    pub fn to_json(&self) -> String {
        // Serialising plain numbers, strings and vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The metric against the LR (log x), one series per trial length, the
    /// chosen LR marked; `.svg` or `.png` by extension.
    pub fn plot(&self, path: impl AsRef<Path>, title: &str) -> Result<(), PlotError> {
        self.chart(title).save(path)
    }

    /// The chart [`plot`](Self::plot) draws. Diverged trials are not drawn.
    pub fn chart(&self, title: &str) -> Chart {
        let mut chart =
            Chart::new(title, "peak learning rate (log scale)", "validation metric").log_x();
        let mut lengths: Vec<u64> = self.trials.iter().map(|t| t.updates).collect();
        lengths.sort_unstable();
        lengths.dedup();
        for &n in &lengths {
            let points: Vec<(f64, f64)> = self
                .trials
                .iter()
                .filter(|t| t.updates == n)
                .filter_map(|t| t.metric.map(|m| (t.lr, m)))
                .collect();
            chart = chart.series(Series::new(format!("trials of {n} updates"), points));
        }
        let best = self
            .trials
            .iter()
            .filter(|t| Some(&t.updates) == lengths.last())
            .filter_map(|t| t.metric)
            .fold(None, |acc: Option<f64>, m| {
                Some(acc.map_or(m, |a| match self.goal {
                    Goal::Maximize => a.max(m),
                    Goal::Minimize => a.min(m),
                }))
            });
        chart.marker(
            format!("chosen {:.3e} for {} updates", self.lr, self.updates),
            self.lr,
            best.unwrap_or(0.0),
        )
    }
}
