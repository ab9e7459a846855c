//! A preview runs no training: a plateau spec previewed without metrics
//! must not warn about a metric it was never going to get.

use std::sync::Mutex;

use burn_lr_schedule::Spec;

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0.lock().unwrap().push(record.args().to_string());
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn previewing_a_plateau_spec_warns_about_nothing() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Warn);
    let spec = Spec::from_json(
        r#"{"scheduler": "reduce_on_plateau", "steps_per_epoch": 10,
            "base": {"scheduler": "cosine_annealing", "t_max": 5, "unit": "epoch", "timing": "iteration"}}"#,
    )
    .unwrap();
    let lrs = spec.preview(0.1, 50).unwrap();
    assert_eq!(lrs.len(), 50);
    let warnings = CAPTURE.0.lock().unwrap().clone();
    assert!(warnings.is_empty(), "{warnings:?}");
}
