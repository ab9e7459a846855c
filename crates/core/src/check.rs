//! The allowed ranges of spec fields, checked in one place for every path
//! (typed builders, JSON, TOML): each curve's `validate` calls these.

use crate::ConfigError;

/// The allowed range of a numeric field.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bounds {
    /// `x >= min`.
    AtLeast(f64),
    /// `x > min`.
    Above(f64),
    /// `lo <= x <= hi`.
    Closed(f64, f64),
    /// `lo < x < hi`.
    Open(f64, f64),
    /// `lo < x <= hi`.
    LeftOpen(f64, f64),
    /// `lo <= x < hi`.
    RightOpen(f64, f64),
}

impl Bounds {
    fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Self::AtLeast(min) => x >= min,
                Self::Above(min) => x > min,
                Self::Closed(lo, hi) => (lo..=hi).contains(&x),
                Self::Open(lo, hi) => x > lo && x < hi,
                Self::LeftOpen(lo, hi) => x > lo && x <= hi,
                Self::RightOpen(lo, hi) => x >= lo && x < hi,
            }
    }

    /// The range in words, for error messages.
    pub(crate) fn describe(self) -> String {
        match self {
            Self::AtLeast(min) => format!("a finite number >= {min}"),
            Self::Above(min) => format!("a finite number > {min}"),
            Self::Closed(lo, hi) => format!("a number in [{lo}, {hi}]"),
            Self::Open(lo, hi) => format!("a number in ({lo}, {hi})"),
            Self::LeftOpen(lo, hi) => format!("a number in ({lo}, {hi}]"),
            Self::RightOpen(lo, hi) => format!("a number in [{lo}, {hi})"),
        }
    }
}

/// The largest LR any field may hold: far above every real recipe, and low
/// enough that no schedule arithmetic overflows.
pub(crate) const MAX_LR: f64 = 1e100;

/// Checks a float field. A negative zero is refused too: it would come out
/// as an LR of `-0` (specs read `-0.0` as 0; only code can pass it).
pub(crate) fn float(field: &str, x: f64, bounds: Bounds) -> Result<(), ConfigError> {
    if x == 0.0 && x.is_sign_negative() {
        Err(ConfigError::invalid(
            field,
            "-0",
            format!("{} (write 0)", bounds.describe()),
        ))
    } else if bounds.contains(x) {
        Ok(())
    } else {
        Err(ConfigError::invalid(field, x, bounds.describe()))
    }
}

/// Checks an absolute LR (or a factor of one): finite, `>= 0` and at most `MAX_LR`.
pub(crate) fn lr(field: &str, x: f64) -> Result<(), ConfigError> {
    float(field, x, Bounds::AtLeast(0.0))?;
    if x != 0.0 && !x.is_normal() {
        return Err(ConfigError::invalid(
            field,
            format!("{x:e}"),
            format!(
                "0, or a number >= {:e} (a subnormal LR is no LR)",
                f64::MIN_POSITIVE
            ),
        ));
    }
    if x > MAX_LR {
        return Err(ConfigError::invalid(
            field,
            x,
            format!("a number <= {MAX_LR:e}"),
        ));
    }
    Ok(())
}

/// The largest count a field may hold: 2^53, the last integer an `f64` (the
/// curves' time, and a JSON number) holds exactly.
pub(crate) const MAX_INT: u64 = 1 << 53;

/// Checks an integer field: `min <= x <= 2^53`.
pub(crate) fn int(field: &str, x: u64, min: u64) -> Result<(), ConfigError> {
    if x < min {
        Err(ConfigError::invalid(
            field,
            x,
            format!("an integer >= {min}"),
        ))
    } else if x > MAX_INT {
        Err(ConfigError::invalid(
            field,
            x,
            format!("an integer <= 2^53 ({MAX_INT})"),
        ))
    } else {
        Ok(())
    }
}
