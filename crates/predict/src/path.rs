//! An LR sequence as the loss-curve laws read it: a warmup, then the rest.

use burn_lr_core::ConfigError;

/// The LRs of a run, one per optimizer update (index 0 is the first update),
/// split where its warmup ends.
///
/// The warmup is the rise to the run's highest LR: the updates before the
/// first one whose LR is within [`PEAK_TOLERANCE`] of the highest (so a
/// warmup that dips on its way up is still one warmup). A run that starts at
/// its highest LR has no warmup. The laws are fitted after the
/// warmup; the warmup enters them only through its LR sum `S_W`.
#[derive(Debug, Clone, PartialEq)]
pub struct LrPath {
    lrs: Vec<f64>,
    warmup: usize,
    /// `prefix[i]` is the sum of `lrs[..i]`.
    prefix: Vec<f64>,
}

/// How far below the highest LR, relatively, an LR still counts as the
/// peak: LRs logged in `f32` round by up to 6e-8.
pub const PEAK_TOLERANCE: f64 = 1e-6;

impl LrPath {
    /// Checks the LRs (finite, `>= 0`, some positive) and finds the warmup.
    pub fn new(lrs: Vec<f64>) -> Result<Self, ConfigError> {
        if lrs.is_empty() {
            return Err(ConfigError::invalid("lr", "[]", "at least one update"));
        }
        if let Some((i, lr)) = lrs
            .iter()
            .enumerate()
            .find(|(_, lr)| !lr.is_finite() || **lr < 0.0)
        {
            return Err(ConfigError::invalid(
                format!("lr[{i}]"),
                lr,
                "a finite LR >= 0",
            ));
        }
        let peak = lrs.iter().copied().fold(0.0, f64::max);
        if peak <= 0.0 {
            return Err(ConfigError::invalid(
                "lr",
                "0 at its peak",
                "a sequence that reaches a positive LR",
            ));
        }
        let top = peak * (1.0 - PEAK_TOLERANCE);
        let warmup = lrs.iter().position(|lr| *lr >= top).unwrap_or(0);
        let mut prefix = Vec::with_capacity(lrs.len() + 1);
        prefix.push(0.0);
        let mut sum = 0.0;
        for lr in &lrs {
            sum += lr;
            prefix.push(sum);
        }
        Ok(Self {
            lrs,
            warmup,
            prefix,
        })
    }

    /// The LR of every update.
    pub fn lrs(&self) -> &[f64] {
        &self.lrs
    }

    /// The number of updates.
    pub fn len(&self) -> usize {
        self.lrs.len()
    }

    /// Whether there are no updates (never true: [`new`](Self::new) refuses it).
    pub fn is_empty(&self) -> bool {
        self.lrs.is_empty()
    }

    /// The number of warmup updates (0 when the run starts at its peak).
    pub fn warmup(&self) -> usize {
        self.warmup
    }

    /// Whether the LR rises after the warmup (by more than
    /// [`PEAK_TOLERANCE`]): a restart, a cyclic schedule.
    pub fn rises_after_warmup(&self) -> bool {
        self.lrs[self.warmup..]
            .windows(2)
            .any(|w| w[1] > w[0] * (1.0 + PEAK_TOLERANCE))
    }

    /// The LR where the warmup ends (the highest).
    pub fn peak(&self) -> f64 {
        self.lrs[self.warmup]
    }

    /// The steepest fall of the LR after the warmup: the largest drop
    /// `lr[k - w] - lr[k]` over `w` updates, `w` a twentieth of the run (at
    /// least 1), as a fraction of the peak. About 0.08 for cosine to 0, 0.9
    /// for a step of 0.1x, 1 for a cooldown to 0 over 5% of the run or less.
    pub fn steepest_fall(&self) -> f64 {
        let w = (self.lrs.len() / 20).max(1);
        let after = &self.lrs[self.warmup..];
        let fall = (w..after.len())
            .map(|k| after[k - w] - after[k])
            .fold(0.0, f64::max);
        fall / self.peak()
    }

    /// The sum of the LRs of updates `..end`.
    pub(crate) fn sum_before(&self, end: usize) -> f64 {
        self.prefix[end]
    }

    /// The same sequence with every LR divided by `scale`.
    pub(crate) fn scaled(&self, scale: f64) -> Self {
        Self {
            lrs: self.lrs.iter().map(|lr| lr / scale).collect(),
            warmup: self.warmup,
            prefix: self.prefix.iter().map(|s| s / scale).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warmup_ends_at_the_highest_lr() {
        let warm: Vec<f64> = (0..4)
            .map(|k| 0.1 * (k + 1) as f64 / 4.0)
            .chain([0.1; 6])
            .collect();
        let path = LrPath::new(warm).unwrap();
        assert_eq!(path.warmup(), 3);
        assert_eq!(path.peak(), 0.1);
        assert!((path.sum_before(3) - 0.15).abs() < 1e-15);
        assert_eq!(LrPath::new(vec![0.1, 0.05, 0.01]).unwrap().warmup(), 0);
        assert_eq!(LrPath::new(vec![0.1; 5]).unwrap().warmup(), 0);
        // A dip on the way up is still the warmup.
        let dip = LrPath::new(vec![0.0, 0.02, 0.019, 0.05, 0.1, 0.1, 0.05]).unwrap();
        assert_eq!((dip.warmup(), dip.peak()), (4, 0.1));
        assert!(!dip.rises_after_warmup());
        // f32 rounding of the peak is no rise.
        let logged = LrPath::new(vec![0.05, 0.1, 0.1 * (1.0 - 6e-8), 0.1, 0.05]).unwrap();
        assert_eq!(logged.warmup(), 1);
        assert!(!logged.rises_after_warmup());
        let restart = LrPath::new(vec![0.1, 0.05, 0.01, 0.1, 0.05]).unwrap();
        assert_eq!(restart.warmup(), 0);
        assert!(restart.rises_after_warmup());
    }

    #[test]
    fn the_steepest_fall_is_a_fraction_of_the_peak_over_a_twentieth_of_the_run() {
        let cosine: Vec<f64> = (0..1000)
            .map(|k| 0.5 * (1.0 + (std::f64::consts::PI * k as f64 / 1000.0).cos()))
            .collect();
        // Steepest at the middle: sin(pi / 2) * pi / 2 * 50 / 1000 ~ 0.0785.
        let fall = LrPath::new(cosine).unwrap().steepest_fall();
        assert!((fall - 0.0785).abs() < 1e-3, "{fall}");
        let step: Vec<f64> = (0..1000)
            .map(|k| if k < 700 { 0.1 } else { 0.01 })
            .collect();
        assert!((LrPath::new(step).unwrap().steepest_fall() - 0.9).abs() < 1e-12);
        assert_eq!(LrPath::new(vec![0.1; 10]).unwrap().steepest_fall(), 0.0);
    }

    #[test]
    fn bad_lrs_name_the_update() {
        let error = LrPath::new(vec![0.1, f64::NAN]).unwrap_err().to_string();
        assert!(error.contains("lr[1]"), "{error}");
        assert!(LrPath::new(vec![0.0; 3]).is_err());
        assert!(LrPath::new(vec![]).is_err());
        assert!(LrPath::new(vec![0.1, -0.1]).is_err());
    }
}
