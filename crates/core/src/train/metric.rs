//! A burn-train metric that logs the LR of one parameter group, since
//! burn-train's `LearningRateMetric` logs the default group only.

use std::sync::Arc;

use burn::module::ParamId;
use burn::tensor::TensorReadError;
use burn::train::metric::state::{FormatOptions, NumericMetricState};
use burn::train::metric::{
    Metric, MetricAttributes, MetricMetadata, MetricName, Numeric, NumericAttributes, NumericEntry,
    SerializedEntry,
};

use burn::module::Module;

use crate::{ConfigError, Spec};

/// The LR that parameters under one group's path prefix get at each update,
/// logged as `Learning Rate [PATTERN]` (register it with
/// `.metric_train_numeric(..)`; [`Spec::group_lr_metrics`] makes one per group).
///
/// It reads the LR burn-train passes to every metric, so it shows what the
/// optimizer really used, overlapping groups included (the last one wins).
#[derive(Clone)]
pub struct GroupLrMetric {
    pattern: String,
    id: ParamId,
    name: MetricName,
    precision: usize,
    state: NumericMetricState,
}

impl GroupLrMetric {
    /// The LR of the parameters at path `pattern` (a group's `match`).
    pub fn new(pattern: impl Into<String>) -> Self {
        let pattern = pattern.into();
        Self {
            name: Arc::new(group_lr_name(&pattern)),
            pattern,
            id: ParamId::new(),
            precision: 2,
            state: NumericMetricState::new(),
        }
    }

    /// The scheduled momentum of every update (`cycle_momentum`), logged as
    /// `Momentum`. The schedule hands it to burn-train as the "LR" of a group
    /// that matches no parameter, so each entry is that very update's.
    pub fn momentum() -> Self {
        Self {
            name: Arc::new("Momentum".into()),
            pattern: crate::optim::MOMENTUM_PATH.into(),
            id: ParamId::new(),
            precision: 4,
            state: NumericMetricState::new(),
        }
    }
}

/// The name a [`GroupLrMetric`] logs the group `pattern` under.
fn group_lr_name(pattern: &str) -> String {
    format!("Learning Rate [{pattern}]")
}

impl Spec {
    /// The names the spec's [`group_lr_metrics`](Self::group_lr_metrics) log under.
    pub(crate) fn group_lr_names(&self) -> impl Iterator<Item = String> + '_ {
        self.groups().iter().map(|g| group_lr_name(g.pattern()))
    }

    /// One [`GroupLrMetric`] per parameter group of the spec, to register
    /// next to burn-train's `LearningRateMetric` (the default group).
    ///
    /// The patterns are checked against `module` as [`Spec::init_for`]
    /// does: a metric for a group that matches no parameter would log an LR
    /// that no parameter received.
    pub fn group_lr_metrics<M: Module>(
        &self,
        module: &M,
    ) -> Result<Vec<GroupLrMetric>, ConfigError> {
        self.check_groups(module)?;
        Ok(self
            .groups()
            .iter()
            .map(|g| GroupLrMetric::new(g.pattern()))
            .collect())
    }
}

impl Metric for GroupLrMetric {
    type Input = ();

    fn update(
        &mut self,
        _item: &(),
        metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let lr = metadata.lr.as_ref().map_or(f64::NAN, |lr| {
            lr.lr_from_param(self.id, Some(&self.pattern))
        });
        self.state.update(lr, 1);
        Ok(self
            .state
            .compute_update(FormatOptions::new(self.name()).precision(self.precision)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self
            .state
            .compute_final(FormatOptions::new(self.name()).precision(self.precision)))
    }

    fn clear(&mut self) {
        self.state.reset()
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes {
            unit: None,
            higher_is_better: false,
        }
        .into()
    }
}

impl Numeric for GroupLrMetric {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.running_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.final_value()
    }
}
