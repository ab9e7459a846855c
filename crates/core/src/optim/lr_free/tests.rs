use burn::module::{Module, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{DType, Device, Tensor, TensorData};

use super::{AdaptedScaleMetric, DAdaptAdamConfig, LrFree, ProdigyConfig};
use crate::ConfigError;

#[derive(Module, Debug)]
struct Two {
    w: Param<Tensor<1>>,
    c: Param<Tensor<1>>,
}

fn device() -> Device {
    Device::default().autodiff()
}

fn tensor(values: &[f64]) -> Tensor<1> {
    let data = TensorData::new(values.to_vec(), [values.len()]);
    Tensor::from_data(data, (&device(), DType::F64))
}

fn model() -> Two {
    Two {
        w: Param::from_tensor(tensor(&[0.5, -1.0, 2.0])),
        c: Param::from_tensor(tensor(&[0.0])),
    }
}

fn values(model: &Two) -> Vec<f64> {
    let mut out = model.w.val().into_data().try_to_vec::<f64>().unwrap();
    out.extend(model.c.val().into_data().try_to_vec::<f64>().unwrap());
    out
}

fn grads(model: &Two, w: [f64; 3], c: f64) -> GradientsParams {
    let mut grads = GradientsParams::new();
    grads.register(model.w.id, tensor(&w));
    grads.register(model.c.id, tensor(&[c]));
    grads
}

fn both() -> [(ModuleOptimizer, LrFree); 2] {
    [
        ProdigyConfig::new().init().unwrap(),
        DAdaptAdamConfig::new().init().unwrap(),
    ]
}

fn field(result: Result<(ModuleOptimizer, LrFree), ConfigError>) -> String {
    match result {
        Err(ConfigError::Invalid { field, .. }) => field,
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn every_field_is_checked() {
    let p = ProdigyConfig::new;
    assert_eq!(field(p().with_beta_1(1.0).init()), "beta_1");
    assert_eq!(field(p().with_beta_2(-0.1).init()), "beta_2");
    assert_eq!(field(p().with_beta_3(Some(f64::NAN)).init()), "beta_3");
    assert_eq!(field(p().with_eps(0.0).init()), "eps");
    assert_eq!(field(p().with_weight_decay(-1.0).init()), "weight_decay");
    assert_eq!(field(p().with_d0(0.0).init()), "d0");
    assert_eq!(field(p().with_d_coef(f64::INFINITY).init()), "d_coef");
    assert_eq!(field(p().with_growth_rate(0.5).init()), "growth_rate");
    assert_eq!(field(p().with_slice_p(0).init()), "slice_p");
    let a = DAdaptAdamConfig::new;
    assert_eq!(field(a().with_beta_1(f64::NAN).init()), "beta_1");
    assert_eq!(field(a().with_beta_2(1.0).init()), "beta_2");
    assert_eq!(field(a().with_eps(-1e-8).init()), "eps");
    assert_eq!(
        field(a().with_weight_decay(f64::NAN).init()),
        "weight_decay"
    );
    assert_eq!(field(a().with_d0(-1.0).init()), "d0");
    assert_eq!(field(a().with_growth_rate(f64::NAN).init()), "growth_rate");
}

/// Zero gradients give zero sums: the update is skipped as in the packages,
/// without a division by zero; the next real gradient trains.
#[test]
fn zero_gradients_skip_the_update_without_nan() {
    for (mut optim, handle) in both() {
        let name = handle.name();
        let start = model();
        let before = values(&start);
        let g = grads(&start, [0.0; 3], 0.0);
        let model = handle.step(&mut optim, 1.0, start, g);
        assert_eq!(values(&model), before, "{name}");
        assert_eq!(handle.d(), 1e-6, "{name}");
        let g = grads(&model, [1.0, -2.0, 0.5], 0.3);
        let model = handle.step(&mut optim, 1.0, model, g);
        assert!(values(&model).iter().all(|x| x.is_finite()), "{name}");
        assert_ne!(values(&model), before, "{name}");
        assert!(handle.d().is_finite() && handle.d() >= 1e-6, "{name}");
    }
}

/// An LR of 0 takes no part in the sums: nothing moves.
#[test]
fn a_zero_lr_changes_nothing() {
    for (mut optim, handle) in both() {
        let start = model();
        let before = values(&start);
        let g = grads(&start, [1.0, -2.0, 0.5], 0.3);
        let model = handle.step(&mut optim, 0.0, start, g);
        assert_eq!(values(&model), before, "{}", handle.name());
        assert_eq!(handle.d(), 1e-6);
    }
}

/// `optim.step` outside the handle cannot update `d`: it changes nothing.
#[test]
fn a_direct_step_leaves_the_model_unchanged() {
    for (mut optim, handle) in both() {
        let start = model();
        let before = values(&start);
        let g = grads(&start, [1.0, -2.0, 0.5], 0.3);
        let model = optim.step(1.0, start, g);
        assert_eq!(values(&model), before, "{}", handle.name());
    }
}

#[test]
fn slicing_and_no_first_moment_train() {
    let config = ProdigyConfig::new().with_slice_p(2).with_beta_1(0.0);
    let (mut optim, handle) = config.init().unwrap();
    let mut model = model();
    for _ in 0..5 {
        let g = grads(&model, [1.0, -2.0, 0.5], 0.3);
        model = handle.step(&mut optim, 1.0, model, g);
    }
    assert!(values(&model).iter().all(|x| x.is_finite()));
    assert!(handle.d() > 1e-6);
}

#[test]
fn the_metric_is_named_after_the_optimizer() {
    use burn::train::metric::Metric;
    let [(_, prodigy), (_, dadapt)] = both();
    assert_eq!(*AdaptedScaleMetric::new(&prodigy).name(), "Prodigy d");
    assert_eq!(*AdaptedScaleMetric::new(&dadapt).name(), "D-Adapt Adam d");
}
