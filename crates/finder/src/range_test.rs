//! The LR range test (Smith, 2017; fastai's `lr_find`): train for a few
//! updates while the LR grows, record the smoothed loss, stop when it blows up.

use std::any::Any;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use burn::data::dataloader::DataLoader;
use burn::data::dataloader::Progress;
use burn::data::dataset::DatasetError;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::Module;
use burn::optim::{GradientsAccumulator, ModuleOptimizer};
use burn::train::TrainStep;
use burn::train::metric::{
    Adaptor, ItemLazy, LossInput, LossMetric, Metric, MetricMetadata, Numeric, NumericEntry,
};
use burn_lr_core::optim::lr_free::LrFreeMark;
use burn_lr_core::{ConfigError, lambda};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::rule::{FASTAI_SMOOTHING, lag_free_losses};
use crate::suggest::{Method, Suggestion, suggest_within};
use crate::sweep_curve::SweepCurve;

/// The LRs a sweep may span: within `f32`'s normal range (the suggestion
/// rules read the curve in `f32`, as fastai does), with a finite ratio.
pub const LR_RANGE: (f64, f64) = (1e-30, 1e30);

/// The longest sweep, in updates.
pub const MAX_NUM_ITER: usize = 100_000;

/// Updates between two reads of their losses by default
/// ([`FinderConfig::readback`]).
pub const DEFAULT_READBACK: usize = 10;

/// The longest window [`FinderConfig::readback`] accepts (its outputs are
/// held until read).
pub const MAX_READBACK: usize = 1000;

/// How the LR grows from `start_lr` to `end_lr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sweep {
    /// `start * (end / start)^(i / num_iter)` (the default).
    Exponential,
    /// `start + (end - start) * i / num_iter`.
    Linear,
}

/// Settings of a range test.
#[derive(Debug, Clone, PartialEq)]
pub struct FinderConfig {
    /// LR of the first update, in `[1e-30, 1e30]` (the suggestions are read in `f32`).
    pub start_lr: f64,
    /// The LR the sweep heads for (`> start_lr`, at most 1e30); the last update runs just below it.
    pub end_lr: f64,
    /// Number of optimizer updates, in `[2, 100000]`.
    pub num_iter: usize,
    /// Exponential or linear growth.
    pub sweep: Sweep,
    /// EMA factor of the loss smoothing, in `[0, 1)` (bias-corrected).
    pub smoothing: f64,
    /// Stop when the smoothed loss exceeds this many times the best one (`> 1`).
    pub diverge_factor: f64,
    /// Points during which the divergence rule is not applied.
    pub grace: usize,
    /// Batches whose gradients are accumulated into one update (`>= 1`).
    pub accumulation: usize,
    /// Updates run between two reads of their losses, in `[1, 1000]`. Reading a
    /// loss waits for the device; on asynchronous backends (wgpu, cuda) one read
    /// per window of updates keeps the device busy. The curve and the stop are
    /// the same for every value: a divergence is found at most `readback - 1`
    /// updates late, and those extra updates (on the copy of the model) are
    /// discarded.
    pub readback: usize,
    /// Parameter groups swept at a multiple of the LR: `(path fragment, multiplier)`.
    pub groups: Vec<(String, f64)>,
    /// Draw a progress bar on a terminal.
    pub progress: bool,
}

impl Default for FinderConfig {
    fn default() -> Self {
        Self {
            start_lr: 1e-7,
            end_lr: 10.0,
            num_iter: 100,
            sweep: Sweep::Exponential,
            smoothing: 0.98,
            diverge_factor: 4.0,
            grace: 5,
            accumulation: 1,
            readback: DEFAULT_READBACK,
            groups: Vec::new(),
            progress: true,
        }
    }
}

