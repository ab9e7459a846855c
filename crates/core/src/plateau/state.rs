//! The plateau rule as a pure state machine: one metric in, the next state out.

use super::config::ReduceOnPlateau;

/// Everything ReduceLROnPlateau remembers between epochs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlateauState {
    /// Best metric so far (the mode's worst value before the first epoch).
    pub(crate) best: f64,
    /// Consecutive epochs without a significant improvement.
    pub(crate) num_bad_epochs: u64,
    /// Epochs of cooldown left.
    pub(crate) cooldown_counter: u64,
    /// Product of the reductions applied so far (1 = none).
    pub(crate) scale: f64,
    /// The last epoch whose metric was folded in (0 = none yet).
    pub(crate) epochs_seen: u64,
}

/// The LR with the plateau scale applied: never below `min_lr`, and never
/// above the base schedule's own LR.
pub(crate) fn effective_lr(base_lr: f64, scale: f64, min_lr: f64) -> f64 {
    (base_lr * scale).max(min_lr.min(base_lr))
}

impl PlateauState {
    /// The state before any metric.
    pub(crate) fn new(config: &ReduceOnPlateau) -> Self {
        Self {
            best: config.worst(),
            num_bad_epochs: 0,
            cooldown_counter: 0,
            scale: 1.0,
            epochs_seen: 0,
        }
    }

    /// Folds the metric of epoch `epoch`, PyTorch's `step(metrics)`.
    ///
    /// `base_lr` is the base schedule's LR at the moment of the decision and
    /// `min_lr` the floor of this parameter group. A non-finite metric counts as
    /// a bad epoch.
    pub(crate) fn observe(
        &mut self,
        config: &ReduceOnPlateau,
        epoch: u64,
        metric: f64,
        base_lr: f64,
        min_lr: f64,
    ) {
        self.epochs_seen = epoch;
        if config.is_better(metric, self.best) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > config.patience() {
            let old = effective_lr(base_lr, self.scale, min_lr);
            let new = (old * config.factor()).max(min_lr.min(base_lr));
            if old - new > config.eps() {
                self.scale *= config.factor();
            }
            self.cooldown_counter = config.cooldown();
            self.num_bad_epochs = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_after_patience_bad_epochs_then_cools_down() {
        let config = ReduceOnPlateau::new()
            .with_patience(2)
            .with_cooldown(1)
            .with_factor(0.5);
        let mut state = PlateauState::new(&config);
        let mut scales = Vec::new();
        for (epoch, metric) in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
            .into_iter()
            .enumerate()
        {
            state.observe(&config, epoch as u64 + 1, metric, 1.0, 0.0);
            scales.push(state.scale);
        }
        // Epoch 1 improves on +inf; 2, 3 are bad (patience 2); 4 reduces; 5 is cooldown;
        // 6, 7 are bad; 8 reduces.
        assert_eq!(scales, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]);
    }

    #[test]
    fn nan_and_infinite_metrics_never_improve() {
        let config = ReduceOnPlateau::new().with_patience(0).with_factor(0.5);
        let mut state = PlateauState::new(&config);
        state.observe(&config, 1, 2.0, 1.0, 0.0);
        for (epoch, metric) in [f64::NAN, f64::NEG_INFINITY, f64::INFINITY]
            .into_iter()
            .enumerate()
        {
            state.observe(&config, epoch as u64 + 2, metric, 1.0, 0.0);
            assert_eq!(state.best, 2.0);
        }
        assert_eq!(state.scale, 0.125, "each non-finite epoch is a bad one");
    }

    #[test]
    fn the_floor_and_eps_stop_reductions() {
        let config = ReduceOnPlateau::new()
            .with_patience(0)
            .with_factor(0.5)
            .with_eps(0.0);
        let mut state = PlateauState::new(&config);
        for epoch in 1..=10 {
            state.observe(&config, epoch, 1.0, 0.1, 0.02);
        }
        assert_eq!(effective_lr(0.1, state.scale, 0.02), 0.02);
        assert_eq!(
            state.scale, 0.125,
            "0.1 -> 0.05 -> 0.025 -> 0.0125 floored at 0.02, then no change"
        );
    }
}
