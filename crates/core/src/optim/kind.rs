//! The optimizer families the finder and the recipes give advice for.

use serde::Serialize;

/// The optimizer family. One spelling everywhere (command line, JSON,
/// messages): `sgd`, `adam`, `adamw`, `schedule_free_adamw`,
/// `schedule_free_sgd`, `prodigy`, `dadapt_adam`; the command line also
/// accepts the kebab-case and short forms (`sf-adamw`, `dadapt-adam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum OptimizerKind {
    /// SGD with momentum.
    Sgd,
    /// Adam.
    Adam,
    /// AdamW (decoupled weight decay).
    #[serde(rename = "adamw")]
    #[cfg_attr(feature = "clap", value(name = "adamw", alias = "adam_w"))]
    AdamW,
    /// Schedule-free AdamW (Defazio et al., 2024): a constant LR, its own warmup.
    #[serde(rename = "schedule_free_adamw")]
    #[cfg_attr(
        feature = "clap",
        value(name = "schedule_free_adamw", aliases = ["schedule-free-adamw", "sf-adamw", "sf_adamw"])
    )]
    ScheduleFreeAdamW,
    /// Schedule-free SGD: a constant LR, its own warmup.
    #[serde(rename = "schedule_free_sgd")]
    #[cfg_attr(
        feature = "clap",
        value(name = "schedule_free_sgd", aliases = ["schedule-free-sgd", "sf-sgd", "sf_sgd"])
    )]
    ScheduleFreeSgd,
    /// Prodigy (Mishchenko & Defazio, 2023): learning-rate-free, base LR 1
    /// times the schedule.
    Prodigy,
    /// D-Adaptation Adam (Defazio & Mishchenko, 2023): learning-rate-free,
    /// base LR 1 times the schedule.
    #[serde(rename = "dadapt_adam")]
    #[cfg_attr(feature = "clap", value(name = "dadapt_adam", alias = "dadapt-adam"))]
    DAdaptAdam,
}

impl OptimizerKind {
    /// Adam, AdamW and schedule-free AdamW adapt the step size per parameter.
    pub fn is_adaptive(self) -> bool {
        matches!(self, Self::Adam | Self::AdamW | Self::ScheduleFreeAdamW)
    }

    /// The learning-rate-free optimizers, which adapt the step size
    /// themselves and want a base LR of 1.
    pub fn is_lr_free(self) -> bool {
        matches!(self, Self::Prodigy | Self::DAdaptAdam)
    }

    /// The schedule-free optimizers, which want a constant LR.
    pub fn is_schedule_free(self) -> bool {
        matches!(self, Self::ScheduleFreeAdamW | Self::ScheduleFreeSgd)
    }

    /// The optimizer's name as people write it (`"AdamW"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "SGD",
            Self::Adam => "Adam",
            Self::AdamW => "AdamW",
            Self::ScheduleFreeAdamW => "schedule-free AdamW",
            Self::ScheduleFreeSgd => "schedule-free SGD",
            Self::Prodigy => "Prodigy",
            Self::DAdaptAdam => "D-Adaptation Adam",
        }
    }
}
