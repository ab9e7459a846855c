//! `burn-lr predict` and `burn-lr plan`: a loss-curve law fitted to logged
//! runs, then the loss curve of a schedule, or the best schedule of a family.

use std::path::{Path, PathBuf};

use burn_lr_core::{Spec, read_input_file};
use burn_lr_plot::{Chart, Series};
use burn_lr_predict::{Family, Fitted, LawKind, LrPath, Run, fit, plan, warnings};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use crate::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
}

/// The runs to fit and the law, shared by `predict` and `plan`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// A logged run to fit: a CSV with `lr` and `loss` columns (one row per update; `step`
    /// and other columns allowed) or a burn-train run directory. Repeat for more runs; at
    /// least one must decay its LR.
    #[arg(long = "fit", required = true)]
    runs: Vec<PathBuf>,
    /// The law to fit.
    #[arg(long, value_enum, default_value_t = LawKind::MultiPower)]
    law: LawKind,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// The probability a predicted final loss's interval is meant to hold, in (0, 1). The
    /// interval is the fit's own uncertainty, not the law's error on schedules unlike the
    /// fitted runs (docs/loss-law.md measures how often it holds).
    #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
    level: f64,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    fit: FitArgs,
    /// The LRs to predict: a CSV with an `lr` column, one row per update.
    #[arg(long, conflicts_with_all = ["spec", "updates", "base_lr"])]
    lrs: Option<PathBuf>,
    /// A schedule spec (JSON or TOML) to predict, with --updates and --base-lr.
    #[arg(long, requires_all = ["updates", "base_lr"])]
    spec: Option<PathBuf>,
    /// Optimizer updates of the predicted run.
    #[arg(long, allow_negative_numbers = true)]
    updates: Option<u64>,
    /// The optimizer's LR the spec scales (> 0).
    #[arg(long, allow_negative_numbers = true)]
    base_lr: Option<f64>,
    /// Write a plot (.svg or .png) of the fitted runs and the prediction.
    #[arg(long)]
    plot: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    fit: FitArgs,
    /// Optimizer updates of the planned run, which takes the warmup and the peak LR of the first
    /// --fit run (its warmup counted in the updates; put the run to plan like first). Every
    /// candidate (about 100 for wsd) is predicted over the whole run, in a time linear in its
    /// length, on every core.
    #[arg(long, allow_negative_numbers = true)]
    updates: u64,
    /// The schedule family to search.
    #[arg(long, value_enum, default_value_t = Family::Wsd)]
    family: Family,
}

/// The longest run predicted or planned.
const MAX_UPDATES: u64 = 1_000_000;

fn check_updates(updates: u64) -> Result<usize, CliError> {
    if !(1..=MAX_UPDATES).contains(&updates) {
        return Err(CliError::Message(format!(
            "--updates {updates} is invalid: allowed an integer in [1, {MAX_UPDATES}]"
        )));
    }
    Ok(updates as usize)
}

/// Reads and fits the runs.
fn fitted(args: &FitArgs) -> Result<(Vec<Run>, Fitted), CliError> {
    let runs = args
        .runs
        .iter()
        .map(Run::from_path)
        .collect::<Result<Vec<_>, _>>()?;
    let fitted = fit(&runs, args.law)?;
    Ok((runs, fitted))
}

fn law_json(fitted: &Fitted) -> Value {
    serde_json::to_value(fitted).unwrap_or(Value::Null)
}

fn describe_fit(fitted: &Fitted) -> String {
    let runs: Vec<String> = fitted
        .runs
        .iter()
        .map(|r| format!("{} {:.2}%", r.name, 100.0 * r.fit_error))
        .collect();
    let mut text = format!(
        "{} law fitted on {} run(s), fit error {:.2}% ({})",
        fitted.law.name(),
        fitted.runs.len(),
        100.0 * fitted.fit_error,
        runs.join(", ")
    );
    for warning in &fitted.warnings {
        text.push_str(&format!("\nwarning: {warning}"));
    }
    text
}

/// Whether a plan's predicted gain over cosine can be claimed: larger than
/// the fit's error, from a fit without warnings (and, where it is used, the
/// two predictions' intervals apart).
fn claimable(gain: f64, fitted: &Fitted) -> bool {
    fitted.warnings.is_empty() && gain.abs() > fitted.fit_error
}

pub fn run_predict(args: PredictArgs) -> Result<(), CliError> {
    let path = match (&args.lrs, &args.spec, args.updates, args.base_lr) {
        (Some(lrs), ..) => LrPath::from_csv(&lrs.display().to_string(), &read_input_file(lrs)?)?,
        (None, Some(spec), Some(updates), Some(base_lr)) => {
            let updates = check_updates(updates)?;
            if !(base_lr.is_finite() && base_lr > 0.0) {
                return Err(CliError::Message(format!(
                    "--base-lr {base_lr} is invalid: allowed a finite LR > 0"
                )));
            }
            LrPath::new(Spec::from_file(spec)?.preview(base_lr, updates)?)?
        }
        _ => {
            return Err(CliError::Message(
                "give --lrs FILE, or --spec FILE with --updates N and --base-lr X".into(),
            ));
        }
    };
    let (runs, fitted) = fitted(&args.fit)?;
    let losses = fitted.law.losses(&path);
    let interval = fitted.final_loss_interval(&path, args.fit.level)?;
    let warnings = warnings(&runs, &path, &losses);
    if let Some(plot) = &args.plot {
        draw(plot, &runs, &fitted, (&losses, path.warmup()))?;
    }
    match args.fit.format {
        OutputFormat::Json => {
            let mut out = law_json(&fitted);
            out["loss"] = json!(losses);
            out["final_loss"] = json!(interval.final_loss);
            out["final_loss_low"] = json!(interval.low);
            out["final_loss_high"] = json!(interval.high);
            out["level"] = json!(interval.level);
            out["updates"] = json!(path.len());
            out["warmup"] = json!(path.warmup());
            out["warnings"] = json!(warnings);
            say!("{out}");
        }
        OutputFormat::Text => {
            say!("{}", describe_fit(&fitted));
            say!(
                "predicted final loss: {:.5}, {:.0}% interval {:.5} to {:.5} from the fit's uncertainty \
                 (mean of the last {} of {} updates)",
                interval.final_loss,
                100.0 * interval.level,
                interval.low,
                interval.high,
                burn_lr_predict::final_window(path.len()).len(),
                path.len()
            );
            for warning in &warnings {
                say!("warning: {warning}");
            }
        }
    }
    Ok(())
}

