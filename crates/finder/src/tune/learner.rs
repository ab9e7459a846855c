//! The tuner's objective through burn-train: each trial is a `Learner` run
//! with the trial's scheduler, its metric read back from burn-train's logs.

use std::path::PathBuf;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::ModuleOptimizer;
use burn::tensor::Tensor;
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

/// Whether every float parameter of `module` is finite.
fn finite_weights<M: Module>(module: &M) -> bool {
    struct Finite(bool);
    impl ModuleVisitor for Finite {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if self.0 {
                let sum: f64 = param.val().abs().sum().into_scalar::<f64>();
                self.0 = sum.is_finite();
            }
        }
    }
    let mut visitor = Finite(true);
    module.visit(&mut visitor);
    visitor.0
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
/// own (`directory/trial-N`, cleared first), and answers the last epoch's
/// value of the validation metric `metric`, as burn-train logged it.
///
/// A trial diverged when its metric is NaN or infinite, or when its trained
/// weights are (burn-train trains on through a NaN loss, and a metric such
/// as accuracy stays finite); a training error, or a run the hook stopped,
/// is the objective's error, which stops the search.
///
/// Trials are whole epochs, so the shortest is one epoch: with the default
/// budget (two runs) and ten candidates, a run needs about 10 epochs for a
/// search of two rungs and about 25 for three; a shorter run is a
/// `ConfigError` that states the smallest budget.
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
            return Err(format!(
                "the LR hook stopped the trial: {}",
                problem.message
            ));
        }
        if !finite_weights(&result.model) {
            return Ok(Outcome::Diverged);
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

    /// Removes the `trial-N` directories under the objective's directory.
    fn clear_trials(&self) -> Result<(), ConfigError> {
        let Ok(entries) = std::fs::read_dir(&self.directory) else {
            return Ok(()); // nothing there yet
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let ours = name
                .to_str()
                .and_then(|n| n.strip_prefix("trial-"))
                .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()));
            if ours && entry.path().is_dir() {
                std::fs::remove_dir_all(entry.path())
                    .map_err(|e| ConfigError::io(&entry.path(), format!("cannot clear: {e}")))?;
            }
        }
        Ok(())
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
    /// progress bar as `config`'s), then [`tune`] with whole-epoch trials
    /// (`config`'s granule becomes `steps_per_epoch`, and a target in epochs
    /// gets it too). The `trial-N` directories of an earlier search in
    /// `directory` are removed first.
    pub fn tune(&mut self, config: TunerConfig) -> Result<Tuning, TuneError>
    where
        <M as TrainStep>::Output: Adaptor<LossInput>,
    {
        if self.steps_per_epoch == 0 {
            return Err(ConfigError::invalid("steps_per_epoch", 0, "an integer >= 1").into());
        }
        self.clear_trials().map_err(TuneError::Config)?;
        let finder = FinderConfig {
            progress: config.progress,
            ..FinderConfig::default()
        };
        let mut config = config.with_granule(self.steps_per_epoch);
        if config.target.steps_per_epoch().is_none() {
            config.target = config.target.with_steps_per_epoch(self.steps_per_epoch);
        }
        let bracket = self.bracket(config.seed, &finder)?;
        tune(&config, &bracket, |trial| self.run(trial))
    }
}
