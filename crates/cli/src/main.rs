//! `burn-lr`: preview schedules, find an LR, recommend a recipe, lint a spec, and predict or
//! plan a schedule's loss curve, from the command line.
//!
//! Every subcommand prints a one-line error on stderr and exits with code 2 on
//! bad input.

/// `writeln!` to standard output; a closed pipe becomes [`CliError::Closed`].
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod advise;
mod find;
mod predict;
mod preview;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Learning-rate scheduling for burn.
#[derive(Debug, Parser)]
#[command(name = "burn-lr", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print or plot the LRs of updates 1..N of a schedule spec.
    Preview(preview::PreviewArgs),
    /// Run the LR range test on the bundled digits model, or read a recorded curve.
    Find(find::FindArgs),
    /// Recommend a recipe (optimizer, schedule, stepping) for a run.
    Recommend(advise::RecommendArgs),
    /// Check a schedule spec against a run for the classic mistakes (exit 1 on an error).
    Lint(advise::LintArgs),
    /// Fit a loss-curve law to logged runs and predict the loss curve of a schedule.
    Predict(predict::PredictArgs),
    /// Fit a loss-curve law to logged runs and find the family's schedule with the lowest
    /// predicted final loss.
    Plan(predict::PlanArgs),
}

/// Why a subcommand stopped.
pub enum CliError {
    /// A failure to report: the message goes to stderr on one line.
    Message(String),
    /// Standard output was closed early (`| head`): the run ends quietly.
    Closed,
}

impl CliError {
    /// An error reading the file at `path`: named once (an I/O error names
    /// the file already).
    pub fn in_file(path: &std::path::Path, e: burn_lr_core::ConfigError) -> Self {
        match e {
            burn_lr_core::ConfigError::Io { .. } => Self::Message(e.to_string()),
            _ => Self::Message(format!("{}: {e}", path.display())),
        }
    }
}

impl<E: std::fmt::Display + 'static> From<E> for CliError {
    fn from(error: E) -> Self {
        let any: &dyn std::any::Any = &error;
        match any.downcast_ref::<std::io::Error>() {
            Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Self::Closed,
            _ => Self::Message(error.to_string()),
        }
    }
}

/// The longest error message printed: a hostile input (a megabyte-long line)
/// is cut, not echoed, while the longest list of allowed values (every
/// scheduler's name) is printed whole.
const MAX_MESSAGE: usize = 1000;

/// `message` on one line, at most [`MAX_MESSAGE`] characters, every
/// character outside printable ASCII written `\u{..}` (an invisible or
/// look-alike character from the input is seen).
fn one_line(message: &str) -> String {
    let line: String = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect();
    match line.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}... ({} characters cut)", &line[..cut], line.len() - cut),
        None => line,
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!(
                "burn-lr: a subcommand is required: preview, find, recommend, lint, predict or plan (see burn-lr --help)"
            );
            return ExitCode::from(2);
        }
        Err(e) if !e.use_stderr() => {
            // --help and --version: a closed pipe (`| head`) is not an error, a
            // write that fails otherwise (a full device) is.
            let mut out = std::io::stdout().lock();
            let written = out
                .write_all(e.render().to_string().as_bytes())
                .and_then(|()| out.flush());
            return exit_code(written.map_err(|error| match CliError::from(error) {
                CliError::Message(m) => CliError::Message(format!("cannot write to stdout: {m}")),
                closed => closed,
            }));
        }
        Err(e) => {
            // clap's message without its usage block, on one line.
            let text = e.to_string();
            let message = text.split("\n\n").next().unwrap_or("invalid arguments");
            eprintln!(
                "burn-lr: {}",
                one_line(message).trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Find(args) => find::run(args),
        Command::Recommend(args) => advise::run_recommend(args),
        Command::Predict(args) => predict::run_predict(args),
        Command::Plan(args) => predict::run_plan(args),
        Command::Lint(args) => match advise::run_lint(args) {
            Ok(true) => return ExitCode::from(1),
            other => other.map(|_| ()),
        },
    };
    exit_code(result)
}

/// Success, or the error on one line of stderr and exit code 2.
fn exit_code(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) | Err(CliError::Closed) => ExitCode::SUCCESS,
        Err(CliError::Message(message)) => {
            eprintln!("burn-lr: {}", one_line(&message));
            ExitCode::from(2)
        }
    }
}
