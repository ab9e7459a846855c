//! Prodigy and D-Adaptation Adam against the authors' packages: every step's
//! parameters `w`, `c` and adapted scale `d` on the least-squares problems of
//! `tests/golden/lr_free.json` (or of the file named by
//! `BURN_LR_GOLDEN_LR_FREE`), through burn's `ModuleOptimizer` in f64, to
//! 1e-8 relative; and a save / load / continue that is bit-identical.

use burn::module::{Module, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{DType, Device, Tensor, TensorData};
use burn_lr_core::optim::lr_free::{DAdaptAdamConfig, LrFree, ProdigyConfig};
use serde_json::{Map, Value};

#[derive(Module, Debug)]
struct Affine {
    w: Param<Tensor<1>>,
    c: Param<Tensor<1>>,
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn tensor(values: &[f64], device: &Device) -> Tensor<1> {
    Tensor::from_data(
        TensorData::new(values.to_vec(), [values.len()]),
        (device, DType::F64),
    )
}

fn values(tensor: &Param<Tensor<1>>) -> Vec<f64> {
    tensor.val().into_data().try_to_vec::<f64>().unwrap()
}

/// The gradients of `0.5 ||A w + c - b||^2` at the model's parameters.
fn gradients(model: &Affine, a: &[Vec<f64>], b: &[f64], device: &Device) -> GradientsParams {
    let (w, c) = (values(&model.w), values(&model.c)[0]);
    let residual: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(row, b)| row.iter().zip(&w).map(|(a, w)| a * w).sum::<f64>() + c - b)
        .collect();
    let grad_w: Vec<f64> = (0..w.len())
        .map(|j| a.iter().zip(&residual).map(|(row, r)| row[j] * r).sum())
        .collect();
    let grad_c = residual.iter().sum::<f64>();
    let mut grads = GradientsParams::new();
    grads.register(model.w.id, tensor(&grad_w, device));
    grads.register(model.c.id, tensor(&[grad_c], device));
    grads
}

/// A number of the params, `inf` written as a string or a number.
fn number(id: &str, key: &str, value: &Value) -> f64 {
    match value {
        Value::String(s) if s == "inf" || s == "Infinity" => f64::INFINITY,
        _ => value
            .as_f64()
            .unwrap_or_else(|| panic!("{id}: params.{key} is not a number: {value}")),
    }
}

fn flag(id: &str, key: &str, value: &Value) -> bool {
    value
        .as_bool()
        .unwrap_or_else(|| panic!("{id}: params.{key} is not a bool: {value}"))
}

fn betas(id: &str, value: &Value) -> (f64, f64) {
    let betas = floats(value);
    assert_eq!(betas.len(), 2, "{id}: betas");
    (betas[0], betas[1])
}

/// The optimizer of a case; any optimizer or argument it cannot express fails.
fn optimizer(case: &Value) -> (ModuleOptimizer, LrFree) {
    let id = case["id"].as_str().unwrap();
    let empty = Map::new();
    let params = case["params"].as_object().unwrap_or(&empty);
    match case["optimizer"].as_str().unwrap() {
        "prodigy" => {
            let mut config = ProdigyConfig::new();
            for (key, v) in params {
                match key.as_str() {
                    // `lrs` already holds the base LR times the schedule.
                    "lr" => {}
                    "betas" => (config.beta_1, config.beta_2) = betas(id, v),
                    "beta3" => config.beta_3 = (!v.is_null()).then(|| number(id, key, v)),
                    "eps" => config.eps = number(id, key, v),
                    "weight_decay" => config.weight_decay = number(id, key, v),
                    "decouple" => config.decouple = flag(id, key, v),
                    "use_bias_correction" => config.use_bias_correction = flag(id, key, v),
                    "safeguard_warmup" => config.safeguard_warmup = flag(id, key, v),
                    "d0" => config.d0 = number(id, key, v),
                    "d_coef" => config.d_coef = number(id, key, v),
                    "growth_rate" => config.growth_rate = number(id, key, v),
                    "slice_p" => config.slice_p = v.as_u64().unwrap() as usize,
                    _ => panic!("{id}: unknown Prodigy argument {key}"),
                }
            }
            config.init().unwrap()
        }
        "dadapt_adam" => {
            let mut config = DAdaptAdamConfig::new();
            for (key, v) in params {
                match key.as_str() {
                    "lr" => {}
                    "betas" => (config.beta_1, config.beta_2) = betas(id, v),
                    "eps" => config.eps = number(id, key, v),
                    "weight_decay" => config.weight_decay = number(id, key, v),
                    "decouple" => config.decouple = flag(id, key, v),
                    "use_bias_correction" => config.use_bias_correction = flag(id, key, v),
                    "d0" => config.d0 = number(id, key, v),
                    "growth_rate" => config.growth_rate = number(id, key, v),
                    _ => panic!("{id}: unknown DAdaptAdam argument {key}"),
                }
            }
            config.init().unwrap()
        }
        other => panic!("{id}: unknown optimizer {other}"),
    }
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-8 * w.abs() + 1e-12,
            "{what}: {got:?} vs {want:?}"
        );
    }
}

