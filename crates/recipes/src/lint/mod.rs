//! The linter: the classic scheduling mistakes, found before a run starts.

use burn_lr_schedule::{Schedule, Spec, Unit};
use serde::Serialize;

use crate::run::{ModelFamily, RunDescription, Stepping};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; the run is fine.
    Info,
    /// Likely to cost accuracy or compute.
    Warning,
    /// Almost certainly wrong.
    Error,
}

/// One problem, with a stable code and a concrete fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `missing-warmup`.
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub fix: String,
}

/// What the spec does over the run, sampled from its closed form.
struct Shape {
    first: f64,
    peak: f64,
    peak_at: u64,
    last: f64,
    min: f64,
    total: u64,
}

impl Shape {
    fn of(spec: &Spec, base_lr: f64, total: u64) -> Option<Self> {
        let scheduler = spec.scheduler(base_lr).ok()?;
        let stride = (total / 20_000).max(1);
        let indices = (0..total)
            .step_by(stride as usize)
            .chain(std::iter::once(total - 1));
        let mut shape = Shape {
            first: scheduler.lr_at(0),
            peak: f64::NEG_INFINITY,
            peak_at: 0,
            last: scheduler.lr_at(total - 1),
            min: f64::INFINITY,
            total,
        };
        for i in indices {
            let lr = scheduler.lr_at(i);
            if lr > shape.peak * (1.0 + 1e-9) {
                shape.peak = lr;
                shape.peak_at = i;
            }
            shape.min = shape.min.min(lr);
        }
        Some(shape)
    }

    /// A rise from well below the peak early in the run.
    fn warmup_steps(&self) -> Option<u64> {
        (self.first < 0.5 * self.peak && self.peak_at > 0 && self.peak_at * 10 <= self.total * 3)
            .then_some(self.peak_at)
    }
}

/// The length of the decay the spec plans, in `step()` calls, when it has one.
fn horizon(schedule: &Schedule) -> Option<(&'static str, f64)> {
    Some(match schedule {
        Schedule::CosineAnnealing(s) => ("cosine_annealing t_max", s.t_max() as f64),
        Schedule::OneCycle(s) => ("one_cycle total_steps", s.total_steps() as f64),
        Schedule::LinearWithWarmup(s) => ("num_training_steps", s.num_training_steps() as f64),
        Schedule::CosineWithWarmup(s) => ("num_training_steps", s.num_training_steps() as f64),
        Schedule::CosineWithMinLr(s) => ("num_training_steps", s.num_training_steps() as f64),
        Schedule::PolynomialWithWarmup(s) => ("num_training_steps", s.num_training_steps() as f64),
        Schedule::Polynomial(s) => ("polynomial total_iters", s.total_iters() as f64),
        Schedule::Sequential(s) => {
            let (name, last) = horizon(s.schedulers().last()?)?;
            (name, last + *s.milestones().last()? as f64)
        }
        _ => return None,
    })
}

fn finding(
    code: &'static str,
    severity: Severity,
    message: String,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        code,
        severity,
        message,
        fix: fix.into(),
    }
}

