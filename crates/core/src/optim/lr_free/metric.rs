//! A burn-train metric that logs the adapted scale `d` of a
//! learning-rate-free optimizer.

use std::sync::Arc;

use burn::tensor::TensorReadError;
use burn::train::metric::state::{FormatOptions, NumericMetricState};
use burn::train::metric::{
    Metric, MetricAttributes, MetricMetadata, MetricName, Numeric, NumericAttributes, NumericEntry,
    SerializedEntry,
};

use super::LrFree;

/// The adapted scale `d` after each update, logged as `Prodigy d` or
/// `D-Adapt Adam d` (register it with `.metric_train_numeric(..)`). It reads
/// the handle, so each entry is the `d` of the latest update; the optimizer's
/// effective step size is `d` times the scheduled LR.
#[derive(Clone)]
pub struct AdaptedScaleMetric {
    handle: LrFree,
    name: MetricName,
    state: NumericMetricState,
}

impl AdaptedScaleMetric {
    /// The metric of the optimizer that `handle` came with.
    pub fn new(handle: &LrFree) -> Self {
        Self {
            name: Arc::new(format!("{} d", handle.name())),
            handle: handle.clone(),
            state: NumericMetricState::new(),
        }
    }

    fn format(&self) -> FormatOptions {
        FormatOptions::new(self.name()).precision(6)
    }
}

impl Metric for AdaptedScaleMetric {
    type Input = ();

    fn update(
        &mut self,
        _item: &(),
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        self.state.update(self.handle.d(), 1);
        Ok(self.state.compute_update(self.format()))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self.state.compute_final(self.format()))
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

impl Numeric for AdaptedScaleMetric {
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