pub fn run_plan(args: PlanArgs) -> Result<(), CliError> {
    let updates = check_updates(args.updates)?;
    let family = args.family;
    let (runs, fitted) = fitted(&args.fit)?;
    let like = runs[0].path();
    let planned = plan(&fitted.law, like, updates as u64, family)?;
    let spec = planned.spec.to_json()?;
    let path = LrPath::new(planned.spec.preview(planned.base_lr, updates)?)?;
    let warnings = warnings(&runs, &path, &fitted.law.losses(&path));
    let best = fitted.final_loss_interval(&path, args.fit.level)?;
    let cosine_path = LrPath::new(planned.cosine.preview(planned.base_lr, updates)?)?;
    let cosine = fitted.final_loss_interval(&cosine_path, args.fit.level)?;
    let overlap = best.overlaps(&cosine);
    let claim = claimable(planned.gain(), &fitted) && !overlap;
    match args.fit.format {
        OutputFormat::Json => {
            let mut out = law_json(&fitted);
            out["family"] = json!(Family::NAMES[family as usize]);
            out["spec"] = serde_json::from_str(&spec).unwrap_or(Value::Null);
            out["base_lr"] = json!(planned.base_lr);
            out["updates"] = json!(updates);
            out["final_loss"] = json!(planned.final_loss);
            out["final_loss_low"] = json!(best.low);
            out["final_loss_high"] = json!(best.high);
            out["cosine_final_loss"] = json!(planned.cosine_final_loss);
            out["cosine_final_loss_low"] = json!(cosine.low);
            out["cosine_final_loss_high"] = json!(cosine.high);
            out["level"] = json!(best.level);
            out["intervals_overlap"] = json!(overlap);
            out["gain"] = json!(planned.gain());
            out["claim"] = json!(claim);
            out["candidates"] = json!(planned.candidates);
            out["warnings"] = json!(warnings);
            say!("{out}");
        }
        OutputFormat::Text => {
            say!("{}", describe_fit(&fitted));
            let gain = planned.gain();
            let comparison = if claim {
                format!(
                    "{:.2}% {} than cosine to 0 ({:.5})",
                    100.0 * gain.abs(),
                    if gain >= 0.0 { "lower" } else { "higher" },
                    planned.cosine_final_loss,
                )
            } else {
                format!(
                    "cosine to 0 predicted {:.5} ({:.0}% interval {:.5} to {:.5}): a difference of \
                     {:.2}%, {}, so no claim that either is better",
                    planned.cosine_final_loss,
                    100.0 * cosine.level,
                    cosine.low,
                    cosine.high,
                    100.0 * gain.abs(),
                    if overlap {
                        "and the two intervals overlap".to_string()
                    } else {
                        format!(
                            "within the fit's error ({:.2}%) or from a fit not to be trusted",
                            100.0 * fitted.fit_error
                        )
                    },
                )
            };
            say!(
                "best of {} {} schedules over {updates} updates at base LR {}: predicted final loss \
                 {:.5} ({:.0}% interval {:.5} to {:.5}); {comparison}",
                planned.candidates,
                Family::NAMES[family as usize],
                planned.base_lr,
                planned.final_loss,
                100.0 * best.level,
                best.low,
                best.high,
            );
            say!("{spec}");
            for warning in &warnings {
                say!("warning: {warning}");
            }
        }
    }
    Ok(())
}

/// The fitted runs (measured, in windows of 1% of the run, and the law on
/// them) and the prediction.
fn draw(
    path: &Path,
    runs: &[Run],
    fitted: &Fitted,
    (predicted, warmup): (&[f64], usize),
) -> Result<(), CliError> {
    let mut chart = Chart::new(
        format!("{} law: fitted runs and prediction", fitted.law.name()),
        "update",
        "training loss",
    );
    for run in runs {
        let width = run.losses().len().div_ceil(100).max(1);
        let measured: Vec<(f64, f64)> = run
            .losses()
            .chunks(width)
            .enumerate()
            .map(|(i, chunk)| {
                let x = (i * width) as f64 + chunk.len() as f64 / 2.0;
                (x, chunk.iter().sum::<f64>() / chunk.len() as f64)
            })
            .collect();
        let law = fitted.law.losses(run.path());
        let start = run.path().warmup();
        let fit_curve: Vec<(f64, f64)> = (start..law.len()).map(|i| (i as f64, law[i])).collect();
        chart = chart
            .series(Series::new(format!("{} (measured)", run.name()), measured))
            .series(Series::new(format!("{} (law)", run.name()), fit_curve));
    }
    // After the warmup, as the fitted runs: inside it the law has no data and
    // its losses, far above the measured ones, would flatten every curve.
    let curve: Vec<(f64, f64)> = predicted
        .iter()
        .enumerate()
        .skip(warmup)
        .map(|(i, l)| (i as f64, *l))
        .collect();
    chart = chart.series(Series::new("prediction", curve));
    chart.save(path)?;
    Ok(())
}
