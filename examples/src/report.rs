//! Reads back what burn-train logged for each epoch, prints it, and plots it.

use std::path::Path;

use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::NumericEntry;
use burn::train::metric::store::Split;
use burn_lr_core::train::epoch_mean;
use burn_lr_plot::{Chart, PlotError, Series};

/// What one epoch logged.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRow {
    /// 1-based epoch.
    pub epoch: usize,
    /// LR of the epoch's first update.
    pub lr_first: f64,
    /// LR of the epoch's last update.
    pub lr_last: f64,
    /// Mean training loss.
    pub train_loss: f64,
    /// Mean validation loss.
    pub valid_loss: f64,
    /// Validation accuracy in percent.
    pub valid_accuracy: f64,
}

fn raw(entry: &NumericEntry) -> f64 {
    match entry {
        NumericEntry::Value(v) | NumericEntry::Final(v) => *v,
        NumericEntry::Aggregated {
            aggregated_value, ..
        } => *aggregated_value,
    }
}

/// Reads the `Learning Rate`, `Loss` and `Accuracy` logs of epochs `1..=epochs`
/// from a training directory; stops at the first epoch that logged nothing.
pub fn read_epochs(directory: &Path, epochs: usize) -> Vec<EpochRow> {
    let mut logger = FileMetricLogger::new(directory);
    let mut read = |name: &str, epoch: usize, split: Split| {
        logger.read_numeric(name, epoch, &split).unwrap_or_default()
    };
    (1..=epochs)
        .map_while(|epoch| {
            let lrs = read("Learning Rate", epoch, Split::Train);
            let (first, last) = (lrs.first()?, lrs.last()?);
            Some(EpochRow {
                epoch,
                lr_first: raw(first),
                lr_last: raw(last),
                train_loss: epoch_mean(&read("Loss", epoch, Split::Train)).unwrap_or(f64::NAN),
                valid_loss: epoch_mean(&read("Loss", epoch, Split::Valid)).unwrap_or(f64::NAN),
                valid_accuracy: epoch_mean(&read("Accuracy", epoch, Split::Valid))
                    .unwrap_or(f64::NAN),
            })
        })
        .collect()
}

/// The rows as an aligned text table.
pub fn table(rows: &[EpochRow]) -> String {
    let mut out = String::from(
        "epoch   lr (first update)   lr (last update)   train loss   valid loss   valid acc\n",
    );
    for r in rows {
        out.push_str(&format!(
            "{:>5}   {:>17.6e}   {:>16.6e}   {:>10.4}   {:>10.4}   {:>8.2}%\n",
            r.epoch, r.lr_first, r.lr_last, r.train_loss, r.valid_loss, r.valid_accuracy
        ));
    }
    out
}

/// Two charts next to `stem`: `<stem>.lr.png` (LR per epoch) and
/// `<stem>.loss.png` (train and validation loss per epoch).
pub fn plot(rows: &[EpochRow], stem: &Path, title: &str) -> Result<(), PlotError> {
    let per_epoch = |f: fn(&EpochRow) -> f64| rows.iter().map(|r| (r.epoch as f64, f(r))).collect();
    Chart::new(
        format!("{title}: learning rate"),
        "epoch",
        "LR of the first update",
    )
    .series(Series::new("lr", per_epoch(|r| r.lr_first)))
    .save(stem.with_extension("lr.png"))?;
    Chart::new(format!("{title}: loss"), "epoch", "cross-entropy")
        .series(Series::new("train", per_epoch(|r| r.train_loss)))
        .series(Series::new("valid", per_epoch(|r| r.valid_loss)))
        .save(stem.with_extension("loss.png"))
}
