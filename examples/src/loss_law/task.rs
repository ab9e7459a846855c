//! The task: a teacher-student regression with fresh data at every update,
//! as in pretraining (no epochs, no overfitting), trained by AdamW.
//!
//! Inputs `x ~ N(0, I_32)`; targets `y = teacher(x) + N(0, 0.5²)`, the
//! teacher a fixed random 32-128-128-1 tanh MLP (so the loss cannot go below
//! 0.25); the student a 32-256-256-1 ReLU MLP; batch 64, mean squared error;
//! AdamW with betas 0.9/0.95 and no weight decay. The same task as the
//! reference runs of `tests/golden/loss_curves/`, in burn.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Tensor};

/// Input features.
const INPUTS: usize = 32;
/// Examples per update.
const BATCH: usize = 64;
/// The label noise's standard deviation.
const NOISE: f64 = 0.5;
/// The seed of the teacher's weights (the same teacher for every run).
const TEACHER_SEED: u64 = 1_000;

/// A three-layer perceptron with a hidden activation.
#[derive(Module, Debug)]
struct Perceptron {
    layers: Vec<Linear>,
    tanh: bool,
}

impl Perceptron {
    /// burn's default initialisation, for the student.
    fn student(hidden: usize, device: &Device) -> Self {
        let sizes = [INPUTS, hidden, hidden, 1];
        Self {
            layers: sizes
                .windows(2)
                .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                .collect(),
            tanh: false,
        }
    }

    /// Xavier-normal weights with tanh's gain 5/3 in every layer, so that
    /// the teacher's outputs are of order one and far from linear.
    fn teacher(hidden: usize, device: &Device) -> Self {
        let sizes = [INPUTS, hidden, hidden, 1];
        Self {
            layers: sizes
                .windows(2)
                .map(|w| {
                    LinearConfig::new(w[0], w[1])
                        .with_initializer(Initializer::XavierNormal { gain: 5.0 / 3.0 })
                        .init(device)
                })
                .collect(),
            tanh: true,
        }
    }

    fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = if self.tanh {
                    x.tanh()
                } else {
                    burn::tensor::activation::relu(x)
                };
            }
        }
        x
    }
}

/// Trains a fresh student from `seed` with `lrs[i]` the LR of update `i`,
/// and returns the training loss of every update (the loss of the batch the
/// update was computed on). An error if the loss turns non-finite.
pub fn train(lrs: &[f64], seed: u64) -> Result<Vec<f64>, String> {
    let device = Device::default().autodiff();
    device.seed(TEACHER_SEED);
    // Without gradients: the teacher's graph would be kept, orphaned, at every update.
    let teacher = Perceptron::teacher(128, &device).no_grad();
    device.seed(seed);
    let mut student = Perceptron::student(256, &device);
    let mut optim = AdamWConfig::new()
        .with_beta_1(0.9)
        .with_beta_2(0.95)
        .with_weight_decay(0.0)
        .init();
    let mut losses = Vec::with_capacity(lrs.len());
    for (update, lr) in lrs.iter().enumerate() {
        let x = Tensor::<2>::random([BATCH, INPUTS], Distribution::Normal(0.0, 1.0), &device);
        let noise = Tensor::<2>::random([BATCH, 1], Distribution::Normal(0.0, NOISE), &device);
        let y = teacher.forward(x.clone()) + noise;
        let loss = (student.forward(x) - y).powi_scalar(2).mean();
        let value: f64 = loss.clone().into_scalar::<f64>();
        if !value.is_finite() {
            return Err(format!(
                "seed {seed}: the loss is {value} at update {update}"
            ));
        }
        losses.push(value);
        let grads = GradientsParams::from_grads(loss.backward(), &student);
        student = optim.step(*lr, student, grads);
    }
    Ok(losses)
}
