//! Reading back what burn-train logged: its file logger writes one entry per
//! *batch* (and an epoch summary), so a run with gradient accumulation or
//! several devices has more entries than optimizer updates.

use std::path::Path;

use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::NumericEntry;
use burn::train::metric::store::Split;

use crate::{ConfigError, Spec};

/// The per-batch values of the metric `name` of `split` that burn-train
/// logged to `directory`, epoch by epoch from epoch 1 to the last epoch
/// logged; the epoch summaries are left out, and an epoch without a log of
/// `name` (before a run resumed into this directory) is empty. An error when
/// no epoch has one.
pub fn logged_per_batch(
    directory: impl AsRef<Path>,
    name: &str,
    split: &Split,
) -> Result<Vec<Vec<f64>>, ConfigError> {
    let directory = directory.as_ref();
    let mut logger = FileMetricLogger::new(directory);
    let mut epochs: Vec<Vec<f64>> = (1..=last_epoch(directory, split))
        .map(|epoch| {
            let entries = logger.read_numeric(name, epoch, split).unwrap_or_default();
            entries
                .into_iter()
                .filter_map(|entry| match entry {
                    NumericEntry::Value(v) => Some(v),
                    NumericEntry::Aggregated {
                        aggregated_value, ..
                    } => Some(aggregated_value),
                    NumericEntry::Final(_) => None,
                })
                .collect()
        })
        .collect();
    while epochs.last().is_some_and(Vec::is_empty) {
        epochs.pop();
    }
    if epochs.is_empty() {
        return Err(ConfigError::io(
            directory,
            format!(
                "holds no {split} log of `{name}`: register the metric with \
                 `.metric_{split}_numeric(..)` and pass the directory the learner logged to"
            ),
        ));
    }
    Ok(epochs)
}

/// The highest `N` of the `<split>/epoch-N` directories burn-train's file
/// logger writes (0 when there is none).
fn last_epoch(directory: &Path, split: &Split) -> usize {
    std::fs::read_dir(directory.join(split.to_string()))
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_prefix("epoch-")?.parse().ok()
        })
        .max()
        .unwrap_or(0)
}

/// The LR of every optimizer update of a run burn-train logged to
/// `directory`, from the training metric `name`: `"Learning Rate"`
/// (burn-train's `LearningRateMetric`, the default group) or a
/// [`GroupLrMetric`](crate::GroupLrMetric)'s `"Learning Rate [PATTERN]"`.
///
/// burn-train logs `batches_per_update` entries per update: the gradient
/// accumulation times the number of devices (1 for one device without
/// accumulation). The batch that steps the optimizer logs the update's LR,
/// last; the batches before it log the previous update's LR (0 before the
/// first update). An epoch whose batches are not a multiple of
/// `batches_per_update` ends with one shorter update, as burn-train makes
/// it. An error names the epoch whose entries do not fall into updates that
/// way. Epochs not logged in `directory` (before a run resumed into it) give
/// no LRs: [`Spec::trained_as_planned`] accounts for them.
pub fn logged_lrs(
    directory: impl AsRef<Path>,
    name: &str,
    batches_per_update: usize,
) -> Result<Vec<f64>, ConfigError> {
    Ok(logged_updates(directory.as_ref(), name, batches_per_update)?.1)
}

