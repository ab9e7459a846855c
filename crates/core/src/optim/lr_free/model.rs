//! Training inside burn-train: burn-train updates the model through
//! `TrainStep::optimize`, so a wrapper that carries the handle makes each
//! update the two passes of [`LrFree::step`].

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::{Module, ModuleDisplay};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::train::{InferenceStep, TrainOutput, TrainStep};

use super::LrFree;

/// A model trained by a learning-rate-free optimizer in burn-train: its
/// training and inference steps are the model's, and each update goes
/// through the optimizer's handle. Single-device training only: burn-train's
/// multi-device update (`optimize_multi`) bypasses the handle and changes
/// nothing (reported once).
#[derive(Module, Debug)]
pub struct LrFreeModel<M: Module> {
    /// The model.
    pub model: M,
    #[module(skip)]
    handle: LrFree,
}

impl<M: Module> LrFreeModel<M> {
    /// `model` trained by the optimizer that came with `handle`.
    pub fn new(model: M, handle: LrFree) -> Self {
        Self { model, handle }
    }
}

impl<M: Module + ModuleDisplay + TrainStep> TrainStep for LrFreeModel<M> {
    type Input = M::Input;
    type Output = M::Output;

    fn step(&self, item: Self::Input) -> TrainOutput<Self::Output> {
        self.model.step(item)
    }

    fn optimize(
        self,
        optim: &mut ModuleOptimizer,
        lr: ModuleLearningRate,
        grads: GradientsParams,
    ) -> Self {
        let handle = self.handle.clone();
        handle.step(optim, lr, self, grads)
    }
}

impl<M: Module + InferenceStep> InferenceStep for LrFreeModel<M> {
    type Input = <M as InferenceStep>::Input;
    type Output = <M as InferenceStep>::Output;

    fn step(&self, item: Self::Input) -> Self::Output {
        InferenceStep::step(&self.model, item)
    }
}
