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
enum Model {
    Cnn,
    Vit,
    Transformer,
    Detector,
    Detr,
    Segmentation,
    Mlp,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OptimizerFlag {
    Sgd,
    Adam,
    Adamw,
    /// Schedule-free AdamW (a constant LR).
    SfAdamw,
    /// Schedule-free SGD (a constant LR).
    SfSgd,
    /// Prodigy (learning-rate-free: base LR 1).
    Prodigy,
    /// D-Adaptation Adam (learning-rate-free: base LR 1).
    DadaptAdam,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SteppingFlag {
    /// Once per optimizer update (burn-train).
    Update,
    /// Once per epoch.
    Epoch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BudgetFlag {
    Tight,
    Normal,
}

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
    model: Model,
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
    optimizer: Option<OptimizerFlag>,
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
    #[arg(long, value_enum, default_value_t = SteppingFlag::Update)]
    stepping: SteppingFlag,
    /// Compute budget.
    #[arg(long, value_enum, default_value_t = BudgetFlag::Normal)]
    budget: BudgetFlag,
    /// The run computes no validation metric.
    #[arg(long)]
    no_validation: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AdviceFormat::Text)]
    format: AdviceFormat,
}

impl RunArgs {
    fn run(&self) -> Result<RunDescription, CliError> {
        let model = match self.model {
            Model::Cnn => ModelFamily::Cnn,
            Model::Vit => ModelFamily::Vit,
            Model::Transformer => ModelFamily::Transformer,
            Model::Detector => ModelFamily::Detector,
            Model::Detr => ModelFamily::Detr,
            Model::Segmentation => ModelFamily::Segmentation,
            Model::Mlp => ModelFamily::Mlp,
            Model::Other => ModelFamily::Other,
        };
        let run = RunDescription {
            optimizer: self.optimizer.map(|o| match o {
                OptimizerFlag::Sgd => OptimizerKind::Sgd,
                OptimizerFlag::Adam => OptimizerKind::Adam,
                OptimizerFlag::Adamw => OptimizerKind::AdamW,
                OptimizerFlag::SfAdamw => OptimizerKind::ScheduleFreeAdamW,
                OptimizerFlag::SfSgd => OptimizerKind::ScheduleFreeSgd,
                OptimizerFlag::Prodigy => OptimizerKind::Prodigy,
                OptimizerFlag::DadaptAdam => OptimizerKind::DAdaptAdam,
            }),
            lr_from_finder: self.lr_from_finder,
            weight_decay: self.weight_decay,
            decouple: self.decouple,
            safeguard_warmup: self.safeguard_warmup,
            base_lr: self.base_lr,
            fine_tune: self.fine_tune,
            stepping: match self.stepping {
                SteppingFlag::Update => Stepping::Update,
                SteppingFlag::Epoch => Stepping::Epoch,
            },
            budget: match self.budget {
                BudgetFlag::Tight => Budget::Tight,
                BudgetFlag::Normal => Budget::Normal,
            },
            validation: !self.no_validation,
            ..RunDescription::new(model, self.epochs, self.steps_per_epoch, self.batch_size)
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
    let in_spec =
        |e: burn_lr_core::ConfigError| CliError::Message(format!("{}: {e}", args.spec.display()));
    let spec = Spec::from_file(&args.spec).map_err(in_spec)?;
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