/// [`logged_lrs`] with the index of the first update logged: the updates of
/// the epochs before a run resumed into `directory`, counted at the logged
/// epochs' updates per epoch.
fn logged_updates(
    directory: &Path,
    name: &str,
    batches_per_update: usize,
) -> Result<(usize, Vec<f64>), ConfigError> {
    if batches_per_update == 0 {
        return Err(ConfigError::invalid(
            "batches_per_update",
            0,
            "an integer >= 1: the gradient accumulation times the devices",
        ));
    }
    let epochs = logged_per_batch(directory, name, &Split::Train)?;
    let skipped = epochs
        .iter()
        .take_while(|batches| batches.is_empty())
        .count();
    let per_epoch = epochs
        .get(skipped)
        .map_or(0, |batches| batches.len().div_ceil(batches_per_update));
    let mut lrs: Vec<f64> = Vec::new();
    for (i, batches) in epochs.iter().enumerate() {
        for update in batches.chunks(batches_per_update) {
            let (&lr, before) = update.split_last().unwrap_or((&0.0, &[]));
            let previous = lrs.last().copied().unwrap_or(0.0);
            if before.iter().any(|&b| b != previous && b != lr) {
                return Err(ConfigError::invalid(
                    format!("{name}, epoch {}", i + 1),
                    format!("{update:?} within one update"),
                    format!(
                        "the previous update's LR ({previous}), then this update's, over \
                         {batches_per_update} batches: is `batches_per_update` the gradient \
                         accumulation times the devices?"
                    ),
                ));
            }
            lrs.push(lr);
        }
    }
    Ok((skipped * per_epoch, lrs))
}

impl Spec {
    /// The LR of every update that burn-train logged to `directory`, for the
    /// default group (`"Learning Rate"`) and then each group of the spec
    /// (`"Learning Rate [PATTERN]"`, registered with
    /// [`group_lr_metrics`](Spec::group_lr_metrics)), by name; see
    /// [`logged_lrs`] for `batches_per_update`. Compare them with
    /// [`preview`](Spec::preview) to check the LR a run really trained with,
    /// or let [`trained_as_planned`](Spec::trained_as_planned) do it.
    pub fn logged_lrs(
        &self,
        directory: impl AsRef<Path>,
        batches_per_update: usize,
    ) -> Result<Vec<(String, Vec<f64>)>, ConfigError> {
        let directory = directory.as_ref();
        std::iter::once("Learning Rate".to_string())
            .chain(self.group_lr_names())
            .map(|name| {
                let lrs = logged_lrs(directory, &name, batches_per_update)?;
                Ok((name, lrs))
            })
            .collect()
    }