/// Checks `spec` (a plateau spec included) against `run`.
pub fn lint(spec: &Spec, run: &RunDescription) -> Vec<Finding> {
    use Severity::*;
    let plateau = spec.plateau().is_some();
    let mut found = Vec::new();
    let per_epoch = run.steps_per_call_epoch();
    let total = run.total_steps().max(1);
    // Time of the spec in `step()` calls.
    let unit_steps = match spec.unit() {
        Unit::Epoch => per_epoch as f64,
        Unit::Step => 1.0,
    };
    // The curve the plateau rule (if any) scales.
    let mut spec = spec.clone().without_plateau();
    if spec.unit() == Unit::Epoch && spec.steps_per_epoch().is_none() {
        spec = spec.with_steps_per_epoch(per_epoch);
        found.push(finding(
            "steps-per-epoch-from-run",
            Info,
            format!(
                "the spec counts epochs; {per_epoch} steps per epoch taken from the run description"
            ),
            "give `steps_per_epoch` in the spec or in code (Spec::with_steps_per_epoch)",
        ));
    }
    let base_lr = run.base_lr.unwrap_or(1.0);
    let Some(shape) = Shape::of(&spec, base_lr, total) else {
        found.push(finding(
            "invalid-spec",
            Error,
            "the spec cannot be built".into(),
            "run `burn-lr preview` on it",
        ));
        return found;
    };
    let warmup = shape.warmup_steps().or_else(|| {
        spec.warmup()
            .map(|w| (w.total_iters() as f64 * unit_steps) as u64)
    });
    let warmup_planned = spec.warmup().is_some() || warmup.is_some();

    // Warmup where the domain needs it.
    let needs = match run.model {
        ModelFamily::Transformer | ModelFamily::Vit => Some((Error, "transformers")),
        _ if run.batch_size > 512 => Some((Warning, "batches above 512")),
        _ => None,
    };
    if let (Some((severity, who)), false) = (needs, warmup_planned) {
        found.push(finding(
            "missing-warmup",
            severity,
            format!("no warmup: {who} are unstable at full LR from the first update"),
            "add `\"warmup\": {\"total_iters\": N}` (about 5% of the run), or use a *_with_warmup schedule",
        ));
    }
    // One-cycle's and cyclic's rise is the policy itself, not a warmup.
    let own_rise = matches!(spec.schedule(), Schedule::OneCycle(_) | Schedule::Cyclic(_));
    if let (Some(w), false) = (warmup, own_rise) {
        let fraction = w as f64 / total as f64;
        if fraction > 0.2 {
            found.push(finding(
                "warmup-too-long",
                Warning,
                format!("the warmup takes {:.0}% of the run", 100.0 * fraction),
                "keep the warmup within 1% to 20% of the run (5% is typical)",
            ));
        } else if fraction < 0.01 {
            found.push(finding(
                "warmup-too-short",
                Info,
                format!("the warmup takes {:.2}% of the run", 100.0 * fraction),
                "a warmup under 1% of the run is fine for detectors (500 updates); elsewhere aim for 1-5%",
            ));
        }
    }

    // The planned decay against the run.
    let warmup_shift = spec.warmup().map_or(0.0, |w| w.total_iters() as f64);
    if let Some((what, length)) = horizon(spec.schedule()) {
        let planned = (length + warmup_shift) * unit_steps;
        let is_cosine = matches!(spec.schedule(), Schedule::CosineAnnealing(_));
        // t_max equal to the whole run (closer to it than to the run minus the warmup).
        let includes_warmup = is_cosine
            && warmup_shift > 0.0
            && planned > total as f64
            && (length * unit_steps - total as f64).abs() <= 0.5 * warmup_shift * unit_steps;
        if includes_warmup {
            found.push(finding(
                "tmax-includes-warmup",
                Warning,
                format!("{what} spans the whole run, but the cosine starts after the warmup: it ends past the last step"),
                "set t_max to the run length minus the warmup",
            ));
        } else if planned < 0.95 * total as f64 {
            let effect = match spec.schedule() {
                Schedule::CosineAnnealing(_) => "the cosine rises again after it",
                Schedule::OneCycle(_) => "one-cycle ends early and holds its final LR",
                _ => "the LR reaches its end early and stays there",
            };
            found.push(finding(
                "horizon-short",
                Warning,
                format!("{what} ends at step {planned:.0} of {total}: {effect}"),
                "match the schedule's length to the run",
            ));
        } else if planned > 1.05 * total as f64 {
            found.push(finding(
                "horizon-long",
                Warning,
                format!("{what} ends at step {planned:.0}, after the run's {total}: the LR never finishes decaying"),
                "match the schedule's length to the run",
            ));
        }
    }
    if let Schedule::MultiStep(s) = spec.schedule()
        && let Some(&last) = s.milestones().last()
        && last as f64 * unit_steps >= total as f64
    {
        found.push(finding(
            "milestone-after-end",
            Warning,
            format!("milestone {last} falls after the run's last step"),
            "place milestones inside the run (e.g. at 30%, 60%, 90%)",
        ));
    }

    // An epoch count read as updates.
    let spec_length = horizon(spec.schedule())
        .map(|(_, l)| l)
        .or(match spec.schedule() {
            Schedule::MultiStep(s) => s.milestones().last().map(|&m| m as f64),
            Schedule::Step(s) => Some(s.step_size() as f64),
            _ => None,
        });
    if spec.unit() == Unit::Step
        && run.stepping == Stepping::Update
        && per_epoch > 1
        && let Some(length) = spec_length
        && length <= 2.0 * run.epochs as f64
        && length * 10.0 < total as f64
    {
        found.push(finding(
            "epoch-spec-per-update",
            Error,
            format!(
                "the schedule's length ({length}) looks like epochs, but burn-train steps it every update \
                 ({per_epoch} per epoch): it would be over in the first {:.1} epochs",
                length / per_epoch as f64
            ),
            "add `\"unit\": \"epoch\", \"timing\": \"iteration\"` and the steps per epoch",
        ));
    }

    if matches!(spec.schedule(), Schedule::OneCycle(_)) {
        if run.epochs > 50 {
            found.push(finding(
                "one-cycle-long",
                Warning,
                format!(
                    "one-cycle over {} epochs: it is built for short runs",
                    run.epochs
                ),
                "use warmup + cosine for runs above ~50 epochs",
            ));
        }
        if run.base_lr.is_none() {
            found.push(finding(
                "max-lr-not-from-finder",
                Info,
                "one-cycle's max_lr was not given from an LR range test".into(),
                "run `burn-lr find` and use its suggestion as max_lr (pass it with --base-lr)",
            ));
        }
    }
    if plateau && !run.validation {
        found.push(finding(
            "plateau-without-metric",
            Error,
            "reduce_on_plateau needs a validation metric every epoch, and the run has none".into(),
            "compute a validation metric and register `lr.hook()` with `.early_stopping(..)`, or use a fixed schedule",
        ));
    }
    let kind = run.optimizer.unwrap_or(crate::OptimizerKind::Sgd);
    if kind.is_adaptive() && run.base_lr.is_some() && shape.peak > 1.0 {
        found.push(finding(
            "adaptive-lr-above-one",
            Error,
            format!("peak LR {} with an adaptive optimizer: Adam steps are about LR-sized, so this diverges", shape.peak),
            "adaptive optimizers want LRs around 1e-4..1e-2 (use square-root scaling for large batches)",
        ));
    }
    let long = run.epochs >= 30 && !plateau;
    if long && shape.peak > 0.0 && shape.min >= shape.peak * (1.0 - 1e-12) && !run.fine_tune {
        found.push(finding(
            "constant-lr-long",
            Warning,
            format!("a constant LR for {} epochs from scratch", run.epochs),
            "decay the LR (warmup + cosine is the usual default)",
        ));
    } else if long && shape.peak > 0.0 && shape.last >= 0.5 * shape.peak {
        found.push(finding(
            "final-lr-high",
            Warning,
            format!(
                "the LR ends at {:.0}% of its peak after {} epochs",
                100.0 * shape.last / shape.peak,
                run.epochs
            ),
            "decay to at most 10% of the peak by the end",
        ));
    }
    found
}
