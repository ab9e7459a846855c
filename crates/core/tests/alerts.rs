//! What a user is told, and when: a preview runs no training and warns about
//! nothing; `init` refuses parameter groups it cannot check, quietly; a handler
//! of the user's gets every alert instead of stderr;
//! a cycled momentum that no optimizer reads is reported at the second update;
//! a schedule-free optimizer says when it decays, when its handle was dropped,
//! and at the end of a run that never evaluated its average.

use std::sync::{Mutex, Once};

use burn_lr_core::Spec;

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record.args().to_string());
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
static INSTALL: Once = Once::new();
/// The logger is global: the tests of this binary run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The warnings logged while `f` runs.
fn warnings_of(f: impl FnOnce()) -> Vec<String> {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    INSTALL.call_once(|| {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(log::LevelFilter::Warn);
    });
    CAPTURE.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    f();
    CAPTURE.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[test]
fn previewing_a_plateau_spec_warns_about_nothing() {
    let spec = Spec::from_json(
        r#"{"scheduler": "reduce_on_plateau", "steps_per_epoch": 10,
            "base": {"scheduler": "cosine_annealing", "t_max": 5, "unit": "epoch", "timing": "iteration"}}"#,
    )
    .unwrap();
    let warnings = warnings_of(|| assert_eq!(spec.preview(0.1, 50).unwrap().len(), 50));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn init_refuses_groups_it_cannot_check_and_prints_nothing() {
    let spec = Spec::from_json(
        r#"{"scheduler": "cosine_annealing", "t_max": 10,
            "groups": [{"match": "bakbone", "lr_mult": 0.0}]}"#,
    )
    .unwrap();
    let mut result = None;
    let warnings = warnings_of(|| result = Some(spec.init(0.1)));
    assert!(warnings.is_empty(), "{warnings:?}");
    let Some(Err(err)) = result else {
        panic!("init built a spec with groups it cannot check")
    };
    let err = err.to_string();
    assert!(err.contains("groups"), "{err}");
    assert!(err.contains("\"bakbone\""), "{err}");
    assert!(err.contains("init_for"), "{err}");
    let plain = Spec::from_json(r#"{"scheduler": "cosine_annealing", "t_max": 10}"#).unwrap();
    assert!(plain.init(0.1).is_ok());
}

#[test]
fn a_routed_alert_reaches_the_handler_and_not_the_log() {
    use burn_lr_core::alert::{self, Severity};
    use std::sync::Arc;
    let spec =
        Spec::from_json(r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 20}"#).unwrap();
    let routed = Arc::new(Mutex::new(Vec::new()));
    let logged = warnings_of(|| {
        let sink = routed.clone();
        alert::route(move |severity, message| {
            sink.lock().unwrap().push((severity, message.to_string()))
        });
        let mut lr = spec.init(0.1).unwrap();
        lr.step();
        lr.step();
        alert::route_to_stderr();
    });
    assert!(logged.is_empty(), "{logged:?}");
    let routed = routed.lock().unwrap();
    assert_eq!(routed.len(), 1, "{routed:?}");
    assert_eq!(routed[0].0, Severity::Warning);
    assert!(routed[0].1.contains("momentum"), "{routed:?}");
}

#[test]
fn a_cycled_momentum_nobody_reads_is_reported_once() {
    let spec =
        Spec::from_json(r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 20}"#).unwrap();
    let warnings = warnings_of(|| {
        let mut lr = spec.init(0.1).unwrap();
        for _ in 0..5 {
            lr.step();
        }
    });
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("CycledAdamConfig"), "{warnings:?}");
    // Read every update (as the cycled optimizers do): quiet.
    let warnings = warnings_of(|| {
        let mut lr = spec.init(0.1).unwrap();
        let momentum = lr.momentum().unwrap();
        for _ in 0..5 {
            lr.step();
            assert!(momentum.current().is_some());
        }
    });
    assert!(warnings.is_empty(), "{warnings:?}");
    // A preview applies no momentum.
    assert!(
        warnings_of(|| {
            spec.preview(0.1, 20).unwrap();
        })
        .is_empty()
    );
}

/// What the run does with the handle `init` returns.
#[derive(Clone, Copy, PartialEq)]
enum Handle {
    /// Dropped at once (`let (optim, _) = config.init()`).
    Dropped,
    /// Kept, never used.
    Kept,
    /// Used to evaluate the average after training.
    Evaluated,
}

/// A schedule-free SGD taking one update of a small linear model per LR,
/// then dropped with its handle.
fn schedule_free_updates(lrs: &[f64], use_of: Handle) {
    use burn::nn::LinearConfig;
    use burn::optim::GradientsParams;
    use burn::tensor::{Device, Tensor};
    use burn_lr_core::optim::schedule_free::ScheduleFreeSgdConfig;

    let device = Device::default().autodiff();
    let mut model = LinearConfig::new(2, 1).init(&device);
    let (mut optim, handle) = ScheduleFreeSgdConfig::new().init().unwrap();
    let handle = (use_of != Handle::Dropped).then_some(handle);
    for lr in lrs {
        let loss = model
            .forward(Tensor::<2>::ones([4, 2], &device))
            .powi_scalar(2)
            .mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(*lr, model, grads);
    }
    if let Some(handle) = handle.filter(|_| use_of == Handle::Evaluated) {
        let _x = handle.averaged(model);
    }
}

#[test]
fn a_schedule_free_optimizer_under_a_decay_is_told_once() {
    let warnings =
        warnings_of(|| schedule_free_updates(&[0.1, 0.1, 0.05, 0.01], Handle::Evaluated));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("constant LR"), "{warnings:?}");
    // A warmup in the schedule (a rise) and a constant LR are fine.
    assert!(
        warnings_of(|| schedule_free_updates(&[0.01, 0.05, 0.1, 0.1], Handle::Evaluated))
            .is_empty()
    );
}

#[test]
fn a_schedule_free_optimizer_whose_handle_was_dropped_says_so_once() {
    let warnings = warnings_of(|| schedule_free_updates(&[0.1; 4], Handle::Dropped));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("Averaged::new"), "{warnings:?}");
    assert!(warnings_of(|| schedule_free_updates(&[0.1; 4], Handle::Evaluated)).is_empty());
}

#[test]
fn a_schedule_free_run_that_never_evaluated_its_average_says_so_at_the_end() {
    let warnings = warnings_of(|| schedule_free_updates(&[0.1; 4], Handle::Kept));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("nothing evaluated its average"),
        "{warnings:?}"
    );
}
