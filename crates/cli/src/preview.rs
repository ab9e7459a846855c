//! `burn-lr preview SPEC --steps N`: the LRs of updates 1..N.

use std::io::Write;
use std::path::PathBuf;

use burn_lr_core::{ConfigError, Spec};
use burn_lr_plot::{Chart, Series, terminal_chart};
use clap::{Args, ValueEnum};

use crate::CliError;

/// Output formats of `preview`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A chart drawn in the terminal, with the first and last values.
    Terminal,
    /// One JSON array of N numbers.
    Json,
    /// `step,lr` rows with a header.
    Csv,
    /// An SVG plot written to --out.
    Svg,
    /// A PNG plot written to --out.
    Png,
}

/// The longest preview: 10 million LRs (80 MB).
const MAX_STEPS: usize = 10_000_000;

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Schedule spec file (.json or .toml): {"scheduler": NAME, ...}.
    spec: PathBuf,
    /// Number of optimizer updates to show (update 1 is the first `step()`).
    #[arg(long)]
    steps: usize,
    /// The optimizer's LR, which relative schedules scale (any finite value >= 0).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    base_lr: f64,
    /// Optimizer updates per epoch, for specs with "unit": "epoch".
    #[arg(long)]
    steps_per_epoch: Option<u64>,
    /// For reduce_on_plateau: a JSON array with one validation metric per epoch
    /// (the i-th is observed at the end of epoch i; null = a NaN metric).
    #[arg(long)]
    metrics: Option<PathBuf>,
    /// Also print the momentum each update uses, for specs that cycle it
    /// (`cycle_momentum` of one_cycle and cyclic): JSON objects `{"lr", "momentum"}`
    /// instead of numbers, a `momentum` CSV column, or a line under the chart.
    #[arg(long)]
    momentum: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// Output file for svg and png.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: PreviewArgs) -> Result<(), CliError> {
    if !(1..=MAX_STEPS).contains(&args.steps) {
        return Err(CliError::Message(format!(
            "--steps must be between 1 and {MAX_STEPS}"
        )));
    }
    let in_spec = |e: ConfigError| CliError::in_file(&args.spec, e);
    let mut spec = Spec::from_file(&args.spec).map_err(in_spec)?;
    if args.steps_per_epoch == Some(0) {
        return Err(CliError::Message(
            "--steps-per-epoch must be at least 1".into(),
        ));
    }
    if let Some(k) = args.steps_per_epoch {
        spec = spec.with_steps_per_epoch(k);
    }
    let lrs = if spec.plateau().is_some() {
        let path = args.metrics.as_ref().ok_or_else(|| {
            CliError::Message(
                "reduce_on_plateau needs --metrics FILE (a JSON array, one metric per epoch)"
                    .into(),
            )
        })?;
        let metrics = read_metrics(path)?;
        if spec.steps_per_epoch().is_none() {
            // One step is one epoch unless --steps-per-epoch says otherwise.
            spec = spec.with_steps_per_epoch(1);
        }
        spec.preview_with_metrics(args.base_lr, args.steps, &metrics)
            .map_err(in_spec)?
    } else {
        if args.metrics.is_some() {
            return Err(CliError::Message(
                "--metrics applies only to reduce_on_plateau specs".into(),
            ));
        }
        spec.preview(args.base_lr, args.steps).map_err(in_spec)?
    };
    let momentums = if args.momentum {
        if matches!(args.format, Format::Svg | Format::Png) {
            return Err(CliError::Message(
                "--momentum applies to --format json, csv and terminal".into(),
            ));
        }
        if !spec.schedule().cycles_momentum() {
            return Err(CliError::Message(format!(
                "{}: --momentum needs a spec that cycles the momentum (`cycle_momentum` of \
                 one_cycle and cyclic)",
                args.spec.display()
            )));
        }
        let scheduler = spec
            .clone()
            .without_plateau()
            .scheduler(args.base_lr)
            .map_err(in_spec)?;
        Some(
            (0..lrs.len() as u64)
                .map(|k| scheduler.momentum_at(k))
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let points: Vec<(f64, f64)> = lrs
        .iter()
        .enumerate()
        .map(|(i, &lr)| ((i + 1) as f64, lr))
        .collect();
    let title = args
        .spec
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => match &momentums {
            None => writeln!(out, "{}", serde_json::to_string(&lrs)?)?,
            Some(momentums) => {
                let rows: Vec<serde_json::Value> = lrs
                    .iter()
                    .zip(momentums)
                    .map(|(lr, momentum)| serde_json::json!({"lr": lr, "momentum": momentum}))
                    .collect();
                writeln!(out, "{}", serde_json::to_string(&rows)?)?
            }
        },
        Format::Csv => match &momentums {
            None => {
                writeln!(out, "step,lr")?;
                for (step, lr) in &points {
                    writeln!(out, "{step},{lr:?}")?;
                }
            }
            Some(momentums) => {
                writeln!(out, "step,lr,momentum")?;
                for ((step, lr), momentum) in points.iter().zip(momentums) {
                    let momentum = momentum.map_or(String::new(), |m| format!("{m:?}"));
                    writeln!(out, "{step},{lr:?},{momentum}")?;
                }
            }
        },
        Format::Terminal => {
            write!(out, "{}", terminal_chart(&title, &points, 120, 40))?;
            writeln!(
                out,
                "update 1: {:.6e}   update {}: {:.6e}",
                lrs[0],
                lrs.len(),
                lrs[lrs.len() - 1]
            )?;
            if let Some(momentums) = &momentums {
                let show = |m: &Option<f64>| m.map_or("unset".into(), |m| format!("{m:.4}"));
                writeln!(
                    out,
                    "momentum: update 1: {}   update {}: {}",
                    show(&momentums[0]),
                    momentums.len(),
                    show(&momentums[momentums.len() - 1])
                )?;
            }
        }
        Format::Svg | Format::Png => {
            let path = args.out.ok_or_else(|| {
                CliError::Message("--out FILE is required for --format svg and png".into())
            })?;
            let extension = if args.format == Format::Svg {
                "svg"
            } else {
                "png"
            };
            if path.extension().and_then(|e| e.to_str()) != Some(extension) {
                return Err(CliError::Message(format!(
                    "--out must end in .{extension} for --format {extension}"
                )));
            }
            std::fs::File::create(&path)
                .map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))?;
            Chart::new(title, "optimizer update", "learning rate")
                .series(Series::new("lr", points))
                .save(&path)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// A JSON array of per-epoch metrics; `null` stands for a NaN metric.
fn read_metrics(path: &std::path::Path) -> Result<Vec<f64>, CliError> {
    let fail = |why: String| CliError::Message(format!("{}: {why}", path.display()));
    let text = burn_lr_core::read_input_file(path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let items = value
        .as_array()
        .ok_or_else(|| fail("expected a JSON array of numbers, one per epoch".into()))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            serde_json::Value::Null => Ok(f64::NAN),
            other => other
                .as_f64()
                .ok_or_else(|| fail(format!("metric [{i}] = {other} is not a number"))),
        })
        .collect()
}