    /// Whether the run burn-train logged to `directory` made all its
    /// `updates` updates at this spec's LR from `base_lr`: the default
    /// group's logged LRs (`"Learning Rate"`, see [`logged_lrs`] for
    /// `batches_per_update`) are the [`preview`](Spec::preview)'s, each
    /// within 1e-9 relative, up to the last update. A run stopped early
    /// (by the hook, or burn-train's early stopping) is not as planned; a
    /// run resumed into the directory is checked from the update it resumed
    /// at, the epochs before it counted at the logged epochs' length.
    pub fn trained_as_planned(
        &self,
        directory: impl AsRef<Path>,
        base_lr: f64,
        updates: usize,
        batches_per_update: usize,
    ) -> Result<bool, ConfigError> {
        let (first, logged) =
            logged_updates(directory.as_ref(), "Learning Rate", batches_per_update)?;
        let planned = self.preview(base_lr, updates)?;
        Ok(first + logged.len() == updates
            && logged
                .iter()
                .zip(&planned[first..])
                .all(|(got, want)| (got - want).abs() <= 1e-9 * want.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run directory with `Learning_Rate.log` per epoch as burn-train
    /// 0.22's file logger writes it.
    fn run_dir(epochs: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (i, text) in epochs.iter().enumerate() {
            let epoch = dir.path().join("train").join(format!("epoch-{}", i + 1));
            std::fs::create_dir_all(&epoch).unwrap();
            std::fs::write(epoch.join("Learning_Rate.log"), text).unwrap();
        }
        dir
    }

    #[test]
    fn one_lr_per_update_under_accumulation_and_several_devices() {
        let dir = run_dir(&["0.1\n0.2\n0.15,final\n", "0.3\n0.4\n0.35,final\n"]);
        assert_eq!(
            logged_lrs(dir.path(), "Learning Rate", 1).unwrap(),
            [0.1, 0.2, 0.3, 0.4]
        );
        // Accumulation of 2: the batch that does not step logs the previous
        // update's LR (0 before the first), as burn-train 0.22 does.
        let dir = run_dir(&["0\n0.1\n0.1\n0.2\n0.1,final\n"]);
        assert_eq!(
            logged_lrs(dir.path(), "Learning Rate", 2).unwrap(),
            [0.1, 0.2]
        );
        // Two devices: each update logged twice; a warmup from 0 included.
        let dir = run_dir(&["0\n0\n0.1\n0.1\n0.05,final\n"]);
        assert_eq!(
            logged_lrs(dir.path(), "Learning Rate", 2).unwrap(),
            [0.0, 0.1]
        );
    }

    #[test]
    fn an_epoch_not_a_multiple_of_the_accumulation_ends_with_a_short_update() {
        // 5 batches, accumulation 2: updates after batches 2, 4 and 5.
        let dir = run_dir(&["0\n0.1\n0.1\n0.2\n0.3\n0.2,final\n"]);
        assert_eq!(
            logged_lrs(dir.path(), "Learning Rate", 2).unwrap(),
            [0.1, 0.2, 0.3]
        );
    }

    #[test]
    fn a_layout_that_does_not_fit_the_log_is_an_error() {
        let dir = run_dir(&["0.1\n0.2\n0.3\n0.4\n0.25,final\n"]);
        let e = logged_lrs(dir.path(), "Learning Rate", 2)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("`Learning Rate, epoch 1` = [0.1, 0.2] within one update"),
            "{e}"
        );
        let e = logged_lrs(dir.path(), "Learning Rate [head]", 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no train log of `Learning Rate [head]`"), "{e}");
        assert!(logged_lrs(dir.path(), "Learning Rate", 0).is_err());
    }

    #[test]
    fn epochs_before_a_resume_into_the_directory_are_empty() {
        let dir = run_dir(&["0.1\n0.15,final\n", "0.1\n0.2\n0.15,final\n"]);
        std::fs::remove_file(dir.path().join("train/epoch-1/Learning_Rate.log")).unwrap();
        assert_eq!(
            logged_per_batch(dir.path(), "Learning Rate", &Split::Train).unwrap(),
            [vec![], vec![0.1, 0.2]]
        );
        assert_eq!(
            logged_lrs(dir.path(), "Learning Rate", 1).unwrap(),
            [0.1, 0.2]
        );
    }

    #[test]
    fn a_stopped_run_is_not_as_planned_and_a_resumed_one_is_checked_from_its_resume() {
        let spec = Spec::new(crate::schedules::CosineAnnealingLr::new(6));
        let lrs = spec.preview(1.0, 6).unwrap();
        let epoch =
            |lrs: &[f64]| lrs.iter().map(|lr| format!("{lr}\n")).collect::<String>() + "0,final\n";
        let (one, two) = (epoch(&lrs[..3]), epoch(&lrs[3..]));
        let whole = run_dir(&[&one, &two]);
        assert!(spec.trained_as_planned(whole.path(), 1.0, 6, 1).unwrap());
        assert!(!spec.trained_as_planned(whole.path(), 0.5, 6, 1).unwrap());
        let stopped = run_dir(&[&one]);
        assert!(!spec.trained_as_planned(stopped.path(), 1.0, 6, 1).unwrap());
        let resumed = run_dir(&[&one, &two]);
        std::fs::remove_file(resumed.path().join("train/epoch-1/Learning_Rate.log")).unwrap();
        assert!(spec.trained_as_planned(resumed.path(), 1.0, 6, 1).unwrap());
        // Resumed, but the second launch restarted the schedule.
        let restarted = run_dir(&[&one, &one]);
        std::fs::remove_file(restarted.path().join("train/epoch-1/Learning_Rate.log")).unwrap();
        assert!(
            !spec
                .trained_as_planned(restarted.path(), 1.0, 6, 1)
                .unwrap()
        );
    }
}
