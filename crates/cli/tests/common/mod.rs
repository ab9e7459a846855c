//! What the command-line tests share.

use std::process::{Command, Output};

/// Runs the `burn-lr` binary with `args`.
pub fn burn_lr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_burn-lr"))
        .args(args)
        .output()
        .unwrap()
}
