//! Schedule-free AdamW and SGD against the authors' package: every step's
//! train-mode parameters `y` and averaged parameters `x` on the least-squares
//! problems of `golden/schedule_free.json`, through burn's `ModuleOptimizer`
//! and the `eval` / `train` swap, in f64, to 1e-9 relative. The variable
//! `BURN_LR_GOLDEN_SCHEDULE_FREE` names another file of cases to replay.

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::module::{Module, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{DType, Device, Tensor, TensorData};
use burn::train::Learner;
use burn::train::metric::store::Split;
use burn_lr_core::optim::schedule_free::{
    Averaged, ScheduleFree, ScheduleFreeAdamWConfig, ScheduleFreeSgdConfig,
};
use burn_lr_examples::digits::{self, DigitBatcher};
use burn_lr_examples::model::{Mlp, accuracy};
use burn_lr_tests::{digits_training, golden_path, per_batch, serial};
use serde_json::Value;

#[derive(Module, Debug)]
struct Weights {
    w: Param<Tensor<1>>,
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn values(weights: &Weights) -> Vec<f64> {
    weights
        .w
        .val()
        .into_data()
        .convert::<f64>()
        .try_to_vec::<f64>()
        .unwrap()
}

/// `A^T (A w - b)`, the gradient of `0.5 ||A w - b||^2`.
fn gradient(a: &[Vec<f64>], b: &[f64], w: &[f64]) -> Vec<f64> {
    let residual: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(row, b)| row.iter().zip(w).map(|(a, w)| a * w).sum::<f64>() - b)
        .collect();
    (0..w.len())
        .map(|j| a.iter().zip(&residual).map(|(row, r)| row[j] * r).sum())
        .collect()
}

/// The optimizer of a case; any optimizer or argument it cannot express fails.
fn optimizer(case: &Value) -> (ModuleOptimizer, ScheduleFree) {
    let id = case["id"].as_str().unwrap();
    let p = &case["params"];
    let f = |key: &str, default: f64| p[key].as_f64().unwrap_or(default);
    let warmup = p["warmup_steps"].as_u64().unwrap();
    let name = case["optimizer"].as_str().unwrap();
    let known: &[&str] = match name {
        "adamw" => &[
            "lr",
            "betas",
            "eps",
            "weight_decay",
            "warmup_steps",
            "r",
            "weight_lr_power",
        ],
        "sgd" => &[
            "lr",
            "momentum",
            "weight_decay",
            "warmup_steps",
            "r",
            "weight_lr_power",
        ],
        other => panic!("{id}: unknown optimizer {other}"),
    };
    for key in p.as_object().unwrap().keys() {
        assert!(
            known.contains(&key.as_str()),
            "{id}: unknown {name} argument {key}"
        );
    }
    if name == "adamw" {
        ScheduleFreeAdamWConfig::new()
            .with_beta_1(p["betas"][0].as_f64().unwrap())
            .with_beta_2(p["betas"][1].as_f64().unwrap())
            .with_eps(f("eps", 1e-8))
            .with_weight_decay(f("weight_decay", 0.0))
            .with_warmup_steps(warmup)
            .with_r(f("r", 0.0))
            .with_weight_lr_power(f("weight_lr_power", 2.0))
            .init()
            .unwrap()
    } else {
        ScheduleFreeSgdConfig::new()
            .with_momentum(f("momentum", 0.9))
            .with_weight_decay(f("weight_decay", 0.0))
            .with_warmup_steps(warmup)
            .with_r(f("r", 0.0))
            .with_weight_lr_power(f("weight_lr_power", 2.0))
            .init()
            .unwrap()
    }
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs() + 1e-12,
            "{what}: {got:?} vs {want:?}"
        );
    }
}

