//! Which recipe for a run, and why.

use std::fmt;

use burn_lr_core::ConfigError;

use crate::detection::{detection, detr};
use crate::language::transformer;
use crate::lint::{Finding, Severity, lint};
use crate::lr_free::lr_free;
use crate::recipe::Recipe;
use crate::run::{Budget, ModelFamily, OptimizerKind, RunDescription};
use crate::schedule_free;
use crate::training::{fast_one_cycle, fine_tuning, large_batch, segmentation};
use crate::vision::{cnn_modern, vit};

/// Why no recipe could be given.
#[derive(Debug, Clone, PartialEq)]
pub enum AdviceError {
    /// The run description is invalid.
    Run(ConfigError),
    /// A choice the run fixes (its base LR) fails the linter whatever the
    /// schedule: the advisor does not recommend what the linter rejects.
    Rejected(Finding),
}

impl fmt::Display for AdviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Run(e) => e.fmt(f),
            Self::Rejected(finding) => write!(
                f,
                "no recipe passes the linter for this run: {}: {} (fix: {})",
                finding.code, finding.message, finding.fix
            ),
        }
    }
}

impl std::error::Error for AdviceError {}

impl From<ConfigError> for AdviceError {
    fn from(e: ConfigError) -> Self {
        Self::Run(e)
    }
}

/// Picks a recipe, following the usual decision framework:
///
/// - transformers, ViTs, detectors, DETR and segmentation get their domain's
///   recipe (fine-tuning lowers the LR where the domain does);
/// - other models fine-tuned get discriminative groups;
/// - batches above 512 get linear (or square-root) scaling with warmup;
/// - a short run (at most 30 epochs, or 50 on a tight budget) gets one-cycle;
/// - longer runs get warmup + cosine;
/// - schedule-free optimizers get a constant LR (whatever the family);
/// - learning-rate-free optimizers (Prodigy, D-Adapt Adam), when the run
///   names one, get base LR 1 with a short warmup and a cosine (whatever
///   the family): the advisor proposes them only when asked;
/// - runs of fewer than [`MIN_SCHEDULED_STEPS`](crate::MIN_SCHEDULED_STEPS)
///   updates get a constant LR (too short for a warmup or a decay).
///
/// The returned recipe's `why` starts with the reason for the choice. The
/// recipe passes [`lint`] for the same run with no warning or error; when the
/// run's own base LR cannot (an adaptive optimizer above 1), the linter's
/// finding is returned as the error.
pub fn recommend(run: &RunDescription) -> Result<Recipe, AdviceError> {
    run.validate()?;
    let schedule_free = run.optimizer.is_some_and(OptimizerKind::is_schedule_free);
    let lr_free_kind = run.optimizer.is_some_and(OptimizerKind::is_lr_free);
    let (recipe, reason) = match run.model {
        _ if lr_free_kind => (
            lr_free(run)?,
            "learning-rate-free optimizer: base LR 1, warmup + cosine on top",
        ),
        _ if schedule_free => (
            schedule_free::schedule_free(run)?,
            "schedule-free optimizer: no LR schedule",
        ),
        ModelFamily::Transformer => (
            transformer(run)?,
            "language transformer: warmup then linear decay, per update",
        ),
        ModelFamily::Vit => (
            vit(run)?,
            "vision transformer: AdamW, warmup, cosine (DeiT)",
        ),
        ModelFamily::Detector => (
            detection(run)?,
            "detector: the standard warmup + step schedule",
        ),
        ModelFamily::Detr => (
            detr(run)?,
            "DETR: AdamW with a slower backbone, one step decay",
        ),
        ModelFamily::Segmentation => (segmentation(run)?, "segmentation: poly decay per update"),
        _ if run.fine_tune => (
            fine_tuning(run)?,
            "fine-tuning: a slower pretrained backbone",
        ),
        _ if run.batch_size > 512 => (large_batch(run)?, "batch above 512: scaled LR with warmup"),
        _ if run.epochs <= 50 && (run.budget == Budget::Tight || run.epochs <= 30) => (
            fast_one_cycle(run)?,
            "short run or tight budget: one-cycle converges fastest",
        ),
        _ => (
            cnn_modern(run)?,
            "from scratch for more than 30 epochs: warmup + cosine",
        ),
    };
    let mut recipe = recipe;
    recipe.why.insert(0, reason.to_string());
    // The linter sees the recipe's optimizer, as the run will.
    // A learning-rate-free recipe's optimizer is built with `safeguard_warmup`
    // and decoupled decay (`init_lr_free`).
    let lr_free_recipe = recipe.optimizer.kind.is_lr_free();
    let checked = RunDescription {
        optimizer: Some(recipe.optimizer.kind),
        safeguard_warmup: run.safeguard_warmup || lr_free_recipe,
        decouple: run.decouple || lr_free_recipe,
        ..run.clone()
    };
    match lint(&recipe.schedule, &checked)?
        .into_iter()
        .find(|f| f.severity >= Severity::Warning)
    {
        Some(finding) => Err(AdviceError::Rejected(finding)),
        None => Ok(recipe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::OptimizerKind;

    #[test]
    fn an_adaptive_optimizer_above_lr_one_is_refused_with_the_linters_reason() {
        let run = RunDescription {
            optimizer: Some(OptimizerKind::Adam),
            base_lr: Some(3.0),
            ..RunDescription::new(ModelFamily::Mlp, 10, 100, 64)
        };
        match recommend(&run) {
            Err(AdviceError::Rejected(f)) => assert_eq!(f.code, "adaptive-lr-above-one"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_invalid_run_names_its_field() {
        let run = RunDescription::new(ModelFamily::Cnn, u64::MAX, 2, 256);
        let error = recommend(&run).unwrap_err().to_string();
        assert!(error.starts_with("`epochs` ="), "{error}");
    }
}
