//! Whether a fitted law can be trusted: a verdict on the fit, given with
//! every prediction and plan.

use std::fmt;

use serde::Serialize;
use serde::ser::SerializeStruct;

/// The fit error (root mean square relative error on the fitted runs)
/// above which a prediction and a ranking are not to be trusted. The laws
/// follow the project's evidence runs within 2.3% to 2.6%.
pub const POOR_FIT: f64 = 0.05;

/// Why a fitted law's predictions are not to be trusted.
#[derive(Debug, Clone, PartialEq)]
pub enum FitWarning {
    /// The law misses the fitted runs by more than [`POOR_FIT`].
    PoorFit {
        /// The fit error (0.01 is 1%).
        fit_error: f64,
    },
    /// A constant ended at the edge of the range it is fitted in: the runs
    /// do not determine it, and the law extrapolates from a guess.
    AtBound {
        /// The constant's name (`gamma`, `beta`, ...).
        constant: &'static str,
        /// Its fitted value.
        value: f64,
    },
}

impl FitWarning {
    /// A stable identifier (`poor_fit`, `constant_at_bound`), for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PoorFit { .. } => "poor_fit",
            Self::AtBound { .. } => "constant_at_bound",
        }
    }
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PoorFit { fit_error } => write!(
                f,
                "the law misses the fitted runs by {:.1}% (more than {:.0}%): its predictions and \
                 rankings are not to be trusted; fit on more runs, or runs of the schedule you plan",
                100.0 * fit_error,
                100.0 * POOR_FIT
            ),
            Self::AtBound { constant, value } => write!(
                f,
                "the fitted `{constant}` ({value:.4e}) is at the edge of its range: the runs do not \
                 determine it, so its predictions and rankings are not to be trusted; fit on runs \
                 that decay differently (a constant LR, cosine, a short cooldown)"
            ),
        }
    }
}

impl Serialize for FitWarning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        coded(self.code(), self, serializer)
    }
}

/// A warning as JSON: `{"code": .., "message": ..}`.
pub(crate) fn coded<S: serde::Serializer>(
    code: &str,
    message: &impl fmt::Display,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut s = serializer.serialize_struct("Warning", 2)?;
    s.serialize_field("code", code)?;
    s.serialize_field("message", &message.to_string())?;
    s.end()
}
