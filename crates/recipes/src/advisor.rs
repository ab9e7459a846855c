//! Which recipe for a run, and why.

use crate::detection::{detection, detr};
use crate::language::transformer;
use crate::recipe::Recipe;
use crate::run::{Budget, ModelFamily, RunDescription};
use crate::training::{fast_one_cycle, fine_tuning, large_batch, segmentation};
use crate::vision::{cnn_modern, vit};

/// Picks a recipe, following the usual decision framework:
///
/// - transformers, ViTs, detectors, DETR and segmentation get their domain's
///   recipe (fine-tuning lowers the LR where the domain does);
/// - other models fine-tuned get discriminative groups;
/// - batches above 512 get linear (or square-root) scaling with warmup;
/// - a short run (at most 30 epochs, or 50 on a tight budget) gets one-cycle;
/// - longer runs get warmup + cosine.
///
/// The returned recipe's `why` starts with the reason for the choice.
pub fn recommend(run: &RunDescription) -> Recipe {
    let (mut recipe, reason) = match run.model {
        ModelFamily::Transformer => (
            transformer(run),
            "language transformer: warmup then linear decay, per update",
        ),
        ModelFamily::Vit => (vit(run), "vision transformer: AdamW, warmup, cosine (DeiT)"),
        ModelFamily::Detector => (
            detection(run),
            "detector: the standard warmup + step schedule",
        ),
        ModelFamily::Detr => (
            detr(run),
            "DETR: AdamW with a slower backbone, one step decay",
        ),
        ModelFamily::Segmentation => (segmentation(run), "segmentation: poly decay per update"),
        _ if run.fine_tune => (
            fine_tuning(run),
            "fine-tuning: a slower pretrained backbone",
        ),
        _ if run.batch_size > 512 => (large_batch(run), "batch above 512: scaled LR with warmup"),
        _ if run.epochs <= 50 && (run.budget == Budget::Tight || run.epochs <= 30) => (
            fast_one_cycle(run),
            "short run or tight budget: one-cycle converges fastest",
        ),
        _ => (
            cnn_modern(run),
            "from scratch for more than 30 epochs: warmup + cosine",
        ),
    };
    recipe.why.insert(0, reason.to_string());
    recipe
}
