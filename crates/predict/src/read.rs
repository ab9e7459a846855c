//! Runs from files: a CSV of `step,lr,loss`, or the directory burn-train
//! logged a training to.

use std::path::Path;

use burn_lr_core::train::{Split, logged_per_batch};
use burn_lr_core::{ConfigError, read_input_file};

use crate::fit::Run;
use crate::path::LrPath;

impl Run {
    /// Reads a run from `path`: a directory burn-train logged to (see
    /// [`from_burn_train`](Self::from_burn_train)) or a CSV file (see
    /// [`from_csv`](Self::from_csv)). The run is named after the file or
    /// directory.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        if path.is_dir() {
            Self::from_burn_train(path)
        } else {
            Self::from_csv(file_name(path), &read_input_file(path)?)
        }
    }

    /// A run from CSV text with a header naming the columns `lr` and `loss`
    /// (one row per update, in order); other columns are ignored, and a
    /// `step` column, when present, must count the updates one by one.
    pub fn from_csv(name: impl Into<String>, text: &str) -> Result<Self, ConfigError> {
        let name = name.into();
        let [lrs, losses] = columns(&name, text, ["lr", "loss"])?;
        Self::new(name, lrs, losses)
    }

    /// A run from the directory burn-train's file logger wrote
    /// (`<dir>/train/epoch-<n>/Learning_Rate.log` and `Loss.log`, one entry
    /// per batch), epochs in order. It needs the `LearningRateMetric` and
    /// the `LossMetric` registered on the training split, one update per
    /// batch (no gradient accumulation) and one device; a log whose LR is 0
    /// on more than the first update looks like gradient accumulation and is
    /// refused.
    pub fn from_burn_train(dir: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let dir = dir.as_ref();
        let lr_epochs = logged_per_batch(dir, "Learning Rate", &Split::Train)?;
        let loss_epochs = logged_per_batch(dir, "Loss", &Split::Train)?;
        if lr_epochs.len() != loss_epochs.len() {
            return Err(ConfigError::invalid(
                "epochs",
                format!(
                    "{} with LRs and {} with losses",
                    lr_epochs.len(),
                    loss_epochs.len()
                ),
                "one LR and one loss per batch in every epoch",
            ));
        }
        let missing: Vec<usize> = (1..=lr_epochs.len())
            .filter(|e| lr_epochs[e - 1].is_empty() || loss_epochs[e - 1].is_empty())
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError::invalid(
                "epochs",
                format!("no LR or no loss logged in epoch(s) {missing:?}"),
                "every epoch from 1 to the last logged (the updates are numbered from the first: \
                 a missing epoch would shift every LR sum after it)",
            ));
        }
        let (mut lrs, mut losses) = (Vec::new(), Vec::new());
        for (i, (lr, loss)) in lr_epochs.into_iter().zip(loss_epochs).enumerate() {
            if lr.len() != loss.len() {
                return Err(ConfigError::invalid(
                    format!("epoch {}", i + 1),
                    format!("{} LR entries and {} losses", lr.len(), loss.len()),
                    "one LR and one loss per batch",
                ));
            }
            lrs.extend(lr);
            losses.extend(loss);
        }
        if lrs.windows(2).skip(1).any(|w| w[0] == 0.0 && w[1] > 0.0) {
            return Err(ConfigError::invalid(
                "Learning_Rate.log",
                "an LR of 0 between positive LRs",
                "one update per batch: under gradient accumulation burn-train logs 0 for \
                 the batches that do not update",
            ));
        }
        Self::new(file_name(dir), lrs, losses)
    }
}

impl LrPath {
    /// An LR sequence from CSV text with a header naming an `lr` column (one
    /// row per update, in order), as [`Run::from_csv`] reads it.
    pub fn from_csv(name: &str, text: &str) -> Result<Self, ConfigError> {
        let [lrs] = columns(name, text, ["lr"])?;
        LrPath::new(lrs).map_err(|e| e.within(name))
    }
}