#[test]
fn trajectories_match_the_schedulefree_package() {
    // Another set of cases of the same format, when named.
    let path = std::env::var_os("BURN_LR_GOLDEN_SCHEDULE_FREE")
        .map_or_else(|| golden_path("schedule_free.json"), Into::into);
    let text = std::fs::read_to_string(path).unwrap();
    let golden: Value = serde_json::from_str(&text).unwrap();
    let device = Device::default().autodiff();
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let a: Vec<Vec<f64>> = case["A"].as_array().unwrap().iter().map(floats).collect();
        let b = floats(&case["b"]);
        let w0 = floats(&case["w0"]);
        let lr = case["params"]["lr"].as_f64().unwrap();
        let (mut optim, handle) = optimizer(case);
        let tensor = Tensor::<1>::from_data(
            TensorData::new(w0.clone(), [w0.len()]),
            (&device, DType::F64),
        );
        let mut model = Weights {
            w: Param::from_tensor(tensor),
        };
        for (k, (y, x)) in case["y"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["x"].as_array().unwrap())
            .enumerate()
        {
            let grad = gradient(&a, &b, &values(&model));
            let mut grads = GradientsParams::new();
            grads.register(
                model.w.id,
                Tensor::<1>::from_data(TensorData::new(grad, [w0.len()]), (&device, DType::F64)),
            );
            model = optim.step(lr, model, grads);
            assert_close(
                &values(&model),
                &floats(y),
                &format!("{id}: y after step {k}"),
            );
            // The package's eval() and train() around the recording, as the reference did.
            model = handle.eval(model, &mut optim);
            assert_close(
                &values(&model),
                &floats(x),
                &format!("{id}: x after step {k}"),
            );
            model = handle.train(model, &mut optim);
        }
    }
}

/// The per-batch validation accuracy (%) and loss of `model` on the digits split of `seed`.
fn validation(model: &Mlp, seed: u64, batch: usize) -> (Vec<f64>, f64) {
    let (_, valid) = digits::split(seed);
    let loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(batch)
        .build(valid);
    let (accuracies, losses): (Vec<f64>, Vec<f64>) = loader
        .iter()
        .map(|item| {
            let output = model.classify(item.unwrap());
            let loss = output.loss.into_scalar::<f64>();
            (100.0 * accuracy(output.output, output.targets), loss)
        })
        .unzip();
    (accuracies, mean(&losses))
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn burn_train_validates_the_average_and_returns_it() {
    let (seed, batch, epochs) = (4, 128, 5);
    let steps = digits::split(seed).0.len().div_ceil(batch) as u64;
    let device = Device::default().autodiff();
    let _serial = serial();
    device.seed(seed);
    for (name, (optim, handle), lr) in [
        (
            "AdamW",
            ScheduleFreeAdamWConfig::new()
                .with_warmup_steps(steps)
                .init()
                .unwrap(),
            1e-2,
        ),
        (
            "SGD",
            ScheduleFreeSgdConfig::new()
                .with_warmup_steps(steps)
                .init()
                .unwrap(),
            0.5,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let model = Averaged::new(Mlp::new(32, &device), handle);
        // A constant LR: the optimizer warms up and averages on its own.
        let result =
            digits_training(dir.path(), seed, batch, epochs).launch(Learner::new(model, optim, lr));
        assert!(result.error.is_none(), "{:?}", result.error);
        let x = result.model.averaged();
        let y = result.model.model.clone();
        // What burn-train logged for the last epoch's validation is the average's accuracy.
        let logged = per_batch(dir.path(), "Accuracy", epochs, Split::Valid).remove(epochs - 1);
        let (at_x, loss_x) = validation(&x, seed, batch);
        let (at_y, loss_y) = validation(&y, seed, batch);
        assert_ne!(loss_x, loss_y, "{name}: x is not y");
        assert_eq!(logged.len(), at_x.len());
        for (l, a) in logged.iter().zip(&at_x) {
            assert!((l - a).abs() < 1e-6, "{name}: logged {l} vs x {a}");
        }
        assert!(
            mean(&at_x) > 80.0,
            "{name}: x trains the model: {}",
            mean(&at_x)
        );
        println!(
            "{name}: validation at x {:.2}% (loss {loss_x:.4}), at y {:.2}% (loss {loss_y:.4})",
            mean(&at_x),
            mean(&at_y)
        );
    }
}
