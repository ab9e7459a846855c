//! Language transformers: linear warmup then linear decay (BERT), or the
//! inverse square root (Vaswani et al.), stepped per update.

use burn_lr_core::Spec;
use burn_lr_core::schedules::{InverseSqrt, LinearWithWarmup};

use burn_lr_core::ConfigError;

use crate::recipe::{OptimizerSpec, Recipe, warmup_steps};
use crate::run::{OptimizerKind, RunDescription};

fn adamw(run: &RunDescription) -> OptimizerSpec {
    OptimizerSpec {
        kind: OptimizerKind::AdamW,
        lr: run
            .base_lr
            .unwrap_or(if run.fine_tune { 2e-5 } else { 1e-4 }),
        momentum: None,
        weight_decay: 0.01,
        grad_clip_norm: Some(1.0),
        warmup_steps: 0,
    }
}

/// 10% of the run's updates, in `step()` calls.
fn tenth(run: &RunDescription) -> u64 {
    warmup_steps(run, run.total_updates().div_ceil(10))
}

/// AdamW (1e-4 from scratch, 2e-5 fine-tuning), weight decay 0.01, gradient
/// clipping at norm 1, linear warmup over 10% of the updates, then linear
/// decay to 0 at the last one.
pub fn transformer(run: &RunDescription) -> Result<Recipe, ConfigError> {
    run.validate()?;
    let total = run.total_steps();
    let warmup = tenth(run);
    let optimizer = adamw(run);
    let lr = optimizer.lr;
    Ok(Recipe::for_run(
        run,
        "nlp-transformer",
        "Devlin et al., BERT (2019); transformers get_linear_schedule_with_warmup",
        optimizer,
        Spec::new(LinearWithWarmup::new(warmup, total)),
        vec![
            format!("AdamW at {lr} with clipping at norm 1"),
            format!("linear warmup over {warmup} of {total} steps (10%), linear decay to 0"),
            "stepped per update, not per epoch".into(),
        ],
    ))
}

/// The inverse square root after a linear warmup over 10% of the updates
/// (open-ended: the LR keeps decaying however long the run goes).
pub fn transformer_inverse_sqrt(run: &RunDescription) -> Result<Recipe, ConfigError> {
    let mut recipe = transformer(run)?;
    if run.total_steps() < crate::MIN_SCHEDULED_STEPS {
        return Ok(recipe);
    }
    let warmup = tenth(run);
    recipe.name = "nlp-transformer-inverse-sqrt";
    recipe.reference =
        "Vaswani et al., Attention Is All You Need (2017); transformers get_inverse_sqrt_schedule";
    recipe.schedule = Spec::new(InverseSqrt::new(warmup));
    recipe.why[1] = format!("linear warmup over {warmup} steps, then lr x sqrt(warmup / step)");
    Ok(recipe)
}
