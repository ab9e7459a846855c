//! `burn-lr find`: the LR range test on the bundled digits model, or the
//! suggestion rules applied to a recorded `lr,loss` curve.

use std::path::PathBuf;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::optim::{AdamConfig, AdamWConfig, SgdConfig, momentum::MomentumConfig};
use burn::tensor::Device;
use burn_lr_core::OptimizerKind;
use burn_lr_finder::{
    FinderConfig, HandOff, Method, Plan, RangeTest, Stop, Sweep, SweepCurve, Trust,
    hand_off_smoothed, no_hand_off_for, range_test, suggest,
};
use burn_lr_testkit::digits::{self, DigitBatcher};
use burn_lr_testkit::model::Mlp;
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindFormat {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// Read a recorded curve instead of running the test: `lr,loss[,raw_loss]` rows, columns found
    /// by a header's names (other columns ignored) or in that order without one; the method is
    /// applied to every point of the file.
    #[arg(long, conflicts_with_all = ["start_lr", "end_lr", "num_iter", "linear", "batch_size", "seed", "csv"])]
    curve: Option<PathBuf>,
    /// Suggestion rule: `hand_off` (the default, measured on the LR benchmark) or one of fastai's.
    #[arg(long, value_enum, default_value_t = Method::HandOff)]
    method: Method,
    /// Optimizer updates of the training the LR is for (longer runs want lower peak LRs); without
    /// it the hand-off assumes 1000 and says so.
    #[arg(long)]
    updates: Option<u64>,
    /// EMA factor of the loss column of a curve file without raw losses (fastai's and this
    /// finder's: 0.98; 0 when the column is the raw loss).
    #[arg(long, default_value_t = burn_lr_finder::rule::FASTAI_SMOOTHING, allow_negative_numbers = true)]
    smoothing: f64,
    /// Optimizer of the run the LR is for; the live test runs SGD (momentum 0.9), Adam (without
    /// this option) or AdamW with burn's defaults. For --curve it only names the run in the advice.
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
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

/// The longest run `--updates` accepts.
const MAX_UPDATES: u64 = 1_000_000_000;

pub fn run(args: FindArgs) -> Result<(), CliError> {
    if let Some(n) = args.updates
        && !(1..=MAX_UPDATES).contains(&n)
    {
        return Err(CliError::Message(format!(
            "--updates {n} is invalid: allowed an integer in [1, {MAX_UPDATES}] (optimizer updates of the run)"
        )));
    }
    if !(0.0..1.0).contains(&args.smoothing) {
        return Err(CliError::Message(format!(
            "--smoothing {} is invalid: allowed a number in [0, 1) (the EMA factor of the loss column)",
            args.smoothing
        )));
    }
    match &args.curve {
        Some(path) => from_file(path, &args),
        None => live(&args),
    }
}

fn plan(args: &FindArgs, optimizer: Option<OptimizerKind>) -> Plan {
    let plan = Plan {
        optimizer,
        ..Plan::default()
    };
    match args.updates {
        Some(n) => plan.with_updates(n),
        None => plan,
    }
}

/// Why `kind`, an LR-free or schedule-free optimizer, gets no hand-off.
fn refusal(kind: OptimizerKind) -> CliError {
    let flag = kind
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string());
    let why = no_hand_off_for(kind).unwrap_or_default();
    CliError::Message(format!(
        "--optimizer {flag}: {why} (see `burn-lr recommend`)"
    ))
}

