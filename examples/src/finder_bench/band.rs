//! What the grid says about a task at one run length: the best peak LR, the
//! good band around it and the LR where training collapses.

use super::data::GridRun;
use super::tasks::Quality;

/// Half a grid step, `10^(1/6)` (the grid has three LRs per decade): an LR
/// belongs to the grid point it is nearest to in log scale.
pub fn half_step() -> f64 {
    10f64.powf(1.0 / 6.0)
}

/// What a band ranks LRs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// The task's own metric (accuracy, or MSE for regression): the label
    /// rules are judged by.
    Metric,
    /// The validation loss: the second label.
    ValidLoss,
}

/// The grid's verdict for one task, schedule and run length.
#[derive(Debug, Clone)]
pub struct Band {
    /// Task name.
    pub task: String,
    /// Schedule name.
    pub schedule: String,
    /// Run length, in updates.
    pub updates: u64,
    /// The grid's LRs, ascending.
    pub lrs: Vec<f64>,
    /// Mean over the seeds of the label as a loss (lower is better: minus
    /// the accuracy, the MSE, or the validation loss), per LR; infinite when
    /// a seed blew up.
    pub mean: Vec<f64>,
    /// Its standard deviation over the seeds.
    pub sd: Vec<f64>,
    /// Worst seed's value, per LR.
    pub worst: Vec<f64>,
    /// Mean value of the untrained models.
    pub untrained: f64,
    /// Index of the best LR (lowest mean).
    pub best: usize,
    /// First and last index of the good band (contiguous around `best`).
    pub band: (usize, usize),
    /// Index of the collapse LR, if the grid reaches it.
    pub collapse: Option<usize>,
    /// The worst mean (as a loss) still in the good band.
    limit: f64,
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

/// The smallest tolerance of the validation-loss band, relative to the
/// best loss.
pub const LOSS_TOLERANCE: f64 = 0.02;

impl Band {
    /// Reads the grid runs of `task`, `schedule` and `updates`, ranked by `label`.
    ///
    /// - best: the LR with the best mean over the seeds;
    /// - good band: the LRs next to it (contiguous) whose mean is within two
    ///   standard deviations of the best LR's seeds of the best mean, or
    ///   within the metric's [`Quality::tolerance`] (for the validation
    ///   loss, [`LOSS_TOLERANCE`] of the best), whichever is larger: a run
    ///   there is as good as one at the best LR, up to noise;
    /// - collapse: the first LR above the best where some seed blows up or
    ///   keeps less than half of the best mean's gain over the untrained model.
    pub fn from_grid(
        grid: &[GridRun],
        task: &str,
        schedule: &str,
        updates: u64,
        quality: Quality,
        label: Label,
    ) -> Option<Band> {
        let value = |r: &GridRun| {
            let v = match label {
                Label::Metric => quality.as_loss(r.metric),
                Label::ValidLoss => r.valid_loss,
            };
            if v.is_nan() { f64::INFINITY } else { v }
        };
        let untrained: Vec<f64> = grid
            .iter()
            .filter(|r| r.task == task && r.schedule == "untrained")
            .map(value)
            .collect();
        let runs: Vec<&GridRun> = grid
            .iter()
            .filter(|r| r.task == task && r.schedule == schedule && r.updates == updates)
            .collect();
        let mut lrs: Vec<f64> = runs.iter().map(|r| r.peak_lr).collect();
        lrs.sort_by(f64::total_cmp);
        lrs.dedup();
        if lrs.is_empty() || untrained.is_empty() {
            return None;
        }
        let values: Vec<Vec<f64>> = lrs
            .iter()
            .map(|&lr| {
                runs.iter()
                    .filter(|r| r.peak_lr == lr)
                    .map(|r| value(r))
                    .collect()
            })
            .collect();
        let (mean, sd): (Vec<f64>, Vec<f64>) = values.iter().map(|l| mean_sd(l)).unzip();
        let worst: Vec<f64> = values
            .iter()
            .map(|l| l.iter().copied().fold(f64::NEG_INFINITY, f64::max))
            .collect();
        let best = (0..lrs.len()).min_by(|&a, &b| mean[a].total_cmp(&mean[b]))?;
        let untrained = mean_sd(&untrained).0;
        let gain = untrained - mean[best];
        let tolerance = match label {
            Label::Metric => quality.tolerance(mean[best]),
            Label::ValidLoss => LOSS_TOLERANCE * mean[best].abs(),
        };
        let limit = mean[best] + (2.0 * sd[best]).max(tolerance);
        let good = |i: usize| mean[i] <= limit;
        let low = (0..best)
            .rev()
            .take_while(|&i| good(i))
            .last()
            .unwrap_or(best);
        let high = (best + 1..lrs.len())
            .take_while(|&i| good(i))
            .last()
            .unwrap_or(best);
        let failed = mean[best] + 0.5 * gain;
        let collapse = (best + 1..lrs.len()).find(|&i| worst[i] >= failed);
        Some(Band {
            task: task.into(),
            schedule: schedule.into(),
            updates,
            lrs,
            mean,
            sd,
            worst,
            untrained,
            best,
            band: (low, high),
            collapse,
            limit,
        })
    }

    /// The worst mean (as a loss, like [`mean`](Self::mean)) of the good
    /// band: a run whose mean is at most this is as good as the best LR's,
    /// up to seed noise.
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// The best LR.
    pub fn best_lr(&self) -> f64 {
        self.lrs[self.best]
    }

    /// The band's LRs, `[low, high]` (grid points).
    pub fn range(&self) -> (f64, f64) {
        (self.lrs[self.band.0], self.lrs[self.band.1])
    }

    /// The collapse LR, if the grid reaches it.
    pub fn collapse_lr(&self) -> Option<f64> {
        self.collapse.map(|i| self.lrs[i])
    }

    /// Whether `lr` is nearest to a grid point of the band.
    pub fn contains(&self, lr: f64) -> bool {
        let (low, high) = self.range();
        lr >= low / half_step() && lr < high * half_step()
    }

    /// Whether `lr` is nearest to the collapse LR or above it.
    pub fn collapses(&self, lr: f64) -> bool {
        self.collapse_lr().is_some_and(|c| lr >= c / half_step())
    }
}
