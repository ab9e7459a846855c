//! ReduceLROnPlateau as a multiplicative scale over any burn-lr schedule.

use std::sync::Arc;

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use super::config::ReduceOnPlateau;
use super::mailbox::MetricMailbox;
use super::state::{PlateauState, effective_lr};
use crate::Scheduler;
use crate::alert;

const BASE: &str = "base";
const BEST: &str = "plateau_best";
const BAD: &str = "plateau_num_bad_epochs";
const COOLDOWN: &str = "plateau_cooldown_counter";
const SCALE: &str = "plateau_scale";
const EPOCHS: &str = "plateau_epochs_seen";

/// A base schedule (constant, warmup + cosine, ...) reduced on plateaus.
///
/// Each `step()` first folds in the validation metrics of the epochs that
/// have ended (epoch `e` ends at update `e * steps_per_epoch`) and that the
/// [`LrHook`](crate::LrHook) has posted, so a reduction decided at
/// the end of epoch `e` applies from the first update of epoch `e + 1`, as in
/// PyTorch. Per-step state lives in each clone; the mailbox is shared, and a
/// clone never folds an epoch that has not ended for it.
#[derive(Debug, Clone)]
pub(crate) struct PlateauScheduler {
    base: Scheduler,
    config: Arc<ReduceOnPlateau>,
    min_lr: f64,
    state: PlateauState,
    mailbox: MetricMailbox,
    steps_per_epoch: u64,
    warned: bool,
    /// Set by `load_record`: the next step checks that the epochs the record
    /// did not fold are available.
    resumed: bool,
}

impl PlateauScheduler {
    /// Reduces `base` on plateaus of the metrics posted to `mailbox`.
    ///
    /// `min_lr` is this group's floor. `steps_per_epoch` is the number of
    /// optimizer updates per epoch (after gradient accumulation, at least 1);
    /// a metric is folded once its epoch has ended.
    pub(crate) fn new(
        base: Scheduler,
        config: Arc<ReduceOnPlateau>,
        min_lr: f64,
        mailbox: MetricMailbox,
        steps_per_epoch: u64,
    ) -> Self {
        let state = PlateauState::new(&config);
        Self {
            base,
            config,
            min_lr,
            state,
            mailbox,
            steps_per_epoch,
            warned: false,
            resumed: false,
        }
    }

    /// Folds every posted epoch that has ended and is not seen yet, deciding at update `update`.
    fn fold(&mut self, update: u64) {
        let ended = update / self.steps_per_epoch;
        if self.mailbox.latest().min(ended) <= self.state.epochs_seen {
            return;
        }
        let idle = self.config.idle_during_warmup() && self.base.in_warmup(update);
        let base_lr = self.base.lr_at(update);
        let (config, state, min_lr) = (&self.config, &mut self.state, self.min_lr);
        self.mailbox.for_each_between(state.epochs_seen, ended, |epoch, metric| {
            if idle {
                state.epochs_seen = epoch;
            } else {
                if !metric.is_finite() {
                    alert::warn(&format!(
                        "ReduceLROnPlateau: the metric of epoch {epoch} is {metric}; counted as a bad epoch"
                    ));
                }
                state.observe(config, epoch, metric, base_lr, min_lr);
            }
        });
    }

    /// A resumed run needs the metrics of the epochs its record had not folded
    /// (burn-train saves checkpoint n before the hook sees epoch n).
    fn check_resume(&mut self, update: u64) {
        let ended = update / self.steps_per_epoch;
        if std::mem::take(&mut self.resumed)
            && self.mailbox.latest() < ended
            && self.state.epochs_seen < ended
        {
            alert::error(&format!(
                "ReduceLROnPlateau resumed at update {update} (epoch {}) without the validation \
                 metric of epoch {ended}: the LR path differs from the uninterrupted run's. Call \
                 `hook.backfill_from_logs(directory, {ended})` before `launch`.",
                ended + 1
            ));
        }
    }

    /// No warning about a missing metric: the scheduler previews a schedule,
    /// it does not run a training.
    pub(crate) fn quiet(&mut self) {
        self.warned = true;
    }

    fn warn_if_silent(&mut self, update: u64) {
        if !self.warned && update >= self.steps_per_epoch && self.mailbox.latest() == 0 {
            self.warned = true;
            alert::warn(
                "ReduceLROnPlateau received no validation metric by the end of epoch 1: the LR follows \
                 the base schedule only. Register the hook with `.early_stopping(lr.hook())` and the \
                 metric with `.metric_valid_numeric(..)`.",
            );
        }
    }
}

impl LrScheduler for PlateauScheduler {
    fn step(&mut self) -> f64 {
        let update = self.base.updates();
        self.check_resume(update);
        self.fold(update);
        self.warn_if_silent(update);
        effective_lr(self.base.step(), self.state.scale, self.min_lr)
    }

    fn to_record(&self) -> LrSchedulerRecord {
        let s = self.state;
        LrSchedulerRecord::new()
            .with_record(BASE, self.base.to_record())
            .with_scalar(BEST, s.best)
            .with_scalar(BAD, s.num_bad_epochs)
            .with_scalar(COOLDOWN, s.cooldown_counter)
            .with_scalar(SCALE, s.scale)
            .with_scalar(EPOCHS, s.epochs_seen)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        self.resumed = true;
        self.base.load_record(record.record(BASE));
        let state = (|| {
            Some(PlateauState {
                best: record.scalar(BEST)?,
                num_bad_epochs: record.scalar(BAD)?,
                cooldown_counter: record.scalar(COOLDOWN)?,
                scale: record.scalar(SCALE)?,
                epochs_seen: record.scalar(EPOCHS)?,
            })
        })();
        match state {
            Some(state) => self.state = state,
            None => alert::error(
                "ReduceLROnPlateau: the scheduler record has no plateau state; starting fresh",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    #[test]
    fn matches_its_reference_library_and_resumes_bit_identically() {
        crate::schedules::conformance::check(&["reduce_on_plateau"]);
    }

    use super::*;
    use crate::Spec;
    use crate::schedules::ExponentialLr;

    /// Collects warnings so the test can read them.
    struct Capture(Mutex<Vec<String>>);

    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata) -> bool {
            metadata.level() <= log::Level::Warn
        }
        fn log(&self, record: &log::Record) {
            if self.enabled(record.metadata()) {
                self.0.lock().unwrap().push(record.args().to_string());
            }
        }
        fn flush(&self) {}
    }

    static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

    #[test]
    fn a_scheduler_that_never_hears_a_metric_says_so_after_epoch_one() {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(log::LevelFilter::Warn);
        let base = Spec::new(ExponentialLr::new(1.0)).scheduler(0.1).unwrap();
        let config = Arc::new(ReduceOnPlateau::default());
        let mut scheduler = PlateauScheduler::new(base, config, 0.0, MetricMailbox::new(), 3);
        for _ in 0..3 {
            scheduler.step();
        }
        assert!(
            CAPTURE.0.lock().unwrap().is_empty(),
            "no warning during epoch 1"
        );
        scheduler.step();
        scheduler.step();
        let warnings = CAPTURE.0.lock().unwrap().clone();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("no validation metric by the end of epoch 1"));
    }
}
