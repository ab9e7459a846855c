//! `burn-lr find`: the LR range test on the bundled digits model, or the
//! suggestion rules applied to a recorded `lr,loss` curve.

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::optim::{AdamConfig, SgdConfig, momentum::MomentumConfig};
use burn::tensor::Device;
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_finder::{
    Curve, FinderConfig, Method, Optimizer, Sweep, hand_off, range_test, suggest,
};
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// fastai `steep`: steepest descent of the loss against log-LR.
    Steepest,
    /// fastai `minimum`: LR of the lowest loss / 10.
    Minimum,
    /// fastai `valley`: into the longest decreasing run.
    Valley,
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Steepest => Method::Steepest,
            MethodArg::Minimum => Method::Minimum,
            MethodArg::Valley => Method::Valley,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// SGD with momentum 0.9.
    Sgd,
    /// Adam with burn's defaults.
    Adam,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindFormat {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// Read a recorded curve (`lr,loss` rows, header allowed) instead of running the test;
    /// the method is applied to every point of the file as it is.
    #[arg(long)]
    curve: Option<PathBuf>,
    /// Suggestion rule (all three when omitted).
    #[arg(long, value_enum)]
    method: Option<MethodArg>,
    /// Optimizer of the live test.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
    optimizer: OptimizerArg,
    /// First LR of the sweep.
    #[arg(long, default_value_t = 1e-6)]
    start_lr: f64,
    /// The LR the sweep heads for.
    #[arg(long, default_value_t = 10.0)]
    end_lr: f64,
    /// Number of updates.
    #[arg(long, default_value_t = 100)]
    num_iter: usize,
    /// Grow the LR linearly instead of exponentially.
    #[arg(long)]
    linear: bool,
    /// Images per update.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the data split, the shuffling and the initial weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the curve as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write a plot (.svg or .png) with the suggestions marked.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindFormat::Text)]
    format: FindFormat,
}

pub fn run(args: FindArgs) -> Result<(), CliError> {
    match &args.curve {
        Some(path) => from_file(path, &args),
        None => live(&args),
    }
}

fn methods(args: &FindArgs) -> Vec<Method> {
    args.method
        .map_or_else(|| Method::ALL.to_vec(), |m| vec![m.into()])
}

fn from_file(path: &std::path::Path, args: &FindArgs) -> Result<(), CliError> {
    let text = burn_lr_schedule::read_input_file(path).map_err(CliError::Message)?;
    let (curve, cut) = Curve::parse_csv(&text)
        .map_err(|e| CliError::Message(format!("{}: {e}", path.display())))?;
    let suggestions: Vec<_> = methods(args)
        .into_iter()
        .filter_map(|m| suggest(m, &curve.lrs, &curve.losses))
        .collect();
    if let Some(plot) = &args.plot {
        curve.plot(plot, &path.display().to_string(), &suggestions)?;
    }
    match args.format {
        FindFormat::Json => {
            let mut value = if suggestions.len() == 1 {
                serde_json::to_value(&suggestions[0])?
            } else {
                json!({ "suggestions": suggestions })
            };
            value["points"] = json!(curve.len());
            value["truncated_at"] = json!(cut);
            say!("{value}");
        }
        FindFormat::Text => {
            if let Some(cut) = cut {
                say!("the curve stops at point {cut}: its loss is not finite");
            }
            print_suggestions(&suggestions)?;
        }
    }
    Ok(())
}

fn live(args: &FindArgs) -> Result<(), CliError> {
    let config = FinderConfig {
        start_lr: args.start_lr,
        end_lr: args.end_lr,
        num_iter: args.num_iter,
        sweep: if args.linear {
            Sweep::Linear
        } else {
            Sweep::Exponential
        },
        ..FinderConfig::default()
    };
    config.validate()?;
    let (train, _) = digits::split(args.seed);
    if !(1..=train.len()).contains(&args.batch_size) {
        return Err(CliError::Message(format!(
            "--batch-size {} is invalid: allowed an integer in [1, {}] (the training images)",
            args.batch_size,
            train.len()
        )));
    }
    let device = Device::default().autodiff();
    device.seed(args.seed);
    let loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(args.batch_size)
        .shuffle(args.seed)
        .build(train);
    let (optim, optimizer) = match args.optimizer {
        OptimizerArg::Sgd => (
            SgdConfig::new()
                .with_momentum(Some(MomentumConfig::new()))
                .init(),
            Optimizer::Sgd,
        ),
        OptimizerArg::Adam => (AdamConfig::new().init(), Optimizer::Adam),
    };
    let test = range_test(Mlp::new(128, &device), optim, loader, &config)?;
    let trimmed = test.trimmed();
    let suggestions: Vec<_> = methods(args)
        .into_iter()
        .filter_map(|m| test.suggestion(m))
        .collect();
    let handoff = hand_off(&test, optimizer);
    if let Some(csv) = &args.csv {
        std::fs::write(csv, test.curve.to_csv())
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", csv.display())))?;
    }
    if let Some(plot) = &args.plot {
        test.curve
            .plot(plot, "LR range test: digits MLP", &suggestions)?;
    }
    match args.format {
        FindFormat::Json => say!(
            "{}",
            json!({
                "points": test.curve.len(),
                "stop": test.stop,
                "suggested_range": [trimmed.start, trimmed.end],
                "suggestions": suggestions,
                "hand_off": handoff,
            })
        ),
        FindFormat::Text => {
            say!("{} points; stop: {:?}", test.curve.len(), test.stop);
            say!(
                "suggestions read points {}..{} (the first num_iter/10 and the last 5 are dropped, as fastai's lr_find)",
                trimmed.start,
                trimmed.end
            );
            print_suggestions(&suggestions)?;
            if let Some(h) = handoff {
                say!("hand-off: {}", h.advice);
            }
        }
    }
    Ok(())
}

fn print_suggestions(suggestions: &[burn_lr_finder::Suggestion]) -> Result<(), CliError> {
    for s in suggestions {
        say!(
            "{:>8}: lr {:.4e} (point {}): {}",
            s.method.name(),
            s.lr,
            s.index,
            s.why
        );
    }
    Ok(())
}
