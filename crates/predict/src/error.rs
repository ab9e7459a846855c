//! Why runs cannot be fitted: the data, not a configuration.

use std::fmt;

use crate::fit::MIN_UPDATES;

/// Why [`fit`](crate::fit) has no law for its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FitError {
    /// No run was given.
    NoRuns,
    /// A run has fewer than [`MIN_UPDATES`] updates after its warmup.
    TooShort {
        /// The run's name.
        run: String,
        /// Its updates after the warmup.
        after_warmup: usize,
    },
    /// No run's LR decays after its warmup: the law's decay terms cannot be
    /// learnt.
    NoDecay,
    /// No start of the law could follow the runs (the loss does not fall as
    /// the LR sum grows).
    NoStart,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRuns => write!(f, "no run to fit: give at least one"),
            Self::TooShort { run, after_warmup } => write!(
                f,
                "run `{run}` has {after_warmup} updates after its warmup: a fit needs at least \
                 {MIN_UPDATES}"
            ),
            Self::NoDecay => write!(
                f,
                "only runs whose LR never decays: fit on at least one run whose LR decays after \
                 its warmup (cosine, a step, a cooldown), from which the law learns what a decay \
                 does"
            ),
            Self::NoStart => write!(
                f,
                "no start of the law could follow the runs: their loss does not fall as the LR sum \
                 grows"
            ),
        }
    }
}

impl std::error::Error for FitError {}
