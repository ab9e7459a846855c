//! Every optimizer config checks its fields in `init` and names the first
//! one out of range, as specs do.

use burn_lr_core::MomentumHandle;
use burn_lr_core::Spec;
use burn_lr_core::optim::cycled::{CycledAdamConfig, CycledSgdConfig};
use burn_lr_core::optim::schedule_free::{ScheduleFreeAdamWConfig, ScheduleFreeSgdConfig};
use burn_lr_core::schedules::OneCycleLr;

fn momentum() -> MomentumHandle {
    Spec::new(OneCycleLr::new(0.1, 100))
        .init(0.1)
        .unwrap()
        .momentum()
        .unwrap()
}

/// The message of `result`'s error, which must start by naming `field`.
fn refused<T>(result: Result<T, burn_lr_core::ConfigError>, field: &str) -> String {
    let message = result.err().expect("refused").to_string();
    assert!(message.starts_with(&format!("`{field}` = ")), "{message}");
    message
}

#[test]
fn schedule_free_configs_name_the_field_out_of_range() {
    // beta_1 = 0 would divide by zero when averaging.
    let m = refused(
        ScheduleFreeAdamWConfig::new().with_beta_1(0.0).init(),
        "beta_1",
    );
    assert!(m.contains("(0, 1)"), "{m}");
    refused(
        ScheduleFreeAdamWConfig::new().with_beta_2(1.0).init(),
        "beta_2",
    );
    refused(ScheduleFreeAdamWConfig::new().with_eps(0.0).init(), "eps");
    refused(
        ScheduleFreeAdamWConfig::new()
            .with_weight_decay(-1e-4)
            .init(),
        "weight_decay",
    );
    refused(ScheduleFreeAdamWConfig::new().with_r(f64::NAN).init(), "r");
    refused(
        ScheduleFreeSgdConfig::new().with_momentum(1.0).init(),
        "momentum",
    );
    refused(
        ScheduleFreeSgdConfig::new()
            .with_weight_lr_power(-2.0)
            .init(),
        "weight_lr_power",
    );
    assert!(ScheduleFreeAdamWConfig::new().init().is_ok());
    assert!(ScheduleFreeSgdConfig::new().init().is_ok());
}

#[test]
fn cycled_configs_name_the_field_out_of_range() {
    refused(
        CycledSgdConfig::new().with_momentum(1.5).init(momentum()),
        "momentum",
    );
    refused(
        CycledSgdConfig::new().with_dampening(2.0).init(momentum()),
        "dampening",
    );
    let m = refused(
        CycledSgdConfig::new()
            .with_nesterov(true)
            .with_dampening(0.1)
            .init(momentum()),
        "dampening",
    );
    assert!(m.contains("nesterov"), "{m}");
    refused(
        CycledAdamConfig::new().with_beta_1(-0.1).init(momentum()),
        "beta_1",
    );
    refused(
        CycledAdamConfig::new().with_beta_2(1.0).init(momentum()),
        "beta_2",
    );
    refused(
        CycledAdamConfig::new().with_eps(-1.0).init(momentum()),
        "eps",
    );
    refused(
        CycledAdamConfig::new()
            .with_weight_decay(f64::INFINITY)
            .init(momentum()),
        "weight_decay",
    );
    assert!(CycledSgdConfig::new().init(momentum()).is_ok());
    assert!(CycledAdamConfig::new().init(momentum()).is_ok());
}
