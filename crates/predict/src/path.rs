//! An LR sequence as the loss-curve laws read it: a warmup, then the rest.

use burn_lr_core::ConfigError;

/// The LRs of a run, one per optimizer update (index 0 is the first update),
/// split where its warmup ends.
///
/// The warmup is the rise to the run's first peak: the updates before the
/// first one whose LR equals the top of the sequence's initial non-decreasing
/// stretch. A run without a rise has no warmup. The laws are fitted after the
/// warmup; the warmup enters them only through its LR sum `S_W`.
#[derive(Debug, Clone, PartialEq)]
pub struct LrPath {
    lrs: Vec<f64>,
    warmup: usize,
    /// `prefix[i]` is the sum of `lrs[..i]`.
    prefix: Vec<f64>,
}

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
        let rise = lrs.windows(2).take_while(|w| w[1] >= w[0]).count();
        let peak = lrs[rise];
        if peak <= 0.0 {
            return Err(ConfigError::invalid(
                "lr",
                "0 at its peak",
                "a sequence that reaches a positive LR",
            ));
        }
        let warmup = lrs.iter().position(|lr| *lr >= peak).unwrap_or(rise);
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

    /// The LR where the warmup ends (the first peak).
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
    fn the_warmup_ends_at_the_first_peak() {
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