fn golden() -> Value {
    let path = std::env::var_os("BURN_LR_GOLDEN_LR_FREE").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/lr_free.json"),
        Into::into,
    );
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The LR of every step. `lrs` holds the base LR (`params.lr`, 1.0 when
/// absent) times the schedule; should a file hold the schedule's multipliers
/// alone (their peak 1 where the base LR is not), they are scaled by it.
fn lrs(case: &Value) -> Vec<f64> {
    let lrs = floats(&case["lrs"]);
    let base = case["params"]["lr"].as_f64().unwrap_or(1.0);
    let peak = lrs.iter().copied().fold(0.0, f64::max);
    let multipliers = (peak - 1.0).abs() <= 1e-12 && (peak - base).abs() > 1e-12 * base;
    let scale = if multipliers { base } else { 1.0 };
    lrs.iter().map(|lr| lr * scale).collect()
}

struct Problem {
    a: Vec<Vec<f64>>,
    b: Vec<f64>,
    lrs: Vec<f64>,
}

fn problem(case: &Value, device: &Device) -> (Problem, Affine) {
    let model = Affine {
        w: Param::from_tensor(tensor(&floats(&case["w0"]), device)),
        c: Param::from_tensor(tensor(&floats(&case["c0"]), device)),
    };
    let problem = Problem {
        a: case["A"].as_array().unwrap().iter().map(floats).collect(),
        b: floats(&case["b"]),
        lrs: lrs(case),
    };
    (problem, model)
}

#[test]
fn trajectories_match_the_authors_packages() {
    let golden = golden();
    let device = Device::default().autodiff();
    let cases = golden["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let (p, mut model) = problem(case, &device);
        let (mut optim, handle) = optimizer(case);
        let steps = case["steps"].as_u64().unwrap() as usize;
        let (ws, cs, ds) = (&case["w"], &case["c"], floats(&case["d"]));
        assert_eq!(p.lrs.len(), steps, "{id}: lrs");
        for (k, lr) in p.lrs.iter().enumerate() {
            let grads = gradients(&model, &p.a, &p.b, &device);
            model = handle.step(&mut optim, *lr, model, grads);
            let at = format!("{id}: step {k}");
            assert_close(&values(&model.w), &floats(&ws[k]), &format!("{at}: w"));
            assert_close(&values(&model.c), &floats(&cs[k]), &format!("{at}: c"));
            assert_close(&[handle.d()], &[ds[k]], &format!("{at}: d"));
        }
        println!("{id}: {steps} steps match, final d = {}", handle.d());
    }
}

/// Saving the optimizer after step `k`, loading it into a fresh one and
/// continuing gives the very bits of the uninterrupted run.
#[test]
fn save_load_continue_is_bit_identical() {
    let golden = golden();
    let device = Device::default().autodiff();
    for case in golden["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (p, start) = problem(case, &device);
        let (mut optim, handle) = optimizer(case);
        let mut model = start.clone();
        let mut straight = Vec::new();
        for lr in &p.lrs {
            let grads = gradients(&model, &p.a, &p.b, &device);
            model = handle.step(&mut optim, *lr, model, grads);
            straight.push((values(&model.w), values(&model.c), handle.d()));
        }
        let k = p.lrs.len() / 2;
        let (mut optim, handle) = optimizer(case);
        let mut model = start;
        for lr in &p.lrs[..k] {
            let grads = gradients(&model, &p.a, &p.b, &device);
            model = handle.step(&mut optim, *lr, model, grads);
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("optim.bpk");
        optim.save(&file).unwrap();
        let (fresh, handle) = optimizer(case);
        let mut optim = fresh.load(&file).unwrap();
        for (lr, want) in p.lrs[k..].iter().zip(&straight[k..]) {
            let grads = gradients(&model, &p.a, &p.b, &device);
            model = handle.step(&mut optim, *lr, model, grads);
            let got = (values(&model.w), values(&model.c), handle.d());
            assert_eq!(&got, want, "{id}: resumed after step {k}");
        }
    }
}
