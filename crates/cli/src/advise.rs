//! `burn-lr recommend` and `burn-lr lint SPEC`: the advisor and the linter
//! over a run described by flags.

use std::path::PathBuf;

use burn_lr_core::{ConfigError, Spec};
use burn_lr_recipes::{
    Budget, ModelFamily, OptimizerKind, RunDescription, Severity, Stepping, lint, recommend,
};
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdviceFormat {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
}

/// The run description shared by `recommend` and `lint`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Model family.
    #[arg(long, value_enum)]
    model: ModelFamily,
    /// Number of epochs.
    #[arg(long)]
    epochs: u64,
    /// Optimizer updates per epoch (after gradient accumulation).
    #[arg(long)]
    steps_per_epoch: u64,
    /// Images or sequences per update (after gradient accumulation).
    #[arg(long, default_value_t = 256)]
    batch_size: u64,
    /// Optimizer (the recipe's choice when omitted).
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Base LR, e.g. from `burn-lr find`.
    #[arg(long, allow_hyphen_values = true)]
    base_lr: Option<f64>,
    /// The base LR came from `burn-lr find`.
    #[arg(long)]
    lr_from_finder: bool,
    /// The optimizer's weight decay.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    weight_decay: f64,
    /// The weight decay is decoupled (`decouple` of Prodigy and D-Adapt Adam).
    #[arg(long)]
    decouple: bool,
    /// Prodigy's `safeguard_warmup` is on.
    #[arg(long)]
    safeguard_warmup: bool,
    /// Fine-tuning a pretrained model.
    #[arg(long)]
    fine_tune: bool,
    /// How the training loop calls step() (burn-train: per update).
    #[arg(long, value_enum, default_value_t = Stepping::Update)]
    stepping: Stepping,
    /// Compute budget.
    #[arg(long, value_enum, default_value_t = Budget::Normal)]
    budget: Budget,
    /// The run computes no validation metric.
    #[arg(long)]
    no_validation: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AdviceFormat::Text)]
    format: AdviceFormat,
}

impl RunArgs {
    fn run(&self) -> Result<RunDescription, CliError> {
        let run = RunDescription {
            optimizer: self.optimizer,
            lr_from_finder: self.lr_from_finder,
            weight_decay: self.weight_decay,
            decouple: self.decouple,
            safeguard_warmup: self.safeguard_warmup,
            base_lr: self.base_lr,
            fine_tune: self.fine_tune,
            stepping: self.stepping,
            budget: self.budget,
            validation: !self.no_validation,
            ..RunDescription::new(
                self.model,
                self.epochs,
                self.steps_per_epoch,
                self.batch_size,
            )
        };
        // The run's rules, named by their flags.
        run.validate().map_err(|e| match e {
            ConfigError::Invalid {
                field,
                value,
                allowed,
            } => CliError::Message(format!(
                "--{} {value} is invalid: allowed {allowed}",
                field.replace('_', "-")
            )),
            other => CliError::Message(other.to_string()),
        })?;
        Ok(run)
    }
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Schedule spec file (.json or .toml).
    spec: PathBuf,
    #[command(flatten)]
    run: RunArgs,
}

pub fn run_recommend(args: RecommendArgs) -> Result<(), CliError> {
    let run = args.run.run()?;
    let recipe = recommend(&run)?;
    match args.run.format {
        AdviceFormat::Json => say!(
            "{}",
            json!({
                "recipe": recipe.name,
                "reference": recipe.reference,
                "optimizer": recipe.optimizer,
                "base_lr": recipe.optimizer.lr,
                "finder_field": recipe.finder_field(),
                "schedule": recipe.schedule,
                "stepping": recipe.stepping,
                "epochs": recipe.epochs,
                "why": recipe.why,
            })
        ),
        AdviceFormat::Text => {
            say!("recipe: {} ({})", recipe.name, recipe.reference);
            say!(
                "optimizer: {:?}, lr {}, momentum {:?}, weight decay {}, clip {:?}, warmup_steps {}",
                recipe.optimizer.kind,
                recipe.optimizer.lr,
                recipe.optimizer.momentum,
                recipe.optimizer.weight_decay,
                recipe.optimizer.grad_clip_norm,
                recipe.optimizer.warmup_steps
            );
            say!("schedule: {}", serde_json::to_string(&recipe.schedule)?);
            let per = if recipe.stepping == Stepping::Update {
                "optimizer update"
            } else {
                "epoch"
            };
            say!("step it once per {per}, for {} epochs", recipe.epochs);
            say!(
                "base LR from `burn-lr find`: its `{}` ({})",
                recipe.finder_field(),
                if recipe.finder_field() == "max_lr" {
                    "the one-cycle hand-off"
                } else {
                    "the warmup + cosine hand-off"
                }
            );
            for reason in &recipe.why {
                say!("  - {reason}");
            }
        }
    }
    Ok(())
}

/// Prints the findings; the process exits with 1 when one is an error.
pub fn run_lint(args: LintArgs) -> Result<bool, CliError> {
    let run = args.run.run()?;
    let spec = Spec::from_file(&args.spec).map_err(|e| CliError::in_file(&args.spec, e))?;
    let findings = lint(&spec, &run)?;
    match args.run.format {
        AdviceFormat::Json => say!("{}", json!({ "findings": findings })),
        AdviceFormat::Text if findings.is_empty() => say!("no findings"),
        AdviceFormat::Text => {
            for f in &findings {
                say!(
                    "{:?} {}: {}\n  fix: {}",
                    f.severity,
                    f.code,
                    f.message,
                    f.fix
                );
            }
        }
    }
    Ok(findings.iter().any(|f| f.severity == Severity::Error))
}