fn from_file(path: &std::path::Path, args: &FindArgs) -> Result<(), CliError> {
    if let Some(kind) = args.optimizer
        && no_hand_off_for(kind).is_some()
    {
        return Err(refusal(kind));
    }
    let text = burn_lr_core::read_input_file(path)?;
    let (curve, cut) = SweepCurve::parse_csv(&text).map_err(|e| CliError::in_file(path, e))?;
    if curve.is_empty() {
        return Err(CliError::Message(format!(
            "{}: the curve has no point",
            path.display()
        )));
    }
    let test = RangeTest {
        model: (),
        stop: match cut {
            Some(index) => Stop::Diverged { index },
            None => Stop::Completed,
        },
        num_iter: curve.len(),
        curve,
    };
    let method = args.method;
    let handoff = hand_off_smoothed(&test, plan(args, args.optimizer), args.smoothing);
    let handoff = match (handoff, method) {
        (Err(e), Method::HandOff) => return Err(CliError::in_file(path, e)),
        (handoff, _) => handoff.ok(),
    };
    let suggestion = match (&handoff, method) {
        (Some(h), Method::HandOff) => Some(h.from.clone()),
        // fastai's rules on every point of the file, as its functions are called on a whole curve.
        _ => suggest(method, &test.curve.lrs, &test.curve.losses),
    }
    .ok_or_else(|| CliError::Message(format!("{}: the curve has no point", path.display())))?;
    if let Some(plot) = &args.plot {
        test.curve.plot(
            plot,
            &path.display().to_string(),
            std::slice::from_ref(&suggestion),
        )?;
    }
    match (args.format, method, handoff) {
        (FindFormat::Json, Method::HandOff, Some(h)) => {
            let mut value = serde_json::to_value(&h)?;
            value["method"] = json!(Method::HandOff.name());
            value["index"] = json!(h.from.index);
            value["points"] = json!(test.curve.len());
            value["truncated_at"] = json!(cut);
            say!("{value}");
        }
        (FindFormat::Json, _, _) => {
            let mut value = serde_json::to_value(&suggestion)?;
            value["points"] = json!(test.curve.len());
            value["truncated_at"] = json!(cut);
            value["warnings"] = json!([]);
            say!("{value}");
        }
        (FindFormat::Text, method, handoff) => {
            if let Some(cut) = cut {
                say!("the curve stops at point {cut}: its loss (smoothed or raw) is not finite");
            }
            match (method, handoff) {
                (Method::HandOff, Some(h)) => print_hand_off(&h)?,
                _ => print_suggestions(std::slice::from_ref(&suggestion))?,
            }
        }
    }
    Ok(())
}

fn print_hand_off(h: &HandOff) -> Result<(), CliError> {
    say!(
        "hand-off for {} updates{}: warmup + cosine peak lr {:.4e}, one-cycle max_lr {:.4e}",
        h.updates,
        if h.updates_assumed { " (assumed)" } else { "" },
        h.lr,
        h.max_lr
    );
    say!("from: {}", h.from.why);
    say!("confidence: {}", h.confidence);
    if h.trust != Trust::Ok {
        say!("{}", h.trust.remedy());
    }
    for warning in &h.warnings {
        say!("warning: {warning}");
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
    let optimizer = args.optimizer.unwrap_or(OptimizerKind::Adam);
    let optim = match optimizer {
        OptimizerKind::Sgd => SgdConfig::new()
            .with_momentum(Some(MomentumConfig::new()))
            .init(),
        OptimizerKind::Adam => AdamConfig::new().init(),
        OptimizerKind::AdamW => AdamWConfig::new().init(),
        other => return Err(refusal(other)),
    };
    let test = range_test(Mlp::new(128, &device), optim, loader, &config)?;
    // The hand-off reads every point; fastai's rules the trimmed curve.
    let read = if args.method == Method::HandOff {
        0..test.curve.len()
    } else {
        test.trimmed()
    };
    let handoff = hand_off_smoothed(&test, plan(args, Some(optimizer)), config.smoothing);
    if let Some(csv) = &args.csv {
        std::fs::write(csv, test.curve.to_csv())
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", csv.display())))?;
    }
    let handoff = match (handoff, args.method) {
        (Err(e), Method::HandOff) => return Err(e.into()),
        (handoff, _) => handoff.ok(),
    };
    let suggestions: Vec<_> = match (&handoff, args.method) {
        (Some(h), Method::HandOff) => vec![h.from.clone()],
        _ => test.suggestion(args.method).into_iter().collect(),
    };
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
            let stop = match &test.stop {
                Stop::Completed => "the sweep completed".to_string(),
                Stop::Diverged { index } => format!("the loss diverged at point {index}"),
                Stop::NonFinite { lr } => format!("the loss was not finite at lr {lr:.3e}"),
                Stop::Failed { message } => format!("training failed: {message}"),
            };
            say!("{} points; {stop}", test.curve.len());
            if args.method != Method::HandOff {
                say!(
                    "fastai's rules read points {}..{} (the first num_iter/10 and the last 5 are dropped, as its lr_find)",
                    read.start,
                    read.end
                );
            }
            if args.method != Method::HandOff {
                print_suggestions(&suggestions)?;
            }
            if let Some(h) = handoff {
                print_hand_off(&h)?;
            }
        }
    }
    Ok(())
}

fn print_suggestions(suggestions: &[burn_lr_finder::Suggestion]) -> Result<(), CliError> {
    for s in suggestions {
        say!(
            "{}: lr {:.4e} (point {}): {}",
            s.method.name(),
            s.lr,
            s.index,
            s.why
        );
    }
    Ok(())
}
