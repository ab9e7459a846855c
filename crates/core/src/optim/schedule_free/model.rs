//! Validating the average `x` inside burn-train: burn-train validates
//! `learner.model()`, and gives no hook between the training and validation
//! passes, so the model carries the optimizer's handle and its inference step
//! runs at `x`.

use burn::module::Module;
use burn::train::{InferenceStep, TrainOutput, TrainStep};

use super::ScheduleFree;

/// A model trained by a schedule-free optimizer: training steps run at the
/// model's parameters `y`, validation steps at the average `x`.
///
/// Checkpoints hold `y` (the model) and `z` (the optimizer), which is what a
/// resume needs; [`Averaged::averaged`] gives `x` for evaluation or export.
#[derive(Module, Debug)]
pub struct Averaged<M: Module> {
    /// The model, at `y`.
    pub model: M,
    #[module(skip)]
    handle: ScheduleFree,
}

impl<M: Module> Averaged<M> {
    /// `model` trained by the optimizer that came with `handle`.
    pub fn new(model: M, handle: ScheduleFree) -> Self {
        Self { model, handle }
    }

    /// The model at the average `x` of the latest update.
    pub fn averaged(&self) -> M {
        self.handle.averaged(self.model.clone())
    }
}

impl<M: Module + TrainStep> TrainStep for Averaged<M> {
    type Input = M::Input;
    type Output = M::Output;

    fn step(&self, item: Self::Input) -> TrainOutput<Self::Output> {
        self.model.step(item)
    }
}

impl<M: Module + InferenceStep> InferenceStep for Averaged<M> {
    type Input = <M as InferenceStep>::Input;
    type Output = <M as InferenceStep>::Output;

    fn step(&self, item: Self::Input) -> Self::Output {
        InferenceStep::step(&self.averaged(), item)
    }
}