/// The `wanted` columns of CSV text whose header names them; a `step` column,
/// when present, must count the rows one by one.
fn columns<const N: usize>(
    name: &str,
    text: &str,
    wanted: [&str; N],
) -> Result<[Vec<f64>; N], ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let header: Vec<String> = lines
        .next()
        .map(|(_, l)| l.split(',').map(|c| c.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let column = |w: &str| header.iter().position(|c| c == w);
    let indices = wanted.map(column);
    if indices.iter().any(Option::is_none) {
        return Err(ConfigError::invalid(
            format!("{name}: header"),
            format!("\"{}\"", header.join(",")),
            format!("a header naming the columns {}", wanted.join(", ")),
        ));
    }
    if let Some(twice) = header
        .iter()
        .enumerate()
        .find(|(i, c)| header[..*i].contains(c))
        .map(|(_, c)| c)
    {
        return Err(ConfigError::invalid(
            format!("{name}: header"),
            format!("\"{}\"", header.join(",")),
            format!("each column named once (`{twice}` is named twice)"),
        ));
    }
    let step = column("step");
    let mut values: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    let mut first_step = None;
    for (rows, (line, row)) in lines.enumerate() {
        let cells: Vec<&str> = row.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err(ConfigError::invalid(
                format!("{name}: line {}", line + 1),
                format!("{} fields", cells.len()),
                format!("one per header column ({})", header.len()),
            ));
        }
        let cell = |index: usize| -> Result<f64, ConfigError> {
            let field = format!("{name}: line {}, `{}`", line + 1, header[index]);
            let text = cells
                .get(index)
                .ok_or_else(|| ConfigError::invalid(&field, "(absent)", "a number"))?;
            text.parse::<f64>()
                .map_err(|_| ConfigError::invalid(&field, text, "a number"))
        };
        if let Some(step) = step {
            let this = cell(step)?;
            let first = *first_step.get_or_insert(this);
            if this != first + rows as f64 {
                return Err(ConfigError::invalid(
                    format!("{name}: line {}, `step`", line + 1),
                    this,
                    "one more than the previous row's step (one row per update)",
                ));
            }
        }
        for (column, index) in values.iter_mut().zip(indices.iter().flatten()) {
            column.push(cell(*index)?);
        }
    }
    Ok(values)
}

/// The last component of `path`, or the whole path when it has none.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run directory as burn-train 0.22's file logger writes it: per batch
    /// `value` (LR) and `value,count` (loss), and an epoch summary `value,final`.
    fn burn_train_dir(lrs: [&str; 2]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "burn-lr-predict-{}-{}",
            std::process::id(),
            lrs.join("-")
        ));
        for (epoch, lr) in [(1, lrs[0]), (2, lrs[1])] {
            let epoch_dir = dir.join("train").join(format!("epoch-{epoch}"));
            std::fs::create_dir_all(&epoch_dir).unwrap();
            std::fs::write(epoch_dir.join("Learning_Rate.log"), lr).unwrap();
            std::fs::write(epoch_dir.join("Loss.log"), "2.0,64\n1.5,64\n1.75,final\n").unwrap();
        }
        dir
    }

    #[test]
    fn a_burn_train_run_directory_gives_one_row_per_update() {
        let dir = burn_train_dir(["0.1\n0.1\n", "0.05\n0.01\n"]);
        let run = Run::from_path(&dir).unwrap();
        assert_eq!(run.path().lrs(), &[0.1, 0.1, 0.05, 0.01]);
        assert_eq!(run.losses(), &[2.0, 1.5, 2.0, 1.5]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_epoch_is_refused() {
        let dir = burn_train_dir(["0.2\n0.2\n", "0.05\n0.01\n"]);
        std::fs::remove_file(dir.join("train/epoch-1/Learning_Rate.log")).unwrap();
        let error = Run::from_path(&dir).unwrap_err().to_string();
        assert!(error.contains("epoch(s) [1]"), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn gradient_accumulation_is_refused() {
        let dir = burn_train_dir(["0.1\n0\n", "0.1\n0\n"]);
        let error = Run::from_path(&dir).unwrap_err().to_string();
        assert!(error.contains("gradient accumulation"), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn csv_columns_are_found_by_name_and_steps_must_count() {
        let run = Run::from_csv("r", "loss,extra,lr\n1.0,x,0.1\n0.9,y,0.1\n").unwrap();
        assert_eq!(run.losses(), &[1.0, 0.9]);
        let error = Run::from_csv("r", "step,lr,loss\n5,0.1,1\n7,0.1,1\n").unwrap_err();
        assert!(error.to_string().contains("line 3, `step`"), "{error}");
        let error = Run::from_csv("r", "step,lr,loss\n0,0.1,abc\n").unwrap_err();
        assert!(error.to_string().contains("`loss`"), "{error}");
        let error = Run::from_csv("r", "step,lr,loss\n0,0.1,1\n1,0.1,1,9\n").unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
        let error = Run::from_csv("r", "lr,loss,loss\n0.1,1,2\n").unwrap_err();
        assert!(
            error.to_string().contains("`loss` is named twice"),
            "{error}"
        );
        let bom = Run::from_csv("r", "\u{feff}lr,loss\n0.1,1\n").unwrap();
        assert_eq!(bom.losses(), &[1.0]);
    }
}
