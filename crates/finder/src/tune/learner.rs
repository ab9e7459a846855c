//! The tuner's objective through burn-train: each trial is a `Learner` run
//! with the trial's scheduler, its metric read back from burn-train's logs.

use std::path::PathBuf;

use burn::optim::ModuleOptimizer;
use burn::train::logger::{
    EvaluationProgressLogger, FileMetricLogger, MetricLogger, TrainingProgressLogger,
};
use burn::train::metric::store::Split;
use burn::train::metric::{Adaptor, LossInput, MetricDefinition};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};
use burn::train::{Learner, LearnerModel, SupervisedTraining, TrainLoader, TrainStep, ValidLoader};
use burn_lr_core::ConfigError;
use burn_lr_core::train::epoch_mean;

use super::bracket::Bracket;
use super::trial::{Outcome, Trial};
use super::tuning::{TuneError, Tuning};
use super::{TunerConfig, tune};
use crate::range_test::{FinderConfig, range_test};

/// burn-train's renderer for a trial: nothing on the terminal (the tuner's
/// progress bar reports the trials; the metrics are in the trial's logs).
struct Quiet;

impl TrainingProgressLogger for Quiet {
    fn start(
        &mut self,
        _epochs: usize,
        _start: usize,
        _items: Option<usize>,
        _label: Option<&str>,
    ) {
    }
    fn update_epoch(&mut self, _epoch: usize) {}
    fn start_split(&mut self, _split: &str, _total_items: usize) {}
    fn update_split(&mut self, _items_processed: usize) {}
    fn end_split(&mut self) {}
    fn end(&mut self) {}
    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for Quiet {
    fn start_global_progress(&mut self, _total_tests: usize) {}
    fn start_test(&mut self, _name: &str, _total_items: usize) {}
    fn update_test_progress(&mut self, _items_processed: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRendererTraining for Quiet {
    fn update_train(&mut self, _state: MetricState) {}
    fn update_valid(&mut self, _state: MetricState) {}
}

impl MetricsRendererEvaluation for Quiet {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl MetricsRenderer for Quiet {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, _definition: MetricDefinition) {}
}

/// What one trial trains, built fresh for each: the model (initialised from
/// the trial's seed), its optimizer, and the loaders.
pub struct TrialSetup<M: LearnerModel> {
    /// The model, with its initial weights.
    pub model: M,
    /// The optimizer (its LR comes from the trial's scheduler).
    pub optimizer: ModuleOptimizer,
    /// Training batches.
    pub train: TrainLoader<M>,
    /// Validation batches.
    pub valid: ValidLoader<M>,
}

type Setup<M> = Box<dyn FnMut(u64) -> TrialSetup<M>>;
type Register<M> = Box<dyn Fn(SupervisedTraining<M>) -> SupervisedTraining<M>>;

/// The tuner's objective for a burn-train model: each trial trains whole
/// epochs through `Learner` with the trial's scheduler and its `LrHook`
/// (so a wrong `steps_per_epoch` stops the trial), in a directory of its
/// own under `directory`, and answers the last epoch's value of the
/// validation metric `metric`, as burn-train logged it.
///
/// A trial whose metric is NaN or infinite diverged; a training error, or a
/// run the hook stopped, is the objective's error, which stops the search.
pub struct LearnerObjective<M: LearnerModel> {
    directory: PathBuf,
    steps_per_epoch: u64,
    metric: String,
    setup: Setup<M>,
    register: Register<M>,
}

impl<M: LearnerModel> LearnerObjective<M> {
    /// `setup(seed)` builds a trial's model, optimizer and loaders;
    /// `steps_per_epoch` is the updates an epoch of its training loader makes
    /// (see `StepsPerEpoch`); `register` adds the validation metric named
    /// `metric` (and any other) to burn-train's `SupervisedTraining`, e.g.
    /// `|t| t.metric_valid_numeric(AccuracyMetric::new())` for `"Accuracy"`.
    pub fn new(
        directory: impl Into<PathBuf>,
        steps_per_epoch: u64,
        metric: impl Into<String>,
        setup: impl FnMut(u64) -> TrialSetup<M> + 'static,
        register: impl Fn(SupervisedTraining<M>) -> SupervisedTraining<M> + 'static,
    ) -> Self {
        Self {
            directory: directory.into(),
            steps_per_epoch,
            metric: metric.into(),
            setup: Box::new(setup),
            register: Box::new(register),
        }
    }

    /// Trains `trial` and answers its validation metric.
    pub fn run(&mut self, trial: &Trial) -> Result<Outcome, String> {
        if !trial.updates.is_multiple_of(self.steps_per_epoch) {
            return Err(format!(
                "{} updates are not whole epochs of {}: give the tuner `with_granule({})`",
                trial.updates, self.steps_per_epoch, self.steps_per_epoch
            ));
        }
        let epochs = (trial.updates / self.steps_per_epoch) as usize;
        let directory = self.directory.join(format!("trial-{}", trial.index));
        if directory.exists() {
            std::fs::remove_dir_all(&directory)
                .map_err(|e| format!("cannot clear {}: {e}", directory.display()))?;
        }
        let setup = (self.setup)(trial.seed);
        let scheduler = trial
            .spec()
            .clone()
            .with_steps_per_epoch(self.steps_per_epoch)
            .init_for(&setup.model, Trial::BASE_LR)
            .map_err(|e| e.to_string())?;
        let hook = scheduler.hook();
        let training = SupervisedTraining::new(&directory, setup.train, setup.valid)
            .num_epochs(epochs)
            .renderer(Box::new(Quiet))
            .with_application_logger(None)
            .early_stopping(hook.clone());
        let result =
            (self.register)(training).launch(Learner::new(setup.model, setup.optimizer, scheduler));
        if let Some(error) = result.error {
            return Err(format!("burn-train stopped: {error}"));
        }
        if let Some(problem) = hook.problem() {
            return Err(format!("the LR hook stopped the trial: {problem:?}"));
        }
        let mut logger = FileMetricLogger::new(&directory);
        let entries = logger
            .read_numeric(&self.metric, epochs, &Split::Valid)
            .unwrap_or_default();
        match epoch_mean(&entries) {
            Some(value) => Ok(Outcome::Metric(value)),
            None => Err(format!(
                "no validation value of `{}` was logged in epoch {epochs}: register the metric \
                 with `metric_valid_numeric` and give its name as burn-train logs it",
                self.metric
            )),
        }
    }

    /// The range test on the setup of `seed`, as a bracket.
    pub fn bracket(&mut self, seed: u64, finder: &FinderConfig) -> Result<Bracket, ConfigError>
    where
        M: TrainStep,
        <M as TrainStep>::Output: Adaptor<LossInput>,
    {
        let setup = (self.setup)(seed);
        let test = range_test(setup.model, setup.optimizer, setup.train, finder)?;
        Bracket::from_range_test(&test)
    }

    /// The whole search: a range test with the finder's defaults (its
    /// progress bar as `config`'s), then [`tune`] with whole-epoch trials.
    pub fn tune(&mut self, config: TunerConfig) -> Result<Tuning, TuneError>
    where
        <M as TrainStep>::Output: Adaptor<LossInput>,
    {
        let finder = FinderConfig {
            progress: config.progress,
            ..FinderConfig::default()
        };
        let config = config.with_granule(self.steps_per_epoch);
        let bracket = self.bracket(config.seed, &finder)?;
        tune(&config, &bracket, |trial| self.run(trial))
    }
}