impl FinderConfig {
    /// Checks every field; the error names it and its allowed range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(LR_RANGE.0..=LR_RANGE.1).contains(&self.start_lr) {
            return Err(ConfigError::invalid(
                "start_lr",
                self.start_lr,
                format!("a number in [{:e}, {:e}]", LR_RANGE.0, LR_RANGE.1),
            ));
        }
        if !(self.end_lr > self.start_lr && self.end_lr <= LR_RANGE.1) {
            return Err(ConfigError::invalid(
                "end_lr",
                self.end_lr,
                format!(
                    "a number > start_lr ({}) and <= {:e}",
                    self.start_lr, LR_RANGE.1
                ),
            ));
        }
        if !(2..=MAX_NUM_ITER).contains(&self.num_iter) {
            return Err(ConfigError::invalid(
                "num_iter",
                self.num_iter,
                format!("an integer in [2, {MAX_NUM_ITER}]"),
            ));
        }
        if !(0.0..1.0).contains(&self.smoothing) {
            return Err(ConfigError::invalid(
                "smoothing",
                self.smoothing,
                "a number in [0, 1)",
            ));
        }
        if !(self.diverge_factor.is_finite() && self.diverge_factor > 1.0) {
            return Err(ConfigError::invalid(
                "diverge_factor",
                self.diverge_factor,
                "a finite number > 1",
            ));
        }
        if self.accumulation == 0 {
            return Err(ConfigError::invalid("accumulation", 0, "an integer >= 1"));
        }
        if !(1..=MAX_READBACK).contains(&self.readback) {
            return Err(ConfigError::invalid(
                "readback",
                self.readback,
                format!("an integer in [1, {MAX_READBACK}]"),
            ));
        }
        Ok(())
    }

    /// The sweep as a burn-lr schedule (one scheduler per group, each
    /// pattern checked against `model`'s parameters).
    fn scheduler<M: Module>(&self, model: &M) -> Result<ModuleLrScheduler, ConfigError> {
        let (start, end, n, sweep) = (self.start_lr, self.end_lr, self.num_iter as f64, self.sweep);
        let spec = lambda("lr range test", move |t| match sweep {
            Sweep::Exponential => (end / start).powf(t / n),
            Sweep::Linear => 1.0 + (end / start - 1.0) * t / n,
        });
        let spec = self.groups.iter().fold(spec, |spec, (pattern, mult)| {
            spec.with_group(pattern.clone(), *mult)
        });
        spec.init_for(model, start).map(ModuleLrScheduler::from)
    }
}

/// Why the sweep ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Stop {
    /// All `num_iter` updates ran.
    Completed,
    /// The smoothed loss exceeded `diverge_factor` times the best one at this point.
    Diverged {
        /// The point where it happened (the last one of the curve).
        index: usize,
    },
    /// The loss became NaN or infinite at this LR (that point is not in the curve).
    NonFinite {
        /// The LR of the failed update.
        lr: f64,
    },
    /// Training panicked (an error from the model or the loader).
    Failed {
        /// The panic message.
        message: String,
    },
}

/// The outcome of a range test: the curve, and the model with its original weights.
#[derive(Debug)]
pub struct RangeTest<M> {
    /// The model exactly as it was given (the sweep trained a copy).
    pub model: M,
    /// The recorded points.
    pub curve: SweepCurve,
    /// Why the sweep ended.
    pub stop: Stop,
    /// Number of updates the sweep was asked for.
    pub num_iter: usize,
}

impl<M> RangeTest<M> {
    /// The points the suggestions read: as fastai's `lr_find`, the first
    /// `num_iter / 10` and the last 5 points are dropped (their losses reflect
    /// warm-up noise and the blow-up). A curve too short for that is used whole.
    pub fn trimmed(&self) -> Range<usize> {
        let start = self.num_iter / 10;
        let end = self.curve.len().saturating_sub(5);
        if end > start + 1 {
            start..end
        } else {
            0..self.curve.len()
        }
    }

    /// The suggestion of `method` (indices into the whole curve): `hand_off`
    /// reads every point's raw loss (recovered from the smoothed one when not
    /// recorded; its smoothing looks both ways, so neither end needs
    /// dropping); fastai's rules read the trimmed EMA loss.
    pub fn suggestion(&self, method: Method) -> Option<Suggestion> {
        if method == Method::HandOff {
            let (losses, _) = lag_free_losses(&self.curve, FASTAI_SMOOTHING);
            return suggest_within(method, &self.curve.lrs, &losses, 0);
        }
        let range = self.trimmed();
        let part = self.curve.slice(range.clone());
        suggest_within(method, &part.lrs, &part.losses, range.start)
    }

    /// Every suggestion, in [`Method::ALL`] order.
    pub fn suggestions(&self) -> Vec<Suggestion> {
        Method::ALL
            .iter()
            .filter_map(|m| self.suggestion(*m))
            .collect()
    }
}

