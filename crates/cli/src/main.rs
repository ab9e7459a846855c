//! `burn-lr`: preview learning-rate schedules from the command line.
//!
//! Every subcommand prints a one-line error on stderr and exits with code 2 on
//! bad input.

mod advise;
mod find;
mod preview;

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
}

/// A failure to report: the message goes to stderr on one line.
pub struct CliError(String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!(
                "burn-lr: a subcommand is required: preview, find, recommend or lint (see burn-lr --help)"
            );
            return ExitCode::from(2);
        }
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's message without its usage block, on one line.
            let text = e.to_string();
            let message = text.split("\n\n").next().unwrap_or("invalid arguments");
            let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("burn-lr: {}", message.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Find(args) => find::run(args),
        Command::Recommend(args) => advise::run_recommend(args),
        Command::Lint(args) => match advise::run_lint(args) {
            Ok(true) => return ExitCode::from(1),
            other => other.map(|_| ()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(message)) => {
            eprintln!("burn-lr: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
