//! A renderer for burn-train that prints one line per epoch instead of
//! burn's progress snapshots (which flood a non-terminal output).

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::MetricDefinition;
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

/// Prints `epoch k/N` as each epoch starts (unless quiet); everything else is
/// left to the metric logs.
#[derive(Debug, Default)]
pub struct EpochLines {
    total: usize,
    quiet: bool,
}

impl EpochLines {
    /// A renderer that prints nothing (benchmarks).
    pub fn quiet() -> Self {
        Self {
            total: 0,
            quiet: true,
        }
    }
}

impl TrainingProgressLogger for EpochLines {
    fn start(
        &mut self,
        total_epochs: usize,
        _start: usize,
        _items: Option<usize>,
        _label: Option<&str>,
    ) {
        self.total = total_epochs;
    }
    fn update_epoch(&mut self, epoch: usize) {
        if !self.quiet {
            eprintln!("epoch {epoch}/{}", self.total);
        }
    }
    fn start_split(&mut self, _split: &str, _total_items: usize) {}
    fn update_split(&mut self, _items_processed: usize) {}
    fn end_split(&mut self) {}
    fn end(&mut self) {}
    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for EpochLines {
    fn start_global_progress(&mut self, _total_tests: usize) {}
    fn start_test(&mut self, _name: &str, _total_items: usize) {}
    fn update_test_progress(&mut self, _items_processed: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRendererTraining for EpochLines {
    fn update_train(&mut self, _state: MetricState) {}
    fn update_valid(&mut self, _state: MetricState) {}
}

impl MetricsRendererEvaluation for EpochLines {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl MetricsRenderer for EpochLines {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, _definition: MetricDefinition) {}
}
