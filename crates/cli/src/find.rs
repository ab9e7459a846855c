//! `burn-lr find`: the LR range test on the bundled digits model, or the
//! suggestion rules applied to a recorded `lr,loss` curve.

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::optim::{AdamConfig, SgdConfig, momentum::MomentumConfig};
use burn::tensor::Device;
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_finder::descent::descent;
use burn_lr_finder::{
    Curve, FinderConfig, Method, Optimizer, Sweep, Trust, hand_off, range_test, suggest,
};
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// The default: where the two-sided smoothed raw loss made 80% of its fall, times 1.5.
    Descent,
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
            MethodArg::Descent => Method::Descent,
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
    /// Read a recorded curve (`lr,loss` rows, header allowed, an optional third column of raw
    /// losses) instead of running the test; the method is applied to every point of the file.
    #[arg(long)]
    curve: Option<PathBuf>,
    /// Suggestion rule: descent (the default, measured on the LR benchmark) or one of fastai's.
    #[arg(long, value_enum, default_value_t = MethodArg::Descent)]
    method: MethodArg,
    /// Optimizer of the live test.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
    optimizer: OptimizerArg,
    /// First LR of the sweep.
    #[arg(long, default_value_t = 1e-7)]
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

fn from_file(path: &std::path::Path, args: &FindArgs) -> Result<(), CliError> {
    let text = burn_lr_schedule::read_input_file(path).map_err(CliError::Message)?;
    let (curve, cut) = Curve::parse_csv(&text)
        .map_err(|e| CliError::Message(format!("{}: {e}", path.display())))?;
    let method = Method::from(args.method);
    // The descent rule reads raw losses when the file has them; fastai's rules the loss column.
    let raw = curve.raw_losses.len() == curve.len();
    let losses = if method == Method::Descent && raw {
        &curve.raw_losses
    } else {
        &curve.losses
    };
    let suggestion = suggest(method, &curve.lrs, losses)
        .ok_or_else(|| CliError::Message(format!("{}: the curve has no point", path.display())))?;
    let trust = (method == Method::Descent)
        .then(|| descent(&curve.lrs, losses).map(|d| Trust::of(&d, cut.is_none())))
        .flatten();
    if let Some(plot) = &args.plot {
        curve.plot(
            plot,
            &path.display().to_string(),
            std::slice::from_ref(&suggestion),
        )?;
    }
    match args.format {
        FindFormat::Json => {
            let mut value = serde_json::to_value(&suggestion)?;
            value["points"] = json!(curve.len());
            value["truncated_at"] = json!(cut);
            if let Some(trust) = &trust {
                value["trust"] = serde_json::to_value(trust)?;
                value["confidence"] = json!(trust.confidence());
            }
            say!("{value}");
        }
        FindFormat::Text => {
            if let Some(cut) = cut {
                say!("the curve stops at point {cut}: its loss is not finite");
            }
            print_suggestions(std::slice::from_ref(&suggestion))?;
            if let Some(trust) = &trust {
                say!("confidence: {}", trust.confidence());
                if *trust != Trust::Ok {
                    say!("{}", trust.remedy());
                }
            }
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
    // The descent rule reads every point; fastai's rules the trimmed curve.
    let read = if args.method == MethodArg::Descent {
        0..test.curve.len()
    } else {
        test.trimmed()
    };
    let suggestions: Vec<_> = test.suggestion(args.method.into()).into_iter().collect();
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
                "points_read": [read.start, read.end],
                "suggestions": suggestions,
                "hand_off": handoff,
            })
        ),
        FindFormat::Text => {
            say!("{} points; stop: {:?}", test.curve.len(), test.stop);
            if args.method != MethodArg::Descent {
                say!(
                    "fastai's rules read points {}..{} (the first num_iter/10 and the last 5 are dropped, as its lr_find)",
                    read.start,
                    read.end
                );
            }
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