/// The loss of one training or validation output, read through burn-train's
/// loss adaptor (so classification and regression outputs both work); NaN when
/// the adaptor's tensor cannot be read.
pub fn loss_of<O: Adaptor<LossInput>>(output: &O) -> f64 {
    let mut metric = LossMetric::new();
    let metadata = MetricMetadata {
        progress: Progress {
            items_processed: 1,
            items_total: 1,
            unit: None,
        },
        iteration: None,
        lr: None,
    };
    if metric.update(&output.adapt(), &metadata).is_err() {
        return f64::NAN;
    }
    match metric.value() {
        Some(NumericEntry::Value(v) | NumericEntry::Final(v)) => v,
        Some(NumericEntry::Aggregated {
            aggregated_value, ..
        }) => aggregated_value,
        None => f64::NAN,
    }
}

/// Runs the range test on a copy of `model` with `optim` (whose state is
/// discarded) over `loader` (moved to the model's device), cycled if it runs out.
///
/// Whatever happens (divergence, NaN, a panic in the model or the loader) the
/// returned [`RangeTest::model`] is `model` itself, bit-identical.
///
/// A learning-rate-free optimizer (Prodigy, D-Adapt Adam) is an error after
/// the sweep's first update: it sets its own step size from a base LR of 1
/// and has no LR to find.
pub fn range_test<M>(
    model: M,
    optim: ModuleOptimizer,
    loader: Arc<dyn DataLoader<M::Input>>,
    config: &FinderConfig,
) -> Result<RangeTest<M>, ConfigError>
where
    M: TrainStep + Module,
    M::Output: Adaptor<LossInput>,
{
    config.validate()?;
    let scheduler = config.scheduler(&model)?;
    // As burn-train does: the batches go to the model's device, whatever device the loader was built for.
    let loader = match model.devices().first() {
        Some(device) => loader.to_device(device),
        None => loader,
    };
    let mut curve = SweepCurve::default();
    let bar = if config.progress {
        ProgressBar::with_draw_target(Some(config.num_iter as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("LR range test {bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mark = LrFreeMark::now();
    let sweep = catch_unwind(AssertUnwindSafe(|| {
        sweep(
            model.clone(),
            optim,
            &*loader,
            config,
            scheduler,
            (&mut curve, &mark),
            &bar,
        )
    }));
    bar.finish_and_clear();
    if let Some(name) = mark.stepped_since() {
        return Err(ConfigError::invalid(
            "optim",
            name,
            format!(
                "an optimizer with a learning rate: {name} sets its own step size from a base LR \
                 of 1, so it has no LR to find; train it at 1.0"
            ),
        ));
    }
    let stop = sweep.unwrap_or_else(|panic| Stop::Failed {
        message: panic_message(panic),
    });
    Ok(RangeTest {
        model,
        curve,
        stop,
        num_iter: config.num_iter,
    })
}

/// One update's outputs, kept until their losses are read.
struct Pending<O> {
    lr: f64,
    items: Vec<O>,
}

/// The curve as the losses are read, with what the divergence rule needs.
struct Recorder<'a> {
    config: &'a FinderConfig,
    curve: &'a mut SweepCurve,
    average: f64,
    best: f64,
}

impl Recorder<'_> {
    /// Reads the losses of `window`'s updates in order; the stop when one of
    /// them ends the sweep (the updates after it are dropped unread).
    fn read<O: Adaptor<LossInput>>(
        &mut self,
        window: impl Iterator<Item = Pending<O>>,
        bar: &ProgressBar,
    ) -> Option<Stop> {
        let config = self.config;
        for Pending { lr, items } in window {
            let i = self.curve.len();
            let raw = items.iter().map(loss_of).sum::<f64>() / items.len() as f64;
            if !raw.is_finite() {
                return Some(Stop::NonFinite { lr });
            }
            self.average = config.smoothing * self.average + (1.0 - config.smoothing) * raw;
            let smoothed = self.average / (1.0 - config.smoothing.powi(i as i32 + 1));
            self.best = self.best.min(smoothed);
            self.curve.lrs.push(lr);
            self.curve.losses.push(smoothed);
            self.curve.raw_losses.push(raw);
            bar.set_position(i as u64 + 1);
            bar.set_message(format!("lr {lr:.2e} loss {smoothed:.4}"));
            if i >= config.grace && smoothed > config.diverge_factor * self.best {
                return Some(Stop::Diverged { index: i });
            }
        }
        None
    }
}

/// A caught panic's message.
fn panic_message(panic: Box<dyn Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

/// The outputs of one update's `batches` batches, off the autodiff graph
/// (as burn-train keeps its items), their gradients added to `accumulator`;
/// what failed, in words.
fn forward<M>(
    model: &M,
    next_batch: &mut dyn FnMut() -> Option<Result<M::Input, DatasetError>>,
    accumulator: &mut GradientsAccumulator<M>,
    batches: usize,
) -> Result<Vec<M::Output>, String>
where
    M: TrainStep + Module,
{
    let mut items = Vec::with_capacity(batches);
    for _ in 0..batches {
        let batch = match next_batch() {
            Some(Ok(batch)) => batch,
            Some(Err(error)) => return Err(format!("the training loader failed: {error}")),
            None => return Err("the training loader yields no batch".into()),
        };
        let output = model.step(batch);
        let item = output
            .item
            .sync()
            .map_err(|error| format!("the device failed: {error}"))?;
        items.push(item);
        accumulator.accumulate(model, output.grads);
    }
    Ok(items)
}

fn sweep<M>(
    mut model: M,
    mut optim: ModuleOptimizer,
    loader: &dyn DataLoader<M::Input>,
    config: &FinderConfig,
    mut scheduler: ModuleLrScheduler,
    (curve, mark): (&mut SweepCurve, &LrFreeMark),
    bar: &ProgressBar,
) -> Stop
where
    M: TrainStep + Module,
    M::Output: Adaptor<LossInput>,
{
    let mut batches = loader.iter();
    let mut next_batch = || {
        batches.next().or_else(|| {
            batches = loader.iter();
            batches.next()
        })
    };
    let mut recorder = Recorder {
        config,
        curve,
        average: 0.0,
        best: f64::INFINITY,
    };
    let mut window = Vec::with_capacity(config.readback);
    for i in 0..config.num_iter {
        let lr = scheduler.step();
        let mut accumulator = GradientsAccumulator::<M>::new();
        // A panic in the model or the loader ends the sweep after the losses
        // already computed are read.
        let items = catch_unwind(AssertUnwindSafe(|| {
            forward(
                &model,
                &mut next_batch,
                &mut accumulator,
                config.accumulation,
            )
        }))
        .unwrap_or_else(|panic| Err(panic_message(panic)));
        let items = match items {
            Ok(items) => items,
            Err(message) => {
                return recorder
                    .read(window.drain(..), bar)
                    .unwrap_or(Stop::Failed { message });
            }
        };
        window.push(Pending {
            lr: lr.base(),
            items,
        });
        if (window.len() == config.readback || i + 1 == config.num_iter)
            && let Some(stop) = recorder.read(window.drain(..), bar)
        {
            return stop;
        }
        model = model.optimize(&mut optim, lr, accumulator.grads());
        if let Some(name) = mark.stepped_since() {
            return Stop::Failed {
                message: format!("{name} is learning-rate-free"),
            };
        }
    }
    Stop::Completed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting's name and how to spoil it.
    type Spoil = (&'static str, fn(&mut FinderConfig));

    #[test]
    fn each_invalid_setting_is_named() {
        let cases: [Spoil; 7] = [
            ("start_lr", |c| c.start_lr = 0.0),
            ("end_lr", |c| c.end_lr = c.start_lr),
            ("num_iter", |c| c.num_iter = 1),
            ("smoothing", |c| c.smoothing = 1.0),
            ("diverge_factor", |c| c.diverge_factor = f64::NAN),
            ("accumulation", |c| c.accumulation = 0),
            ("readback", |c| c.readback = MAX_READBACK + 1),
        ];
        assert_eq!(FinderConfig::default().validate(), Ok(()));
        for (field, spoil) in cases {
            let mut config = FinderConfig::default();
            spoil(&mut config);
            let error = config.validate().expect_err(field);
            assert_eq!(error.field(), Some(field), "{error}");
        }
        let config = FinderConfig {
            readback: 0,
            ..FinderConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("[1, 1000]")
        );
    }
}
